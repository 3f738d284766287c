// The Raft log entry and the node-to-node RPC shapes, shared by the parts of raft.ts and node.ts.

import type { ApplyResult, Command } from './graph.js';

export type Role = 'follower' | 'candidate' | 'leader';

export interface LogEntry {
  term: number;
  cmd: Command;
  /** JSON of {term, cmd}: the WAL payload and the wire form. */
  json: string;
  /**
   * replication=async: monotonic time the leader appended this client write. The entry is
   * sent to followers only once it is replicationLagMs old (see raft-replication.ts).
   */
  at?: number;
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

export const notLeader = (message: string): NotLeader => ({ ok: false, status: 503, error: 'not_leader', message });
