// The split of a library into shards: every scenario in exactly one shard, the same split
// whatever order the files were listed in, balanced to within one scenario.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parseShard, selectShard, shardKey } from '../../src/run/shard.js';

const cwd = '/repo';
const files = ['scenarios/b.yaml', 'scenarios/a.yaml', 'scenarios/c.yaml', 'scenarios/sub/d.yaml', 'x/e.yaml'];
const describeFile = (f: string) => ({ path: f, name: f.replace(/.*\//, '').replace('.yaml', '') });

describe('--shard K/N', () => {
  it('parses K/N and refuses anything else with a usage error', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, total: 1 });
    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '-1/3', '1.5/3', ''])
      expect(() => parseShard(bad), bad).toThrow(UsageError);
  });

  it('puts every scenario in exactly one shard, balanced to within one', () => {
    for (const total of [1, 2, 3, 4, 5, 7]) {
      const parts = Array.from({ length: total }, (_, i) =>
        selectShard(files, describeFile, { index: i + 1, total }, cwd),
      );
      const all = parts.flatMap((p) => p.selected);
      expect([...all].sort()).toEqual([...files].sort());
      const sizes = parts.map((p) => p.selected.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      for (const p of parts)
        expect(p.record.library.map((e) => e.key)).toEqual(parts[0]!.record.library.map((e) => e.key));
    }
  });

  it('comes out the same whatever order the files are given in', () => {
    const a = selectShard(files, describeFile, { index: 2, total: 3 }, cwd);
    const b = selectShard([...files].reverse(), describeFile, { index: 2, total: 3 }, cwd);
    expect(b.selected).toEqual(a.selected);
    // Sorted by path, dealt round-robin: a, b, c, sub/d, x/e -> shard 2 of 3 gets the 2nd and 5th: b and x/e.
    expect(a.selected).toEqual(['scenarios/b.yaml', 'x/e.yaml']);
    expect(a.record.scenarios).toEqual([
      { key: 'scenarios/b.yaml', file: 'scenarios/b.yaml', name: 'b' },
      { key: 'x/e.yaml', file: 'x/e.yaml', name: 'e' },
    ]);
  });

  it('keys files by their path relative to the working directory, however they were written', () => {
    expect(shardKey('./scenarios/a.yaml', cwd)).toBe('scenarios/a.yaml');
    expect(shardKey('/repo/scenarios/a.yaml', cwd)).toBe('scenarios/a.yaml');
    expect(shardKey('/elsewhere/a.yaml', cwd)).toBe('/elsewhere/a.yaml');
  });

  it('leaves a shard beyond the number of scenarios empty', () => {
    const r = selectShard(files.slice(0, 2), describeFile, { index: 4, total: 4 }, cwd);
    expect(r.selected).toEqual([]);
    expect(r.record.library).toHaveLength(2);
  });
});
