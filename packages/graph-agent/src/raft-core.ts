// The state every Raft role shares: term and vote (persisted before they are acted upon),
// the in-memory log over the WAL, role changes, and applying committed entries to the
// graph. raft-replication.ts adds the leader's replication and the follower's append;
// raft.ts adds elections, ticking and leadership transfer.

import type { AgentConfig } from './config.js';
import { Graph } from './graph.js';
import type { Logger } from './log.js';
import type { RaftStateStore } from './raft-state.js';
import { notLeader, type LogEntry, type ProposeResult, type RaftTransport, type Role } from './raft-types.js';
import type { Wal } from './wal.js';

/**
 * Every Raft timer (election deadlines, heartbeats, check quorum, leader contact) runs on
 * the monotonic clock: a node whose wall clock jumps (NTP step, clock-skew drill) must not
 * start elections or depose a healthy leader. The wall clock is only for humans (/status).
 */
export const monoNow = (): number => performance.now();

export interface Progress {
  nextIndex: number;
  matchIndex: number;
  inflight: boolean;
  lastSentAt: number;
  lastAckAt: number;
  /** Highest read round confirmed by this peer (round stamped when the request was sent). */
  ackedRound: number;
  sentRound: number;
  sentCommit: number;
}

export interface Waiter {
  term: number;
  resolve: (r: ProposeResult) => void;
}

export interface ReadWaiter {
  term: number;
  round: number;
  readIndex: number;
  deadline: number;
  resolve: (ok: boolean) => void;
}

export interface RaftDeps {
  config: AgentConfig;
  wal: Wal;
  state: RaftStateStore;
  transport: RaftTransport;
  log: Logger;
  /** Entries recovered from the WAL. */
  entries: LogEntry[];
}

export abstract class RaftCore {
  role: Role = 'follower';
  currentTerm: number;
  votedFor: string | null;
  leaderId: string | null = null;
  commitIndex = 0;
  lastApplied = 0;
  graph = new Graph();
  /** Index of the no-op this node appended when it became leader of the current term. */
  termStartIndex = 0;

  protected readonly id: string;
  protected readonly peerIds: string[];
  protected readonly majority: number;
  protected readonly cfg: AgentConfig;
  protected readonly log: LogEntry[];
  protected readonly wal: Wal;
  protected readonly state: RaftStateStore;
  protected readonly transport: RaftTransport;
  protected readonly logger: Logger;
  protected readonly rpcTimeoutMs: number;
  protected progress = new Map<string, Progress>();
  protected waiters = new Map<number, Waiter>();
  protected reads: ReadWaiter[] = [];
  protected electionDeadline = 0;
  protected stopped = false;

  constructor(deps: RaftDeps) {
    this.cfg = deps.config;
    this.id = deps.config.nodeId;
    this.peerIds = deps.config.peers.map((p) => p.id);
    this.majority = Math.floor((this.peerIds.length + 1) / 2) + 1;
    this.wal = deps.wal;
    this.state = deps.state;
    this.transport = deps.transport;
    this.logger = deps.log;
    this.log = deps.entries;
    this.rpcTimeoutMs = Math.max(20, Math.floor(deps.config.electionTimeoutMs / 2));
    const s = this.state.load();
    this.currentTerm = s.term;
    this.votedFor = s.votedFor;
  }

  /** Resolve the pending reads that are now confirmed (raft-replication.ts). */
  protected abstract checkReads(): void;

  // ---- log helpers -----------------------------------------------------------------

  get lastLogIndex(): number {
    return this.log.length;
  }

  /** The log entry at `index` (1-based), undefined when out of range. Used by backups. */
  entryAt(index: number): LogEntry | undefined {
    return index >= 1 ? this.log[index - 1] : undefined;
  }

  termAt(index: number): number {
    if (index <= 0) return 0;
    return this.log[index - 1]?.term ?? -1;
  }

