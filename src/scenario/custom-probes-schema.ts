// The probes of a custom target or node group: how the harness reaches a node (an HTTP
// request, a command in the container, a Redis command, an SQL statement) and what each
// probe is for (health, role, write, read, backup, restore, clock). Every template is
// checked against the variables its place offers and every regular expression compiled.

import { z } from 'zod';
import { BACKUP_VARS, NODE_VARS, POINT_VARS, RESTORE_VARS, WRITE_VARS } from '../targets/custom/templates.js';
import { customDuration as duration, port, regex, template } from './custom-fields.js';
import { describeValue } from './duration.js';
import { redisProbe, sqlProbe } from './driver-probes-schema.js';
import { isRec } from './fields.js';

function httpProbe(vars: readonly string[]) {
  return z
    .strictObject({
      method: z
        .enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'])
        .default('GET')
        .describe('HTTP method. Default GET.'),
      port: port.optional().describe('Container port (one of cluster.custom.ports). Default: the first of ports.'),
      path: template(vars, 'Path and query, starting with "/".').refine((s) => s.startsWith('/'), {
        message: 'expected a path starting with "/"',
      }),
      body: template(vars, 'Request body.').optional(),
      headers: z
        .record(z.string(), template(vars, 'Header value.'))
        .optional()
        .describe('Extra request headers. A body without content-type is sent as application/json.'),
      expect_status: z
        .union([port, z.array(port).min(1)])
        .optional()
        .describe('Status code(s) that count as success. Default: any 2xx.'),
      match: regex('The probe succeeds only if the response body matches.').optional(),
    })
    .describe('An HTTP request to the node, on its port published on 127.0.0.1.');
}

function execProbe(vars: readonly string[]) {
  return z
    .strictObject({
      command: z
        .array(template(vars, 'One argument.'))
        .min(1)
        .describe(
          'The command, as an argument list run directly in the container (no shell: images FROM scratch have none).',
        ),
      match: regex('The probe succeeds only if the output (stdout, then stderr) matches.').optional(),
      expect_exit: z.int().min(0).max(255).default(0).describe('Exit code that counts as success. Default 0.'),
    })
    .describe("A command run in the node's container (docker exec).");
}

const probeBase = (vars: readonly string[]) => ({
  http: httpProbe(vars).optional(),
  exec: execProbe(vars).optional(),
  redis: redisProbe(vars).optional(),
  sql: sqlProbe(vars).optional(),
  timeout: duration(
    'How long the probe may take; then it counts as unknown (writes) or failed (other probes). Default 2s.',
  ).optional(),
});

/** The ways a probe can reach a node: exactly one per probe. */
export const TRANSPORTS = ['http', 'exec', 'redis', 'sql'] as const;

export function oneOfHttpExec(p: unknown, ctx: z.RefinementCtx): void {
  if (!isRec(p)) return;
  const given = TRANSPORTS.filter((k) => p[k] !== undefined);
  if (given.length > 1)
    ctx.addIssue({
      code: 'custom',
      path: [given[1]!],
      message: `a probe is either http, exec, redis or sql: this one has ${given.join(' and ')}`,
    });
  else if (given.length === 0)
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: 'missing http or exec: a probe is an HTTP request or a command (or a redis command, an sql statement)',
    });
}

export const ONE_TRANSPORT = { oneOf: TRANSPORTS.map((t) => ({ required: [t] })) };

const always = { when: () => true };

export const plainProbe = (vars: readonly string[], description: string) =>
  z.strictObject(probeBase(vars)).superRefine(oneOfHttpExec, always).meta(ONE_TRANSPORT).describe(description);

const readProbe = z
  .strictObject({
    ...probeBase(NODE_VARS),
    ids: z
      .strictObject({
        json: z
          .string()
          .regex(/^[A-Za-z0-9_]+(?:\[\])?(?:\.[A-Za-z0-9_]+(?:\[\])?)*$/, {
            error: (iss) => `expected a JSON path such as kvs[].key or items[].id, got ${describeValue(iss.input)}`,
          })
          .optional()
          .describe(
            'Where the ids are in a JSON answer: dotted fields, [] to take every element of an array (e.g. ' +
              'kvs[].key). Default: the answer is a JSON array of strings, else one id per line.',
          ),
        decode: z
          .enum(['base64'])
          .optional()
          .describe("Decode each value first (etcd's JSON gateway base64-encodes keys)."),
        match: regex('Keep only values that match; the first capture group, if any, is the id.').optional(),
      })
      .prefault({})
      .describe('How the answer lists the ids present.'),
  })
  .superRefine(oneOfHttpExec, always)
  .meta(ONE_TRANSPORT)
  .describe('Read-back: every id present, for the final read (RPO). Run on the leader, then on every node to compare.');

