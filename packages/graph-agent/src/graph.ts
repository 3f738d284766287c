// The replicated state machine: a property graph of vertices and edges.
// apply() is deterministic: every node applying the same commands in the same order
// reaches the same state and the same answers (duplicate ids, missing vertices).

import { createHash } from 'node:crypto';

export type Properties = Record<string, unknown>;

export interface Vertex {
  id: string;
  label: string;
  properties: Properties;
}

export interface Edge {
  id: string;
  from: string;
  to: string;
  type: string;
  properties: Properties;
}

export type Command =
  | { op: 'noop' }
  | { op: 'vertex'; id: string; label: string; properties: Properties }
  | { op: 'edge'; id: string; from: string; to: string; type: string; properties: Properties }
  /** Bulk load (restore from a backup): elements already present are skipped, edges need their vertices. */
  | { op: 'load'; vertices: Vertex[]; edges: Edge[] };

export type Rejection = { ok: false; status: 409 | 422; error: 'duplicate_id' | 'missing_vertex'; message: string };
export type ApplyResult = { ok: true } | Rejection;

export type Kind = 'vertices' | 'edges';

/** JSON with object keys sorted (by UTF-16 code units, recursively) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

export function elementHash(element: Vertex | Edge): Buffer {
  return createHash('sha256').update(canonicalJson(element)).digest();
}

class SortedIds {
  private ids: string[] = [];
  private dirty = false;

  add(id: string): void {
    const last = this.ids[this.ids.length - 1];
    if (last !== undefined && id < last) this.dirty = true;
    this.ids.push(id);
  }

  /** Up to `limit` ids strictly greater than `after`, in order. */
  page(after: string | undefined, limit: number): { ids: string[]; more: boolean } {
    if (this.dirty) {
      this.ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.dirty = false;
    }
    let lo = 0;
    if (after !== undefined) {
      let hi = this.ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.ids[mid] as string) <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    const ids = this.ids.slice(lo, lo + limit);
    return { ids, more: lo + limit < this.ids.length };
  }
}

export class Graph {
  private readonly vertices = new Map<string, Vertex>();
  private readonly edges = new Map<string, Edge>();
  private readonly vertexIds = new SortedIds();
  private readonly edgeIds = new SortedIds();
  private readonly xor = Buffer.alloc(32);
  /**
   * Wall-clock time (this process's Date.now(), so it follows a skewed clock) each element was
   * applied: only the flawed incremental=mtime backup looks at it. Not part of the element.
   */
  private readonly vertexMtime = new Map<string, number>();
  private readonly edgeMtime = new Map<string, number>();
  /** The wall clock used for mtimes (tests inject one). */
  now: () => number = Date.now;

  apply(cmd: Command): ApplyResult {
    switch (cmd.op) {
      case 'noop':
        return { ok: true };
      case 'load': {
        const t = this.now();
        for (const v of cmd.vertices) {
          if (this.vertices.has(v.id)) continue;
          const el: Vertex = { id: v.id, label: v.label, properties: v.properties };
          this.vertices.set(el.id, el);
          this.vertexIds.add(el.id);
          this.vertexMtime.set(el.id, t);
          this.mix(el);
        }
        for (const e of cmd.edges) {
          if (this.edges.has(e.id) || !this.vertices.has(e.from) || !this.vertices.has(e.to)) continue;
          const el: Edge = { id: e.id, from: e.from, to: e.to, type: e.type, properties: e.properties };
          this.edges.set(el.id, el);
          this.edgeIds.add(el.id);
          this.edgeMtime.set(el.id, t);
          this.mix(el);
        }
        return { ok: true };
      }
      case 'vertex': {
        if (this.vertices.has(cmd.id)) {
          return {
            ok: false,
            status: 409,
            error: 'duplicate_id',
            message: `vertex ${JSON.stringify(cmd.id)} already exists`,
          };
        }
        const v: Vertex = { id: cmd.id, label: cmd.label, properties: cmd.properties };
        this.vertices.set(v.id, v);
        this.vertexIds.add(v.id);
        this.vertexMtime.set(v.id, this.now());
        this.mix(v);
        return { ok: true };
      }
      case 'edge': {
        if (this.edges.has(cmd.id)) {
          return {
            ok: false,
            status: 409,
            error: 'duplicate_id',
            message: `edge ${JSON.stringify(cmd.id)} already exists`,
          };
        }
        for (const end of [cmd.from, cmd.to]) {
          if (!this.vertices.has(end)) {
            return {
              ok: false,
              status: 422,
              error: 'missing_vertex',
              message: `vertex ${JSON.stringify(end)} does not exist`,
            };
          }
        }
        const e: Edge = { id: cmd.id, from: cmd.from, to: cmd.to, type: cmd.type, properties: cmd.properties };
        this.edges.set(e.id, e);
        this.edgeIds.add(e.id);
        this.edgeMtime.set(e.id, this.now());
        this.mix(e);
        return { ok: true };
      }
    }
  }

  /** A cheap pre-check with the same outcome apply() would have now (null: would succeed). */
  check(cmd: Command): Rejection | null {
    if (cmd.op === 'vertex' && this.vertices.has(cmd.id)) {
      return {
        ok: false,
        status: 409,
        error: 'duplicate_id',
        message: `vertex ${JSON.stringify(cmd.id)} already exists`,
      };
    }
    if (cmd.op === 'edge') {
      if (this.edges.has(cmd.id)) {
        return {
          ok: false,
          status: 409,
          error: 'duplicate_id',
          message: `edge ${JSON.stringify(cmd.id)} already exists`,
        };
      }
      for (const end of [cmd.from, cmd.to]) {
        if (!this.vertices.has(end)) {
          return {
            ok: false,
            status: 422,
            error: 'missing_vertex',
            message: `vertex ${JSON.stringify(end)} does not exist`,
          };
        }
      }
    }
    return null;
  }

  hasVertex(id: string): boolean {
    return this.vertices.has(id);
  }

  getVertex(id: string): Vertex | undefined {
    return this.vertices.get(id);
  }

  getEdge(id: string): Edge | undefined {
    return this.edges.get(id);
  }

  count(): { vertices: number; edges: number } {
    return { vertices: this.vertices.size, edges: this.edges.size };
  }

  checksum(): string {
    return this.xor.toString('hex');
  }

  /**
   * Elements in apply order. The graph is append-only (no update, no delete), so the first
   * n elements of each map at any moment are exactly the state at the index applied then:
   * a backup's consistent cut is the pair of counts, taken in one synchronous step. Map
   * iterators stay valid while new elements are appended.
   */
  vertexValues(): IterableIterator<Vertex> {
    return this.vertices.values();
  }

  edgeValues(): IterableIterator<Edge> {
    return this.edges.values();
  }

  mtimeOf(kind: Kind, id: string): number | undefined {
    return (kind === 'vertices' ? this.vertexMtime : this.edgeMtime).get(id);
  }

  scan(kind: Kind, after: string | undefined, limit: number): { items: (Vertex | Edge)[]; next: string | null } {
    const ids = kind === 'vertices' ? this.vertexIds : this.edgeIds;
    const map: Map<string, Vertex | Edge> = kind === 'vertices' ? this.vertices : this.edges;
    const page = ids.page(after, limit);
    const items = page.ids.map((id) => map.get(id) as Vertex | Edge);
    const last = page.ids[page.ids.length - 1];
    return { items, next: page.more && last !== undefined ? last : null };
  }

  private mix(element: Vertex | Edge): void {
    const h = elementHash(element);
    for (let i = 0; i < 32; i++) this.xor[i] = (this.xor[i] as number) ^ (h[i] as number);
  }
}
