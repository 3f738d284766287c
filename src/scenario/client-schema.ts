// cluster.custom.client: how the harness connects with its native clients, and where writes
// go. Credentials are given in the scenario or, better, named by an environment variable of
// the harness (password_env), so a scenario file holds no secret.

import { z } from 'zod';
import { describeValue } from './duration.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: (iss) => `expected an environment variable name, got ${describeValue(iss.input)}`,
});

export const clientSchema = z
  .strictObject({
    redis: z
      .strictObject({
        username: z.string().optional(),
        password: z.string().optional(),
        password_env: envName.optional().describe('Read the password from this environment variable.'),
        db: z.int().min(0).optional(),
      })
      .optional()
      .describe('Connection settings of redis probes.'),
    sql: z
      .strictObject({
        driver: z.enum(['postgres', 'mysql']).describe('postgres (pg) or mysql (mysql2).'),
        user: z.string().optional(),
        password: z.string().optional(),
        password_env: envName.optional().describe('Read the password from this environment variable.'),
        database: z.string().optional(),
      })
      .optional()
      .describe('Connection settings of sql probes. Required when a probe uses sql.'),
    module: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A client module (docs/client-modules.md), relative to the scenario file: an ES module exporting ' +
          'open(node), whose client does write(op), read() and close(). It carries the writes and the read-back.',
      ),
    settings: z
      .record(z.string(), z.string())
      .default({})
      .describe("Passed to the module's open(node) as node.settings."),
  })
  .describe('Native client settings and client modules (issue 14).');
