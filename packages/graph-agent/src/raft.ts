// Raft consensus: follower / candidate / leader, log replication with conflict repair,
// commit on a majority for entries of the current term, check-quorum step-down, and
// ReadIndex for linearizable reads. This file: lifecycle, ticking, elections and votes,
// leadership transfer; raft-replication.ts: the log's replication and commit; raft-core.ts:
// the shared state. Flaw switches (docs/graph-agent.md):
//   replication=async  the leader commits (and acks) on its own append, replicates on heartbeats only
//   failover=naive     on a missed heartbeat a node declares itself leader of term+1 without
//                      votes, commits without a quorum and never steps down for lack of one

import { monoNow } from './raft-core.js';
import { RaftReplication } from './raft-replication.js';
import { makeEntry, type TimeoutNowRequest, type VoteRequest, type VoteResponse } from './raft-types.js';

export class Raft extends RaftReplication {
  private votes = new Set<string>();
  private ticker: NodeJS.Timeout | null = null;

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

  // ---- elections -----------------------------------------------------------------------

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

  private hasRecentQuorum(now: number): boolean {
    const acks = [now, ...[...this.progress.values()].map((p) => p.lastAckAt)].sort((a, b) => b - a);
    return now - (acks[this.majority - 1] ?? 0) < this.cfg.electionTimeoutMs;
  }

  // ---- leadership transfer -------------------------------------------------------------

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
}
