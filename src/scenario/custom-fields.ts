// Field types of the cluster.custom block and its probes: durations, regular expressions
// compiled at load time, templated strings checked against the variables of their place,
// and ports.

import { z } from 'zod';
import { templateProblems } from '../targets/custom/templates.js';
import { DURATION_PATTERN, durationMessage, parseDuration } from './duration.js';

// Kept apart from fields.ts's duration: its messages differ (a negative number here is
// "must be at least 0"), and validate's messages stay as they are.
export function customDuration(description: string) {
  return z
    .union([z.string().regex(new RegExp(DURATION_PATTERN)), z.number().min(0)], {
      error: (iss) => durationMessage(iss.input),
    })
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

/** A JavaScript regular expression, compiled at load time. */
export const regex = (description: string) =>
  z
    .string()
    .min(1)
    .superRefine((s, ctx) => {
      try {
        new RegExp(s);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(e as Error).message}` });
      }
    })
    .describe(`${description} A JavaScript regular expression.`);

/** A templated string; `vars` are the variables this place offers. */
export const template = (vars: readonly string[], description: string) =>
  z
    .string()
    .superRefine((s, ctx) => {
      for (const p of templateProblems(s, vars)) ctx.addIssue({ code: 'custom', message: p });
    })
    .describe(`${description} Templated: ${vars.map((v) => `{{${v}}}`).join(', ')}.`);

export const port = z.int().min(1).max(65535);
