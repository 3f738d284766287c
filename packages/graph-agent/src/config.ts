// Agent configuration: environment variables, overridden by the same-named flags.
// See docs/graph-agent.md for the table. Any invalid value is a ConfigError (main exits 2).

export type Replication = 'sync' | 'async';
export type Failover = 'raft' | 'naive';

export interface PeerSpec {
  id: string;
  host: string;
  port: number;
}

export interface AgentConfig {
  nodeId: string;
  peers: PeerSpec[];
  clientPort: number;
  raftPort: number;
  dataDir: string;
  heartbeatMs: number;
  electionTimeoutMs: number;
  maxBodyBytes: number;
  replication: Replication;
  /** replication=async: the leader sends an entry to followers only once it is this old. */
  replicationLagMs: number;
  fsync: boolean;
  /** fsync off: an entry reaches the WAL file only once it is this old. */
  flushLagMs: number;
  failover: Failover;
  /** Interface to listen on; undefined: all interfaces (Node's default). Not part of env/flags. */
  host?: string;
  /** Backup repository directory (BACKUP_DIR); undefined: backups disabled (in-process tests). */
  backupDir?: string;
  /** Backup settings (docs/backup-restore.md); defaults when undefined. */
  backup?: {
    chunkBytes: number;
    fullEvery: number;
    snapshot: 'consistent' | 'fuzzy';
    incremental: 'log' | 'mtime';
    maxBytesPerS: number;
  };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface Setting {
  env: string;
  flag: string;
  def: string | undefined;
}

const SETTINGS = {
  nodeId: { env: 'NODE_ID', flag: '--node-id', def: undefined },
  peers: { env: 'PEERS', flag: '--peers', def: '' },
  clientPort: { env: 'CLIENT_PORT', flag: '--client-port', def: '8080' },
  raftPort: { env: 'RAFT_PORT', flag: '--raft-port', def: '7000' },
  dataDir: { env: 'DATA_DIR', flag: '--data-dir', def: '/data' },
  heartbeatMs: { env: 'HEARTBEAT_MS', flag: '--heartbeat-ms', def: '100' },
  electionTimeoutMs: { env: 'ELECTION_TIMEOUT_MS', flag: '--election-timeout-ms', def: '1000' },
  maxBodyBytes: { env: 'MAX_BODY_BYTES', flag: '--max-body-bytes', def: '1048576' },
  replication: { env: 'REPLICATION', flag: '--replication', def: 'sync' },
  replicationLagMs: { env: 'REPLICATION_LAG_MS', flag: '--replication-lag-ms', def: '500' },
  fsync: { env: 'FSYNC', flag: '--fsync', def: 'on' },
  flushLagMs: { env: 'FLUSH_LAG_MS', flag: '--flush-lag-ms', def: '1000' },
  failover: { env: 'FAILOVER', flag: '--failover', def: 'raft' },
  backupDir: { env: 'BACKUP_DIR', flag: '--backup-dir', def: '/backup' },
  backupChunkBytes: { env: 'BACKUP_CHUNK_BYTES', flag: '--backup-chunk-bytes', def: '4194304' },
  backupFullEvery: { env: 'BACKUP_FULL_EVERY', flag: '--backup-full-every', def: '8' },
  backupMaxBytesPerS: { env: 'BACKUP_MAX_BYTES_PER_S', flag: '--backup-max-bytes-per-s', def: '0' },
  snapshot: { env: 'SNAPSHOT', flag: '--snapshot', def: 'consistent' },
  incremental: { env: 'INCREMENTAL', flag: '--incremental', def: 'log' },
} satisfies Record<string, Setting>;

type Key = keyof typeof SETTINGS;

const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function parseFlags(argv: string[]): Map<Key, string> {
  const byFlag = new Map<string, Key>();
  for (const [k, s] of Object.entries(SETTINGS)) byFlag.set(s.flag, k as Key);
  const out = new Map<Key, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const key = byFlag.get(name);
    if (key === undefined) throw new ConfigError(`unknown argument ${JSON.stringify(arg)}`);
    let value: string;
    if (name !== arg) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new ConfigError(`${name} needs a value`);
      value = next;
      i++;
    }
    out.set(key, value);
  }
  return out;
}

