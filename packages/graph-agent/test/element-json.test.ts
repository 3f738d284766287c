// The canonical element text and the keys read back from it without JSON.parse: whatever an
// element holds (quotes, backslashes, non-ASCII, properties named like the element's own keys),
// the fast reading either gives exactly the element's keys or declines, and a graph loaded
// from the text equals one that applied the elements themselves.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  edgeJson,
  edgeKeys,
  jsonDigest,
  vertexJson,
  vertexKeys,
  type Edge,
  type Vertex,
} from '../src/element-json.js';
import { Graph } from '../src/graph.js';

const NASTY = [
  'plain',
  'with "quotes"',
  'back\\slash',
  '","type":"x',
  ',"to":"v1',
  '}}',
  'née ünïcödé 😀',
  'tab\there\nnewline',
  '',
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function elements(n: number): { vertices: Vertex[]; edges: Edge[] } {
  const r = rng(7);
  const pick = (): string => NASTY[Math.floor(r() * NASTY.length)] as string;
  const vertices: Vertex[] = [];
  for (let i = 0; i < n; i++) {
    const id = r() < 0.5 ? `v${i}` : `v${i}${pick()}`;
    vertices.push({
      id,
      label: pick(),
      properties: { to: pick(), type: pick(), id: i, nested: { z: [pick()], a: 1 } },
    });
  }
  const edges: Edge[] = [];
  for (let i = 0; i < n; i++) {
    const from = (vertices[Math.floor(r() * n)] as Vertex).id;
    const to = (vertices[Math.floor(r() * n)] as Vertex).id;
    const id = r() < 0.5 ? `e${i}` : `e${i}${pick()}`;
    edges.push({ id, from, to, type: pick(), properties: r() < 0.5 ? {} : { type: pick(), to: pick(), from: 1 } });
  }
  return { vertices, edges };
}

describe('canonical element JSON', () => {
  it('vertexJson and edgeJson are the canonical JSON of the element', () => {
    const { vertices, edges } = elements(200);
    for (const v of vertices) expect(vertexJson(v)).toBe(canonicalJson(v));
    for (const e of edges) expect(edgeJson(e)).toBe(canonicalJson(e));
  });

  it('reading the keys back gives exactly the element keys, or declines (never a wrong key)', () => {
    const { vertices, edges } = elements(500);
    let fast = 0;
    for (const v of vertices) {
      const id = vertexKeys(vertexJson(v));
      if (id !== undefined) {
        expect(id).toBe(v.id);
        fast++;
      }
    }
    for (const e of edges) {
      const k = edgeKeys(edgeJson(e));
      if (k !== undefined) {
        expect(k).toEqual({ id: e.id, from: e.from, to: e.to });
        fast++;
      }
    }
    expect(fast).toBeGreaterThan(250); // plain ids take the fast path
    expect(vertexKeys(JSON.stringify({ label: 'x', id: 'a', properties: {} }))).toBeUndefined();
    expect(edgeKeys(JSON.stringify({ id: 'e', from: 'a', to: 'b', type: 't', properties: {} }))).toBeUndefined();
  });

  it('jsonDigest is SHA-256 of the text, as 32 latin1 characters', () => {
    const line = vertexJson({ id: 'é', label: '', properties: {} });
    const hex = createHash('sha256').update(line).digest('hex');
    expect(Buffer.from(jsonDigest(line), 'latin1').toString('hex')).toBe(hex);
    expect(Buffer.from(jsonDigest(Buffer.from(line)), 'latin1').toString('hex')).toBe(hex);
  });

  it('a graph loaded from the text (load-json) equals one that applied the elements (load, writes)', () => {
    const { vertices, edges } = elements(300);
    const byWrites = new Graph();
    for (const v of vertices) byWrites.apply({ op: 'vertex', ...v });
    for (const e of edges) byWrites.apply({ op: 'edge', ...e });
    const byLoad = new Graph();
    byLoad.apply({ op: 'load', vertices, edges });
    const byJson = new Graph();
    byJson.apply({ op: 'load-json', vertices: vertices.map(vertexJson), edges: edges.map(edgeJson) });
    // Lines in another key order (older backups) are canonicalised as they load.
    const byOther = new Graph();
    byOther.loadJson(
      vertices.map((v) => JSON.stringify({ properties: v.properties, label: v.label, id: v.id })),
      edges.map((e) => JSON.stringify(e)),
    );
    for (const g of [byLoad, byJson, byOther]) {
      expect(g.checksum()).toBe(byWrites.checksum());
      expect(g.count()).toEqual(byWrites.count());
      expect([...g.json('edges')]).toEqual([...byWrites.json('edges')]);
    }
    expect(byWrites.count().vertices).toBeGreaterThan(250); // some random ids collide: skipped like duplicates
  });

  it('load-json skips duplicates and edges to missing vertices, as load does', () => {
    const g = new Graph();
    const a = vertexJson({ id: 'a', label: '', properties: {} });
    g.apply({
      op: 'load-json',
      vertices: [a, a, vertexJson({ id: 'b', label: '', properties: {} })],
      edges: [
        edgeJson({ id: 'e1', from: 'a', to: 'b', type: '', properties: {} }),
        edgeJson({ id: 'e1', from: 'b', to: 'a', type: '', properties: {} }),
        edgeJson({ id: 'e2', from: 'a', to: 'nowhere', type: '', properties: {} }),
      ],
    });
    expect(g.count()).toEqual({ vertices: 2, edges: 1 });
    expect(g.getEdge('e1')).toEqual({ id: 'e1', from: 'a', to: 'b', type: '', properties: {} });
    expect(() => g.loadJson(['{"not":"a vertex"}'], [])).toThrow(/not a vertex/);
  });
});
