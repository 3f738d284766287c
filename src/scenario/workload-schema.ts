// The `workload` block of a scenario: the client load applied during the whole drill.

import { z } from 'zod';
import { describeValue } from './duration.js';
import { duration } from './fields.js';

export const WORKLOAD_KINDS = ['graph', 'kv'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export const workloadSchema = z
  .strictObject({
    kind: z
      .literal(WORKLOAD_KINDS, {
        error: (iss) =>
          iss.input === undefined
            ? undefined
            : `unsupported workload kind ${describeValue(iss.input)}; supported: ${WORKLOAD_KINDS.join(', ')}`,
      })
      .optional()
      .describe(
        'graph: vertex and edge writes, every edge references earlier vertices (the default for graph-agent). kv: ' +
          'key/value writes of unique keys (the default and only kind for custom targets; edge_share is ignored).',
      ),
    rate: z
      .number()
      .gt(0)
      .max(20_000)
      .default(200)
      .describe('Target operations per second, in total (> 0, max 20000).'),
    concurrency: z.int().min(1).max(256).default(8).describe('Concurrent workers, 1..256.'),
    edge_share: z.number().min(0).max(1).default(0.3).describe('Share (0..1) of writes that are edges.'),
    read_share: z.number().min(0).max(1).default(0).describe('Share (0..1) of operations that are reads.'),
    timeout: duration('Request timeout; a timed-out operation is recorded with an unknown outcome.').prefault('1s'),
    probe: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Send recovery probe writes while a recovery is pending.'),
        interval: duration('Time between two probe writes.').prefault('20ms'),
        timeout: duration('Timeout of a probe write (short: a probe must not wait out an outage).').prefault('250ms'),
      })
      .prefault({})
      .describe(
        'The recovery probe: after each disruptive fault takes effect and after each heal, one real write every ' +
          'interval (its own clients, independent of rate, concurrency and timeout) until 25 in a row are ' +
          'acknowledged, so RTO resolution is tens of milliseconds whatever the workload. Recorded and checked ' +
          'like every other write. See docs/reports.md.',
      ),
  })
  .describe('The client load applied during the whole drill. Optional; every field has a default.');
