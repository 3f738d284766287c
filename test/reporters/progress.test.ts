import { describe, expect, it } from 'vitest';
import { createProgress, type ProgressSnapshot } from '../../src/reporters/progress.js';

const snap = (elapsedS: number, over: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  phase: 'fault',
  elapsedS,
  opsPerS: 120.4,
  errorRate: 0.052,
  leader: 'n2',
  activeFaults: ['f1'],
  ...over,
});

function harness(tty: boolean) {
  let t = 0;
  const out: string[] = [];
  const p = createProgress({ tty, write: (s) => out.push(s), now: () => t });
  return { p, out, advance: (ms: number) => (t += ms) };
}

describe('progress', () => {
  it('plain output: timestamped lines at most once per second, plus every event', () => {
    const { p, out, advance } = harness(false);
    p.update(snap(12.3));
    advance(300);
    p.update(snap(12.6)); // suppressed
    p.event('fault f1 applied: kill n1');
    advance(800);
    p.update(snap(13.4));
    p.done();
    expect(out).toEqual([
      '[  12.3s] phase=fault ops/s=120 errors=5.2% leader=n2 faults=f1\n',
      '[  12.6s] fault f1 applied: kill n1\n',
      '[  13.4s] phase=fault ops/s=120 errors=5.2% leader=n2 faults=f1\n',
    ]);
  });

  it('plain output flushes the last suppressed snapshot on done', () => {
    const { p, out, advance } = harness(false);
    p.update(snap(1));
    advance(100);
    p.update(snap(1.1, { leader: null, activeFaults: [] }));
    p.done();
    expect(out.at(-1)).toBe('[   1.1s] phase=fault ops/s=120 errors=5.2% leader=none\n');
    p.event('after done');
    expect(out).toHaveLength(2);
  });

  it('tty: one line redrawn in place, at most ~4 times per second; events above it', () => {
    const { p, out, advance } = harness(true);
    for (let i = 0; i < 10; i++) {
      p.update(snap(i / 10));
      advance(100);
    }
    // 10 updates over 1 s, one every 100 ms: drawn at 0, 300, 600, 900 ms
    expect(out).toHaveLength(4);
    expect(out.every((s) => s.startsWith('\r\x1b[2K') && !s.includes('\n'))).toBe(true);
    p.event('healed f1');
    // eslint-disable-next-line no-control-regex -- the terminal's clear-line sequence
    expect(out.at(-2)).toMatch(/^\r\x1b\[2K\[\s+1\.\ds\] healed f1\n$/);
    // eslint-disable-next-line no-control-regex -- the terminal's clear-line sequence
    expect(out.at(-1)).toMatch(/^\r\x1b\[2K\[\s+0\.9s\] phase=fault/);
    p.done();
    expect(out.at(-1)!.endsWith('\n')).toBe(true);
  });
});
