// The `cluster.custom` block: a system under test defined in the scenario, without code
// (docs/custom-targets.md). An image or a build context, the command and environment of a
// node (templated: {{node.name}}, {{peers}}, ...), ports, volumes, and the probes the
// harness drives it with, each an HTTP request or a command run in the container.
//
// Every template is checked at load time against the variables its place offers, and every
// regular expression is compiled, so a typo is a scenario error with file:line, not a drill
// that times out.

import { z } from 'zod';
import { BACKUP_VARS, NODE_VARS, PEER_VARS, WRITE_VARS } from '../targets/custom/templates.js';
import { describeValue } from './duration.js';
import { isRec } from './fields.js';

import { clientSchema } from './client-schema.js';
import { customDuration as duration, port, regex, template } from './custom-fields.js';
import { redisProbe, sqlProbe } from './driver-probes-schema.js';

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

function oneOfHttpExec(p: unknown, ctx: z.RefinementCtx): void {
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

const ONE_TRANSPORT = { oneOf: TRANSPORTS.map((t) => ({ required: [t] })) };

const always = { when: () => true };

const plainProbe = (vars: readonly string[], description: string) =>
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

const restoreProbe = z
  .strictObject({
    ...probeBase(BACKUP_VARS),
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
  .describe('Restore a backup ({{backup.id}}) into a fresh cluster.');

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

export const PROBE_NAMES = ['health', 'role', 'write', 'read', 'backup', 'restore', 'clock'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

const probesSchema = z
  .strictObject({
    health: plainProbe(NODE_VARS, 'Required. Succeeds when the node is up and serving.'),
    role: plainProbe(
      NODE_VARS,
      'Required. Succeeds on the node that is primary / leader only (use match, e.g. a regex on a status answer).',
    ),
    write: writeProbe.optional(),
    read: readProbe.optional(),
    backup: backupProbe.optional(),
    restore: restoreProbe.optional(),
    clock: clockProbe.optional(),
  })
  .describe(
    'How the harness drives the system. health, role, write and read are required (write and read come from ' +
      'client.module when there is one); backup and restore for backup/restore drills; clock to verify ' +
      'clock-skew faults.',
  );

const ABS_PATH = /^\/[^\0]*$/;

export const customTargetSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, {
        error: (iss) => `expected a short lower-case name such as etcd, got ${describeValue(iss.input)}`,
      })
      .default('custom')
      .describe('What the system is called in reports and Docker labels (drill.kind).'),
    image: z
      .string()
      .min(1)
      .optional()
      .describe('An image present in the local engine (nothing is pulled). Exactly one of image / build.'),
    build: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A build context directory with a Dockerfile, relative to the scenario file; built (offline, pull ' +
          'disabled) and cached by content. Exactly one of image / build.',
      ),
    dockerfile: z.string().min(1).optional().describe('The Dockerfile inside the build context. Default Dockerfile.'),
    command: z
      .array(template(NODE_VARS, 'One argument.'))
      .min(1)
      .optional()
      .describe("The node's command (argv). Default: the image's."),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), template(NODE_VARS, 'Value.'))
      .default({})
      .describe('Environment variables of every node.'),
    ports: z
      .array(port)
      .min(1)
      .describe("Container ports published on 127.0.0.1 (random host ports) for the harness's probes and clients."),
    peer_port: port
      .optional()
      .describe('The port nodes talk to each other on: used by {{peers}} and by port-level network faults.'),
    peer_url: template(
      PEER_VARS,
      'How one peer is written in {{peers}} and {{cluster.peers}}. Default "{{peer.host}}:{{peer.port}}".',
    ).optional(),
    volumes: z
      .array(
        z
          .string()
          .regex(ABS_PATH, { error: (iss) => `expected an absolute container path, got ${describeValue(iss.input)}` }),
      )
      .default([])
      .describe(
        'Container paths that get a volume of their own per node (data that survives kill and restart; removed by ' +
          'destroy).',
      ),
    backup_volume: z
      .string()
      .regex(ABS_PATH, { error: (iss) => `expected an absolute container path, got ${describeValue(iss.input)}` })
      .optional()
      .describe('Container path of a volume shared by every node that holds the backups; it survives destroy.'),
    boot_timeout: duration(
      'How long boot may take until every node is healthy and one is leader. Default 60s.',
    ).prefault('60s'),
    stop_timeout: duration('Grace period of a graceful stop before SIGKILL. Default 5s.').prefault('5s'),
    client: clientSchema.optional(),
    write_to: z
      .union([
        z.enum(['any', 'primary']),
        z.strictObject({ node: z.string().min(1).describe('Every write goes to this node (e.g. a proxy).') }),
        z.strictObject({
          discover: plainProbe(NODE_VARS, 'A probe whose answer names the primary (a node name or address).'),
          capture: regex('A capture group for the primary in the answer. Default: the first line.').optional(),
          on: z
            .string()
            .min(1)
            .optional()
            .describe('The node the discovery probe is sent to. Default: any that answers.'),
        }),
      ])
      .default('any')
      .describe(
        'Where writes go. any (default): a node that answers, moving on after a failure (stores that forward ' +
          'writes). primary: the node whose role probe succeeds, refreshed at least every 500 ms and after a failed ' +
          'write. { node }: a fixed endpoint. { discover, capture }: the node a discovery probe names (Sentinel).',
      ),
    probes: probesSchema,
  })
  .superRefine((parsed, ctx) => {
    const c: unknown = parsed;
    if (!isRec(c)) return;
    const has = (k: string) => c[k] !== undefined;
    if (has('image') && has('build'))
      ctx.addIssue({ code: 'custom', path: ['build'], message: 'use either image or build, not both' });
    else if (!has('image') && !has('build'))
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'missing image or build: name an image in the local engine, or a build context with a Dockerfile',
      });
    if (has('dockerfile') && !has('build'))
      ctx.addIssue({ code: 'custom', path: ['dockerfile'], message: 'dockerfile applies only with build' });
    const ports = Array.isArray(c['ports']) ? (c['ports'] as unknown[]) : [];
    const probes = isRec(c['probes']) ? c['probes'] : {};
    for (const name of PROBE_NAMES) {
      const p = probes[name];
      const http = isRec(p) ? p['http'] : undefined;
      if (isRec(http) && typeof http['port'] === 'number' && ports.length > 0 && !ports.includes(http['port'])) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes', name, 'http', 'port'],
          message: `port ${http['port']} is not published: add it to cluster.custom.ports (${ports.join(', ')})`,
        });
      }
    }
    const client = isRec(c['client']) ? c['client'] : {};
    for (const name of ['write', 'read'] as const) {
      if (probes[name] === undefined && client['module'] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes', name],
          message: `missing required field ${name} (unless client.module carries the writes and the read-back)`,
        });
      }
    }
    for (const name of PROBE_NAMES) {
      const p = probes[name];
      if (isRec(p) && p['sql'] !== undefined && !isRec(client['sql'])) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes', name, 'sql'],
          message: 'an sql probe needs cluster.custom.client.sql (driver: postgres or mysql, user, database)',
        });
      }
    }
    if ((probes['backup'] !== undefined || probes['restore'] !== undefined) && !has('backup_volume')) {
      ctx.addIssue({
        code: 'custom',
        path: ['backup_volume'],
        message: 'backup and restore probes need a backup_volume (where the backups live)',
      });
    }
  }, always)
  .describe('A system under test defined here, without code (docs/custom-targets.md). Required when target is custom.');

export type CustomTargetSpec = z.output<typeof customTargetSchema>;
export type CustomProbes = CustomTargetSpec['probes'];
export type ProbeSpec = CustomProbes['health'];
export type ReadProbeSpec = NonNullable<CustomProbes['read']>;
export type WriteProbeSpec = NonNullable<CustomProbes['write']>;
export type BackupProbeSpec = NonNullable<CustomProbes['backup']>;
export type RestoreProbeSpec = NonNullable<CustomProbes['restore']>;
export type ClockProbeSpec = NonNullable<CustomProbes['clock']>;

export { customCrossIssues } from './custom-cross-rules.js';
