// Log replication: the leader's per-peer progress, batched AppendEntries with conflict
// repair, commit on a majority for entries of the current term, proposals, and ReadIndex
// for linearizable reads; the follower's side of AppendEntries.
// Flaw switch replication=async: the leader commits (and acks) on its own append and sends
// an entry to followers only on a heartbeat tick once the entry is replicationLagMs old.
// The lag is what makes the flaw certain rather than a matter of timing: at any instant the
// followers lack every write the leader acknowledged in the last replicationLagMs, so a
// leader killed under load always takes acknowledged writes with it (without it, a kill
// right after a heartbeat would lose nothing).

import type { Command } from './graph.js';
import { monoNow, RaftCore, type Progress, type RaftDeps, type ReadWaiter } from './raft-core.js';
import {
  makeEntry,
  notLeader,
  type AppendRequest,
  type AppendResponse,
  type LogEntry,
  type ProposeResult,
} from './raft-types.js';

const MAX_BATCH_ENTRIES = 4096;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export abstract class RaftReplication extends RaftCore {
  protected readRound = 0;
  protected readRoundPending = false;
  protected lastLeaderContact = 0;
  /** A leadership transfer is under way: new writes are refused so the target can catch up. */
  protected transferring = false;
  private broadcastScheduled = false;

  constructor(deps: RaftDeps) {
    super(deps);
    this.wal.onDurable = () => this.onDurable();
  }

  // ---- replication (leader) ----------------------------------------------------------

  protected scheduleBroadcast(): void {
    if (this.broadcastScheduled) return;
    this.broadcastScheduled = true;
    setImmediate(() => {
      this.broadcastScheduled = false;
      this.broadcast();
    });
  }

  /** Send to every idle peer that has something new: entries, a commit index, or a read round. */
  protected broadcast(): void {
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

  protected sendAppend(peer: string, p: Progress): void {
    if (this.role !== 'leader') return;
    const term = this.currentTerm;
    const prev = Math.min(p.nextIndex - 1, this.lastLogIndex);
    const parts: string[] = [];
    let bytes = 0;
    const lagged = this.cfg.replication === 'async' ? monoNow() - this.cfg.replicationLagMs : Infinity;
    for (let i = prev; i < this.log.length && parts.length < MAX_BATCH_ENTRIES && bytes < MAX_BATCH_BYTES; i++) {
      const e = this.log[i] as LogEntry;
      if (e.at !== undefined && e.at > lagged) break; // async: too young to leave the leader
      parts.push(e.json);
      bytes += e.json.length;
    }
    const round = this.readRound;
    const commit = this.commitIndex;
    const body =
      `{"term":${term},"leaderId":${JSON.stringify(this.id)},"prevLogIndex":${prev},` +
      `"prevLogTerm":${this.termAt(prev)},"leaderCommit":${commit},"entries":[${parts.join(',')}]}`;
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
      this.backOff(p, resp);
    }
    this.checkReads();
    if (p.nextIndex <= this.lastLogIndex && !resp.success && this.cfg.replication === 'sync') {
      this.sendAppend(peer, p); // repair quickly
    } else if (!p.inflight && this.wantsSend(p)) {
      this.sendAppend(peer, p);
    }
  }

  /** A rejected append: move nextIndex back past the conflict (by term when the follower names one). */
  private backOff(p: Progress, resp: AppendResponse): void {
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

  private onDurable(): void {
    if (this.role === 'leader') this.advanceCommit();
  }

  protected advanceCommit(): void {
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

  // ---- client operations (leader) -----------------------------------------------------

  propose(cmd: Command): Promise<ProposeResult> {
    if (this.role !== 'leader' || this.stopped) return Promise.resolve(notLeader('this node is not the leader'));
    if (this.transferring) return Promise.resolve(notLeader('leadership transfer in progress'));
    const term = this.currentTerm;
    const entry = makeEntry(term, cmd);
    if (this.cfg.replication === 'async') entry.at = monoNow();
    const index = this.appendLocal([entry]);
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

  protected checkReads(): void {
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

  protected expireReads(now: number): void {
    if (this.reads.length === 0) return;
    const keep: ReadWaiter[] = [];
    for (const r of this.reads) {
      if (now > r.deadline) r.resolve(false);
      else keep.push(r);
    }
    this.reads = keep;
  }

  // ---- AppendEntries (follower) --------------------------------------------------------

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
}
