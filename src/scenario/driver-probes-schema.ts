// Probes over a native client (issue 14, docs/custom-targets.md "Native clients"): a Redis
// command or an SQL statement sent over the node's published port with a well-kept client
// library, instead of an HTTP request or a command in the container. Values reach SQL only
// as bound parameters, never spliced into the statement's text.

import { z } from 'zod';
import { customDuration as duration, port, regex, template } from './custom-fields.js';

export function redisProbe(vars: readonly string[]) {
  return z
    .strictObject({
      command: z
        .array(template(vars, 'One argument.'))
        .min(1)
        .describe('The command and its arguments, e.g. [SET, "{{id}}", "{{value}}"].'),
      port: port.optional().describe('Container port (one of cluster.custom.ports). Default: the first of ports.'),
      match: regex('The probe succeeds only if the reply (as text, arrays one element per line) matches.').optional(),
      wait: z
        .strictObject({
          replicas: z.int().min(1).describe('Replicas that must have the write.'),
          timeout: duration('How long WAIT may block. Default 100ms.').prefault('100ms'),
        })
        .optional()
        .describe(
          'After the command, WAIT for this many replicas: fewer in time makes the write unknown (info), ' +
            'not acknowledged: the primary has it, but a failover may lose it.',
        ),
    })
    .describe("A Redis command over the node's published port (ioredis).");
}

export function sqlProbe(vars: readonly string[]) {
  return z
    .strictObject({
      statement: z
        .string()
        .min(1)
        .refine((s) => !s.includes('{{'), {
          message: 'the statement is fixed text: put values in params and refer to them as $1, $2 (or ?)',
        })
        .describe('The statement, with $1, $2 (postgres) or ? (mysql) where the parameters go.'),
      params: z
        .array(template(vars, 'One bound parameter.'))
        .default([])
        .describe('Bound parameters, templated: ["{{id}}", "{{value}}"].'),
      port: port.optional().describe('Container port (one of cluster.custom.ports). Default: the first of ports.'),
      column: z.string().min(1).optional().describe('Read-back: the column the ids are in. Default: the first column.'),
      match: regex('The probe succeeds only if the result (rows as text, one per line) matches.').optional(),
    })
    .describe("An SQL statement over the node's published port (driver and credentials in cluster.custom.client.sql).");
}
