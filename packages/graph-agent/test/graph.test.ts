import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/element-json.js';
import { Graph, type Command } from '../src/graph.js';

const v = (id: string, properties: Record<string, unknown> = {}): Command => ({
  op: 'vertex',
  id,
  label: 'L',
  properties,
});
const e = (id: string, from: string, to: string): Command => ({ op: 'edge', id, from, to, type: 'T', properties: {} });

describe('graph state machine', () => {
  it('adds vertices and edges, rejects duplicate ids and missing vertices without changing state', () => {
    const g = new Graph();
    expect(g.apply(v('a'))).toEqual({ ok: true });
    expect(g.apply(v('b'))).toEqual({ ok: true });
    expect(g.apply(e('e1', 'a', 'b'))).toEqual({ ok: true });
    const before = g.checksum();
    expect(g.apply(v('a'))).toMatchObject({ ok: false, status: 409, error: 'duplicate_id' });
    expect(g.apply(e('e1', 'a', 'b'))).toMatchObject({ ok: false, status: 409, error: 'duplicate_id' });
    expect(g.apply(e('e2', 'a', 'zz'))).toMatchObject({ ok: false, status: 422, error: 'missing_vertex' });
    expect(g.apply(e('e3', 'zz', 'a'))).toMatchObject({ ok: false, status: 422, error: 'missing_vertex' });
    expect(g.count()).toEqual({ vertices: 2, edges: 1 });
    expect(g.checksum()).toBe(before);
    expect(g.getEdge('e1')).toEqual({ id: 'e1', from: 'a', to: 'b', type: 'T', properties: {} });
    expect(g.check(v('a'))).toMatchObject({ error: 'duplicate_id' });
    expect(g.check(e('e9', 'a', 'q'))).toMatchObject({ error: 'missing_vertex' });
    expect(g.check(v('new'))).toBeNull();
  });

  it('a vertex and an edge may share an id (separate namespaces)', () => {
    const g = new Graph();
    g.apply(v('x'));
    expect(g.apply(e('x', 'x', 'x'))).toEqual({ ok: true });
  });

  it('checksum is order-independent and equals the XOR of sha256(canonical JSON)', () => {
    const cmds = [v('a', { z: 1, a: [1, { y: 2, b: 3 }] }), v('b'), v('c'), e('e1', 'a', 'b'), e('e2', 'b', 'c')];
    const g1 = new Graph();
    for (const c of cmds) g1.apply(c);
    const g2 = new Graph();
    for (const c of [cmds[2], cmds[1], cmds[0], cmds[4], cmds[3]]) g2.apply(c as Command);
    expect(g1.checksum()).toBe(g2.checksum());
    expect(g1.checksum()).not.toBe(new Graph().checksum());
    expect(new Graph().checksum()).toBe('0'.repeat(64));

    const g3 = new Graph();
    g3.apply(v('a', { k: 1 }));
    const expected = createHash('sha256').update('{"id":"a","label":"L","properties":{"k":1}}').digest('hex');
    expect(g3.checksum()).toBe(expected);
    const g4 = new Graph();
    g4.apply(v('a', { k: 2 }));
    expect(g4.checksum()).not.toBe(g3.checksum());
  });

  it('canonical JSON sorts keys recursively', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}',
    );
  });

  it('scans in id order with paging', () => {
    const g = new Graph();
    const ids = ['m', 'c', 'x', 'a', 'q', 'b'];
    for (const id of ids) g.apply(v(id));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = g.scan('vertices', after, 4);
      seen.push(...page.items.map((i) => i.id));
      if (page.next === null) break;
      after = page.next;
    }
    expect(seen).toEqual([...ids].sort());
    expect(g.scan('vertices', 'q', 10)).toEqual({ items: [{ id: 'x', label: 'L', properties: {} }], next: null });
    expect(g.scan('edges', undefined, 10)).toEqual({ items: [], next: null });
    // Exactly one page: no next.
    expect(g.scan('vertices', undefined, 6).next).toBeNull();
    expect(g.scan('vertices', undefined, 5).next).toBe('q');
  });
});
