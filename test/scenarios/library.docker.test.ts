// The scenario library proves the harness catches every failure it claims to: each sound
// configuration passes, each flaw switch makes its drill fail for the right reason (the
// scenario's `expect`), and the exit code says whether the expectation was met. Scenarios
// with dedicated tests elsewhere (primary-down, network/clock/disk, backup/restore) are run
// there; this file runs the rest and checks that no scenario goes untested.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/core/result.js';
import { root, RunTracker } from '../support/drill-cli.js';

const out = mkdtempSync(join(tmpdir(), 'drill-library-'));
const runs = new RunTracker();
afterAll(() => runs.cleanup());

const run = (name: string) => runs.run(`scenarios/${name}.yaml`, out);

const failed = (r: DrillResult) => r.thresholds.filter((t) => t.verdict === 'fail').map((t) => t.name);

describe('sound configurations pass', () => {
  it('pause-primary: the frozen leader is replaced, steps down on resume, nothing lost', async () => {
    const { code, result, output } = await run('pause-primary');
    expect(code, output).toBe(0);
    expect(result.verdict).toBe('pass');
    expect(result.metrics.rpo.lost).toBe(0);
    expect(result.metrics.leader_changes).toBeGreaterThanOrEqual(1);
  });

  it('rolling-restart: every node restarted in turn, a client loses at most one write per restart', async () => {
    const { code, result, output } = await run('rolling-restart');
    expect(code, output).toBe(0);
    expect(result.faults.map((f) => f.nodes[0])).toEqual(['n1', 'n2', 'n3']);
    expect(result.metrics.availability).toBeGreaterThanOrEqual(0.9);
    expect(result.metrics.rpo.lost).toBe(0);
    // The smart client: a worker whose node went down fails once, then moves to another node.
    const invoked = new Map<string, number>();
    const bad = new Map<string, number>();
    for (const line of readFileSync(join(result.run_dir, 'history.jsonl'), 'utf8').split('\n')) {
      if (line === '') continue;
      const e = JSON.parse(line) as { type: string; process: number; id?: string; t: number };
      const key = `${e.process} ${e.id}`;
      if (e.type === 'invoke') invoked.set(key, e.t);
      else if (e.type === 'fail' || e.type === 'info') {
        const t = (invoked.get(key) ?? NaN) / 1000;
        const w = result.faults.findIndex((f) => f.confirmed_s! <= t && t <= f.healed_s!);
        if (w >= 0) bad.set(`${w} ${e.process}`, (bad.get(`${w} ${e.process}`) ?? 0) + 1);
      }
    }
    expect([...bad.entries()].filter(([, n]) => n > 1)).toEqual([]);
  });

  it('power-loss: every node killed at once recovers from its fsynced WAL, nothing lost', async () => {
    const { code, result, output } = await run('power-loss');
    expect(code, output).toBe(0);
    expect(result.metrics.rpo.lost).toBe(0);
    expect(result.metrics.integrity.ok).toBe(true);
  });
});

describe('flaw switches are caught, for the right reason', () => {
  it('primary-down-async (replication=async): acknowledged writes lost', async () => {
    const { code, result, output } = await run('primary-down-async');
    expect(code, output).toBe(0);
    expect(result.verdict).toBe('fail');
    expect(result.expect).toMatchObject({ verdict: 'fail', met: true });
    expect(failed(result)).toContain('rpo.lost');
    expect(result.metrics.rpo.lost).toBeGreaterThan(0);
  });

  it('split-brain (failover=naive): two leaders at once and writes lost on heal', async () => {
    const { code, result, output } = await run('split-brain');
    expect(code, output).toBe(0);
    expect(result.expect?.met).toBe(true);
    expect(failed(result)).toContain('rpo.lost');
    expect(result.metrics.split_brain?.max_leaders).toBeGreaterThanOrEqual(2);
  });

  it('power-loss-fsync-off (fsync=off): acknowledged writes lost in a power loss', async () => {
    const { code, result, output } = await run('power-loss-fsync-off');
    expect(code, output).toBe(0);
    expect(result.expect?.met).toBe(true);
    expect(failed(result)).toContain('rpo.lost');
  });

  it('fuzzy-snapshot (snapshot=fuzzy): the restore silently lacks writes before the backup position', async () => {
    const { code, result, output } = await run('fuzzy-snapshot');
    expect(code, output).toBe(0);
    expect(result.expect?.met).toBe(true);
    expect(failed(result)).toContain('integrity');
    expect(result.metrics.restore?.missing_before_position).toBeGreaterThan(0);
  });
});

describe('the library is covered', () => {
  it('every scenario in scenarios/ is run by a Docker test and listed in scenarios/README.md', () => {
    const tests = ['test/scenarios', 'test/faults', 'test/cli', 'test/live']
      .flatMap((d) =>
        readdirSync(join(root, d))
          .filter((f) => f.endsWith('.docker.test.ts'))
          .map((f) => join(root, d, f)),
      )
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const readme = readFileSync(join(root, 'scenarios/README.md'), 'utf8');
    const names = readdirSync(join(root, 'scenarios'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
    expect(names.length).toBeGreaterThan(15);
    for (const n of names) {
      expect(tests, `no Docker test runs scenarios/${n}.yaml`).toMatch(new RegExp(`['"/]${n}(\\.yaml)?['"]`));
      expect(readme, `scenarios/README.md does not list ${n}`).toContain(`${n}.yaml`);
    }
  });
});
