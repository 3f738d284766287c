// The `fault` step of a scenario: which kind, which node(s), the kind's own parameters.

import { z } from 'zod';
import { describeValue, formatDuration, parseDuration } from './duration.js';
import { always, duration, isRec, MAX_NODES, NODE_PATTERN } from './fields.js';

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

export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultTarget = (typeof FAULT_TARGETS)[number];
export type Signal = (typeof SIGNALS)[number];

const FAULT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const faultSchema = z
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
            z.string().regex(NODE_PATTERN, {
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
