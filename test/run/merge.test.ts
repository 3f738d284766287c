// drill merge on hand-made shard directories built from recorded results (fixtures/runs/library):
// the merge finds runs however the artifacts were unpacked, keeps the library's order, and
// says when a shard or a scenario is missing instead of merging a green-looking part.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import type { LibrarySummary } from '../../src/reporters/library-table.js';
import { collectRuns, planMerge } from '../../src/run/merge.js';
import { selectShard, type ShardRecord } from '../../src/run/shard.js';

const root = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'drill-merge-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Four recorded runs: two pass or fail as expected, one expected failure not caught.
const recorded = ['primary-down', 'primary-down-async', 'backup-restore-full', 'split-brain'];
const fileOf = (name: string) => `scenarios/${name}.yaml`;
const describeFile = (f: string) => ({ path: f, name: f.replace(/.*\//, '').replace('.yaml', '') });

/** An artifacts tree as CI leaves it: <dir>/drill-reports-shard-K/<run dirs>, summary.json, latest. */
function shardTree(name: string, total: number, opts: { drop?: number[]; notCaught?: boolean } = {}): string {
  const dir = join(tmp, name);
  for (let k = 1; k <= total; k++) {
    if (opts.drop?.includes(k)) continue;
    const { selected, record } = selectShard(recorded.map(fileOf), describeFile, { index: k, total }, root);
    const out = join(dir, `drill-reports-shard-${k}`);
    mkdirSync(out, { recursive: true });
    const rows = [];
    for (const f of selected) {
      const scenario = describeFile(f).name;
      const fixture = opts.notCaught && scenario === 'primary-down-async' ? 'primary-down-async-not-caught' : scenario;
      cpSync(join(root, 'fixtures/runs/library', fixture), join(out, `run-${scenario}`), { recursive: true });
      writeFileSync(join(out, `run-${scenario}`, 'report.html'), '<!doctype html>');
      const result = JSON.parse(readFileSync(join(root, 'fixtures/runs/library', fixture, 'result.json'), 'utf8'));
      rows.push({ scenario, run_id: (result as { run_id: string }).run_id });
    }
    symlinkSync(`run-${describeFile(selected[0] ?? 'x').name}`, join(out, 'latest'));
    writeFileSync(join(out, 'summary.json'), JSON.stringify({ kind: 'drill-library', rows, shard: record }));
  }
  return dir;
}

const merge = (...args: string[]) =>
  execa('node', [join(root, 'bin/drill.js'), 'merge', ...args], { reject: false, env: { FORCE_COLOR: '0' } });

describe('drill merge', () => {
  it('merges a 3-way split into the library, in the split order, with one JUnit file and an index', async () => {
    const dir = shardTree('complete', 3);
    const out = join(tmp, 'merged-complete');
    const r = await merge(dir, '--out', out);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as LibrarySummary;
    expect(summary.runs).toBe(4);
    expect(summary.as_expected).toBe(4);
    expect(summary.shards).toEqual({ total: 3, found: [1, 2, 3], missing: [] });
    expect(summary.rows.map((row) => row.scenario)).toEqual([
      'backup-restore-full',
      'primary-down-async',
      'primary-down',
      'split-brain',
    ]);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).toHaveLength(4);
    expect(junit).toMatch(/<testsuites name="drill" tests="\d+" failures="0" errors="0"/);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toContain('AS EXPECTED');
    expect(index).toContain('href="../complete/drill-reports-shard-');
    expect(r.stdout).toMatch(/shards: 3 of 3/);
  });

  it('exits 1 when a run was not as expected, like the unsharded library would', async () => {
    const r = await merge(shardTree('not-caught', 2, { notCaught: true }), '--out', join(tmp, 'm2'));
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/UNEXPECTED/);
  });

  it('exits 3 and names what is missing when a shard left nothing', async () => {
    const out = join(tmp, 'm3');
    const r = await merge(shardTree('missing', 4, { drop: [2] }), '--out', out);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/shards: 3 of 4, missing 2\/4/);
    expect(r.stdout).toMatch(/NOT RUN scenarios\/primary-down-async\.yaml: shard 2\/4 left no summary/);
    expect(r.stderr).toMatch(/library is incomplete/);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/errors="1"/);
    expect(junit).toContain('not run: shard 2/4 left no summary');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('INCOMPLETE');
  });

  it("leaves out older runs in a reused --out directory that the shard's summary does not list", async () => {
    const dir = shardTree('reused', 2);
    const stale = join(dir, 'drill-reports-shard-1', 'older-run');
    cpSync(join(root, 'fixtures/runs/library/primary-down-async-not-caught'), stale, { recursive: true });
    const r = await merge(dir, '--out', join(tmp, 'm-reused'));
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/left out 1 older run/);
    expect(collectRuns([dir]).stale).toEqual([stale]);
  });

  it('counts a run found twice (a parent and its child given) once', () => {
    const dir = shardTree('twice', 1);
    const input = collectRuns([dir, join(dir, 'drill-reports-shard-1')]);
    expect(input.runs).toHaveLength(4);
  });

  it('refuses shards of different splits or libraries, and a directory with no runs', () => {
    const a = collectRuns([shardTree('split-a', 2)]);
    const b = collectRuns([shardTree('split-b', 3)]);
    expect(() => planMerge({ ...a, shards: [...a.shards, b.shards[0]!] })).toThrow(/split into 2/);
    const other: ShardRecord = { ...a.shards[1]!.record, index: 2, library: a.shards[1]!.record.library.slice(1) };
    expect(() => planMerge({ ...a, shards: [a.shards[0]!, { dir: 'x', record: other }] })).toThrow(/different library/);
    expect(() => planMerge({ ...a, shards: [a.shards[0]!, a.shards[0]!] })).toThrow(/appears twice/);
    mkdirSync(join(tmp, 'empty'));
    expect(() => planMerge(collectRuns([join(tmp, 'empty')]))).toThrow(UsageError);
    expect(() => collectRuns([join(tmp, 'nope')])).toThrow(/no such directory/);
  });
});
