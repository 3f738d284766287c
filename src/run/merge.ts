// `drill merge`: the runs of a sharded library (or any set of run directories) put back
// together. It finds every run directory (a directory with a result.json) and every shard's
// summary.json under the paths given, however the CI artifacts were unpacked, and checks the
// shards against each other: one split (the same N), one library (the same scenario list),
// every shard present, every scenario of every shard run. A scenario that no run covers is
// reported as not run, never silently dropped: a merged library that looks green because a
// runner died is the failure this command exists to catch.

import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { UsageError } from '../core/errors.js';
import { at, str } from '../reporters/result-fields.js';
import type { ShardEntry, ShardRecord } from './shard.js';

export interface FoundRun {
  dir: string;
  /** result.json as parsed. */
  result: unknown;
}

export interface FoundShard {
  dir: string;
  record: ShardRecord;
}

export interface NotRun extends ShardEntry {
  shard: number;
  reason: string;
}

export interface MergeInput {
  runs: FoundRun[];
  shards: FoundShard[];
  /** Files that looked like results but could not be read. */
  unreadable: string[];
  /** Runs left out: under a summary.json that does not list them (older runs in a reused --out directory). */
  stale: string[];
}

export interface MergePlan {
  /** Runs in library order (the split's order when shards say it, else by file), then by start time. */
  runs: FoundRun[];
  total: number | null;
  found: number[];
  missing: number[];
  notRun: NotRun[];
  unreadable: string[];
}

const SKIP = new Set(['node_modules', '.git']);
const MAX_DEPTH = 6;

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

function isShardRecord(v: unknown): v is ShardRecord {
  const n = (k: string) => typeof at(v, k) === 'number';
  return n('index') && n('total') && Array.isArray(at(v, 'library')) && Array.isArray(at(v, 'scenarios'));
}

/** Every run directory and shard summary under `paths` (symbolic links such as `latest` are not followed). */
export function collectRuns(paths: readonly string[]): MergeInput {
  const input: MergeInput = { runs: [], shards: [], unreadable: [], stale: [] };
  const seen = new Set<string>();
  // Each library summary (sharded or not) lists the runs it made; a reused --out directory
  // also holds older runs of the same scenarios, which are not this library's.
  const listed: { dir: string; ids: Set<string> }[] = [];
  const walk = (dir: string, depth: number) => {
    if (existsSync(join(dir, 'result.json'))) {
      try {
        const result = readJson(join(dir, 'result.json'));
        const id = str(at(result, 'run_id')) ?? dir;
        if (!seen.has(id)) input.runs.push({ dir, result });
        seen.add(id);
      } catch {
        input.unreadable.push(join(dir, 'result.json'));
      }
      return;
    }
    if (existsSync(join(dir, 'summary.json'))) {
      try {
        const summary = readJson(join(dir, 'summary.json'));
        const shard = at(summary, 'shard');
        if (isShardRecord(shard)) input.shards.push({ dir, record: shard });
        const rows = at(summary, 'rows');
        if (at(summary, 'kind') === 'drill-library' && Array.isArray(rows))
          listed.push({ dir, ids: new Set(rows.map((r) => str(at(r, 'run_id'))).filter((x) => x !== undefined)) });
      } catch {
        input.unreadable.push(join(dir, 'summary.json'));
      }
    }
    if (depth >= MAX_DEPTH) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && !SKIP.has(e.name)) walk(join(dir, e.name), depth + 1);
    }
  };
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs) || !lstatSync(abs).isDirectory()) throw new UsageError(`${p}: no such directory`);
    walk(abs, 0);
  }
  const under = (dir: string, parent: string) => dir.startsWith(parent + sep);
  input.runs = input.runs.filter((r) => {
    const owner = listed.filter((l) => under(r.dir, l.dir)).sort((a, b) => b.dir.length - a.dir.length)[0];
    const id = str(at(r.result, 'run_id'));
    if (owner === undefined || (id !== undefined && owner.ids.has(id))) return true;
    input.stale.push(r.dir);
    return false;
  });
  return input;
}

function sameLibrary(a: ShardRecord, b: ShardRecord): boolean {
  return a.library.length === b.library.length && a.library.every((e, i) => e.key === b.library[i]!.key);
}

/** Check the shards against each other and order the runs. UsageError for shards that cannot belong together. */
export function planMerge(input: MergeInput): MergePlan {
  if (input.runs.length === 0 && input.shards.length === 0)
    throw new UsageError('no drill runs found (no result.json or shard summary.json under the paths given)');
  const byIndex = new Map<number, FoundShard>();
  const first = input.shards[0]?.record;
  for (const s of input.shards) {
    if (s.record.total !== first!.total)
      throw new UsageError(
        `${s.dir}: shard ${s.record.index}/${s.record.total} does not belong to a split into ${first!.total} ` +
          '(merge the shards of one matrix)',
      );
    if (!sameLibrary(s.record, first!))
      throw new UsageError(
        `${s.dir}: shard ${s.record.index}/${s.record.total} ran a different library ` +
          `(${s.record.library.length} scenarios against ${first!.library.length}): different checkouts?`,
      );
    const dup = byIndex.get(s.record.index);
    if (dup) throw new UsageError(`shard ${s.record.index}/${s.record.total} appears twice: ${dup.dir} and ${s.dir}`);
    byIndex.set(s.record.index, s);
  }
  const total = first?.total ?? null;
  const found = [...byIndex.keys()].sort((a, b) => a - b);
  const missing = total === null ? [] : range(total).filter((i) => !byIndex.has(i));
  const files = new Set(input.runs.map((r) => str(at(r.result, 'scenario', 'file'))));
  const notRun: NotRun[] = [];
  for (const [i, entry] of (first?.library ?? []).entries()) {
    const shard = (i % total!) + 1;
    const own = byIndex.get(shard)?.record.scenarios.find((e) => e.key === entry.key);
    if (!byIndex.has(shard))
      notRun.push({ ...entry, shard, reason: `shard ${shard}/${total} left no summary (its job did not finish)` });
    else if (!files.has(own?.file ?? entry.file))
      notRun.push({ ...entry, shard, reason: `shard ${shard}/${total} finished without running it` });
  }
  const order = new Map((first?.library ?? []).map((e, i) => [e.key, i]));
  const fileOrder = new Map(input.shards.flatMap((s) => s.record.scenarios.map((e) => [e.file, order.get(e.key)!])));
  const rank = (r: FoundRun) => fileOrder.get(str(at(r.result, 'scenario', 'file')) ?? '') ?? Infinity;
  const runs = [...input.runs].sort((a, b) => {
    // NaN (both unknown to the split) and 0 fall through to the file name and start time.
    const d = rank(a) - rank(b);
    if (d) return d;
    const fa = str(at(a.result, 'scenario', 'file')) ?? '';
    const fb = str(at(b.result, 'scenario', 'file')) ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (str(at(a.result, 'started_at')) ?? '') < (str(at(b.result, 'started_at')) ?? '') ? -1 : 1;
  });
  return { runs, total, found, missing, notRun, unreadable: input.unreadable };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** 3 when anything is missing or a run did not complete, 1 when a run was not as expected, else 0. */
export function mergeExitCode(plan: MergePlan, asExpected: readonly boolean[]): number {
  const incomplete = plan.runs.some((r) => {
    const status = str(at(r.result, 'status'));
    return status === 'aborted' || status === 'interrupted';
  });
  if (plan.missing.length > 0 || plan.notRun.length > 0 || plan.unreadable.length > 0 || incomplete) return 3;
  return asExpected.every(Boolean) ? 0 : 1;
}