  protected get lastLogTerm(): number {
    return this.termAt(this.log.length);
  }

  protected appendLocal(entries: LogEntry[]): number {
    for (const e of entries) this.log.push(e);
    this.wal.append(entries.map((e) => e.json));
    return this.log.length;
  }

  protected truncateFrom(index: number): void {
    if (index > this.log.length) return;
    this.logger('log-truncate', { from: index, dropped: this.log.length - index + 1, term: this.currentTerm });
    this.log.length = index - 1;
    this.wal.truncateFrom(index);
    if (this.commitIndex >= index) {
      this.logger('commit-rolled-back', { commit_index: this.commitIndex, to: index - 1 });
      this.commitIndex = index - 1;
    }
    if (this.lastApplied >= index) {
      this.logger('state-rebuild', { last_applied: this.lastApplied, replay_to: this.commitIndex });
      this.graph = new Graph();
      this.lastApplied = 0;
      this.applyCommitted();
    }
  }

  // ---- persistent state --------------------------------------------------------------

  protected persist(term: number, votedFor: string | null): void {
    if (term === this.currentTerm && votedFor === this.votedFor) return;
    this.state.save({ term, votedFor });
    this.currentTerm = term;
    this.votedFor = votedFor;
  }

  private randomTimeout(): number {
    const t = this.cfg.electionTimeoutMs;
    return t + Math.floor(Math.random() * t);
  }

  protected resetElectionDeadline(): void {
    this.electionDeadline = monoNow() + this.randomTimeout();
  }

  protected get commitWithoutQuorum(): boolean {
    return this.cfg.replication === 'async' || this.cfg.failover === 'naive';
  }

  // ---- role changes --------------------------------------------------------------------

  protected setRole(role: Role, reason: string): void {
    if (this.role === role) return;
    const from = this.role;
    this.role = role;
    this.logger('role', { role, from, term: this.currentTerm, leader: this.leaderId, reason });
  }

  protected becomeFollower(term: number, leaderId: string | null, reason: string): void {
    if (term > this.currentTerm) this.persist(term, null);
    const wasLeader = this.role === 'leader';
    if (wasLeader) {
      this.logger('step-down', { term: this.currentTerm, reason });
      this.failPending(`leadership lost: ${reason}`);
      this.progress.clear();
    }
    if (leaderId !== this.leaderId && leaderId !== null) {
      this.logger('leader', { leader: leaderId, term: this.currentTerm });
    }
    // Raft resets the election timer on leader contact or a granted vote, not on merely seeing
    // a higher term (else a candidate with a stale log could keep others from standing).
    const restartTimer = this.role !== 'follower' || leaderId !== null;
    this.leaderId = leaderId;
    this.setRole('follower', reason);
    if (restartTimer) this.resetElectionDeadline();
  }

  protected failPending(message: string): void {
    const waiters = this.waiters;
    this.waiters = new Map();
    for (const w of waiters.values()) w.resolve(notLeader(message));
    const reads = this.reads;
    this.reads = [];
    for (const r of reads) r.resolve(false);
  }

  // ---- state machine -------------------------------------------------------------------

  protected applyCommitted(): void {
    while (this.lastApplied < this.commitIndex && this.lastApplied < this.log.length) {
      const index = this.lastApplied + 1;
      const entry = this.log[index - 1] as LogEntry;
      const result = this.graph.apply(entry.cmd);
      this.lastApplied = index;
      const w = this.waiters.get(index);
      if (w) {
        this.waiters.delete(index);
        w.resolve(w.term === entry.term ? { ...result, index } : notLeader('the write was replaced by another leader'));
      }
    }
    if (this.reads.length > 0) this.checkReads();
  }

  isLeader(): boolean {
    return this.role === 'leader';
  }

  /** True once the leader has applied everything committed before its term began. */
  leaderCaughtUp(): boolean {
    return this.role === 'leader' && this.lastApplied >= this.termStartIndex;
  }
}
