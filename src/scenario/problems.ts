// Turns YAML errors and zod issues into one-line problems:
//   <file>:<line>:<col>: <field path>: <message>
// Positions come from the YAML Document's node ranges and a LineCounter; a zod issue
// path (['steps', 3, 'fault', 'jitter']) is walked through the document's maps and
// sequences. An unknown key points at the key, a missing key at its parent map, any
// other problem at the value.

import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { describeValue } from './duration.js';

export type PathSegment = string | number;

/** `steps[3].fault.jitter`; `(root)` for the document itself. */
export function formatFieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(root)' : out;
}

interface Located {
  offset: number;
  line: number;
  col: number;
}

interface RangeNode {
  range?: readonly [number, number, number] | null;
}

function startOf(node: unknown): number | undefined {
  const r = (node as RangeNode | null | undefined)?.range;
  return r ? r[0] : undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

/**
 * The source offset for a path in the document. `at: 'key'` points at the last
 * segment's key (for unknown keys). Missing segments fall back to the deepest node
 * that exists (the parent map for a missing key).
 */
export function offsetOf(doc: Document, path: readonly PathSegment[], at: 'key' | 'value' = 'value'): number {
  let cur: unknown = doc.contents;
  let best = startOf(cur) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isAlias(cur)) cur = cur.resolve(doc);
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (pair === undefined) return best;
      const keyStart = startOf(pair.key);
      if (last && at === 'key') return keyStart ?? best;
      const value = pair.value;
      const valueStart = startOf(value);
      const emptyValue = value === null || (isScalar(value) && value.value === null && (value.source ?? '') === '');
      if (emptyValue || valueStart === undefined) return keyStart ?? best;
      best = valueStart;
      cur = value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      const item = cur.items[seg];
      const itemStart = startOf(item);
      if (item === undefined || itemStart === undefined) return best;
      best = itemStart;
      cur = item;
    } else {
      return best;
    }
  }
  return best;
}

function locate(lineCounter: LineCounter, offset: number): Located {
  const { line, col } = lineCounter.linePos(offset);
  return { offset, line, col };
}

export interface Problem extends Located {
  text: string;
}

function problem(file: string, loc: Located, field: string, message: string): Problem {
  return { ...loc, text: `${file}:${loc.line}:${loc.col}: ${field}: ${oneLine(message)}` };
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** Sorted by position in the file, duplicates removed, as text lines. */
export function problemLines(problems: Problem[]): string[] {
  const sorted = problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.offset - b.p.offset || a.i - b.i)
    .map(({ p }) => p.text);
  return [...new Set(sorted)];
}

// ---------------------------------------------------------------------------------------
// YAML errors

export function yamlProblems(file: string, errors: readonly YAMLError[], lineCounter: LineCounter): Problem[] {
  return errors.map((e) => {
    const offset = e.pos?.[0] ?? 0;
    const loc = locate(lineCounter, offset);
    let message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?\s*$/, '');
    if (e.code === 'MULTIPLE_DOCS') message = 'a scenario file holds one YAML document; found a second one (---)';
    if (e.code === 'DUPLICATE_KEY') message = 'duplicate key: map keys must be unique';
    return { ...loc, text: `${file}:${loc.line}:${loc.col}: YAML syntax: ${oneLine(message)}` };
  });
}

/** A problem not tied to a field or a position (e.g. an empty file). */
export function fileProblem(file: string, message: string): Problem {
  return problem(file, { offset: 0, line: 1, col: 1 }, '(root)', message);
}

// ---------------------------------------------------------------------------------------
// zod issues

const TYPE_NAMES: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

type RawIssue = z.core.$ZodRawIssue;

/**
 * The per-parse error map: readable messages for zod's built-in issues. Schema-level
 * messages (durations, targets, ...) take precedence over this one.
 */
