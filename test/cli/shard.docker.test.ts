// A library split four ways (`drill run <dir> --shard K/4`, one shard left empty) and put
// back together with `drill merge` gives the same verdicts and exit code as the same library
// run in one go; a merge without one shard exits 3 and names the scenario it lacks. Real
// drills against real containers: three one-node graph-agent drills whose verdicts are fixed
// by their thresholds (a p99 latency of 0 ms is always breached).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { LibrarySummary } from '../../src/reporters/library-table.js';
import { bin, root } from '../support/drill-cli.js';

const work = mkdtempSync(join(tmpdir(), 'drill-shard-'));
const lib = join(work, 'library');
const runIds: string[] = [];
afterAll(async () => {
  for (const id of runIds) await execa('node', [bin, 'cleanup', '--run', id], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

const scenario = (name: string, thresholds: string, expectFail = false) =>
  [
    `name: ${name}`,
    'description: A one-node drill for the sharding test.',
    'cluster: { target: graph-agent, nodes: 1 }',
    'workload: { kind: graph, rate: 50, concurrency: 2 }',
    'steps:',
    '  - wait: 2s',
    `thresholds: ${thresholds}`,
    ...(expectFail ? ['expect: { verdict: fail, reason: p99_latency }'] : []),
    '',
  ].join('\n');

mkdirSync(lib);
writeFileSync(join(lib, 'a-pass.yaml'), scenario('tiny-pass', '{ rpo: { lost: 0 }, integrity: true }'));
writeFileSync(join(lib, 'b-caught.yaml'), scenario('tiny-caught', '{ p99_latency: 0ms }', true));
writeFileSync(join(lib, 'c-breach.yaml'), scenario('tiny-breach', '{ p99_latency: 0ms }'));

const drill = (...args: string[]) =>
  execa('node', [bin, ...args], { cwd: root, reject: false, timeout: 170_000, env: { FORCE_COLOR: '0' } });

function summaryOf(dir: string): LibrarySummary {
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as LibrarySummary;
  runIds.push(...s.rows.flatMap((r) => (r.run_id ? [r.run_id] : [])));
  return s;
}

const verdicts = (s: LibrarySummary) =>
  s.rows.map((r) => `${r.scenario}: ${r.verdict}${r.as_expected ? '' : ' (unexpected)'}`).sort();

describe('drill run --shard and drill merge', () => {
  it('four shards merge into the verdicts of one unsharded run', async () => {
    const whole = await drill('run', lib, '--out', join(work, 'whole'), '--quiet');
    const unsharded = summaryOf(join(work, 'whole'));
    expect(whole.exitCode, whole.stderr).toBe(1);
    expect(verdicts(unsharded)).toEqual(['tiny-breach: fail (unexpected)', 'tiny-caught: fail', 'tiny-pass: pass']);

    const codes: number[] = [];
    for (const k of [1, 2, 3, 4]) {
      const r = await drill('run', lib, '--shard', `${k}/4`, '--out', join(work, 'shards', `s${k}`), '--quiet');
      codes.push(r.exitCode ?? -1);
      const s = summaryOf(join(work, 'shards', `s${k}`));
      expect(s.shard).toMatchObject({ index: k, total: 4 });
      expect(s.shard!.library).toHaveLength(3);
      expect(s.runs).toBe(s.shard!.scenarios.length);
    }
    // Sorted by path and dealt round-robin: a, b, c to shards 1, 2, 3; the fourth is empty.
    expect(codes).toEqual([0, 0, 1, 0]);

    const merged = await drill('merge', join(work, 'shards'), '--out', join(work, 'merged'));
    expect(merged.exitCode, merged.stdout + merged.stderr).toBe(whole.exitCode);
    const summary = summaryOf(join(work, 'merged'));
    expect(verdicts(summary)).toEqual(verdicts(unsharded));
    expect(summary.shards).toEqual({ total: 4, found: [1, 2, 3, 4], missing: [] });
    expect(readFileSync(join(work, 'merged', 'junit.xml'), 'utf8').match(/<testsuite /g)).toHaveLength(3);
    expect(readFileSync(join(work, 'merged', 'index.html'), 'utf8')).toMatch(/href="\.\.\/shards\/s1\/tiny-pass\//);
  });

  it('a merge that lacks a shard exits 3 and names the scenario not run', async () => {
    const r = await drill(
      'merge',
      ...['s1', 's3', 's4'].map((s) => join(work, 'shards', s)),
      '--out',
      join(work, 'partial'),
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain(`NOT RUN ${join(lib, 'b-caught.yaml')}: shard 2/4 left no summary`);
  });
});
