import { appendFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RaftStateStore } from '../src/raft-state.js';
import { encodeRecord, Wal } from '../src/wal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wal-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const payload = (i: number): string =>
  JSON.stringify({ term: 1, cmd: { op: 'vertex', id: `v${i}`, label: 'x', properties: { i } } });

describe('WAL', () => {
  it('appends with group commit and recovers every entry', async () => {
    const path = join(dir, 'wal.log');
    const { wal, recovered } = await Wal.open(path, { fsync: true });
    expect(recovered.payloads).toEqual([]);
    for (let i = 1; i <= 50; i++) wal.append([payload(i)]);
    expect(wal.length).toBe(50);
    expect(wal.durableIndex).toBe(0);
    await wal.waitDurable(50);
    expect(wal.durableIndex).toBe(50);
    await wal.close();
    const again = await Wal.open(path, { fsync: true });
    expect(again.recovered.payloads).toEqual(Array.from({ length: 50 }, (_, i) => payload(i + 1)));
    expect(again.recovered.truncatedBytes).toBe(0);
    await again.wal.close();
  });

  it('detects and truncates a torn tail and a corrupt record', async () => {
    const path = join(dir, 'wal.log');
    const { wal } = await Wal.open(path, { fsync: true });
    wal.append([payload(1), payload(2), payload(3)]);
    await wal.waitDurable(3);
    await wal.close();
    const full = (await stat(path)).size;
    // Torn write: the last record lost its final 5 bytes.
    await truncate(path, full - 5);
    const r1 = await Wal.open(path, { fsync: true });
    expect(r1.recovered.payloads).toEqual([payload(1), payload(2)]);
    expect(r1.recovered.truncatedBytes).toBeGreaterThan(0);
    // The file really is cut: appends land after entry 2.
    r1.wal.append([payload(33)]);
    await r1.wal.waitDurable(3);
    await r1.wal.close();
    const r2 = await Wal.open(path, { fsync: true });
    expect(r2.recovered.payloads).toEqual([payload(1), payload(2), payload(33)]);
    await r2.wal.close();
    // Flip a byte inside the second record's payload: CRC mismatch, cut from there.
    const buf = await readFile(path);
    const secondStart = 8 + Buffer.byteLength(payload(1));
    buf[secondStart + 8 + 3] = (buf[secondStart + 8 + 3] as number) ^ 0xff;
    await writeFile(path, buf);
    await appendFile(path, Buffer.from([0, 0, 0]));
    const r3 = await Wal.open(path, { fsync: true });
    expect(r3.recovered.payloads).toEqual([payload(1)]);
    await r3.wal.close();
  });

  it('truncates a conflicting suffix (log repair) and persists the replacement', async () => {
    const path = join(dir, 'wal.log');
    const { wal } = await Wal.open(path, { fsync: false });
    wal.append([payload(1), payload(2), payload(3), payload(4)]);
    wal.truncateFrom(3); // queued behind the append: same tick
    expect(wal.length).toBe(2);
    wal.append([payload(30)]);
    await wal.waitDurable(3);
    expect(wal.durableIndex).toBe(3);
    wal.truncateFrom(2);
    expect(wal.durableIndex).toBe(1);
    wal.append([payload(20), payload(21)]);
    await wal.waitDurable(3);
    await wal.close();
    const again = await Wal.open(path, { fsync: false });
    expect(again.recovered.payloads).toEqual([payload(1), payload(20), payload(21)]);
    await again.wal.close();
  });
});

describe('WAL with fsync off (flaw switch)', () => {
  it('acknowledges at once but writes lazily: a crash before the lazy flush loses the tail', async () => {
    const path = join(dir, 'wal.log');
    const { wal } = await Wal.open(path, { fsync: false });
    wal.append([payload(1), payload(2)]);
    expect(wal.durableIndex).toBe(2);
    await wal.waitDurable(2);
    await new Promise((r) => setTimeout(r, 50));
    // A process killed now would have nothing on disk.
    expect((await stat(path)).size).toBe(0);
    const peek = await Wal.open(join(dir, 'wal.log'), { fsync: false });
    expect(peek.recovered.payloads).toEqual([]);
    await peek.wal.close();
    // A clean close writes everything.
    await wal.close();
    const again = await Wal.open(path, { fsync: true });
    expect(again.recovered.payloads).toEqual([payload(1), payload(2)]);
    await again.wal.close();
  });
});

describe('WAL with fsync off (flaw switch): a fixed flush lag', () => {
  it('never has an entry in the file before it is flushLagMs old, and writes every entry after', async () => {
    const path = join(dir, 'wal.log');
    const lag = 200;
    const { wal } = await Wal.open(path, { fsync: false, flushLagMs: lag });
    const size = encodeRecord(payload(1)).length; // every payload(i) here has the same length
    const appendedAt: number[] = [];
    const writer = (async () => {
      for (let i = 1; i <= 8; i++) {
        appendedAt.push(performance.now());
        wal.append([payload(i)]);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    let onDisk = 0;
    const deadline = performance.now() + 10_000;
    while (onDisk < 8 && performance.now() < deadline) {
      onDisk = Math.floor((await stat(path)).size / size);
      const seenAt = performance.now(); // after the stat: anything it saw was written before this
      // A write can only come late, never early: whatever is in the file is at least `lag` old.
      for (let i = 0; i < onDisk; i++) expect(seenAt - (appendedAt[i] as number)).toBeGreaterThanOrEqual(lag);
      await new Promise((r) => setTimeout(r, 5));
    }
    await writer;
    expect(onDisk).toBe(8);
    expect(wal.durableIndex).toBe(8);
    await wal.close();
    const again = await Wal.open(path, { fsync: true });
    expect(again.recovered.payloads).toEqual(Array.from({ length: 8 }, (_, i) => payload(i + 1)));
    await again.wal.close();
  });
});

describe('raft state', () => {
  it('persists term and vote atomically', () => {
    const s = new RaftStateStore(join(dir, 'state'));
    expect(s.load()).toEqual({ term: 0, votedFor: null });
    s.save({ term: 7, votedFor: 'n2' });
    expect(new RaftStateStore(join(dir, 'state')).load()).toEqual({ term: 7, votedFor: 'n2' });
    s.save({ term: 8, votedFor: null });
    expect(s.load()).toEqual({ term: 8, votedFor: null });
  });
});
