// Reading probe answers: the ids a read-back lists, and a value captured by a regex.
// Pure functions.

export interface IdsSpec {
  /** Dotted path into a JSON answer; `[]` takes every element of an array: kvs[].key. */
  json?: string | undefined;
  decode?: 'base64' | undefined;
  /** Keep only matching values; the first capture group, if any, is the id. */
  match?: string | undefined;
}

export class ParseError extends Error {
  override readonly name = 'ParseError';
}

/** Values at a dotted path such as `kvs[].key`; a missing field yields nothing. */
export function jsonPathValues(doc: unknown, path: string): unknown[] {
  let cur: unknown[] = [doc];
  for (const seg of path.split('.')) {
    const many = seg.endsWith('[]');
    const field = many ? seg.slice(0, -2) : seg;
    const next: unknown[] = [];
    for (const v of cur) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      const f = (v as Record<string, unknown>)[field];
      if (f === undefined || f === null) continue;
      if (many) {
        if (!Array.isArray(f)) throw new ParseError(`${field}: expected an array in the answer, got ${typeof f}`);
        next.push(...(f as unknown[]));
      } else next.push(f);
    }
    cur = next;
  }
  return cur;
}

/**
 * The ids listed in a read-back answer. With `json`, the values at that path; without, a
 * JSON array of strings if the answer is one, else one id per non-empty line. Then
 * `decode`, then `match` (non-matching values are dropped; capture group 1 is the id).
 */
/** The ids an answer lists; `rows`: a native client's answer, already a list (one id per row). */
export function parseIds(output: string, spec: IdsSpec = {}, rows?: readonly string[]): string[] {
  let values: string[];
  if (rows !== undefined) values = [...rows];
  else if (spec.json !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(output);
    } catch {
      throw new ParseError(
        `expected a JSON answer for ids.json ${spec.json}, got ${JSON.stringify(output.slice(0, 80))}`,
      );
    }
    values = jsonPathValues(doc, spec.json).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  } else {
    const t = output.trim();
    let arr: unknown;
    if (t.startsWith('[')) {
      try {
        arr = JSON.parse(t);
      } catch {
        arr = undefined;
      }
    }
    values = Array.isArray(arr)
      ? arr.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
      : output
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== '');
  }
  if (spec.decode === 'base64') values = values.map((v) => Buffer.from(v, 'base64').toString('utf8'));
  if (spec.match !== undefined) {
    const re = new RegExp(spec.match);
    const out: string[] = [];
    for (const v of values) {
      const m = re.exec(v);
      if (m) out.push(m[1] ?? m[0]);
    }
    values = out;
  }
  return values;
}

/** The first capture group (or the whole match) of `pattern` in `text`, or undefined. */
/**
 * A log position as the store writes it: an integer (etcd's revision, a Raft index), or a PostgreSQL LSN
 * ("16/B374D848": two hex halves, high and low 32 bits), as one number in the same order. NaN for anything else.
 */
export function parsePosition(text: string | undefined): number {
  if (text === undefined) return NaN;
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const lsn = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(s);
  return lsn ? parseInt(lsn[1]!, 16) * 2 ** 32 + parseInt(lsn[2]!, 16) : NaN;
}

export function capture(text: string, pattern: string): string | undefined {
  const m = new RegExp(pattern).exec(text);
  return m ? (m[1] ?? m[0]) : undefined;
}

/**
 * A clock probe's answer as ms since the epoch: epoch seconds (with or without a fraction),
 * epoch milliseconds (13+ digits), or an RFC 3339 / ISO 8601 date. Null when it is none.
 */
export function parseClockValue(text: string): number | null {
  const s = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return null;
    // Before 1e11 s (year 5138) it is seconds; milliseconds of today are ~1.7e12.
    return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(s)) {
    const t = Date.parse(s.replace(' ', 'T'));
    return Number.isFinite(t) ? t : null;
  }
  return null;
}
