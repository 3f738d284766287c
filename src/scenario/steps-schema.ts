// The steps of a scenario's timeline (one key each: wait, mark, fault, heal, await, exec,
// backup, destroy, restore, verify), and their conversion to the `Step` union the runner
// switches on (durations in ms, defaults applied, every fault and backup named).

import { z } from 'zod';
import type { Step } from '../schedule/steps.js';
import { describeValue } from './duration.js';
import { faultSchema, toFaultSpec } from './fault-schema.js';
import { always, duration, isRec, nodeName, nodeOrRole } from './fields.js';

export const AWAIT_CONDITIONS = ['healthy', 'leader', 'new-leader', 'recovered', 'mark'] as const;
export const STEP_KEYS = [
  'wait',
  'mark',
  'fault',
  'heal',
  'await',
  'exec',
  'backup',
  'point',
  'destroy',
  'restore',
  'verify',
] as const;

// The await conditions are declared once, in the runner's Step union; this list must name
// exactly those.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type AwaitCondition = Extract<Step, { kind: 'await' }>['condition'];
const _sameConditions: Exact<AwaitCondition, (typeof AWAIT_CONDITIONS)[number]> = true;
export type StepKey = (typeof STEP_KEYS)[number];

const awaitSchema = z
  .strictObject({
    condition: z
      .enum(AWAIT_CONDITIONS)
      .describe(
        'healthy: every running node answers /health. leader: a leader is elected. new-leader: a node other than the ' +
          'one leading when the latest fault began leads (a failover happened, whatever writes did). ' +
          'recovered: writes succeed again. ' +
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
const backupNodeSchema = nodeOrRole();

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
        'nodes: the chosen nodes with their data; volumes: every data volume; cluster: everything; region: ' +
          "everything on the cluster's network.",
      ),
    node: nodeName().optional().describe('what: nodes: a node by name.'),
    target: z.enum(['primary', 'replica', 'all']).optional().describe('what: nodes: nodes by role.'),
  })
  .superRefine((parsed, ctx) => {
    const d: unknown = parsed;
    if (!isRec(d)) return;
    if (d['what'] === 'nodes' && d['node'] === undefined && d['target'] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'what: nodes needs node (a node name) or target (primary | replica | all)',
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
      .union([z.int().min(0), z.string().regex(/^(backup|point):[A-Za-z0-9][A-Za-z0-9._-]*$/)], {
        error: (iss) =>
          `expected a log position (integer), "backup:<name>" or "point:<name>", got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe(
        'Point in time: restore exactly to this log position, "backup:<name>" for that backup\'s, or ' +
          '"point:<name>" for the recovery point an earlier point step made.',
      ),
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
    in: nodeOrRole()
      .optional()
      .describe(
        "Run inside this node's container (docker exec; FROM-scratch images have no shell). Absent: on the " +
          'harness host, with DRILL_RUN_ID, DRILL_RUN_DIR, DRILL_NODES and DRILL_LEADER set.',
      ),
    timeout: duration('Give up (and fail the step) after this long.').default(30_000),
    expect_exit: z.int().default(0).describe('The exit code that counts as success (default 0).'),
  })
  .describe('Run a command of your own on the timeline (a load generator, a failover script, a check).');

export const stepSchema = z
  .strictObject(
    {
      wait: duration('Pause the timeline.').optional(),
      mark: z.string().min(1).optional().describe('A human note on the timeline (for game days).'),
      fault: faultSchema.optional(),
      heal: z.string().min(1).optional().describe('Revert a fault by name (defined in an earlier step), or "all".'),
      await: awaitSchema.optional(),
      exec: execStepSchema.optional(),
      backup: backupStepSchema.optional(),
      point: z
        .string()
        .regex(BACKUP_NAME_PATTERN, {
          error: (iss) => `expected a point name (letters, digits, ".", "_", "-"), got ${describeValue(iss.input)}`,
        })
        .optional()
        .describe(
          'Make a named recovery point in the store now (probes.point, on the primary); restore to it later with ' +
            'restore: { position: "point:<name>" }. docs/backup-restore.md#recovery-points.',
        ),
      destroy: destroyStepSchema.optional(),
      restore: restoreStepSchema.optional(),
      verify: verifyStepSchema.optional(),
    },
    {
      error: (iss) =>
        iss.code === 'invalid_type'
          ? `expected a step: a map with one key (${STEP_KEYS.join(', ')}), such as "wait: 3s", got ` +
            `${describeValue(iss.input)}`
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
        message:
          `a step must have exactly one of ${STEP_KEYS.join(', ')}; this one has ${present.join(' and ')} ` +
          `(split it into ${present.length} steps)`,
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

type ParsedStep = z.output<typeof stepSchema>;

export function toStep(s: ParsedStep, faultName: () => string, backupName: () => string = () => 'b'): Step {
  if (s.wait !== undefined) return { kind: 'wait', ms: s.wait };
  if (s.mark !== undefined) return { kind: 'mark', label: s.mark };
  if (s.heal !== undefined) return { kind: 'heal', name: s.heal };
  if (s.await !== undefined) {
    const a = s.await;
    if (a.condition === 'mark')
      return { kind: 'await', condition: 'mark', mark: a.name ?? 'mitigated', timeoutMs: a.timeout };
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
  if (s.point !== undefined) return { kind: 'point', name: s.point };
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
  const f = s.fault as (Record<string, unknown> & { name?: string }) | undefined;
  if (f === undefined) throw new Error('unreachable: a validated step has one key');
  const name = f.name ?? faultName();
  if (f.name !== undefined) faultName(); // keep the default numbering by position
  const fault = toFaultSpec(f, name);
  return { kind: 'fault', fault };
}
