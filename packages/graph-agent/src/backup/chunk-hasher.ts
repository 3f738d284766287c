// Hashing a restore's chunks: each chunk's SHA-256 (its content address, verified before
// anything is loaded) and, for element chunks, each line's SHA-256 (the element's hash, which
// the rebuilt graph's checksum XORs). A restore spends most of its CPU here, so with large
// backups the work runs in worker threads while the main thread rebuilds the graph from the
// chunks already hashed. Small restores hash inline: a worker costs more to start than they
// take.
//
// The worker runs from the source text of hashChunk and hashWorkerMain (no file to resolve,
// in the image or under the test runner): both must only use their parameters and globals.

import { hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker, type MessagePort } from 'node:worker_threads';

/**
 * What to compute besides the chunk's own hash: `chunk` nothing (log chunks); `sum` the line
 * ends and the XOR of the line hashes (a whole snapshot, checked against its manifest's
 * checksum); `lines` also each line's hash (lines a graph loads one by one).
 */
export type HashMode = 'chunk' | 'sum' | 'lines';

export interface ChunkHashes {
  /** The chunk's bytes (moved to the worker and back). */
  data: Buffer;
  /** SHA-256 of the whole chunk, hex. */
  sha256: string;
  /** Byte offset of each line's '\n' (null in mode chunk, or when the chunk hash differs; so are the others). */
  ends: Uint32Array | null;
  /** Mode lines: 32 bytes per line (line i at 32 * i). */
  lineHashes: Uint8Array | null;
  /** The XOR of the line hashes: the chunk's share of a graph checksum. */
  xor: Uint8Array | null;
}

/** Hash a chunk and, if it is the expected one, each of its '\n'-terminated lines (see HashMode). */
export function hashChunk(
  data: Uint8Array,
  mode: HashMode,
  expected: string,
  sha: typeof hash,
): Omit<ChunkHashes, 'data'> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const whole = sha('sha256', buf, 'hex');
  if (mode === 'chunk' || whole !== expected) return { sha256: whole, ends: null, lineHashes: null, xor: null };
  let n = 0;
  for (let at = buf.indexOf(10); at >= 0; at = buf.indexOf(10, at + 1)) n++;
  const ends = new Uint32Array(n);
  const out = mode === 'lines' ? new Uint8Array(32 * n) : null;
  const xor = new Uint8Array(32);
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = buf.indexOf(10, start);
    ends[i] = end;
    // A plain view costs less to make than a Buffer (subarray), once per line.
    const d = sha('sha256', new Uint8Array(buf.buffer, buf.byteOffset + start, end - start), 'binary');
    for (let k = 0; k < 32; k++) {
      const b = d.charCodeAt(k);
      if (out) out[32 * i + k] = b;
      xor[k] = (xor[k] as number) ^ b;
    }
    start = end + 1;
  }
  return { sha256: whole, ends, lineHashes: out, xor };
}

interface Job {
  data: Uint8Array;
  mode: HashMode;
  expected: string;
}

/** The worker's program: answers each job, in order, moving the buffers back. */
export function hashWorkerMain(port: MessagePort, sha: typeof hash, run: typeof hashChunk): void {
  port.on('message', (job: Job) => {
    const r = run(job.data, job.mode, job.expected, sha);
    const moved = [job.data.buffer, r.ends?.buffer, r.lineHashes?.buffer, r.xor?.buffer].filter((b) => b);
    port.postMessage({ data: job.data, ...r }, moved as ArrayBuffer[]);
  });
}

const WORKER_SOURCE =
  `const { parentPort } = require('node:worker_threads');\n` +
  `const { hash } = require('node:crypto');\n` +
  `${hashChunk.toString()}\n` +
  `(${hashWorkerMain.toString()})(parentPort, hash, hashChunk);\n`;

/** Below this many bytes in all, a restore hashes on its own thread. */
const INLINE_BELOW_BYTES = 8 * 1024 * 1024;

interface Pending {
  resolve: (r: ChunkHashes) => void;
  reject: (e: Error) => void;
}

interface HashThread {
  worker: Worker;
  /** Jobs sent and not answered yet: a worker answers in order. */
  pending: Pending[];
}

export class ChunkHasher {
  private readonly threads: HashThread[] = [];
  private next = 0;

  /**
   * `workers`: how many threads; default: none below INLINE_BELOW_BYTES, else one per core
   * (at most 4), less `busyThreads` (1 when this thread has work of its own meanwhile).
   */
  constructor(totalBytes: number, opts: { workers?: number | undefined; busyThreads?: number } = {}) {
    const spare = Math.min(4, availableParallelism() - (opts.busyThreads ?? 0));
    const n = opts.workers ?? (totalBytes < INLINE_BELOW_BYTES ? 0 : Math.max(1, spare));
    for (let i = 0; i < n; i++) {
      const t: HashThread = { worker: new Worker(WORKER_SOURCE, { eval: true }), pending: [] };
      t.worker.on('message', (m: Omit<ChunkHashes, 'data'> & { data: Uint8Array }) => {
        t.pending.shift()?.resolve({ ...m, data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength) });
      });
      t.worker.on('error', (e) => {
        for (const p of t.pending.splice(0)) p.reject(e);
      });
      this.threads.push(t);
    }
  }

  hash(data: Buffer, mode: HashMode, expected: string): Promise<ChunkHashes> {
    const t = this.threads[this.next++ % Math.max(1, this.threads.length)];
    if (!t) return Promise.resolve({ data, ...hashChunk(data, mode, expected, hash) });
    // The buffer moves to the worker: it must own its whole ArrayBuffer (not a pooled slice).
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data);
    return new Promise((resolve, reject) => {
      t.pending.push({ resolve, reject });
      t.worker.postMessage({ data: own, mode, expected } satisfies Job, [own.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
