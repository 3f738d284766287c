// The `cluster.custom` block: a system under test defined in the scenario, without code
// (docs/custom-targets.md). An image or a build context, the command and environment of a
// node (templated: {{node.name}}, {{peers}}, ...), ports, volumes, and the probes the
// harness drives it with, each an HTTP request or a command run in the container.
//
// Every template is checked at load time against the variables its place offers, and every
// regular expression is compiled, so a typo is a scenario error with file:line, not a drill
// that times out.

import { z } from 'zod';
import { NODE_VARS, PEER_VARS } from '../targets/custom/templates.js';
import { clientSchema } from './client-schema.js';
import { customDuration as duration, port, regex, template } from './custom-fields.js';
import { plainProbe, probesSchema, PROBE_NAMES } from './custom-probes-schema.js';
import { describeValue } from './duration.js';
import { always, isRec } from './fields.js';

export { PROBE_NAMES, TRANSPORTS } from './custom-probes-schema.js';

const ABS_PATH = /^\/[^\0]*$/;

/** The fields of a custom target, shared by `cluster.custom` and each of `cluster.groups`. */
export const customShape = {
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
  boot_timeout: duration('How long boot may take until every node is healthy and one is leader. Default 60s.').prefault(
    '60s',
  ),
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
};

export interface CustomRules {
  /** This definition carries the data: role, write and read (or client.module) are required. */
  data: boolean;
  /** The image / build is given here (not in a Compose file). */
  image: boolean;
  /** How the block is named in messages (cluster.custom, cluster.groups.pg). */
  where: string;
}

/** The rules within one custom definition (a refinement: runs even when fields are invalid). */
export function checkCustom(c: unknown, ctx: z.RefinementCtx, rules: CustomRules): void {
  if (!isRec(c)) return;
  const has = (k: string) => c[k] !== undefined;
  if (rules.image) {
    if (has('image') && has('build'))
      ctx.addIssue({ code: 'custom', path: ['build'], message: 'use either image or build, not both' });
    else if (!has('image') && !has('build'))
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'missing image or build: name an image in the local engine, or a build context with a Dockerfile',
      });
  }
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
        message: `port ${http['port']} is not published: add it to ${rules.where}.ports (${ports.join(', ')})`,
      });
    }
  }
  const client = isRec(c['client']) ? c['client'] : {};
  if (rules.data) {
    if (isRec(c['probes']) && probes['role'] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['probes', 'role'], message: 'missing required field role' });
    }
    for (const name of ['write', 'read'] as const) {
      if (probes[name] === undefined && client['module'] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes', name],
          message: `missing required field ${name} (unless client.module carries the writes and the read-back)`,
        });
      }
    }
  }
  for (const name of PROBE_NAMES) {
    const p = probes[name];
    if (isRec(p) && p['sql'] !== undefined && !isRec(client['sql'])) {
      ctx.addIssue({
        code: 'custom',
        path: ['probes', name, 'sql'],
        message: `an sql probe needs ${rules.where}.client.sql (driver: postgres or mysql, user, database)`,
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
}

export const customTargetSchema = z
  .strictObject(customShape)
  .superRefine((c, ctx) => checkCustom(c, ctx, { data: true, image: true, where: 'cluster.custom' }), always)
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
