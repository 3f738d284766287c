// Which of drill's images `drill cleanup --images` removes, on hand-made listings.
import { describe, expect, it } from 'vitest';
import { choosePrunable } from '../../src/docker/prune-images.js';

const img = (id: string, repo: string, created: number) => ({ id, tags: [`${repo}:${id}`], repo, created, size: 1 });

describe('choosePrunable', () => {
  it('keeps the newest of each name and every image in use, removes the rest', () => {
    const images = [
      img('a1', 'drill/graph-agent', 1),
      img('a2', 'drill/graph-agent', 3),
      img('a3', 'drill/graph-agent', 2),
      img('b1', 'drill/fault-agent', 5),
      img('c1', 'drill-custom-pg', 1),
      img('c2', 'drill-custom-pg', 2),
    ];
    const prune = choosePrunable(images, new Set(['c1']));
    expect(prune.map((i) => i.id).sort()).toEqual(['a1', 'a3']);
  });
});
