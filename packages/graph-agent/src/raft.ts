// Raft consensus: follower / candidate / leader, log replication with conflict repair,
// commit on a majority for entries of the current term, check-quorum step-down, and
// ReadIndex for linearizable reads. Flaw switches (docs/graph-agent.md):
//   replication=async  the leader commits (and acks) on its own append, replicates on heartbeats only
//   failover=naive     on a missed heartbeat a node declares itself leader of term+1 without
//                      votes, commits without a quorum and never steps down for lack of one

import type { AgentConfig } from './config.js';
import { Graph, type ApplyResult, type Command } from './graph.js';
import type { Logger } from './log.js';
import type { RaftStateStore } from './raft-state.js';
import type { Wal } from './wal.js';

/**
 * Every Raft timer (election deadlines, heartbeats, check quorum, leader contact) runs on
 * the monotonic clock: a node whose wall clock jumps (NTP step, clock-skew drill) must not
 * start elections or depose a healthy leader. The wall clock is only for humans (/status).
 */
const monoNow = (): number => performance.now();

export type Role = 'follower' | 'candidate' | 'leader';

export interface LogEntry {
  term: number;
  cmd: Command;
  /** JSON of {term, cmd}: the WAL payload and the wire form. */
  json: string;
}

export function makeEntry(term: number, cmd: Command): LogEntry {
  return { term, cmd, json: JSON.stringify({ term, cmd }) };
}

export function parseEntry(json: string): LogEntry {
  const e = JSON.parse(json) as { term: number; cmd: Command };
  return { term: e.term, cmd: e.cmd, json };
}

export interface AppendRequest {
  term: number;
  leaderId: string;
  prevLogIndex: number;
  prevLogTerm: number;
  leaderCommit: number;
  entries: { term: number; cmd: Command }[];
}

export interface AppendResponse {
  term: number;
  success: boolean;
  matchIndex?: number;
  conflictIndex?: number;
  conflictTerm?: number;
  /** failover=naive: the receiver is a leader of the same term that wins the tie. */
  leaderConflict?: boolean;
}

export interface VoteRequest {
  term: number;
  candidateId: string;
  lastLogIndex: number;
  lastLogTerm: number;
  /** Set when the leader asked this candidate to take over (leadership transfer): voters skip leader stickiness. */
  transfer?: boolean;
}

export interface TimeoutNowRequest {
  term: number;
  leaderId: string;
}

export interface VoteResponse {
  term: number;
  voteGranted: boolean;
}

export interface RaftTransport {
  append(peerId: string, body: string, timeoutMs: number): Promise<AppendResponse>;
  vote(peerId: string, req: VoteRequest, timeoutMs: number): Promise<VoteResponse>;
  /** Leadership transfer: ask the peer to start an election at once. */
  timeoutNow?(peerId: string, req: TimeoutNowRequest, timeoutMs: number): Promise<void>;
}

export type NotLeader = { ok: false; status: 503; error: 'not_leader'; message: string };
export type ProposeResult = (ApplyResult & { index: number }) | NotLeader;

const notLeader = (message: string): NotLeader => ({ ok: false, status: 503, error: 'not_leader', message });

interface Progress {
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

interface Waiter {
  term: number;
  resolve: (r: ProposeResult) => void;
}

interface ReadWaiter {
  term: number;
  round: number;
  readIndex: number;
  deadline: number;
  resolve: (ok: boolean) => void;
}

const MAX_BATCH_ENTRIES = 4096;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface RaftDeps {
  config: AgentConfig;
  wal: Wal;
  state: RaftStateStore;
  transport: RaftTransport;
  log: Logger;
  /** Entries recovered from the WAL. */
  entries: LogEntry[];
}

export class Raft {
  role: Role = 'follower';
  currentTerm: number;
  votedFor: string | null;
  leaderId: string | null = null;
  commitIndex = 0;
  lastApplied = 0;
  graph = new Graph();
  /** Index of the no-op this node appended when it became leader of the current term. */
  termStartIndex = 0;