export function issueMessage(iss: RawIssue): string | undefined {
  const input: unknown = iss.input;
  const got = `got ${describeValue(input)}`;
  switch (iss.code) {
    case 'invalid_type':
      if (input === undefined) return 'missing required field';
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}, ${got}`;
    case 'invalid_value': {
      if (input === undefined) return 'missing required field';
      const values = iss.values.map((v) => String(v));
      return values.length === 1 ? `expected ${values[0]}, ${got}` : `expected one of ${values.join(', ')}; ${got}`;
    }
    case 'too_small': {
      const min = String(iss.minimum);
      if (iss.origin === 'array') return iss.minimum === 1 ? 'must not be empty' : `must have at least ${min} items`;
      if (iss.origin === 'string')
        return iss.minimum === 1 ? 'must not be empty' : `must have at least ${min} characters`;
      return `${iss.inclusive === false ? 'must be greater than' : 'must be at least'} ${min}, ${got}`;
    }
    case 'too_big': {
      const max = String(iss.maximum);
      if (iss.origin === 'array') return `must have at most ${max} items`;
      if (iss.origin === 'string') return `must have at most ${max} characters`;
      return `${iss.inclusive === false ? 'must be less than' : 'must be at most'} ${max}, ${got}`;
    }
    case 'invalid_format':
      return `invalid format, ${got}`;
    case 'invalid_union':
      return `invalid value, ${got}`;
    default:
      return undefined;
  }
}

function levenshtein(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] ?? 0;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j] ?? 0;
      d[j] = Math.min((d[j] ?? 0) + 1, (d[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length] ?? 0;
}

/** The keys a strict object at `path` allows, found by walking the schema. */
export function allowedKeysAt(schema: z.core.$ZodType, path: readonly PathSegment[]): string[] | undefined {
  const unwrap = (s: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    for (let i = 0; s !== undefined && i < 20; i++) {
      const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
      if (def.type === 'pipe') s = def['in'] as z.core.$ZodType;
      else if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(def.type))
        s = def['innerType'] as z.core.$ZodType;
      else if (def.type === 'union')
        s = (def['options'] as z.core.$ZodType[]).find((o) => unwrap(o)?._zod.def.type === 'object');
      else return s;
    }
    return s;
  };
  let cur = unwrap(schema);
  for (const seg of path) {
    if (cur === undefined) return undefined;
    const def = cur._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'object' && typeof seg === 'string')
      cur = unwrap((def['shape'] as Record<string, z.core.$ZodType>)[seg]);
    else if (def.type === 'array' && typeof seg === 'number') cur = unwrap(def['element'] as z.core.$ZodType);
    else return undefined;
  }
  if (cur === undefined || cur._zod.def.type !== 'object') return undefined;
  return Object.keys((cur._zod.def as unknown as { shape: Record<string, unknown> }).shape);
}

function unknownKeyMessage(key: string, allowed: string[] | undefined): string {
  const base = `unknown field ${JSON.stringify(key)}`;
  if (allowed === undefined || allowed.length === 0) return base;
  const close = allowed
    .map((k) => ({ k, d: levenshtein(key.toLowerCase(), k.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(1, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  if (close !== undefined) return `${base} (did you mean ${JSON.stringify(close.k)}?)`;
  return `${base}; allowed: ${allowed.join(', ')}`;
}

/**
 * A union whose input matched one option's type but failed inside it (e.g. `expect:
 * { verdict: maybe }`) is reported as that option's issues, which name the exact field.
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const iss of issues) {
    if (iss.code === 'invalid_union') {
      const deep = iss.errors.find((branch) => branch.length > 0 && branch.every((b) => b.path.length > 0));
      if (deep !== undefined) {
        out.push(...flattenUnions(deep.map((b) => ({ ...b, path: [...iss.path, ...b.path] }))));
        continue;
      }
    }
    out.push(iss);
  }
  return out;
}

/** zod issues -> problems with positions. */
export function issueProblems(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  doc: Document,
  lineCounter: LineCounter,
  schema: z.core.$ZodType,
): Problem[] {
  const out: Problem[] = [];
  const unknownKeyParents = new Set(
    issues.filter((i) => i.code === 'unrecognized_keys').map((i) => JSON.stringify(i.path)),
  );
  for (const iss of flattenUnions(issues)) {
    const path = iss.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (iss.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, path);
      for (const key of iss.keys) {
        const full = [...path, key];
        out.push(
          problem(
            file,
            locate(lineCounter, offsetOf(doc, full, 'key')),
            formatFieldPath(full),
            unknownKeyMessage(key, allowed),
          ),
        );
      }
      continue;
    }
    // "a step needs one of wait, mark, ..." adds nothing when the step's key is unknown (a typo).
    if (
      iss.code === 'custom' &&
      iss.params?.['stepKeysNone'] === true &&
      unknownKeyParents.has(JSON.stringify(iss.path))
    ) {
      continue;
    }
    out.push(problem(file, locate(lineCounter, offsetOf(doc, path)), formatFieldPath(path), iss.message));
  }
  return out;
}
