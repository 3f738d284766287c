// Write-ahead log: an append-only file of records [u32 length][u32 crc32(payload)][payload],
// payload = one log entry's JSON. On open, records are read until the first torn or corrupt
// one, and the file is truncated there (a crash mid-write leaves at most a torn tail).
//
// Appends and truncations are queued synchronously (the in-memory Raft log is authoritative)
// and flushed by a single writer: everything queued in the same tick goes out in one
// write + one fsync (group commit). durableIndex says how much of the log is on disk.
//
// fsync=false (the FSYNC=off flaw switch) behaves like a disk cache that dies with the machine:
// entries count as durable as soon as they are queued, reach the file only once they are
// flushLagMs old (or on a clean close) and are never fsynced. The lag is a fixed age, not a
// periodic flush, so that at any instant the file lacks every entry of the last flushLagMs:
// a SIGKILL always loses that tail (a periodic flush that happened just before the kill
// would lose nothing, and a drill proving the flaw would depend on luck).

import { open, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

const HEADER = 8;
const MAX_RECORD = 1 << 30;
/** Default age an entry reaches before it is written, with fsync off (FLUSH_LAG_MS). */
export const DEFAULT_FLUSH_LAG_MS = 1000;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function encodeRecord(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const buf = Buffer.allocUnsafe(HEADER + body.length);
  buf.writeUInt32BE(body.length, 0);
  buf.writeUInt32BE(crc32(body), 4);
  body.copy(buf, HEADER);
  return buf;
}

export interface Recovered {
  /** The payloads of the intact records, in order (entry i+1 is payloads[i]). */
  payloads: string[];
  /** Bytes cut off the end (a torn or corrupt tail). */
  truncatedBytes: number;
}

interface Op {
  kind: 'append' | 'truncate';
  offset: number;
  buf?: Buffer;
  /** How many entries are durable once this op (and all before it) is on disk. */
  durableLen: number;
  /** Monotonic time it was queued (fsync off: written once it is flushLagMs old). */
  queuedAt: number;
}

export interface WalOptions {
  fsync: boolean;
  /** fsync off: an entry is written to the file once it is this old (default DEFAULT_FLUSH_LAG_MS). */
  flushLagMs?: number;
}

export class Wal {
  /** Entries written (queued) so far; entry i starts at offsets[i-1]. */
  private readonly offsets: number[] = [];
  private size = 0;
  private queue: Op[] = [];
  private inflight: Op[] = [];
  private flushing = false;
  private scheduled = false;
  private closed = false;
  private durable = 0;
  private waiters: { index: number; resolve: () => void }[] = [];
  private idle: (() => void)[] = [];
  private notifyScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  /** Closing: write everything queued, whatever its age. */
  private draining = false;
  /** Called after every flush that moved durableIndex. */
  onDurable: () => void = () => {};
  /** Called when a write fails: the process cannot go on safely. */
  onFatal: (err: Error) => void = (err) => {
    throw err;
  };

  private constructor(
    private readonly fh: FileHandle,
    private readonly fsync: boolean,
    private readonly flushLagMs: number,
  ) {}

  static async open(path: string, opts: WalOptions): Promise<{ wal: Wal; recovered: Recovered }> {
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(path, 'a+').then(async (h) => {
      await h.close();
      return open(path, 'r+');
    });
    const wal = new Wal(fh, opts.fsync, opts.flushLagMs ?? DEFAULT_FLUSH_LAG_MS);
    const recovered = await wal.recover();
    return { wal, recovered };
  }

  private async recover(): Promise<Recovered> {
    const { size } = await this.fh.stat();
    const data = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await this.fh.read(data, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const payloads: string[] = [];
    let pos = 0;
    while (pos + HEADER <= read) {
      const len = data.readUInt32BE(pos);
      const crc = data.readUInt32BE(pos + 4);
      if (len === 0 || len > MAX_RECORD || pos + HEADER + len > read) break;
      const body = data.subarray(pos + HEADER, pos + HEADER + len);
      if (crc32(body) !== crc) break;
      const text = body.toString('utf8');
      try {
        JSON.parse(text);
      } catch {
        break;
      }
      payloads.push(text);
      this.offsets.push(pos);
      pos += HEADER + len;
    }
    const truncatedBytes = size - pos;
    if (truncatedBytes > 0) {
      await this.fh.truncate(pos);
      await this.fh.sync();
    }
    this.size = pos;
    this.durable = payloads.length;
    return { payloads, truncatedBytes };
  }

  get length(): number {
    return this.offsets.length;
  }

  get durableIndex(): number {
    return this.durable;
  }

  /** Queue entries (as JSON payloads) at indices length+1.. */
  append(payloads: string[]): void {
    if (this.closed || payloads.length === 0) return;
    const bufs: Buffer[] = [];
    const offset = this.size;
    for (const p of payloads) {
      const b = encodeRecord(p);
      this.offsets.push(this.size);
      this.size += b.length;
      bufs.push(b);
    }
    this.queue.push({
      kind: 'append',
      offset,
      buf: bufs.length === 1 ? (bufs[0] as Buffer) : Buffer.concat(bufs),
      durableLen: this.offsets.length,
      queuedAt: performance.now(),
    });
    if (!this.fsync) {
      this.durable = this.offsets.length;
      this.notifySoon();
    }
    this.schedule();
  }

  /** Remove entries with index >= `index` (Raft log repair). */
  truncateFrom(index: number): void {
    if (this.closed || index > this.offsets.length) return;
    const keep = Math.max(0, index - 1);
    const offset = this.offsets[keep] ?? this.size;
    this.offsets.length = keep;
    this.size = offset;
    for (const op of this.inflight) op.durableLen = Math.min(op.durableLen, keep);
    for (const op of this.queue) op.durableLen = Math.min(op.durableLen, keep);
    this.durable = Math.min(this.durable, keep);
    this.queue.push({ kind: 'truncate', offset, durableLen: keep, queuedAt: performance.now() });
    this.schedule();
  }

  /** Resolves once entries up to `index` are durable (they may have been replaced meanwhile: check). */
  waitDurable(index: number): Promise<void> {
    if (index <= this.durable || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ index, resolve }));
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    const head = this.queue[0];
    if (head === undefined) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      this.timer = null;
      void this.flush();
    };
    if (this.fsync) setImmediate(run);
    else this.timer = setTimeout(run, Math.max(0, head.queuedAt + this.flushLagMs - performance.now()));
  }

  /** The ops to write now: all of them with fsync on (or when closing), else those old enough, in order. */
  private takeDue(): Op[] {
    if (this.fsync || this.draining) return this.queue.splice(0);
    const due = performance.now() - this.flushLagMs;
    let n = 0;
    while (n < this.queue.length && (this.queue[n] as Op).queuedAt <= due) n++;
    return this.queue.splice(0, n);
  }

  private notifySoon(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      if (!this.closed) this.notify();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        const ops = this.takeDue();
        if (ops.length === 0) break;
        this.inflight = ops;
        let i = 0;
        while (i < ops.length) {
          const op = ops[i] as Op;
          if (op.kind === 'truncate') {
            await this.fh.truncate(op.offset);
            i++;
            continue;
          }
          // Merge consecutive contiguous appends into one write.
          const bufs: Buffer[] = [];
          const start = op.offset;
          let end = start;
          while (i < ops.length) {
            const o = ops[i] as Op;
            if (o.kind !== 'append' || o.offset !== end || !o.buf) break;
            bufs.push(o.buf);
            end += o.buf.length;
            i++;
          }
          const buf = bufs.length === 1 ? (bufs[0] as Buffer) : Buffer.concat(bufs);
          let written = 0;
          while (written < buf.length) {
            const { bytesWritten } = await this.fh.write(buf, written, buf.length - written, start + written);
            written += bytesWritten;
          }
        }
        if (this.fsync) await this.fh.sync();
        const last = ops[ops.length - 1] as Op;
        this.inflight = [];
        if (this.fsync) {
          this.durable = Math.min(last.durableLen, this.offsets.length);
          this.notify();
        }
      }
    } catch (err) {
      this.flushing = false;
      if (!this.closed) this.onFatal(err as Error);
      return;
    }
    this.flushing = false;
    if (this.queue.length > 0)
      this.schedule(); // fsync off: the younger entries, when they are due
    else for (const r of this.idle.splice(0)) r();
  }

  private notify(): void {
    if (this.waiters.length > 0) {
      const keep: typeof this.waiters = [];
      for (const w of this.waiters) {
        if (w.index <= this.durable) w.resolve();
        else keep.push(w);
      }
      this.waiters = keep;
    }
    this.onDurable();
  }

  /** Wait for queued writes, then close the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.scheduled = false;
    }
    this.draining = true;
    if (this.flushing || this.scheduled || this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        this.idle.push(resolve);
        if (!this.flushing) void this.flush();
      });
    }
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve();
    await this.fh.close();
  }
}