  private readonly id: string;
  private readonly peerIds: string[];
  private readonly majority: number;
  private readonly cfg: AgentConfig;
  private readonly log: LogEntry[];
  private readonly wal: Wal;
  private readonly state: RaftStateStore;
  private readonly transport: RaftTransport;
  private readonly logger: Logger;
  private readonly rpcTimeoutMs: number;
  private progress = new Map<string, Progress>();
  private waiters = new Map<number, Waiter>();
  private reads: ReadWaiter[] = [];
  private readRound = 0;
  private readRoundPending = false;
  private broadcastScheduled = false;
  private electionDeadline = 0;
  private lastLeaderContact = 0;
  private votes = new Set<string>();
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;
  /** A leadership transfer is under way: new writes are refused so the target can catch up. */
  private transferring = false;

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
    this.wal.onDurable = () => this.onDurable();
  }

  // ---- lifecycle -------------------------------------------------------------------

  start(): void {
    this.resetElectionDeadline();
    if (this.peerIds.length === 0) this.electionDeadline = monoNow(); // alone: no one to wait for
    const every = Math.max(2, Math.min(20, Math.floor(this.cfg.heartbeatMs / 2)));
    this.ticker = setInterval(() => this.tick(), every);
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.failPending('node is shutting down');
  }

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

  private get lastLogTerm(): number {
    return this.termAt(this.log.length);
  }

  private appendLocal(entries: LogEntry[]): number {
    for (const e of entries) this.log.push(e);
    this.wal.append(entries.map((e) => e.json));
    return this.log.length;
  }

