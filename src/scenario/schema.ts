// The scenario file format (docs/scenario-format.md), as a zod schema.
//
// The INPUT side is what a YAML file holds (published as JSON Schema in
// schema/scenario.schema.json); the OUTPUT side (`Scenario`) is what the run engine
// consumes: durations in milliseconds, defaults applied, steps as a tagged union,
// every fault named. Cross-field rules (node range, fault names, heal references,
// election_timeout > heartbeat) are refinements that run even when other fields are
// invalid, so one pass reports every problem of a file.

import { z } from 'zod';
import type { Step } from '../schedule/steps.js';
import { customCrossIssues, customTargetSchema } from './custom-schema.js';
import { DURATION_PATTERN, describeValue, durationMessage, formatDuration, parseDuration } from './duration.js';

// ---------------------------------------------------------------------------------------
// Vocabulary

export const SUPPORTED_TARGETS = ['graph-agent', 'custom'] as const;
export const WORKLOAD_KINDS = ['graph', 'kv'] as const;
export const FAULT_KINDS = [
  'kill',
  'stop',
  'restart',
  'pause',
  'partition',
  'delay',
  'loss',
  'duplicate',
  'bandwidth',
  'clock-skew',
  'disk-full',
  'backup-storage',
] as const;
/** Fields that belong to one fault kind only (the refinement names the misplaced one). */
const FAULT_FIELDS: Record<string, readonly FaultKind[]> = {
  signal: ['kill'],
  groups: ['partition'],
  one_way: ['partition'],
  delay: ['delay'],
  jitter: ['delay'],
  percent: ['loss', 'duplicate'],
  rate: ['bandwidth'],
  offset: ['clock-skew'],
  mode: ['backup-storage'],
};
const REQUIRED_FAULT_FIELD: Partial<Record<FaultKind, string>> = {
  delay: 'delay',
  loss: 'percent',
  duplicate: 'percent',
  bandwidth: 'rate',
  'clock-skew': 'offset',
  'backup-storage': 'mode',
};
const RATE_PATTERN = /^\d+(?:\.\d+)?(?:bit|kbit|mbit|gbit)$/;
const OFFSET_PATTERN = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m)?$/;

const offsetMessage = (v: unknown) =>
  `expected a signed clock offset such as "+120s", "-300s", "5m" or a number of seconds, got ${describeValue(v)}`;
/** A signed offset: "-300s", "+2m", or a number of seconds; seconds out. */
const offsetInput = z
  .union(
    [
      z.number({ error: (iss) => offsetMessage(iss.input) }),
      z.string().regex(OFFSET_PATTERN, { error: (iss) => offsetMessage(iss.input) }),
    ],
    {
      error: (iss) => offsetMessage(iss.input),
    },
  )
  .transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const neg = v.startsWith('-');
    const ms = parseDuration(v.replace(/^[+-]/, ''));
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: offsetMessage(v), input: v });
      return z.NEVER;
    }
    return ((neg ? -1 : 1) * ms) / 1000;
  });
export const FAULT_TARGETS = ['primary', 'replica', 'random', 'all', 'minority', 'majority'] as const;
export const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;
export const AWAIT_CONDITIONS = ['healthy', 'leader', 'recovered', 'mark'] as const;
export const STEP_KEYS = [
  'wait',
  'mark',
  'fault',
  'heal',
  'await',
  'exec',
  'backup',
  'destroy',
  'restore',
  'verify',
] as const;
export const MAX_NODES = 9;

export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultTarget = (typeof FAULT_TARGETS)[number];
export type Signal = (typeof SIGNALS)[number];
export type AwaitCondition = (typeof AWAIT_CONDITIONS)[number];
export type StepKey = (typeof STEP_KEYS)[number];

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const FAULT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NODE_PATTERN = /^n[1-9]$/;

/** Always run a refinement, even when other fields failed: the code guards its own input. */
const always = { when: () => true };

type Rec = Record<string, unknown>;
function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------
// Reusable field types

