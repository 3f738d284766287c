// One graph-agent node: WAL + Raft state recovery, Raft, the peer server and the client API.
// startAgent() can run several nodes in one process (tests).

import type http from 'node:http';
import { join } from 'node:path';
import type { AgentConfig } from './config.js';
import { ClientApi } from './http-api.js';
import { BackupApi } from './backup/api.js';
import { BackupEngine, DEFAULT_BACKUP_SETTINGS, type BackupSource } from './backup/engine.js';
import { FsStorage } from './backup/storage.js';
import { makeLogger, type Logger } from './log.js';
import { createPeerServer, PeerClient } from './peer-transport.js';
import { RaftStateStore } from './raft-state.js';
import { Raft } from './raft.js';
import {
  parseEntry,
  type AppendRequest,
  type AppendResponse,
  type TimeoutNowRequest,
  type VoteRequest,
  type VoteResponse,
} from './raft-types.js';
import { Wal } from './wal.js';

export interface Agent {
  readonly config: AgentConfig;
  readonly raft: Raft;
  readonly api: ClientApi;
  readonly clientPort: number;
  readonly raftPort: number;
  /** Stop the node. With `graceful`, a leader first hands leadership to a caught-up follower. */
  close(opts?: { graceful?: boolean }): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Called when the WAL cannot be written: the node cannot go on. Default: log and stop Raft. */
  onFatal?: (err: Error) => void;
  /** Test hook: simulate a partition, outgoing RPCs to these peers fail. */
  dropPeer?: (peerId: string) => boolean;
}

function listen(server: http.Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    };
    if (host === undefined) server.listen(port, done);
    else server.listen(port, host, done);
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startAgent(config: AgentConfig, opts: StartOptions = {}): Promise<Agent> {
  const log = opts.logger ?? makeLogger(config.nodeId);
  const walPath = join(config.dataDir, 'wal.log');
  const { wal, recovered } = await Wal.open(walPath, { fsync: config.fsync, flushLagMs: config.flushLagMs });
  const entries = recovered.payloads.map(parseEntry);
  const state = new RaftStateStore(config.dataDir);
  const persisted = state.load();
  log('recovered', {
    entries: entries.length,
    wal: walPath,
    torn_tail_bytes: recovered.truncatedBytes,
    term: persisted.term,
    voted_for: persisted.votedFor,
    message: `recovered ${entries.length} entries from WAL`,
  });

  const peers = new PeerClient(config.peers, opts.dropPeer);
  const raft = new Raft({
    config,
    wal,
    state,
    log,
    entries,
    transport: {
      append: (peer, body, timeoutMs) => peers.rpc<AppendResponse>(peer, '/raft/append', body, timeoutMs),
      vote: (peer, req, timeoutMs) => peers.rpc<VoteResponse>(peer, '/raft/vote', JSON.stringify(req), timeoutMs),
      timeoutNow: async (peer, req, timeoutMs) => {
        await peers.rpc<unknown>(peer, '/raft/timeout-now', JSON.stringify(req), timeoutMs);
      },
    },
  });
  wal.onFatal = (err) => {
    log('wal-fatal', { message: err.message });
    raft.stop();
    opts.onFatal?.(err);
  };
  const api = new ClientApi(raft, config, peers, log);
  if (config.backupDir !== undefined) {
    const src: BackupSource = {
      nodeId: config.nodeId,
      peers: config.peers.map((p) => p.id),
      graph: () => raft.graph,
      lastApplied: () => raft.lastApplied,
      entryAt: (i) => raft.entryAt(i),
      role: () => raft.role,
      term: () => raft.currentTerm,
      leaderId: () => raft.leaderId,
    };
    const engine = new BackupEngine(new FsStorage(config.backupDir), src, {
      ...DEFAULT_BACKUP_SETTINGS,
      ...config.backup,
    });
    api.backupApi = new BackupApi(engine, raft);
  }
  const peerServer = createPeerServer({
    append: (body) => raft.handleAppend(body as AppendRequest),
    vote: (body) => raft.handleVote(body as VoteRequest),
    timeoutNow: async (body) => {
      raft.handleTimeoutNow(body as TimeoutNowRequest);
      return { ok: true };
    },
    forward: (req) => api.handle(req, true),
  });
  const clientServer = api.createServer();

  let raftPort: number;
  let clientPort: number;
  try {
    raftPort = await listen(peerServer, config.raftPort, config.host);
    clientPort = await listen(clientServer, config.clientPort, config.host);
  } catch (err) {
    peers.close();
    await Promise.all([closeServer(peerServer), closeServer(clientServer)]);
    await wal.close();
    throw err;
  }
  raft.start();
  log('start', {
    client_port: clientPort,
    raft_port: raftPort,
    peers: config.peers.map((p) => p.id).join(',') || '-',
    replication: config.replication,
    ...(config.replication === 'async' ? { replication_lag_ms: config.replicationLagMs } : {}),
    fsync: config.fsync ? 'on' : 'off',
    ...(config.fsync ? {} : { flush_lag_ms: config.flushLagMs }),
    failover: config.failover,
  });

  let closing: Promise<void> | null = null;
  return {
    config,
    raft,
    api,
    clientPort,
    raftPort,
    close(closeOpts: { graceful?: boolean } = {}): Promise<void> {
      closing ??= (async () => {
        if (closeOpts.graceful) {
          const moved = await raft.transferLeadership(Math.min(3000, 2 * config.electionTimeoutMs));
          if (moved) log('handed-over', { term: raft.currentTerm, leader: raft.leaderId });
        }
        raft.stop();
        peers.close();
        await Promise.all([closeServer(peerServer), closeServer(clientServer)]);
        await wal.close();
        log('stopped', { term: raft.currentTerm, last_log_index: raft.lastLogIndex });
      })();
      return closing;
    },
  };
}
