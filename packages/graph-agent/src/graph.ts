// The replicated state machine: a property graph of vertices and edges.
// apply() is deterministic: every node applying the same commands in the same order
// reaches the same state and the same answers (duplicate ids, missing vertices).
//
// Every element is kept as its canonical JSON (element-json.ts), the text the checksum
// hashes: reads parse it (one element at a time), while backups and restores move the text
// as it is, with no per-element serialisation.

import {
  edgeJson,
  edgeKeys,
  jsonDigest,
  parseEdgeLine,
  parseVertexLine,
  vertexJson,
  vertexKeys,
  type Edge,
  type Properties,
  type Vertex,
} from './element-json.js';

export type Command =
  | { op: 'noop' }
  | { op: 'vertex'; id: string; label: string; properties: Properties }
  | { op: 'edge'; id: string; from: string; to: string; type: string; properties: Properties }
  /** Bulk load (restore from a backup): elements already present are skipped, edges need their vertices. */
  | { op: 'load'; vertices: Vertex[]; edges: Edge[] }
  /** The same bulk load, of canonical element JSON (what backups store): loaded as it is. */
  | { op: 'load-json'; vertices: string[]; edges: string[] };

export type Rejection = { ok: false; status: 409 | 422; error: 'duplicate_id' | 'missing_vertex'; message: string };
export type ApplyResult = { ok: true } | Rejection;

export type Kind = 'vertices' | 'edges';

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

const duplicate = (what: 'vertex' | 'edge', id: string): Rejection => ({
  ok: false,
  status: 409,
  error: 'duplicate_id',
  message: `${what} ${JSON.stringify(id)} already exists`,
});

const missing = (id: string): Rejection => ({
  ok: false,
  status: 422,
  error: 'missing_vertex',
  message: `vertex ${JSON.stringify(id)} does not exist`,
});

export class Graph {
  /** id -> canonical JSON, in apply order. */
  private readonly vertices = new Map<string, string>();
  private readonly edges = new Map<string, string>();
  private readonly vertexIds = new SortedIds();
  private readonly edgeIds = new SortedIds();
  private readonly xor = new Uint8Array(32);
  /**
   * Wall-clock time (this process's Date.now(), so it follows a skewed clock) each element was
   * applied, in apply order: only the flawed incremental=mtime backup looks at it.
   */
  private readonly vertexMtime: number[] = [];
  private readonly edgeMtime: number[] = [];
  /** The wall clock used for mtimes (tests inject one). */
  now: () => number = Date.now;

  apply(cmd: Command): ApplyResult {
    switch (cmd.op) {
      case 'noop':
        return { ok: true };
      case 'load': {
        const t = this.now();
        for (const v of cmd.vertices) {
          if (!this.vertices.has(v.id)) this.addVertex(v.id, vertexJson(v), t);
        }
        for (const e of cmd.edges) {
          if (this.edges.has(e.id) || !this.vertices.has(e.from) || !this.vertices.has(e.to)) continue;
          this.addEdge(e.id, edgeJson(e), t);
        }
        return { ok: true };
      }
      case 'load-json':
        this.loadJson(cmd.vertices, cmd.edges);
        return { ok: true };
      case 'vertex': {
        if (this.vertices.has(cmd.id)) return duplicate('vertex', cmd.id);
        this.addVertex(cmd.id, vertexJson(cmd), this.now());
        return { ok: true };
      }
      case 'edge': {
        if (this.edges.has(cmd.id)) return duplicate('edge', cmd.id);
        if (!this.vertices.has(cmd.from)) return missing(cmd.from);
        if (!this.vertices.has(cmd.to)) return missing(cmd.to);
        this.addEdge(cmd.id, edgeJson(cmd), this.now());
        return { ok: true };
      }
    }
  }

  /**
   * Bulk-load canonical element lines (the rules of the load command). `hashes`, when given,
   * holds each line's SHA-256 (vertices' then edges', 32 bytes each), computed elsewhere from
   * the same text (a restore hashes its chunks in worker threads). Lines whose layout is not
   * the plain canonical one are parsed and canonicalised; a line that is no element throws.
   */
  loadJson(vertices: readonly string[], edges: readonly string[], hashes?: Uint8Array): void {
    const t = this.now();
    for (let i = 0; i < vertices.length; i++) {
      const line = vertices[i] as string;
      let id = vertexKeys(line);
      let json = line;
      if (id === undefined) {
        const v = parseVertexLine(line);
        if (!v) throw new Error(`not a vertex: ${line.slice(0, 200)}`);
        ({ id, json } = v);
      }
      if (this.vertices.has(id)) continue;
      this.insertVertex(id, json, t);
      if (hashes !== undefined && json === line) this.mixBytes(hashes, 32 * i);
      else this.mix(jsonDigest(json));
    }
    for (let i = 0; i < edges.length; i++) {
      const line = edges[i] as string;
      let keys: { id: string; from: string; to: string } | undefined = edgeKeys(line);
      let json = line;
      if (keys === undefined) {
        const e = parseEdgeLine(line);
        if (!e) throw new Error(`not an edge: ${line.slice(0, 200)}`);
        keys = e;
        json = e.json;
      }
      if (this.edges.has(keys.id) || !this.vertices.has(keys.from) || !this.vertices.has(keys.to)) continue;
      this.insertEdge(keys.id, json, t);
      if (hashes !== undefined && json === line) this.mixBytes(hashes, 32 * (vertices.length + i));
      else this.mix(jsonDigest(json));
    }
  }