const durationInput = z.union(
  [
    z.string().regex(new RegExp(DURATION_PATTERN), { error: (iss) => durationMessage(iss.input) }),
    z.number({ error: (iss) => durationMessage(iss.input) }).min(0, { error: (iss) => durationMessage(iss.input) }),
  ],
  { error: (iss) => durationMessage(iss.input) },
);

/** A duration field: "250ms", "1.5s", "2m" or a bare number of seconds in; milliseconds out. */
function duration(description: string) {
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
const share = shareInput.transform((v, ctx) => {
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
const onOff = z
  .union([z.enum(['on', 'off'], { error: (iss) => onOffMessage(iss.input) }), z.boolean()], {
    error: (iss) => onOffMessage(iss.input),
  })
  .transform((v): 'on' | 'off' => (v === true ? 'on' : v === false ? 'off' : v));

// ---------------------------------------------------------------------------------------
// cluster

/** The agent refuses lags above this (REPLICATION_LAG_MS, FLUSH_LAG_MS): refused here first, with a position. */
const MAX_AGENT_LAG_MS = 600_000;

const agentSchema = z
  .strictObject({
    heartbeat: duration('Leader heartbeat interval (graph-agent HEARTBEAT_MS).').prefault('100ms'),
    election_timeout: duration(
      'Base election timeout (graph-agent ELECTION_TIMEOUT_MS); each node randomises in [T, 2T). Must be greater than heartbeat.',
    ).prefault('1000ms'),
    replication: z
      .enum(['sync', 'async'])
      .default('sync')
      .describe(
        'Flaw switch. sync: acknowledge after a majority has the write. async: acknowledge after the leader alone, replicate later.',
      ),
    replication_lag: duration(
      'replication async only: the leader sends a write to the followers once it is this old, so killing the ' +
        'leader always loses the writes it acknowledged in this last interval ' +
        '(graph-agent REPLICATION_LAG_MS, default 500ms, at most 10m).',
    )
      .refine((ms) => ms <= MAX_AGENT_LAG_MS, { error: 'replication_lag must be at most 10m' })
      .optional(),
    fsync: onOff
      .prefault('on')
      .describe('Flaw switch. on: the WAL is fsynced before a write is acknowledged. off: never fsynced.'),
    flush_lag: duration(
      'fsync off only: a write reaches the WAL file once it is this old, so a power loss always loses the writes ' +
        'acknowledged in this last interval (graph-agent FLUSH_LAG_MS, default 1s, at most 10m).',
    )
      .refine((ms) => ms <= MAX_AGENT_LAG_MS, { error: 'flush_lag must be at most 10m' })
      .optional(),
    failover: z
      .enum(['raft', 'naive'])
      .default('raft')
      .describe(
        'Flaw switch. raft: leader election by majority vote. naive: a node takes over on a missed heartbeat, without a quorum.',
      ),
    backup: z
      .strictObject({
        chunk_size: z
          .int()
          .min(1024)
          .optional()
          .describe('Target chunk size in bytes (BACKUP_CHUNK_BYTES, default 4 MiB).'),
        full_every: z
          .int()
          .min(1)
          .optional()
          .describe('Every Nth snapshot of a chain is full (BACKUP_FULL_EVERY, default 8).'),
        max_rate: z.int().min(1).optional().describe('Throttle backups to this many bytes/s (BACKUP_MAX_BYTES_PER_S).'),
        snapshot: z
          .enum(['consistent', 'fuzzy'])
          .default('consistent')
          .describe(
            'Flaw switch. consistent: a backup is exactly the state at one log position. fuzzy: copied while writes go on, position read at the end.',
          ),
        incremental: z
          .enum(['log', 'mtime'])
          .default('log')
          .describe(
            'Flaw switch. log: incrementals are the log entries since the parent. mtime: elements newer than the parent by wall clock (misses writes under clock skew).',
          ),
      })
      .optional()
      .describe('Backup settings of the agent. See docs/backup-restore.md.'),
  })
  .superRefine((parsed, ctx) => {
    const a: unknown = parsed;
    if (!isRec(a)) return;
    const hb = a['heartbeat'];
    const et = a['election_timeout'];
    if (typeof hb === 'number' && typeof et === 'number' && et <= hb) {
      ctx.addIssue({
        code: 'custom',
        path: ['election_timeout'],
        message: `election_timeout (${formatDuration(et)}) must be greater than heartbeat (${formatDuration(hb)})`,
      });
    }
  }, always)
  .describe('graph-agent settings, all optional. See docs/graph-agent.md.');

const clusterSchema = z
  .strictObject({
    target: z
      .literal(SUPPORTED_TARGETS, {
        error: (iss) =>
          iss.input === undefined
            ? undefined
            : `unsupported target ${describeValue(iss.input)}; supported targets: ${SUPPORTED_TARGETS.join(', ')}`,
      })
      .describe(
        'The system under test. graph-agent: built in. custom: defined in the custom block (docs/custom-targets.md).',
      ),
    nodes: z
      .int()
      .min(1)
      .max(MAX_NODES)
      .default(3)
      .describe(`Number of nodes, 1..${MAX_NODES}; they are named n1..nN.`),
    agent: agentSchema.prefault({}),
    custom: customTargetSchema.optional(),
  })
  .describe('The system under test.');

// ---------------------------------------------------------------------------------------
// workload

const workloadSchema = z
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
        'graph: vertex and edge writes, every edge references earlier vertices (the default for graph-agent). kv: key/value writes of unique keys (the default and only kind for custom targets; edge_share is ignored).',
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

// ---------------------------------------------------------------------------------------
// steps

const faultSchema = z
  .strictObject({
    kind: z
      .enum(FAULT_KINDS)
      .describe(
        'kill: the process dies (signal). stop: graceful stop. restart: stop then start. pause: freeze the process. ' +
          'partition: cut the network (target/node vs the rest, or groups). delay: slow what the node sends (delay, jitter). ' +
          'loss / duplicate: a percent of its packets. bandwidth: cap its rate. clock-skew: shift its wall clock (offset). ' +
          'disk-full: fill its data volume. See docs/faults.md.',
      ),
    target: z
      .enum(FAULT_TARGETS)
      .optional()
      .describe(
        'Which node(s), chosen by role when the fault starts: primary, replica, random, all, minority (the largest minority, with the primary), majority (the smallest majority, with the primary). Exactly one of target / node.',
      ),
    node: z
      .string()
      .regex(NODE_PATTERN, {
        error: (iss) => `expected a node name n1..n${MAX_NODES}, got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe('A node by name, n1..nN (N = cluster.nodes). Exactly one of target / node.'),
    signal: z.enum(SIGNALS).optional().describe('kind: kill only. Default SIGKILL.'),
    groups: z
      .array(
        z
          .array(
            z
              .string()
              .regex(NODE_PATTERN, {
                error: (iss) => `expected a node name n1..n${MAX_NODES}, got ${describeValue(iss.input)}`,
              }),
          )
          .min(1),
      )
      .min(2)
      .optional()
      .describe(
        'kind: partition only, instead of target/node: split the cluster into these groups, e.g. [[n1], [n2, n3]].',
      ),
    one_way: z
      .boolean()
      .optional()
      .describe(
        'kind: partition only. true: only the target (or the first group) cannot reach the others; they still reach it. Default false.',
      ),
    delay: duration('kind: delay only (required): added to what the node sends to its peers.').optional(),
    jitter: duration('kind: delay only: the delay varies by up to +- this much; at most delay.').optional(),
    percent: z
      .number()
      .gt(0)
      .max(100)
      .optional()
      .describe('kind: loss / duplicate only (required): percent of packets, (0, 100].'),
    rate: z
      .string()
      .regex(RATE_PATTERN, {
        error: (iss) => `expected a rate such as "1mbit", "512kbit", got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe('kind: bandwidth only (required): the cap on what the node sends, e.g. 1mbit.'),
    offset: offsetInput
      .optional()
      .describe(
        'kind: clock-skew only (required): shift of the node\'s wall clock, e.g. "+120s", "-300s" (or seconds).',
      ),
    mode: z
      .enum(['unavailable', 'read-only', 'corrupt'])
      .optional()
      .describe(
        'kind: backup-storage only (required): the repository is unavailable, read-only, or one byte of a stored chunk of the newest snapshot is flipped (corrupt, never healed). No target/node: it acts on the repository.',
      ),
    duration: duration('Heal automatically after this long. Not allowed for restart.').optional(),
    blind: z
      .boolean()
      .optional()
      .describe(
        'Game days: hide the fault (kind, name, target) from the live page until the team marks it detected; ' +
          'the report reveals it.',
      ),
    name: z
      .string()
      .regex(FAULT_NAME_PATTERN, {
        error: (iss) => `expected a fault name (letters, digits, ".", "_", "-"), got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe('Id used by heal. Default: f1, f2, ... by order of the faults in the file.'),
  })
  .superRefine((parsed, ctx) => {
    const f: unknown = parsed; // may be partial: this runs even when fields are invalid
    if (!isRec(f)) return;
    const has = (k: string) => f[k] !== undefined;
    const kind = typeof f['kind'] === 'string' ? f['kind'] : undefined;
    for (const [field, kinds] of Object.entries(FAULT_FIELDS)) {
      if (field === 'signal' || !has(field) || kind === undefined || (kinds as readonly string[]).includes(kind))
        continue;
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `${field} applies only to kind: ${kinds.join(' / ')}, not ${kind}`,
      });
    }
    const required = kind === undefined ? undefined : REQUIRED_FAULT_FIELD[kind as FaultKind];
    if (required !== undefined && !has(required)) {
      ctx.addIssue({ code: 'custom', path: [], message: `missing ${required}: kind ${kind} needs it` });
    }
    if (typeof f['delay'] === 'number' && typeof f['jitter'] === 'number' && f['jitter'] > f['delay']) {
      ctx.addIssue({
        code: 'custom',
        path: ['jitter'],
        message: `jitter (${formatDuration(f['jitter'])}) must not exceed delay (${formatDuration(f['delay'])})`,
      });
    }
    if (Array.isArray(f['groups'])) {
      const seen = new Set<unknown>();
      for (const g of f['groups']) {
        for (const n of Array.isArray(g) ? g : []) {
          if (seen.has(n))
            ctx.addIssue({ code: 'custom', path: ['groups'], message: `node ${String(n)} is in more than one group` });
          seen.add(n);
        }
      }
    }
    if (has('groups') && (has('target') || has('node'))) {
      ctx.addIssue({ code: 'custom', path: ['groups'], message: 'use either groups or target / node, not both' });
    } else if (has('groups')) {
      // groups select the nodes
    } else if (has('target') && has('node')) {
      ctx.addIssue({ code: 'custom', path: ['node'], message: 'use either target or node, not both' });
    } else if (!has('target') && !has('node') && kind !== 'backup-storage') {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `missing target: set target (${FAULT_TARGETS.join(' | ')}) or node (n1..nN)`,
      });
    }
    if (has('signal') && typeof f['kind'] === 'string' && f['kind'] !== 'kill') {
      ctx.addIssue({
        code: 'custom',
        path: ['signal'],
        message: `signal applies only to kind: kill, not ${f['kind']}`,
      });
    }
    if (has('duration') && f['kind'] === 'restart') {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'duration is not allowed for kind: restart' });
    }
    if (f['name'] === 'all') {
      ctx.addIssue({ code: 'custom', path: ['name'], message: '"all" is reserved (heal: all heals every fault)' });
    }
  }, always)
  // exactly one of target / node / groups, for editors (the refinement above gives the message)
  .meta({ oneOf: [{ required: ['target'] }, { required: ['node'] }, { required: ['groups'] }] })
  .describe('Inject a fault.');

const awaitSchema = z
  .strictObject({
    condition: z
      .enum(AWAIT_CONDITIONS)
      .describe(
        'healthy: every running node answers /health. leader: a leader is elected. recovered: writes succeed again. ' +
          'mark: the team made the mark `name` (detected, mitigated) since the latest fault (game days).',
      ),
    name: z
      .enum(['detected', 'mitigated'])
      .optional()
      .describe('condition: mark only: which mark to wait for (default mitigated).'),
    timeout: duration('Give up (the step fails) after this long. Default 30s.').prefault('30s'),
  })
  .superRefine((parsed, ctx) => {
    const a: unknown = parsed;
    if (isRec(a) && a['name'] !== undefined && a['condition'] !== 'mark') {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'name applies only to condition: mark' });
    }
  }, always)
  .describe('Wait for a condition.');

// ---- backup / destroy / restore / verify (docs/backup-restore.md) ------------------------

const BACKUP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const backupNodeSchema = z
  .string()
  .regex(/^(primary|replica|n[1-9])$/, {
    error: (iss) => `expected primary, replica or a node name n1..n${MAX_NODES}, got ${describeValue(iss.input)}`,
  });

const backupStepSchema = z
  .strictObject({
    type: z
      .enum(['full', 'incremental'])
      .default('full')
      .describe('full, or incremental on the latest snapshot (chained by log position).'),
    node: backupNodeSchema
      .default('primary')
      .describe('Where the backup runs: primary (default), replica, or a node name.'),
    name: z
      .string()
      .regex(BACKUP_NAME_PATTERN, {
        error: (iss) => `expected a backup name (letters, digits, ".", "_", "-"), got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe('Name for later steps (restore from, position backup:<name>). Default b1, b2, ... by order.'),
    background: z
      .boolean()
      .default(false)
      .describe('Start the backup and go on (a later fault can interrupt it); a later backup step resumes it.'),
    resume: z
      .boolean()
      .default(true)
      .describe('Resume an unfinished snapshot found in the repository (finished chunks are not sent again).'),
    max_rate: z.int().min(1).optional().describe('Throttle the backup to this many bytes per second.'),
    expect_failure: z
      .boolean()
      .default(false)
      .describe(
        'The backup must fail (e.g. the repository is read-only) with a clear error; the step fails if it succeeds.',
      ),
  })
  .describe("Take a backup into the run's backup repository.");

const destroyStepSchema = z
  .strictObject({
    what: z
      .enum(['nodes', 'volumes', 'cluster', 'region'])
      .describe(
        "nodes: the chosen nodes with their data; volumes: every data volume; cluster: everything; region: everything on the cluster's network.",
      ),
    node: z
      .string()
      .regex(NODE_PATTERN, {
        error: (iss) => `expected a node name n1..n${MAX_NODES}, got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe('what: nodes: a node by name.'),
    target: z.enum(['primary', 'replica', 'all']).optional().describe('what: nodes: nodes by role.'),
  })
  .superRefine((parsed, ctx) => {
    const d: unknown = parsed;
    if (!isRec(d)) return;
    if (d['what'] === 'nodes' && d['node'] === undefined && d['target'] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'what: nodes needs node (n1..nN) or target (primary | replica | all)',
      });
    }
    if (d['what'] !== 'nodes' && (d['node'] !== undefined || d['target'] !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [d['node'] !== undefined ? 'node' : 'target'],
        message: `node / target apply only to what: nodes`,
      });
    }
  }, always)
  .describe('Destroy data permanently (the restore RTO starts here).');

const restoreStepSchema = z
  .strictObject({
    from: z.string().min(1).default('latest').describe('latest (default), or the name of an earlier backup step.'),
    position: z
      .union([z.int().min(0), z.string().regex(/^backup:[A-Za-z0-9][A-Za-z0-9._-]*$/)], {
        error: (iss) => `expected a log position (integer) or "backup:<name>", got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe('Point in time: restore exactly to this log position (or "backup:<name>" for that backup\'s).'),
    into: z
      .enum(['new-cluster', 'new-network'])
      .default('new-cluster')
      .describe('A fresh cluster; new-network: on a new network (region loss).'),
    expect: z
      .enum(['restored', 'refused'])
      .default('restored')
      .describe('refused: the backup is corrupt and the restore must refuse it, naming the bad chunk or link.'),
    timeout: duration('Give up after this long. Default 5m.').prefault('5m'),
  })
  .describe('Restore into a fresh cluster and switch the workload to it.');

const verifyStepSchema = z
  .strictObject({
    data: z
      .boolean()
      .default(true)
      .describe(
        'Read every element back and compare with the acknowledged writes (by backup position after a restore).',
      ),
    backups: z.boolean().default(false).describe('Verify the backup repository: every chunk hash, every chain link.'),
    expect_problem: z
      .boolean()
      .default(false)
      .describe('The repository verification must find a problem (a corrupt chunk...).'),
  })
  .describe('Verify the data and/or the backups now.');

const execStepSchema = z
  .strictObject({
    command: z
      .array(z.string())
      .min(1)
      .describe('The command as an argument list (no shell unless you name one: [sh, -c, "..."]).'),
    in: z
      .string()
      .regex(/^(primary|replica|n[1-9])$/, {
        error: (iss) => `expected primary, replica or a node name n1..n9, got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe(
        "Run inside this node's container (docker exec; FROM-scratch images have no shell). Absent: on the harness host, with DRILL_RUN_ID, DRILL_RUN_DIR, DRILL_NODES and DRILL_LEADER set.",
      ),
    timeout: duration('Give up (and fail the step) after this long.').default(30_000),
    expect_exit: z.int().default(0).describe('The exit code that counts as success (default 0).'),
  })
  .describe('Run a command of your own on the timeline (a load generator, a failover script, a check).');

const stepSchema = z
  .strictObject(
    {
      wait: duration('Pause the timeline.').optional(),
      mark: z.string().min(1).optional().describe('A human note on the timeline (for game days).'),
      fault: faultSchema.optional(),
      heal: z.string().min(1).optional().describe('Revert a fault by name (defined in an earlier step), or "all".'),
      await: awaitSchema.optional(),
      exec: execStepSchema.optional(),
      backup: backupStepSchema.optional(),
      destroy: destroyStepSchema.optional(),
      restore: restoreStepSchema.optional(),
      verify: verifyStepSchema.optional(),
    },
    {
      error: (iss) =>
        iss.code === 'invalid_type'
          ? `expected a step: a map with one key (${STEP_KEYS.join(', ')}), such as "wait: 3s", got ${describeValue(iss.input)}`
          : undefined,
    },
  )
  .superRefine((parsed, ctx) => {
    const s: unknown = parsed;
    if (!isRec(s)) return;
    const present = STEP_KEYS.filter((k) => k in s && s[k] !== undefined);
    if (present.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `a step must have exactly one of ${STEP_KEYS.join(', ')}; this one has ${present.join(' and ')} (split it into ${present.length} steps)`,
      });
    } else if (present.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        params: { stepKeysNone: true },
        message: `a step must have exactly one of ${STEP_KEYS.join(', ')}`,
      });
    }
  }, always)
  .meta({ minProperties: 1, maxProperties: 1 })
  .describe(`One step of the timeline: a map with exactly one of ${STEP_KEYS.join(', ')}.`);

// ---------------------------------------------------------------------------------------
// thresholds, expect

const thresholdsSchema = z
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
      'Game days: max time from each disruptive fault taking effect to the team marking it detected (drill run --live).',
    ).optional(),
    mitigate: duration('Game days: max time from each disruptive fault taking effect to the team marking it mitigated.').optional(),
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
const expectSchema = z
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

// ---------------------------------------------------------------------------------------
// Output types of the steps (the run engine switches on `kind`)

export interface FaultSpec {
  /** Always set: the given name, or f1, f2, ... by order of the faults in the file. */
  name: string;
  kind: FaultKind;
  /** Exactly one of target / node is set. */
  target?: FaultTarget;
  node?: string;
  /** Set for kind: kill only (default SIGKILL). */
  signal?: Signal;
  /** Heal automatically after this many ms. */
  duration?: number;
  /** partition: the groups to split into (instead of target/node vs the rest). */
  groups?: string[][];
  /** partition: only the target / first group is cut off from the others. */
  oneWay?: boolean;
  /** delay (ms) and jitter (ms). */
  delayMs?: number;
  jitterMs?: number;
  /** loss / duplicate: percent of packets. */
  percent?: number;
  /** bandwidth: a tc rate, e.g. "1mbit". */
  rate?: string;
  /** clock-skew: offset in seconds. */
  offsetS?: number;
  /** backup-storage: unavailable | read-only | corrupt. */
  mode?: 'unavailable' | 'read-only' | 'corrupt';
  /** Game days: hidden from the live page until detected. */
  blind?: boolean;
}

// The step union the run engine switches on is defined once, beside the runner.
export type { Step };

export interface Expect {
  verdict: 'pass' | 'fail';
  reason?: string;
}

// ---------------------------------------------------------------------------------------
// Cross-field rules

function faultNames(steps: unknown[]): { index: number; name: string; isDefault: boolean }[] {
  const out: { index: number; name: string; isDefault: boolean }[] = [];
  steps.forEach((s, index) => {
    if (!isRec(s) || !isRec(s['fault'])) return;
    const given = s['fault']['name'];
    if (typeof given === 'string') out.push({ index, name: given, isDefault: false });
    else out.push({ index, name: `f${out.length + 1}`, isDefault: true });
  });
  return out;
}

export interface CrossIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Rules across fields: fault names (defaults f1, f2, ..., no duplicates), heal of a fault
 * defined earlier, node names within cluster.nodes. Works on raw or partially parsed data
 * (only string fields and cluster.nodes are read), so the loader can also run it when zod
 * stopped early.
 */
export function scenarioCrossIssues(v: unknown): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const ctx = { addIssue: (i: CrossIssue & { code: 'custom' }) => issues.push({ path: i.path, message: i.message }) };
  if (!isRec(v) || !Array.isArray(v['steps'])) return issues;
  const steps = v['steps'] as unknown[];
  const cluster = v['cluster'];
  const rawNodes = isRec(cluster) ? cluster['nodes'] : undefined;
  const nodes =
    typeof rawNodes === 'number' && Number.isInteger(rawNodes) && rawNodes >= 1 && rawNodes <= MAX_NODES
      ? rawNodes
      : isRec(cluster) && rawNodes === undefined
        ? 3 // the default
        : undefined;

  const faults = faultNames(steps);
  const firstByName = new Map<string, { index: number; isDefault: boolean }>();
  for (const f of faults) {
    const prev = firstByName.get(f.name);
    if (prev === undefined) {
      firstByName.set(f.name, f);
      continue;
    }
    const where = `steps[${prev.index}]${prev.isDefault ? ' (its default name)' : ''}`;
    ctx.addIssue({
      code: 'custom',
      path: f.isDefault ? ['steps', f.index, 'fault'] : ['steps', f.index, 'fault', 'name'],
      message: f.isDefault
        ? `this fault's default name "${f.name}" is already used by ${where}; give it a name`
        : `duplicate fault name "${f.name}", already used by ${where}`,
    });
  }

  steps.forEach((s, i) => {
    if (!isRec(s)) return;
    const fault = s['fault'];
    if (isRec(fault) && typeof fault['node'] === 'string' && nodes !== undefined) {
      const m = /^n(\d+)$/.exec(fault['node']);
      if (m !== null && Number(m[1]) > nodes) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'fault', 'node'],
          message: `node "${fault['node']}" does not exist: cluster.nodes is ${nodes} (${nodes === 1 ? 'n1' : `n1..n${nodes}`})`,
        });
      }
    }
    const heal = s['heal'];
    if (typeof heal === 'string' && heal !== 'all' && heal !== '') {
      const earlier = faults.filter((f) => f.index < i).map((f) => f.name);
      if (!earlier.includes(heal)) {
        const later = faults.find((f) => f.index > i && f.name === heal);
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'heal'],
          message:
            later !== undefined
              ? `fault "${heal}" is defined later, at steps[${later.index}]; heal must come after its fault`
              : `unknown fault "${heal}"; ${earlier.length === 0 ? 'no fault is defined before this step' : `faults defined before this step: ${earlier.join(', ')}`} (or use "all")`,
        });
      }
    }
  });
  for (const i of customCrossIssues(v)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  return issues;
}

// ---------------------------------------------------------------------------------------
// The scenario

type ParsedStep = z.output<typeof stepSchema>;

function toStep(s: ParsedStep, faultName: () => string, backupName: () => string = () => 'b'): Step {
  if (s.wait !== undefined) return { kind: 'wait', ms: s.wait };
  if (s.mark !== undefined) return { kind: 'mark', label: s.mark };
  if (s.heal !== undefined) return { kind: 'heal', name: s.heal };
  if (s.await !== undefined) {
    const a = s.await;
    if (a.condition === 'mark') return { kind: 'await', condition: 'mark', mark: a.name ?? 'mitigated', timeoutMs: a.timeout };
    return { kind: 'await', condition: a.condition, timeoutMs: a.timeout };
  }
  if (s.exec !== undefined) {
    const x = s.exec;
    return {
      kind: 'exec',
      command: x.command,
      timeoutMs: x.timeout,
      expectExit: x.expect_exit,
      ...(x.in !== undefined ? { in: x.in } : {}),
    };
  }
  if (s.backup !== undefined) {
    const b = s.backup;
    return {
      kind: 'backup',
      type: b.type,
      node: b.node,
      name: b.name ?? backupName(),
      background: b.background,
      resume: b.resume,
      expectFailure: b.expect_failure,
      ...(b.max_rate !== undefined ? { maxBytesPerS: b.max_rate } : {}),
    };
  }
  if (s.destroy !== undefined) {
    const d = s.destroy;
    return {
      kind: 'destroy',
      what: d.what,
      ...(d.node !== undefined ? { node: d.node } : {}),
      ...(d.target !== undefined ? { target: d.target } : {}),
    };
  }
  if (s.restore !== undefined) {
    const r = s.restore;
    return {
      kind: 'restore',
      from: r.from,
      into: r.into,
      expect: r.expect,
      timeoutMs: r.timeout,
      ...(r.position !== undefined ? { position: r.position } : {}),
    };
  }
  if (s.verify !== undefined)
    return {
      kind: 'verify',
      data: s.verify.data,
      backups: s.verify.backups,
      expectBackupProblem: s.verify.expect_problem,
    };
  const f = s.fault;
  if (f === undefined) throw new Error('unreachable: a validated step has one key');
  const fault: FaultSpec = { name: f.name ?? faultName(), kind: f.kind };
  if (f.name !== undefined) faultName(); // keep the default numbering by position
  if (f.target !== undefined) fault.target = f.target;
  if (f.node !== undefined) fault.node = f.node;
  if (f.kind === 'kill') fault.signal = f.signal ?? 'SIGKILL';
  if (f.duration !== undefined) fault.duration = f.duration;
  if (f.groups !== undefined) fault.groups = f.groups;
  if (f.kind === 'partition') fault.oneWay = f.one_way ?? false;
  if (f.delay !== undefined) fault.delayMs = f.delay;
  if (f.jitter !== undefined) fault.jitterMs = f.jitter;
  if (f.percent !== undefined) fault.percent = f.percent;
  if (f.rate !== undefined) fault.rate = f.rate;
  if (f.offset !== undefined) fault.offsetS = f.offset;
  if (f.mode !== undefined) fault.mode = f.mode;
  if (f.blind === true) fault.blind = true;
  return { kind: 'fault', fault };
}

/** The scenario schema: YAML data in, `Scenario` out. */
export const scenarioSchema = z
  .strictObject(
    {
      name: z
        .string()
        .regex(NAME_PATTERN, {
          error: (iss) =>
            `expected a name of lower-case letters, digits, ".", "_", "-" (starting with a letter or digit), got ${describeValue(iss.input)}`,
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
              'With --repeat N: judge the thresholds at this percentile of the runs (e.g. 90) instead of the worst run.',
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
