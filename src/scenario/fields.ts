// Field types shared by the scenario schema's parts (and by fault kinds' parameters):
// durations, shares, on/off switches, node names, and the helpers for refinements that
// must run even when other fields are invalid (so one pass reports every problem).

import { z } from 'zod';
import { DURATION_PATTERN, describeValue, durationMessage, parseDuration } from './duration.js';

export const MAX_NODES = 9;
/** A node's name: n1..n9 for identical nodes, <group>-<i> or a Compose service for node groups. */
export const NODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Always run a refinement, even when other fields failed: the code guards its own input. */
export const always = { when: () => true };

export type Rec = Record<string, unknown>;
export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A node name (n1..n9, or a node of cluster.groups / the Compose file; which exist is a cross rule). */
export function nodeName() {
  return z.string().regex(NODE_PATTERN, { error: (iss) => nodeNameMessage(iss.input) });
}

export function nodeNameMessage(input: unknown): string {
  return `expected a node name (n1..n${MAX_NODES}, <group>-<i> or a Compose service), got ${describeValue(input)}`;
}

/** primary, replica or a node name (where a step runs). */
export function nodeOrRole() {
  return z.string().regex(NODE_PATTERN, {
    error: (iss) => `expected primary, replica or a node name, got ${describeValue(iss.input)}`,
  });
}

const durationInput = z.union(
  [
    z.string().regex(new RegExp(DURATION_PATTERN), { error: (iss) => durationMessage(iss.input) }),
    z.number({ error: (iss) => durationMessage(iss.input) }).min(0, { error: (iss) => durationMessage(iss.input) }),
  ],
  { error: (iss) => durationMessage(iss.input) },
);

/** A duration field: "250ms", "1.5s", "2m" or a bare number of seconds in; milliseconds out. */
export function duration(description: string) {
  return durationInput
    .describe(`${description} A duration: "250ms", "1.5s", "2m", or a number of seconds.`)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: durationMessage(v), input: v });
        return z.NEVER;
      }
      return ms;
    });
}

const shareMessage = (v: unknown) =>
  `expected a share between 0 and 1, or a percentage such as "50%", got ${describeValue(v)}`;

/** A share 0..1, or a percentage string "50%". */
const shareInput = z.union(
  [
    z
      .number({ error: (iss) => shareMessage(iss.input) })
      .min(0, { error: (iss) => shareMessage(iss.input) })
      .max(1, { error: (iss) => shareMessage(iss.input) }),
    z.string().regex(/^\d+(?:\.\d+)?%$/, { error: (iss) => shareMessage(iss.input) }),
  ],
  { error: (iss) => shareMessage(iss.input) },
);
export const share = shareInput.transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const n = Number(v.slice(0, -1)) / 100;
  if (!(n >= 0 && n <= 1)) {
    ctx.addIssue({ code: 'custom', message: shareMessage(v), input: v });
    return z.NEVER;
  }
  return n;
});

const onOffMessage = (v: unknown) => `expected on or off, got ${describeValue(v)}`;
/** on | off; YAML 1.1 readers turn bare on/off into booleans, so true/false are accepted too. */
export const onOff = z
  .union([z.enum(['on', 'off'], { error: (iss) => onOffMessage(iss.input) }), z.boolean()], {
    error: (iss) => onOffMessage(iss.input),
  })
  .transform((v): 'on' | 'off' => (v === true ? 'on' : v === false ? 'off' : v));

/** The description a schema carries (on itself, or inside a transform or an optional). */
export function descriptionOf(s: z.ZodType): string {
  if (s.description !== undefined) return s.description;
  const def = s._zod.def as unknown as { type: string; in?: z.ZodType; innerType?: z.ZodType };
  if (def.type === 'pipe' && def.in) return descriptionOf(def.in);
  if (def.innerType) return descriptionOf(def.innerType);
  return '';
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  // Docker's spellings (binary, like `docker run --memory 64m`)
  k: 1024,
  K: 1024,
  m: 1024 ** 2,
  M: 1024 ** 2,
  g: 1024 ** 3,
  G: 1024 ** 3,
};
const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|kB|KB|MB|GB|k|K|m|M|g|G)?$/;
const sizeMessage = (v: unknown) =>
  `expected a size such as "64MiB", "512KiB" or a number of bytes, got ${describeValue(v)}`;

/** Bytes for a size ("64MiB", "1.5GiB", "512k", or a number of bytes), or undefined. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = SIZE_RE.exec(v.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2] ?? '']!);
}

const sizeInput = z.union(
  [
    z.number({ error: (iss) => sizeMessage(iss.input) }).min(0, { error: (iss) => sizeMessage(iss.input) }),
    z.string().regex(SIZE_RE, { error: (iss) => sizeMessage(iss.input) }),
  ],
  { error: (iss) => sizeMessage(iss.input) },
);

/** A size field, at least `min` bytes: "64MiB", "512KiB", "1GiB" (Docker's "64m" too) or bytes in; bytes out. */
export function size(description: string, min = 1) {
  return sizeInput
    .describe(`${description} A size: "64MiB", "512KiB", "1GiB" (binary units; "64m" as Docker writes it) or bytes.`)
    .transform((v, ctx) => {
      const bytes = parseSize(v);
      if (bytes === undefined || bytes < min) {
        const atLeast = bytes === undefined ? '' : ` (at least ${min} bytes)`;
        ctx.addIssue({ code: 'custom', message: `${sizeMessage(v)}${atLeast}`, input: v });
        return z.NEVER;
      }
      return bytes;
    });
}