  private addVertex(id: string, json: string, t: number): void {
    this.insertVertex(id, json, t);
    this.mix(jsonDigest(json));
  }

  private addEdge(id: string, json: string, t: number): void {
    this.insertEdge(id, json, t);
    this.mix(jsonDigest(json));
  }

  private insertVertex(id: string, json: string, t: number): void {
    this.vertices.set(id, json);
    this.vertexIds.add(id);
    this.vertexMtime.push(t);
  }

  private insertEdge(id: string, json: string, t: number): void {
    this.edges.set(id, json);
    this.edgeIds.add(id);
    this.edgeMtime.push(t);
  }

  /** A cheap pre-check with the same outcome apply() would have now (null: would succeed). */
  check(cmd: Command): Rejection | null {
    if (cmd.op === 'vertex' && this.vertices.has(cmd.id)) return duplicate('vertex', cmd.id);
    if (cmd.op === 'edge') {
      if (this.edges.has(cmd.id)) return duplicate('edge', cmd.id);
      if (!this.vertices.has(cmd.from)) return missing(cmd.from);
      if (!this.vertices.has(cmd.to)) return missing(cmd.to);
    }
    return null;
  }

  hasVertex(id: string): boolean {
    return this.vertices.has(id);
  }

  getVertex(id: string): Vertex | undefined {
    const j = this.vertices.get(id);
    return j === undefined ? undefined : (JSON.parse(j) as Vertex);
  }

  getEdge(id: string): Edge | undefined {
    const j = this.edges.get(id);
    return j === undefined ? undefined : (JSON.parse(j) as Edge);
  }

  /** The element's canonical JSON, as stored (the client API answers with it). */
  elementJson(kind: Kind, id: string): string | undefined {
    return (kind === 'vertices' ? this.vertices : this.edges).get(id);
  }

  count(): { vertices: number; edges: number } {
    return { vertices: this.vertices.size, edges: this.edges.size };
  }

  checksum(): string {
    return Buffer.from(this.xor).toString('hex');
  }

  /**
   * Canonical JSON of every element of a kind, in apply order. The graph is append-only (no
   * update, no delete), so the first n elements at any moment are exactly the state at the
   * index applied then: a backup's consistent cut is the pair of counts, taken in one
   * synchronous step. Map iterators stay valid while new elements are appended.
   */
  json(kind: Kind): IterableIterator<string> {
    return (kind === 'vertices' ? this.vertices : this.edges).values();
  }

  /** Apply-time wall clock of each element of a kind, in the order of json(kind). */
  mtimes(kind: Kind): readonly number[] {
    return kind === 'vertices' ? this.vertexMtime : this.edgeMtime;
  }

  scan(kind: Kind, after: string | undefined, limit: number): { items: (Vertex | Edge)[]; next: string | null } {
    const page = this.scanJson(kind, after, limit);
    return { items: page.items.map((j) => JSON.parse(j) as Vertex | Edge), next: page.next };
  }

  /** scan() with each item as its canonical JSON. */
  scanJson(kind: Kind, after: string | undefined, limit: number): { items: string[]; next: string | null } {
    const ids = kind === 'vertices' ? this.vertexIds : this.edgeIds;
    const map = kind === 'vertices' ? this.vertices : this.edges;
    const page = ids.page(after, limit);
    const items = page.ids.map((id) => map.get(id) as string);
    const last = page.ids[page.ids.length - 1];
    return { items, next: page.more && last !== undefined ? last : null };
  }

  /** XOR an element's digest (jsonDigest: 32 latin1 characters) into the checksum. */
  private mix(d: string): void {
    for (let i = 0; i < 32; i++) this.xor[i] = (this.xor[i] as number) ^ d.charCodeAt(i);
  }

  private mixBytes(b: Uint8Array, off: number): void {
    for (let i = 0; i < 32; i++) this.xor[i] = (this.xor[i] as number) ^ (b[off + i] as number);
  }
}
