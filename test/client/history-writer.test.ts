import { mkdtemp, readFile, rm, appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/client/history.js';
import { HistoryWriter, parseHistory, readHistory } from '../../src/client/history-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-hist-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ev = (i: number): HistoryEvent[] => [
  { type: 'invoke', process: i % 3, f: 'add-edge', id: `e${i}`, node: 'n1', t: i + 0.125, from: 'v1', to: 'v2' },
  {
    type: i % 2 ? 'ok' : 'info',
    process: i % 3,
    f: 'add-edge',
    id: `e${i}`,
    node: 'n1',
    t: i + 0.5,
    ...(i % 2 ? {} : { error: 'timeout' }),
  },
];

describe('HistoryWriter', () => {
  it('round-trips events through history.jsonl and keeps them in memory', async () => {
    const path = join(dir, 'history.jsonl');
    const w = await HistoryWriter.open(path);
    const all: HistoryEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      for (const e of ev(i)) {
        w.append(e);
        all.push(e);
      }
    }
    await w.close();
    expect(w.events).toEqual(all);
    expect(await readHistory(path)).toEqual(all);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2001);
  });

  it('flushes periodically without close', async () => {
    const path = join(dir, 'history.jsonl');
    const w = await HistoryWriter.open(path, { flushIntervalMs: 50 });
    for (const e of ev(1)) w.append(e);
    await new Promise((r) => setTimeout(r, 200));
    expect(await readHistory(path)).toEqual(ev(1));
    for (const e of ev(2)) w.append(e);
    await w.close();
    expect(await readHistory(path)).toEqual([...ev(1), ...ev(2)]);
    expect(() => w.append(ev(3)[0]!)).toThrow(/after close/);
  });

  it('tolerates a truncated last line (a crashed run)', async () => {
    const path = join(dir, 'history.jsonl');
    const w = await HistoryWriter.open(path);
    for (let i = 0; i < 10; i++) for (const e of ev(i)) w.append(e);
    await w.close();
    const full = await readFile(path, 'utf8');
    const lastLineStart = full.lastIndexOf('\n', full.length - 2) + 1;
    // Cut the last line in the middle.
    await writeFile(path, full.slice(0, lastLineStart + 17));
    const got = await readHistory(path);
    expect(got).toHaveLength(19);
    expect(got).toEqual(w.events.slice(0, 19));
    // A cut right after a newline loses nothing that was complete.
    await writeFile(path, full.slice(0, lastLineStart));
    expect(await readHistory(path)).toHaveLength(19);
    // A complete last line without its newline is kept.
    await writeFile(path, full.slice(0, -1));
    expect(await readHistory(path)).toHaveLength(20);
    // Trailing partial garbage + blank lines.
    await appendFile(path, '\n{"type":"ok","pro\n\n');
    expect(await readHistory(path)).toHaveLength(20);
  });

  it('refuses corruption in the middle, naming the line', () => {
    const text = `${JSON.stringify(ev(0)[0])}\n{garbage\n${JSON.stringify(ev(0)[1])}\n`;
    expect(() => parseHistory(text, 'h.jsonl')).toThrow(/h\.jsonl:2:/);
  });

  it('in memory: keeps events, no file', async () => {
    const w = HistoryWriter.inMemory();
    for (const e of ev(0)) w.append(e);
    await w.close();
    expect(w.events).toEqual(ev(0));
    expect(w.path).toBeNull();
  });
});
