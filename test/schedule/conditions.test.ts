import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/client/history.js';
import { RECOVERED_STREAK, RecoveryWatcher } from '../../src/schedule/conditions.js';

function write(process: number, t: number, outcome: 'ok' | 'fail' | 'info'): HistoryEvent[] {
  return [
    { type: 'invoke', process, f: 'add-vertex', id: `v${process}-${t}`, node: 'n1', t },
    { type: outcome, process, f: 'add-vertex', id: `v${process}-${t}`, node: 'n1', t: t + 1 },
  ];
}

describe('RecoveryWatcher', () => {
  it('needs a streak of ok writes invoked after the await began; a failure resets it', () => {
    const w = new RecoveryWatcher();
    w.reset(100);
    // ok writes invoked before the await do not count
    for (let i = 0; i < 10; i++) write(1, 10 + i * 2, 'ok').forEach((e) => w.observe(e));
    expect(w.recovered()).toBe(false);
    for (let i = 0; i < RECOVERED_STREAK - 1; i++) write(1, 200 + i * 2, 'ok').forEach((e) => w.observe(e));
    write(2, 300, 'info').forEach((e) => w.observe(e));
    expect(w.recovered()).toBe(false);
    for (let i = 0; i < RECOVERED_STREAK; i++) write(1, 400 + i * 2, 'ok').forEach((e) => w.observe(e));
    expect(w.recovered()).toBe(true);
  });
});
