// The quick benchmark runs in CI so that the benchmark keeps working. It asserts the
// structure of bench results (every figure measured, or "unknown" with a reason; never
// 0 for unmeasured), not speed targets: those are for `npm run bench` (docs/BENCHMARKS.md).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const main = join(root, 'dist/bench/main.js');

interface Fig {
  bench: string;
  name: string;
  label: string;
  value: number | 'unknown';
  unit: string;
  reference: { what: string; value: number | 'unknown'; unit: string } | null;
  ratio: number | null;
  target: string | null;
  met: boolean | null;
  reason?: string;
}

const EXPECTED = [
  'overhead.boot_to_leader',
  'overhead.teardown',
  'cold_start.first_boot',
  'cold_start.image_build',
  'rto_accuracy.abs_error',
  'rto_accuracy.measured_rto',
  ...['kill', 'pause', 'partition', 'delay', 'clock-skew'].flatMap((k) => [
    `injection.${k}.median`,
    `injection.${k}.max`,
  ]),
  'recording.capacity',
  'recording.p50_latency_at_capacity',
  'recording.unpaced_rate',
  'recording.harness_cpu_per_op',
  'scaling.primary_down_wall.3',
  'scaling.primary_down_wall.5',
  'scaling.history_bytes_per_op',
  'scaling.peak_rss',
  'restore.rto',
  'backup.backup_throughput',
  'backup.restore_throughput',
];

describe('npm run bench -- --quick', () => {
  it('writes results.json with every figure measured or unknown with a reason', { timeout: 420_000 }, async () => {
    expect(existsSync(main), 'dist/bench/main.js: run npm run build').toBe(true);
    const out = join(mkdtempSync(join(tmpdir(), 'drill-bench-')), 'results.json');
    const r = await execa('node', [main, '--quick', '--out', out], {
      cwd: root,
      reject: false,
      timeout: 400_000,
      env: { FORCE_COLOR: '0' },
    });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8')) as {
      variant: string;
      machine: Record<string, unknown>;
      figures: Fig[];
      benches: Record<string, { error?: string }>;
    };
    expect(res.variant).toBe('quick');
    expect(res.machine['cpus']).toBeGreaterThan(0);
    const names = res.figures.map((f) => f.name);
    for (const n of EXPECTED) expect(names, `figure ${n}`).toContain(n);
    expect(new Set(names).size).toBe(names.length);
    for (const f of res.figures) {
      const where = `${f.name}: ${JSON.stringify(f)}`;
      expect(typeof f.unit, where).toBe('string');
      expect(typeof f.label, where).toBe('string');
      if (f.value === 'unknown') {
        expect(f.reason, where).toMatch(/\S/);
        expect(f.met, where).toBeNull();
        expect(f.ratio, where).toBeNull();
      } else {
        expect(typeof f.value, where).toBe('number');
        expect(Number.isFinite(f.value), where).toBe(true);
      }
      if (f.target === null) expect(f.met, where).toBeNull();
      else expect([true, false, null], where).toContain(f.met);
      if (f.reference) {
        expect(f.reference.value === 'unknown' || typeof f.reference.value === 'number', where).toBe(true);
        if (f.ratio !== null && typeof f.value === 'number' && typeof f.reference.value === 'number') {
          expect(f.ratio, where).toBeCloseTo(f.value / f.reference.value, 2);
        }
      } else expect(f.ratio, where).toBeNull();
    }
    // The harness itself must be measurable on a CI machine: these never depend on optional
    // host features or on work landed elsewhere.
    const byName = new Map(res.figures.map((f) => [f.name, f]));
    for (const n of [
      'overhead.boot_to_leader',
      'overhead.teardown',
      'rto_accuracy.abs_error',
      'recording.capacity',
      'injection.kill.median',
      'injection.pause.median',
      'scaling.primary_down_wall.3',
    ]) {
      const f = byName.get(n)!;
      expect(f.value, `${n} should be measured: ${f.reason ?? ''}`).not.toBe('unknown');
      expect(f.value, n).toBeGreaterThan(0);
    }
    // The table is printed.
    expect(r.stdout).toMatch(/benchmark .*figure .*value/);
  });
});
