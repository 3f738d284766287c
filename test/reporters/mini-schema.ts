// A tiny JSON Schema validator for the subset schema/result.schema.json uses: type (incl.
// arrays of types), const, enum, properties, required, additionalProperties: false, items,
// minimum, maximum, $ref to #/$defs. Enough to keep the published schema honest without a
// new dependency.
type S = {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, S>;
  required?: string[];
  additionalProperties?: boolean;
  items?: S;
  minimum?: number;
  maximum?: number;
  $defs?: Record<string, S>;
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function matchesType(v: unknown, t: string): boolean {
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v);
  return typeOf(v) === t;
}

export function validate(value: unknown, root: S): string[] {
  const errors: string[] = [];
  const walk = (v: unknown, s: S, path: string): void => {
    if (s.$ref) {
      const def = root.$defs?.[s.$ref.replace('#/$defs/', '')];
      if (!def) return void errors.push(`${path}: unresolved ${s.$ref}`);
      s = def;
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some((t) => matchesType(v, t)))
        return void errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(v)}`);
    }
    if ('const' in s && v !== s.const) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
    if (s.enum && !s.enum.includes(v)) errors.push(`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) errors.push(`${path}: ${v} < ${s.minimum}`);
      if (s.maximum !== undefined && v > s.maximum) errors.push(`${path}: ${v} > ${s.maximum}`);
    }
    if (Array.isArray(v) && s.items) v.forEach((x, i) => walk(x, s.items!, `${path}[${i}]`));
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of s.required ?? []) if (!(k in o)) errors.push(`${path}: missing required "${k}"`);
      for (const [k, x] of Object.entries(o)) {
        const sub = s.properties?.[k];
        if (sub) walk(x, sub, `${path}.${k}`);
        else if (s.additionalProperties === false) errors.push(`${path}: unexpected property "${k}"`);
      }
    }
  };
  walk(value, root, '$');
  return errors;
}
