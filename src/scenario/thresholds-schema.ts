// The `thresholds` block (pass/fail limits of a drill) and `expect` (the verdict a
// library scenario is expected to produce).

import { z } from 'zod';
import { describeValue } from './duration.js';
import { duration, share } from './fields.js';

export interface Expect {
  verdict: 'pass' | 'fail';
  reason?: string;
}

export const thresholdsSchema = z
  .strictObject({
    rto: duration('Max recovery time objective: from the fault to writes succeeding again.').optional(),
    rpo: z
      .strictObject({
        lost: z.int().min(0).optional().describe('Max acknowledged writes lost.'),
        window: duration('Max RPO time window: span of the lost acknowledged writes.').optional(),
      })
      .optional()
      .describe('Recovery point objective.'),
    availability: share.optional().describe('Min share (0..1, or "50%") of writes that succeed during fault windows.'),
    p99_latency: duration('Max 99th percentile latency of successful operations.').optional(),
    backup_duration: duration('Max time the longest completed backup took.').optional(),
    restore_duration: duration(
      'Max time the longest restore took (request to data loaded; the full destroy-to-verified time is the rto).',
    ).optional(),
    integrity: z.boolean().optional().describe('Must hold: no dangling edge, the same checksum on every node.'),
    detect: duration(
      'Game days: max time from each disruptive fault taking effect to the team marking it detected ' +
        '(drill run --live).',
    ).optional(),
    mitigate: duration(
      'Game days: max time from each disruptive fault taking effect to the team marking it mitigated.',
    ).optional(),
    reads: z
      .strictObject({
        stale: z
          .int()
          .min(0)
          .optional()
          .describe('Max stale reads: reads that missed a write acknowledged before they were sent.'),
      })
      .optional()
      .describe('Limits on what reads found (set workload.read_share so that there are reads).'),
  })
  .describe('Pass/fail limits for the drill. All optional.');

const expectMessage = (v: unknown) =>
  `expected pass, fail, or a map { verdict: pass | fail, reason: "..." }, got ${describeValue(v)}`;
export const expectSchema = z
  .union(
    [
      z.enum(['pass', 'fail'], { error: (iss) => expectMessage(iss.input) }),
      z.strictObject({
        verdict: z.enum(['pass', 'fail']).describe('The expected verdict.'),
        reason: z.string().optional().describe('Why, e.g. "rpo.lost > 0". Shown in the report.'),
      }),
    ],
    { error: (iss) => expectMessage(iss.input) },
  )
  .describe(
    'The verdict this drill is expected to produce (the project scenario library uses fail to prove a flaw is caught).',
  )
  .transform((v): Expect =>
    typeof v === 'string'
      ? { verdict: v }
      : v.reason === undefined
        ? { verdict: v.verdict }
        : { verdict: v.verdict, reason: v.reason },
  );
