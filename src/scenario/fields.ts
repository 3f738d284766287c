// Field types shared by the scenario schema's parts (and by fault kinds' parameters):
// durations, shares, on/off switches, node names, and the helpers for refinements that
// must run even when other fields are invalid (so one pass reports every problem).

import { z } from 'zod';
import { DURATION_PATTERN, describeValue, durationMessage, parseDuration } from './duration.js';

export const MAX_NODES = 9;
export const NODE_PATTERN = /^n[1-9]$/;

/** Always run a refinement, even when other fields failed: the code guards its own input. */
export const always = { when: () => true };

export type Rec = Record<string, unknown>;
export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A node name n1..n9, with the message users see. */
export function nodeName() {
  return z.string().regex(NODE_PATTERN, {
    error: (iss) => `expected a node name n1..n${MAX_NODES}, got ${describeValue(iss.input)}`,
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
