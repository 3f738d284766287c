// Clock and disk faults on a custom target (the etcd example, real engine, `drill run`):
// disk-full fills a node's size-bounded volume and frees it on heal; clock-skew is refused
// with "skew not in effect" (etcd is a Go program: libfaketime cannot reach its clock).
// Afterwards the audit finds nothing: no container, volume, loop device or offset file.
import { existsSync, mkdtempSync, readFileSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../../src/core/result.js';
import { docker } from '../../../src/docker/engine.js';
import { BALLOON } from '../../../src/faults/bounded-disk.js';
import { audit } from '../../support/audit.js';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'bin/drill.js');
const exampleDir = join(root, 'examples/etcd');
const out = mkdtempSync(join(tmpdir(), 'drill-custom-faults-'));
const runIds: string[] = [];

function resultOf(stdout: string): DrillResult {
  const dir = /run directory: (.+)/.exec(stdout)?.[1]?.trim();
  expect(dir, stdout).toBeDefined();
  return JSON.parse(readFileSync(join(dir!, 'result.json'), 'utf8')) as DrillResult;
}

/** Free bytes and balloon presence of a node volume while the run lives, null when not mounted. */
async function volumeState(volume: string): Promise<{ free: number; balloon: boolean } | null> {
  try {
    const mp = (await docker().getVolume(volume).inspect()).Mountpoint;
    const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === mp);
    if (!mounted) return null;
    const s = statfsSync(mp);
    return { free: s.bavail * s.bsize, balloon: existsSync(join(mp, BALLOON)) };
  } catch {
    return null;
  }
}

beforeAll(async () => {
  if (!existsSync(join(exampleDir, 'rootfs/usr/local/bin/etcd'))) await execa('bash', [join(exampleDir, 'prepare.sh')]);
});
afterAll(async () => {
  for (const id of runIds) await execa('node', [bin, 'cleanup', '--run', id], { cwd: root, reject: false });
});

describe('custom target faults: etcd', () => {
  it(
    'disk-full: a follower volume fills (statfs < 64 KiB free), then the balloon is gone and the cluster ' + 'healthy',
    async () => {
      const child = execa('node', [bin, 'run', 'examples/etcd/disk-full.yaml', '--out', out, '--seed', '5'], {
        cwd: root,
        reject: false,
        timeout: 90_000,
        env: { FORCE_COLOR: '0' },
      });
      // Watch the node volumes from outside while the drill runs: full during the fault,
      // freed (no balloon, most of the volume free) after the heal.
      let runId: string | undefined;
      let text = '';
      child.stdout!.on('data', (b: Buffer) => {
        text += b.toString();
        runId ??= /run (\S+):/.exec(text)?.[1];
      });
      const seen = { full: false, freedAfterFull: false };
      const watching = (async () => {
        while (child.exitCode === null) {
          await new Promise((r) => setTimeout(r, 150));
          if (runId === undefined) continue;
          for (const n of ['n1', 'n2', 'n3']) {
            const st = await volumeState(`drill-${runId}-${n}-v1`);
            if (!st) continue;
            if (st.balloon && st.free < 64 * 1024) seen.full = true;
            if (seen.full && !st.balloon && st.free > 50 * 1024 * 1024) seen.freedAfterFull = true;
          }
        }
      })();
      const r = await child;
      await watching;
      const result = resultOf(r.stdout);
      runIds.push(result.run_id);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      const f = result.faults[0]!;
      expect(f.kind).toBe('disk-full');
      expect(f.mechanism).toMatch(/balloon/);
      const filled = Object.values(f.detail?.['filled'] as Record<string, { free_bytes: number; volume: string }>)[0]!;
      expect(filled.free_bytes).toBeLessThan(64 * 1024);
      expect(filled.volume).toMatch(new RegExp(`^drill-${result.run_id}-n\\d-v1$`));
      expect(f.healed_s).not.toBeNull();
      expect(seen).toEqual({ full: true, freedAfterFull: true });
      expect(result.metrics.rpo.lost).toBe(0);
      expect((result.target.settings as { faults?: { data_volume?: string } }).faults?.data_volume).toMatch(
        /loop device/,
      );
      expect(await audit([result.run_id])).toEqual([]);
    },
  );

  it('clock-skew: the step fails with "skew not in effect" (Go binary); expect: fail met, nothing left', async () => {
    const r = await execa('node', [bin, 'run', 'examples/etcd/clock-skew.yaml', '--out', out, '--seed', '5'], {
      cwd: root,
      reject: false,
      timeout: 90_000,
      env: { FORCE_COLOR: '0' },
    });
    const result = resultOf(r.stdout);
    runIds.push(result.run_id);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0); // the expected failure
    expect(result.verdict).toBe('fail');
    expect(result.expect?.met).toBe(true);
    expect(r.stdout).toMatch(/skew not in effect: the node binary \/usr\/local\/bin\/etcd is a Go program/);
    expect(result.faults[0]!.confirmed_s).toBeNull();
    expect(result.faults[0]!.mechanism).toMatch(/skew not in effect/);
    // Nothing was preloaded into a binary it cannot reach: the nodes ran unmodified.
    expect((result.target.settings as { faults?: { clock?: string } }).faults?.clock).toMatch(/not preloaded/);
    expect(await audit([result.run_id])).toEqual([]);
  });
});
