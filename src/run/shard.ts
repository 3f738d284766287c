// Sharding a scenario library across CI runners: `drill run scenarios/ --shard 2/4` runs a
// deterministic quarter of it, and `drill merge` puts the quarters back together.
//
// The split must come out the same on every runner of a matrix, whatever order the shell or
// the file system lists the files in: the files are sorted by their path relative to the
// working directory (with `/` separators), then dealt round-robin, the i-th (from 0) going
// to shard (i mod N) + 1. Each shard then differs from the others by at most one scenario.
// A shard may be empty (more shards than scenarios): it runs nothing and says so.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../core/errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

/** One scenario of the library as a shard records it (summary.json), for `drill merge` to check coverage. */
export interface ShardEntry {
  /** The path relative to the working directory, `/`-separated: the sort key of the split. */
  key: string;
  /** The path as the run recorded it (result.json's scenario.file). */
  file: string;
  /** The scenario's name. */
  name: string;
}

/** What a sharded run writes into its summary.json. */
export interface ShardRecord extends Shard {
  /** The whole library (after game days were set aside), in split order. */
  library: ShardEntry[];
  /** This shard's part of it. */
  scenarios: ShardEntry[];
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total || total > 10_000)
    throw new UsageError(`--shard must be K/N with 1 <= K <= N (e.g. 2/4), got '${text}'`);
  return { index, total };
}

/** The split key of a scenario path: relative to `cwd` when inside it, `/`-separated. */
export function shardKey(path: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  const key = rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  return key.split(sep).join('/');
}

/** The items of shard `shard` (in split order) and the whole library's entries. */
export function selectShard<T>(
  items: readonly T[],
  describe: (t: T) => { path: string; name: string },
  shard: Shard,
  cwd = process.cwd(),
): { selected: T[]; record: ShardRecord } {
  const keyed = items
    .map((item) => {
      const { path, name } = describe(item);
      return { item, entry: { key: shardKey(path, cwd), file: path, name } };
    })
    .sort((a, b) => (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0));
  const mine = keyed.filter((_, i) => i % shard.total === shard.index - 1);
  return {
    selected: mine.map((k) => k.item),
    record: { ...shard, library: keyed.map((k) => k.entry), scenarios: mine.map((k) => k.entry) },
  };
}

export function shardText(s: Shard): string {
  return `${s.index}/${s.total}`;
}