const writeProbe = z
  .strictObject({
    ...probeBase(WRITE_VARS),
    index: regex(
      'A capture group for the write\'s log position in the answer (e.g. "revision":"(\\d+)"), recorded in the ' +
        'history.',
    ).optional(),
  })
  .superRefine(oneOfHttpExec, always)
  .meta(ONE_TRANSPORT)
  .describe('Write one key: {{id}} is the unique id of the write. Success = acknowledged.');

const backupProbe = z
  .strictObject({
    ...probeBase(BACKUP_VARS),
    position: z
      .union([
        regex("A capture group for the backup's log position in the backup probe's own output."),
        z
          .strictObject({
            ...probeBase(BACKUP_VARS),
            capture: regex("A capture group for the log position in this probe's output."),
          })
          .superRefine(oneOfHttpExec, always)
          .describe(
            "A second probe, run after the backup succeeded, whose output gives the backup's log position (e.g. " +
              'etcdctl snapshot status).',
          ),
      ])
      .optional()
      .describe(
        "Where the backup's log position comes from: writes acknowledged at or before it are in the backup " +
          '(compare probes.write.index).',
      ),
  })
  .superRefine(oneOfHttpExec, always)
  .meta(ONE_TRANSPORT)
  .describe(
    'Take a backup, into the backup volume ({{backup.id}} names it). Runs on the node the backup step chooses.',
  );

const pointProbe = z
  .strictObject({ ...probeBase(POINT_VARS) })
  .superRefine(oneOfHttpExec, always)
  .meta(ONE_TRANSPORT)
  .describe(
    'Make a named recovery point ({{point.name}}) in the store, on the primary: the point step, restored to with ' +
      'restore: { position: "point:<name>" } (e.g. PostgreSQL: SELECT pg_create_restore_point($1)).',
  );

const restoreProbe = z
  .strictObject({
    ...probeBase(RESTORE_VARS),
    mode: z
      .enum(['offline', 'online'])
      .default('offline')
      .describe(
        "offline (default): run once per node in a one-off container of the image, with the node's volumes and " +
          'the backup volume, before the node starts (exec only). online: run on the leader of the fresh cluster ' +
          'after it boots.',
      ),
  })
  .superRefine(oneOfHttpExec, always)
  .superRefine((p, ctx) => {
    const r: unknown = p;
    if (isRec(r) && r['mode'] !== 'online' && r['http'] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['http'],
        message: 'an offline restore runs before the node starts: use exec, or mode: online',
      });
    }
  }, always)
  .meta(ONE_TRANSPORT)
  .describe(
    'Restore a backup ({{backup.id}}) into a fresh cluster; {{restore.point}} names the recovery point to stop at ' +
      '(empty: the whole backup).',
  );

const clockProbe = z
  .strictObject({
    ...probeBase(NODE_VARS),
    capture: regex(
      "A capture group for the node's clock in the answer: epoch seconds (e.g. 1700000000 or 1700000000.123), " +
        'epoch milliseconds, or an RFC 3339 date. Default: the whole answer, trimmed.',
    ).optional(),
  })
  .superRefine(oneOfHttpExec, always)
  .meta(ONE_TRANSPORT)
  .describe(
    "Optional. Reads the node's wall clock, so that clock-skew faults can verify the skew took hold (without it " +
      'the skew is applied but not verified).',
  );

export const PROBE_NAMES = ['health', 'role', 'write', 'read', 'backup', 'point', 'restore', 'clock'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

export const probesSchema = z
  .strictObject({
    health: plainProbe(NODE_VARS, 'Required. Succeeds when the node is up and serving.'),
    role: plainProbe(
      NODE_VARS,
      'Required for the group that carries the data. Succeeds on the node that is primary / leader only (use ' +
        'match, e.g. a regex on a status answer).',
    ).optional(),
    write: writeProbe.optional(),
    read: readProbe.optional(),
    backup: backupProbe.optional(),
    point: pointProbe.optional(),
    restore: restoreProbe.optional(),
    clock: clockProbe.optional(),
  })
  .describe(
    'How the harness drives the system. health, role, write and read are required (write and read come from ' +
      'client.module when there is one); backup and restore for backup/restore drills; clock to verify ' +
      'clock-skew faults.',
  );