  private truncateFrom(index: number): void {
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

  private persist(term: number, votedFor: string | null): void {
    if (term === this.currentTerm && votedFor === this.votedFor) return;
    this.state.save({ term, votedFor });
    this.currentTerm = term;
    this.votedFor = votedFor;
  }

  private randomTimeout(): number {
    const t = this.cfg.electionTimeoutMs;
    return t + Math.floor(Math.random() * t);
  }

  private resetElectionDeadline(): void {
    this.electionDeadline = monoNow() + this.randomTimeout();
  }

  private get commitWithoutQuorum(): boolean {
    return this.cfg.replication === 'async' || this.cfg.failover === 'naive';
  }

  // ---- role changes --------------------------------------------------------------------

  private setRole(role: Role, reason: string): void {
    if (this.role === role) return;
    const from = this.role;
    this.role = role;
    this.logger('role', { role, from, term: this.currentTerm, leader: this.leaderId, reason });
  }

  private becomeFollower(term: number, leaderId: string | null, reason: string): void {
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

  private failPending(message: string): void {
    const waiters = this.waiters;
    this.waiters = new Map();
    for (const w of waiters.values()) w.resolve(notLeader(message));
    const reads = this.reads;
    this.reads = [];
    for (const r of reads) r.resolve(false);
  }

  private startElection(transfer = false): void {
    if (this.cfg.failover === 'naive') {
      this.persist(this.currentTerm + 1, this.id);
      this.logger('naive-takeover', { term: this.currentTerm, missed_leader: this.leaderId });
      this.becomeLeader();
      return;
    }
    this.persist(this.currentTerm + 1, this.id);
    this.leaderId = null;
    this.setRole('candidate', transfer ? 'leadership transfer' : 'election timeout');
    this.votes = new Set([this.id]);
    this.resetElectionDeadline();
    const term = this.currentTerm;
    this.logger('election', { term, last_log_index: this.lastLogIndex, last_log_term: this.lastLogTerm });
    if (this.votes.size >= this.majority) {
      this.becomeLeader();
      return;
    }
    const req: VoteRequest = {
      term,
      candidateId: this.id,
      lastLogIndex: this.lastLogIndex,
      lastLogTerm: this.lastLogTerm,
    };
    if (transfer) req.transfer = true;
    for (const peer of this.peerIds) {
      this.transport.vote(peer, req, this.rpcTimeoutMs).then(
        (resp) => {
          if (this.stopped) return;
          if (resp.term > this.currentTerm) {
            this.becomeFollower(resp.term, null, `higher term ${resp.term} in vote reply from ${peer}`);
            return;
          }
          if (this.role !== 'candidate' || this.currentTerm !== term || !resp.voteGranted) return;
          this.votes.add(peer);
          if (this.votes.size >= this.majority) this.becomeLeader();
        },
        () => {},
      );
    }
  }

  private becomeLeader(): void {
    this.leaderId = this.id;
    this.setRole(
      'leader',
      this.cfg.failover === 'naive' ? 'naive takeover' : `won election with ${this.votes.size} votes`,
    );
    const now = monoNow();
    this.progress = new Map();
    for (const peer of this.peerIds) {
      this.progress.set(peer, {
        nextIndex: this.lastLogIndex + 1,
        matchIndex: 0,
        inflight: false,
        lastSentAt: 0,
        lastAckAt: now,
        ackedRound: 0,
        sentRound: 0,
        sentCommit: -1,
      });
    }
    this.termStartIndex = this.appendLocal([makeEntry(this.currentTerm, { op: 'noop' })]);
    this.advanceCommit();
    this.broadcast();
  }

  // ---- ticking -------------------------------------------------------------------------

  private tick(): void {
    if (this.stopped) return;
    const now = monoNow();
    if (this.role === 'leader') {
      for (const [peer, p] of this.progress) {
        if (!p.inflight && now - p.lastSentAt >= this.cfg.heartbeatMs) this.sendAppend(peer, p);
      }
      if (this.cfg.failover !== 'naive' && this.peerIds.length > 0) {
        const acks = [now, ...[...this.progress.values()].map((p) => p.lastAckAt)].sort((a, b) => b - a);
        const quorumAck = acks[this.majority - 1] ?? 0;
        if (now - quorumAck > this.cfg.electionTimeoutMs) {
          this.becomeFollower(this.currentTerm, null, `no quorum for ${now - quorumAck} ms (check quorum)`);
          return;
        }
      }
      this.expireReads(now);
    } else if (now >= this.electionDeadline) {
      this.startElection();
    }
  }

  // ---- replication (leader) ----------------------------------------------------------

  private scheduleBroadcast(): void {
    if (this.broadcastScheduled) return;
    this.broadcastScheduled = true;
    setImmediate(() => {
      this.broadcastScheduled = false;
      this.broadcast();
    });
  }

  /** Send to every idle peer that has something new: entries, a commit index, or a read round. */
  private broadcast(): void {
    this.readRoundPending = false;
    if (this.role !== 'leader' || this.stopped) return;
    for (const [peer, p] of this.progress) {
      if (!p.inflight && this.wantsSend(p)) this.sendAppend(peer, p);
    }
  }

  private wantsSend(p: Progress): boolean {
    if (p.sentRound < this.readRound) return true;
    if (this.cfg.replication === 'async') return false; // lazily: heartbeat ticks only
    return p.nextIndex <= this.lastLogIndex || p.sentCommit < this.commitIndex;
  }

  private sendAppend(peer: string, p: Progress): void {
    if (this.role !== 'leader') return;
    const term = this.currentTerm;
    const prev = Math.min(p.nextIndex - 1, this.lastLogIndex);
    const parts: string[] = [];
    let bytes = 0;
    for (let i = prev; i < this.log.length && parts.length < MAX_BATCH_ENTRIES && bytes < MAX_BATCH_BYTES; i++) {
      const e = this.log[i] as LogEntry;
      parts.push(e.json);
      bytes += e.json.length;
    }
    const round = this.readRound;
    const commit = this.commitIndex;
    const body =
      `{"term":${term},"leaderId":${JSON.stringify(this.id)},"prevLogIndex":${prev},"prevLogTerm":${this.termAt(prev)},` +
      `"leaderCommit":${commit},"entries":[${parts.join(',')}]}`;
    p.inflight = true;
    p.lastSentAt = monoNow();
    p.sentRound = round;
    p.sentCommit = commit;
    const sentLast = prev + parts.length;
    this.transport.append(peer, body, this.rpcTimeoutMs).then(
      (resp) => {
        if (this.progress.get(peer) !== p) return;
        p.inflight = false;
        if (this.stopped) return;
        this.onAppendResponse(peer, p, term, round, sentLast, resp);
      },
      () => {
        if (this.progress.get(peer) !== p) return;
        p.inflight = false;
      },
    );
  }

  private onAppendResponse(
    peer: string,
    p: Progress,
    term: number,
    round: number,
    sentLast: number,
    resp: AppendResponse,
  ): void {
    if (resp.term > this.currentTerm) {
      this.becomeFollower(resp.term, null, `higher term ${resp.term} in append reply from ${peer}`);
      return;
    }
    if (this.role !== 'leader' || this.currentTerm !== term) return;
    if (resp.leaderConflict) {
      this.becomeFollower(this.currentTerm, peer, `${peer} is also leader of term ${term} and wins the tie`);
      return;
    }
    p.lastAckAt = monoNow();
    if (round > p.ackedRound) p.ackedRound = round;
    if (resp.success) {
      const match = Math.min(resp.matchIndex ?? sentLast, sentLast);
      if (match > p.matchIndex) p.matchIndex = match;
      p.nextIndex = Math.max(p.nextIndex, p.matchIndex + 1);
      this.advanceCommit();
    } else {
      let next: number;
      const ct = resp.conflictTerm ?? 0;
      const ci = resp.conflictIndex ?? p.nextIndex - 1;
      if (ct > 0) {
        let last = 0;
        for (let i = Math.min(ci + 64 * 1024, this.log.length); i >= 1; i--) {
          const t = this.termAt(i);
          if (t === ct) {
            last = i;
            break;
          }
          if (t < ct) break;
        }
        next = last > 0 ? last + 1 : ci;
      } else {
        next = ci;
      }
      p.nextIndex = Math.max(p.matchIndex + 1, Math.min(next, p.nextIndex - 1, this.lastLogIndex + 1));
      if (p.nextIndex < 1) p.nextIndex = 1;
    }
    this.checkReads();
    if (p.nextIndex <= this.lastLogIndex && !resp.success && this.cfg.replication === 'sync') {
      this.sendAppend(peer, p); // repair quickly
    } else if (!p.inflight && this.wantsSend(p)) {
      this.sendAppend(peer, p);
    }
  }

  private onDurable(): void {
    if (this.role === 'leader') this.advanceCommit();
  }

  private advanceCommit(): void {
    if (this.role !== 'leader') return;
    let n: number;
    if (this.commitWithoutQuorum) {
      n = this.wal.durableIndex;
    } else {
      const matches = [this.wal.durableIndex, ...[...this.progress.values()].map((p) => p.matchIndex)].sort(
        (a, b) => b - a,
      );
      n = matches[this.majority - 1] ?? 0;
    }
    if (n > this.commitIndex && this.termAt(n) === this.currentTerm) {
      this.commitIndex = n;
      this.applyCommitted();
      if (this.cfg.replication === 'sync') this.scheduleBroadcast();
    }
  }

  private applyCommitted(): void {
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

  // ---- client operations (leader) -----------------------------------------------------

  isLeader(): boolean {
    return this.role === 'leader';
  }

  /** True once the leader has applied everything committed before its term began. */
  leaderCaughtUp(): boolean {
    return this.role === 'leader' && this.lastApplied >= this.termStartIndex;
  }

  propose(cmd: Command): Promise<ProposeResult> {
    if (this.role !== 'leader' || this.stopped) return Promise.resolve(notLeader('this node is not the leader'));
    if (this.transferring) return Promise.resolve(notLeader('leadership transfer in progress'));
    const term = this.currentTerm;
    const index = this.appendLocal([makeEntry(term, cmd)]);
    return new Promise((resolve) => {
      this.waiters.set(index, { term, resolve });
      if (this.cfg.replication === 'sync') this.scheduleBroadcast();
    });
  }

  /** ReadIndex: resolves true once this node is confirmed leader and has applied up to the read index. */
  readBarrier(): Promise<boolean> {
    if (this.role !== 'leader' || this.stopped) return Promise.resolve(false);
    if (this.cfg.failover === 'naive') return Promise.resolve(true);
    if (!this.readRoundPending) {
      this.readRound++;
      this.readRoundPending = true;
      this.scheduleBroadcast();
    }
    return new Promise((resolve) => {
      this.reads.push({
        term: this.currentTerm,
        round: this.readRound,
        readIndex: Math.max(this.commitIndex, this.termStartIndex),
        deadline: monoNow() + 2 * this.cfg.electionTimeoutMs,
        resolve,
      });
      this.checkReads();
    });
  }

  private checkReads(): void {
    if (this.reads.length === 0) return;
    const keep: ReadWaiter[] = [];
    for (const r of this.reads) {
      if (this.role !== 'leader' || this.currentTerm !== r.term) {
        r.resolve(false);
        continue;
      }
      let acks = 1;
      for (const p of this.progress.values()) if (p.ackedRound >= r.round) acks++;
      if (acks >= this.majority && this.lastApplied >= r.readIndex) r.resolve(true);
      else keep.push(r);
    }
    this.reads = keep;
  }

  private expireReads(now: number): void {
    if (this.reads.length === 0) return;
    const keep: ReadWaiter[] = [];
    for (const r of this.reads) {
      if (now > r.deadline) r.resolve(false);
      else keep.push(r);
    }
    this.reads = keep;
  }

  // ---- RPC handlers --------------------------------------------------------------------

  async handleAppend(req: AppendRequest): Promise<AppendResponse> {
    if (this.stopped) throw new Error('stopped');
    if (req.term < this.currentTerm) return { term: this.currentTerm, success: false };
    if (req.term === this.currentTerm && this.role === 'leader' && req.leaderId !== this.id) {
      // Only possible with failover=naive: two leaders of one term. Lower node id wins.
      if (this.id < req.leaderId) return { term: this.currentTerm, success: false, leaderConflict: true };
      this.becomeFollower(
        req.term,
        req.leaderId,
        `${req.leaderId} is also leader of term ${req.term} and wins the tie`,
      );
    } else if (req.term > this.currentTerm || this.role !== 'follower' || this.leaderId !== req.leaderId) {
      this.becomeFollower(req.term, req.leaderId, `append from leader ${req.leaderId}`);
    }
    this.lastLeaderContact = monoNow();
    this.resetElectionDeadline();

    const prev = req.prevLogIndex;
    if (prev > this.lastLogIndex) {
      return { term: this.currentTerm, success: false, conflictIndex: this.lastLogIndex + 1, conflictTerm: 0 };
    }
    const localPrevTerm = this.termAt(prev);
    if (localPrevTerm !== req.prevLogTerm) {
      let first = prev;
      while (first > 1 && this.termAt(first - 1) === localPrevTerm) first--;
      return { term: this.currentTerm, success: false, conflictIndex: first, conflictTerm: localPrevTerm };
    }
    let index = prev;
    const fresh: LogEntry[] = [];
    for (const e of req.entries) {
      index++;
      if (fresh.length === 0 && index <= this.lastLogIndex) {
        if (this.termAt(index) === e.term) continue;
        this.truncateFrom(index);
      }
      fresh.push(makeEntry(e.term, e.cmd));
    }
    if (fresh.length > 0) this.appendLocal(fresh);
    const lastNew = prev + req.entries.length;
    const lastTerm =
      req.entries.length > 0 ? (req.entries[req.entries.length - 1] as { term: number }).term : req.prevLogTerm;
    if (req.leaderCommit > this.commitIndex) {
      this.commitIndex = Math.max(this.commitIndex, Math.min(req.leaderCommit, lastNew));
      this.applyCommitted();
    }
    await this.wal.waitDurable(lastNew);
    if (this.termAt(lastNew) !== lastTerm || this.wal.durableIndex < lastNew) {
      return {
        term: this.currentTerm,
        success: false,
        conflictIndex: Math.min(lastNew, this.lastLogIndex + 1),
        conflictTerm: 0,
      };
    }
    return { term: this.currentTerm, success: true, matchIndex: lastNew };
  }

  async handleVote(req: VoteRequest): Promise<VoteResponse> {
    if (this.stopped) throw new Error('stopped');
    const now = monoNow();
    // Leader stickiness: while we hear from a live leader, ignore disruptive candidates.
    if (
      req.term > this.currentTerm &&
      this.cfg.failover === 'raft' &&
      req.transfer !== true &&
      ((this.role === 'follower' &&
        this.leaderId !== null &&
        now - this.lastLeaderContact < this.cfg.electionTimeoutMs) ||
        this.role === 'leader')
    ) {
      if (this.role !== 'leader' || this.hasRecentQuorum(now)) return { term: this.currentTerm, voteGranted: false };
    }
    if (req.term < this.currentTerm) return { term: this.currentTerm, voteGranted: false };
    if (req.term > this.currentTerm)
      this.becomeFollower(req.term, null, `higher term ${req.term} from candidate ${req.candidateId}`);
    const upToDate =
      req.lastLogTerm > this.lastLogTerm ||
      (req.lastLogTerm === this.lastLogTerm && req.lastLogIndex >= this.lastLogIndex);
    if ((this.votedFor === null || this.votedFor === req.candidateId) && upToDate && this.role === 'follower') {
      this.persist(this.currentTerm, req.candidateId);
      this.resetElectionDeadline();
      this.logger('vote', { term: this.currentTerm, for: req.candidateId });
      return { term: this.currentTerm, voteGranted: true };
    }
    return { term: this.currentTerm, voteGranted: false };
  }

  /** The leader asked us to take over (it is shutting down): stand for election now. */
  handleTimeoutNow(req: TimeoutNowRequest): void {
    if (this.stopped) throw new Error('stopped');
    if (req.term < this.currentTerm || this.role === 'leader') return;
    this.logger('timeout-now', { from: req.leaderId, term: req.term });
    this.startElection(true);
  }

  /**
   * Graceful hand-over before a planned shutdown (SIGTERM): stop taking writes, let the
   * most up-to-date follower catch up, ask it to stand for election at once, and wait
   * until it has won (we see its higher term) or the deadline passes. Without this, a
   * rolling restart costs a full election timeout of unavailability per leader restart.
   * Resolves true when leadership moved.
   */
  async transferLeadership(timeoutMs: number): Promise<boolean> {
    if (this.role !== 'leader' || this.stopped || this.peerIds.length === 0 || !this.transport.timeoutNow) return false;
    if (this.cfg.failover !== 'raft') return false;
    const term = this.currentTerm;
    const deadline = monoNow() + timeoutMs;
    this.transferring = true;
    try {
      let target: string | undefined;
      while (monoNow() < deadline && this.role === 'leader' && this.currentTerm === term) {
        const best = [...this.progress.entries()].sort((a, b) => b[1].matchIndex - a[1].matchIndex)[0];
        if (best && best[1].matchIndex >= this.lastLogIndex && this.wal.durableIndex >= this.lastLogIndex) {
          target = best[0];
          break;
        }
        this.scheduleBroadcast();
        await new Promise((r) => setTimeout(r, 5));
      }
      if (target === undefined || this.role !== 'leader') return false;
      this.logger('transfer-leadership', { to: target, term, last_log_index: this.lastLogIndex });
      await this.transport.timeoutNow(target, { term, leaderId: this.id }, this.rpcTimeoutMs).catch(() => undefined);
      while (monoNow() < deadline && this.role === 'leader' && this.currentTerm === term) {
        await new Promise((r) => setTimeout(r, 5));
      }
      return this.currentTerm > term;
    } finally {
      this.transferring = false;
    }
  }

  private hasRecentQuorum(now: number): boolean {
    const acks = [now, ...[...this.progress.values()].map((p) => p.lastAckAt)].sort((a, b) => b - a);
    return now - (acks[this.majority - 1] ?? 0) < this.cfg.electionTimeoutMs;
  }
}
