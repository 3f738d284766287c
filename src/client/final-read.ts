// The final read: after recovery, read the whole data set back and record what is there,
// for the RPO (lost / unexpected / recovered) and integrity checkers.
//
// A cluster that has just recovered may still be applying its log, so a single read can
// catch it mid-way. We read everything from the leader repeatedly until two consecutive
// reads are identical (stable), or the deadline passes. Then each node's own checksum
// (local state, no forwarding) is read, again until they all agree or the deadline
// passes, so a follower that is merely a few entries behind is not reported as diverged;
// whatever is still different at the deadline is reported as it is.

import { sleep, type Clock } from '../core/clock.js';
import type { FinalRead } from './history.js';

export interface ScanResult {
  vertices: string[];
  edges: { id: string; from: string; to: string }[];
}

/** What a target must offer for the final read. Methods may throw; finalRead retries. */
export interface FinalReadSource {
  nodes(): string[];
  /** The node currently acting as leader (or primary), null when none is known. */
  leader(): Promise<string | null>;
  /** Every vertex and edge, through `node`; with local, that node's own state only. */
  scanAll(node: string, local: boolean): Promise<ScanResult>;
  /** The node's own (local) checksum of its data, null when it cannot tell. */
  checksum(node: string): Promise<string | null>;
}

export interface FinalReadOptions {
  /** Overall deadline for the final read, ms. */
  timeoutMs: number;
  /** Pause between reads, ms. Default 200. */
  intervalMs?: number;
  /** Time allowed for the node checksums to agree, ms, within timeoutMs. Default 5000. */
  checksumSettleMs?: number;
}

export interface FinalReadResult extends FinalRead {
  /** Two consecutive full reads were identical. */
  stable: boolean;
  /** Number of full reads done. */
  reads: number;
  /** The node the last full read came from. */
  leader: string;
  /** The node checksums (those that answered) all agree. */
  checksumsAgree: boolean;
}

export class FinalReadError extends Error {
  override readonly name = 'FinalReadError';
}

export async function finalRead(
  source: FinalReadSource,
  clock: Clock,
  opts: FinalReadOptions,
): Promise<FinalReadResult> {
  const interval = opts.intervalMs ?? 200;
  const deadline = clock.now() + opts.timeoutMs;
  let prev: { key: string; scan: ScanResult; leader: string } | undefined;
  let reads = 0;
  let stable = false;
  let lastError = 'no leader found';

  for (;;) {
    try {
      const leader = await source.leader();
      if (leader !== null) {
        const scan = normalise(await source.scanAll(leader, false));
        reads++;
        const key = keyOf(scan);
        if (prev && prev.key === key) {
          prev = { key, scan, leader };
          stable = true;
          break;
        }
        prev = { key, scan, leader };
      } else {
        lastError = 'no leader found';
      }
    } catch (e) {
      lastError = (e as Error)?.message ?? String(e);
    }
    if (clock.now() + interval >= deadline) break;
    await sleep(interval);
  }
  if (!prev) {
    throw new FinalReadError(`final read failed within ${opts.timeoutMs} ms: ${lastError}`);
  }

  const settleEnd = Math.min(deadline, clock.now() + (opts.checksumSettleMs ?? 5000));
  let checksums: Record<string, string | null>;
  let agree: boolean;
  for (;;) {
    checksums = await readChecksums(source);
    const values = Object.values(checksums).filter((c): c is string => c !== null);
    agree = values.length > 0 && values.every((c) => c === values[0]);
    if ((agree && values.length === source.nodes().length) || clock.now() + interval >= settleEnd) break;
    await sleep(interval);
  }

  const { scan } = prev;
  return {
    ids: [...scan.vertices, ...scan.edges.map((e) => e.id)],
    vertices: scan.vertices,
    edges: scan.edges,
    checksums,
    t: clock.now(),
    stable,
    reads,
    leader: prev.leader,
    checksumsAgree: agree,
  };
}

async function readChecksums(source: FinalReadSource): Promise<Record<string, string | null>> {
  const nodes = source.nodes();
  const values = await Promise.all(nodes.map((n) => source.checksum(n).catch(() => null)));
  const out: Record<string, string | null> = {};
  nodes.forEach((n, i) => (out[n] = values[i] ?? null));
  return out;
}

function normalise(s: ScanResult): ScanResult {
  return {
    vertices: [...s.vertices].sort(),
    edges: [...s.edges].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

function keyOf(s: ScanResult): string {
  let k = s.vertices.join('\n') + '\n--\n';
  for (const e of s.edges) k += `${e.id} ${e.from} ${e.to}\n`;
  return k;
}
