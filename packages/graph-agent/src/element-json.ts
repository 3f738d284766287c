// The canonical JSON of a graph element: object keys sorted by UTF-16 code units, recursively,
// no whitespace (docs/graph-agent.md). It is how the graph keeps every element, what the
// checksum hashes (SHA-256 of this text), what a backup writes as chunk lines and what a
// restore loads, so that neither a backup nor a restore has to serialise or canonicalise an
// element again: they move and hash the text.
//
// Reading the keys of a line back (vertexKeys, edgeKeys) takes the text apart by its fixed
// layout instead of JSON.parse, which would build an object per element only to read one to
// three strings from it. Any line whose layout is not the plain canonical one (escapes in an
// id, anything unexpected) gets undefined, and the caller parses and canonicalises it instead.

import { hash } from 'node:crypto';

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

/** JSON with object keys sorted (by UTF-16 code units, recursively) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

/** canonicalJson of a vertex: its keys id < label < properties are already in order. */
export function vertexJson(v: Vertex): string {
  const props = canonicalJson(v.properties);
  return `{"id":${JSON.stringify(v.id)},"label":${JSON.stringify(v.label)},"properties":${props}}`;
}

/** canonicalJson of an edge: from < id < properties < to < type. */
export function edgeJson(e: Edge): string {
  return (
    `{"from":${JSON.stringify(e.from)},"id":${JSON.stringify(e.id)},"properties":${canonicalJson(e.properties)},` +
    `"to":${JSON.stringify(e.to)},"type":${JSON.stringify(e.type)}}`
  );
}

/**
 * The element's hash, SHA-256 of its canonical JSON (text, or its UTF-8 bytes), as a string of
 * 32 latin1 characters: the checksum XORs these, and such a string costs far less to make
 * than a Buffer per element.
 */
export function jsonDigest(json: string | Uint8Array): string {
  return hash('sha256', json, 'binary'); // 'binary' is latin1
}

/** The plain string between `start` and the next quote, or undefined when it holds an escape. */
function plainString(line: string, start: number): { value: string; end: number } | undefined {
  const end = line.indexOf('"', start);
  if (end < 0) return undefined;
  const value = line.slice(start, end);
  // Without a backslash in it, the quote at `end` cannot be an escaped one.
  return value.includes('\\') ? undefined : { value, end };
}

/** The id of a canonical vertex line `{"id":"…","label":…,"properties":…}`. */
export function vertexKeys(line: string): string | undefined {
  if (!line.startsWith('{"id":"')) return undefined;
  const id = plainString(line, 7);
  if (!id || !line.startsWith('","label":"', id.end) || !line.endsWith('}}')) return undefined;
  return id.value;
}

/** id, from and to of a canonical edge line `{"from":"…","id":"…","properties":…,"to":"…","type":"…"}`. */
export function edgeKeys(line: string): { id: string; from: string; to: string } | undefined {
  if (!line.startsWith('{"from":"')) return undefined;
  const from = plainString(line, 9);
  if (!from || !line.startsWith('","id":"', from.end)) return undefined;
  const id = plainString(line, from.end + 8);
  if (!id || !line.startsWith('","properties":{', id.end)) return undefined;
  // A raw `","type":"` cannot occur inside a string (its quotes would be escaped), and after the
  // top-level "type" key comes only its string: so the last one is that key, and the last
  // `,"to":"` before it opens the top-level "to".
  const typeKey = line.lastIndexOf('","type":"');
  if (typeKey < 0 || !line.endsWith('"}')) return undefined;
  const toKey = line.lastIndexOf(',"to":"', typeKey);
  if (toKey <= id.end) return undefined;
  const to = line.slice(toKey + 7, typeKey);
  if (to.includes('\\') || to.includes('"')) return undefined;
  return { id: id.value, from: from.value, to };
}

const isStr = (x: unknown): x is string => typeof x === 'string';
const isProps = (x: unknown): x is Properties => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A vertex line of any layout (an older backup): parsed, checked and canonicalised; undefined if not a vertex. */
export function parseVertexLine(line: string): { id: string; json: string } | undefined {
  const v = JSON.parse(line) as Partial<Vertex>;
  if (!isStr(v.id) || !isStr(v.label) || !isProps(v.properties)) return undefined;
  return { id: v.id, json: vertexJson(v as Vertex) };
}

/** An edge line of any layout: parsed, checked and canonicalised; undefined if not an edge. */
export function parseEdgeLine(line: string): { id: string; from: string; to: string; json: string } | undefined {
  const e = JSON.parse(line) as Partial<Edge>;
  if (!isStr(e.id) || !isStr(e.from) || !isStr(e.to) || !isStr(e.type) || !isProps(e.properties)) return undefined;
  return { id: e.id, from: e.from, to: e.to, json: edgeJson(e as Edge) };
}
