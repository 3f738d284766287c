// The scenario file format (docs/scenario-format.md), as a zod schema.
//
// The INPUT side is what a YAML file holds (published as JSON Schema in
// schema/scenario.schema.json); the OUTPUT side (`Scenario`) is what the run engine
// consumes: durations in milliseconds, defaults applied, steps as a tagged union,
// every fault named. Cross-field rules (node range, fault names, heal references,
// election_timeout > heartbeat) are refinements that run even when other fields are
// invalid, so one pass reports every problem of a file.
//
// One part per file: fields.ts (shared field types), cluster-schema.ts, workload-schema.ts,
// steps-schema.ts (with fault-schema.ts, assembled from the fault registry),
// thresholds-schema.ts (thresholds and expect), cross-rules.ts. This file puts them together
// and re-exports their vocabulary.

import { z } from 'zod';
import type { Step } from '../schedule/steps.js';
import { clusterSchema } from './cluster-schema.js';
import { scenarioCrossIssues } from './cross-rules.js';
import { describeValue } from './duration.js';
import { always } from './fields.js';
import { stepSchema, toStep } from './steps-schema.js';
import { expectSchema, thresholdsSchema, type Expect } from './thresholds-schema.js';
import { workloadSchema } from './workload-schema.js';

export { SUPPORTED_TARGETS } from './cluster-schema.js';
export { scenarioCrossIssues, type CrossIssue } from './cross-rules.js';
export { FAULT_KINDS, FAULT_TARGETS, SIGNALS, type FaultKind, type FaultTarget, type Signal } from './fault-schema.js';
export { MAX_NODES } from './fields.js';
export { AWAIT_CONDITIONS, STEP_KEYS, type AwaitCondition, type StepKey } from './steps-schema.js';
export type { Expect } from './thresholds-schema.js';
export { WORKLOAD_KINDS } from './workload-schema.js';
export type { FaultSpec } from '../faults/fault.js';
// The step union the run engine switches on is defined once, beside the runner.
export type { Step };

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** The scenario schema: YAML data in, `Scenario` out. */
export const scenarioSchema = z
  .strictObject(
    {
      name: z
        .string()
        .regex(NAME_PATTERN, {
          error: (iss) =>
            `expected a name of lower-case letters, digits, ".", "_", "-" (starting with a letter or digit), got ` +
            `${describeValue(iss.input)}`,
        })
        .describe('Scenario name, [a-z0-9][a-z0-9._-]*. Names the run directory.'),
      description: z.string().default('').describe('What the drill does and what it proves, in a sentence.'),
      tags: z.array(z.string().min(1)).default([]).describe('Free-form tags, for listing and selecting scenarios.'),
      seed: z
        .int()
        .min(0)
        .optional()
        .describe('Random seed (workload, random targets). --seed on the command line overrides it.'),
      cluster: clusterSchema,
      workload: workloadSchema.prefault({}),
      steps: z.array(stepSchema).min(1).describe('The timeline, run in order.'),
      thresholds: thresholdsSchema.prefault({}),
      expect: expectSchema.optional(),
      repeat: z
        .strictObject({
          verdict_percentile: z
            .int()
            .min(1)
            .max(100)
            .optional()
            .describe(
              'With --repeat N: judge the thresholds at this percentile of the runs (e.g. 90) instead of the ' +
                'worst run.',
            ),
        })
        .optional()
        .describe('How a repeated drill (--repeat N) is judged.'),
    },
    {
      error: (iss) =>
        iss.code === 'invalid_type'
          ? `expected a map of scenario fields (name, cluster, steps, ...), got ${describeValue(iss.input)}`
          : undefined,
    },
  )
  .superRefine((v, ctx) => {
    for (const i of scenarioCrossIssues(v)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  }, always)
  .transform((v) => {
    let n = 0;
    const nextName = () => `f${++n}`;
    let nb = 0;
    const steps: Step[] = v.steps.map((s) => {
      if (s.backup !== undefined) nb++;
      const k = nb;
      return toStep(s, nextName, () => `b${k}`);
    });
    const { expect, ...rest } = v;
    return { ...rest, steps, expect: expect as Expect | undefined };
  })
  .describe('A drill scenario: a cluster, a workload, a timeline of steps, and thresholds.');

/** A parsed, validated scenario: durations in ms, defaults applied, steps tagged, faults named. */
export type Scenario = z.output<typeof scenarioSchema>;
/** What a scenario file holds (before defaults and conversions). */
export type ScenarioInput = z.input<typeof scenarioSchema>;

export interface ScenarioFile {
  path: string;
  scenario: Scenario;
}
