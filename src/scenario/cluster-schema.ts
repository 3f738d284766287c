// The `cluster` block of a scenario: which system under test, how many nodes, and
// graph-agent's settings (the custom block lives in custom-schema.ts).

import { z } from 'zod';
import { customTargetSchema } from './custom-schema.js';
import { checkGroups, groupsSchema } from './groups-schema.js';
import { describeValue, formatDuration } from './duration.js';
import { ENGINE_KINDS } from '../engines/engine.js';
import { always, duration, isRec, MAX_NODES, onOff } from './fields.js';

/** n1..nN, or a node of a group: <group>-1..<group>-N. */
const NODE_NAME = /^(?:n[1-9][0-9]?|[a-z0-9_]+-[1-9][0-9]?)$/;

export const SUPPORTED_TARGETS = ['graph-agent', 'custom'] as const;

/** The agent refuses lags above this (REPLICATION_LAG_MS, FLUSH_LAG_MS): refused here first, with a position. */
const MAX_AGENT_LAG_MS = 600_000;

const agentSchema = z
  .strictObject({
    heartbeat: duration('Leader heartbeat interval (graph-agent HEARTBEAT_MS).').prefault('100ms'),
    election_timeout: duration(
      'Base election timeout (graph-agent ELECTION_TIMEOUT_MS); each node randomises in [T, 2T). Must be greater ' +
        'than heartbeat.',
    ).prefault('1000ms'),
    replication: z
      .enum(['sync', 'async'])
      .default('sync')
      .describe(
        'Flaw switch. sync: acknowledge after a majority has the write. async: acknowledge after the leader ' +
          'alone, replicate later.',
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
        'Flaw switch. raft: leader election by majority vote. naive: a node takes over on a missed heartbeat, ' +
          'without a quorum.',
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
            'Flaw switch. consistent: a backup is exactly the state at one log position. fuzzy: copied while ' +
              'writes go on, position read at the end.',
          ),
        incremental: z
          .enum(['log', 'mtime'])
          .default('log')
          .describe(
            'Flaw switch. log: incrementals are the log entries since the parent. mtime: elements newer than the ' +
              'parent by wall clock (misses writes under clock skew).',
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

export const clusterSchema = z
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
    engine: z
      .enum(ENGINE_KINDS)
      .optional()
      .describe(
        'Where the nodes run. docker (default): containers on one Docker host. swarm: a service per node on a Docker ' +
          'Swarm, a fault agent on every host (docs/swarm.md). `drill run --engine` overrides it.',
      ),
    placement: z
      .record(z.string().regex(NODE_NAME, { error: 'expected a node name such as n1 or etcd-1' }), z.string().min(1))
      .optional()
      .describe(
        'engine swarm: the host (swarm node hostname) of each node, e.g. { n1: host-a, n2: host-b } (with groups: ' +
          '{ etcd-1: host-a }); nodes not ' +
          'named are spread over the hosts in order.',
      ),
    agent: agentSchema.prefault({}),
    custom: customTargetSchema.optional(),
    groups: groupsSchema.optional(),
    compose: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Your own docker-compose.yml, relative to the scenario: its services become node groups (drill creates ' +
          'the containers itself; nothing is pulled). Probes and clients go in groups. docs/compose.md.',
      ),
  })
  .superRefine((c, ctx) => {
    const v: unknown = c;
    if (!isRec(v) || v['target'] !== 'custom') return;
    const forms = (['custom', 'groups', 'compose'] as const).filter((k) => v[k] !== undefined);
    if (forms.includes('custom') && forms.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [forms[1]!],
        message: 'use either custom (one group of identical nodes) or groups / compose, not both',
      });
    }
    if (v['groups'] !== undefined || v['compose'] !== undefined) {
      checkGroups(v['groups'] ?? {}, v['compose'] !== undefined, ctx);
    }
  }, always)
  .describe('The system under test.');