function int(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function parsePeers(raw: string, selfId?: string): PeerSpec[] {
  const peers: PeerSpec[] = [];
  const trimmed = raw.trim();
  if (trimmed === '') return peers;
  for (const part of trimmed.split(',')) {
    const item = part.trim();
    const m = /^([^=]+)=(.+):(\d+)$/.exec(item);
    if (!m) throw new ConfigError(`PEERS: bad entry ${JSON.stringify(item)}, expected id=host:port`);
    const id = (m[1] as string).trim();
    let host = (m[2] as string).trim();
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    if (!ID_RE.test(id))
      throw new ConfigError(`PEERS: bad node id ${JSON.stringify(id)} (letters, digits, _ . - only)`);
    if (host === '') throw new ConfigError(`PEERS: empty host in ${JSON.stringify(item)}`);
    const port = int(`PEERS: port of ${id}`, m[3] as string, 1, 65535);
    if (id === selfId) throw new ConfigError(`PEERS: lists this node itself (${id})`);
    if (peers.some((p) => p.id === id)) throw new ConfigError(`PEERS: node ${id} listed twice`);
    peers.push({ id, host, port });
  }
  return peers;
}

export function parseConfig(argv: string[], env: Record<string, string | undefined>): AgentConfig {
  const flags = parseFlags(argv);
  const get = (k: Key): string | undefined => {
    const s: Setting = SETTINGS[k];
    return flags.get(k) ?? env[s.env] ?? s.def;
  };
  const name = (k: Key): string => SETTINGS[k].env;

  const nodeId = (get('nodeId') ?? '').trim();
  if (nodeId === '') throw new ConfigError('NODE_ID is required (env NODE_ID or --node-id)');
  if (!ID_RE.test(nodeId))
    throw new ConfigError(`NODE_ID: bad node id ${JSON.stringify(nodeId)} (letters, digits, _ . - only)`);

  const dataDir = (get('dataDir') ?? '').trim();
  if (dataDir === '') throw new ConfigError('DATA_DIR must not be empty');

  const heartbeatMs = int(name('heartbeatMs'), get('heartbeatMs') as string, 1, 600_000);
  const electionTimeoutMs = int(name('electionTimeoutMs'), get('electionTimeoutMs') as string, 2, 3_600_000);
  if (electionTimeoutMs <= heartbeatMs) {
    throw new ConfigError(
      `ELECTION_TIMEOUT_MS (${electionTimeoutMs}) must be greater than HEARTBEAT_MS (${heartbeatMs})`,
    );
  }

  const oneOf = <T extends string>(k: Key, allowed: readonly T[]): T => {
    const v = (get(k) ?? '').trim().toLowerCase();
    if (!(allowed as readonly string[]).includes(v)) {
      throw new ConfigError(`${name(k)} must be one of ${allowed.join('|')}, got ${JSON.stringify(get(k))}`);
    }
    return v as T;
  };

  const clientPort = int(name('clientPort'), get('clientPort') as string, 1, 65535);
  const raftPort = int(name('raftPort'), get('raftPort') as string, 1, 65535);
  if (clientPort === raftPort) throw new ConfigError(`CLIENT_PORT and RAFT_PORT must differ (both ${clientPort})`);

  return {
    nodeId,
    peers: parsePeers(get('peers') ?? '', nodeId),
    clientPort,
    raftPort,
    dataDir,
    heartbeatMs,
    electionTimeoutMs,
    maxBodyBytes: int(name('maxBodyBytes'), get('maxBodyBytes') as string, 1, 1 << 30),
    replication: oneOf('replication', ['sync', 'async'] as const),
    replicationLagMs: int(name('replicationLagMs'), get('replicationLagMs') as string, 0, 600_000),
    fsync: oneOf('fsync', ['on', 'off'] as const) === 'on',
    flushLagMs: int(name('flushLagMs'), get('flushLagMs') as string, 0, 600_000),
    failover: oneOf('failover', ['raft', 'naive'] as const),
    backupDir: (get('backupDir') ?? '/backup').trim() || '/backup',
    backup: {
      chunkBytes: int(name('backupChunkBytes'), get('backupChunkBytes') as string, 1024, 1 << 30),
      fullEvery: int(name('backupFullEvery'), get('backupFullEvery') as string, 1, 1_000_000),
      maxBytesPerS: int(name('backupMaxBytesPerS'), get('backupMaxBytesPerS') as string, 0, 2 ** 40),
      snapshot: oneOf('snapshot', ['consistent', 'fuzzy'] as const),
      incremental: oneOf('incremental', ['log', 'mtime'] as const),
    },
  };
}

/** The config as shown in GET /status. */
export function publicConfig(c: AgentConfig): Record<string, unknown> {
  return {
    node_id: c.nodeId,
    peers: c.peers.map((p) => `${p.id}=${p.host}:${p.port}`).join(','),
    client_port: c.clientPort,
    raft_port: c.raftPort,
    data_dir: c.dataDir,
    heartbeat_ms: c.heartbeatMs,
    election_timeout_ms: c.electionTimeoutMs,
    max_body_bytes: c.maxBodyBytes,
    replication: c.replication,
    replication_lag_ms: c.replicationLagMs,
    fsync: c.fsync ? 'on' : 'off',
    flush_lag_ms: c.flushLagMs,
    failover: c.failover,
    backup_dir: c.backupDir ?? null,
    backup_chunk_bytes: c.backup?.chunkBytes ?? null,
    backup_full_every: c.backup?.fullEvery ?? null,
    backup_max_bytes_per_s: c.backup?.maxBytesPerS ?? null,
    snapshot: c.backup?.snapshot ?? 'consistent',
    incremental: c.backup?.incremental ?? 'log',
  };
}
