import { describe, expect, it } from 'vitest';
import { WorkerPacer } from '../../src/client/rate.js';

describe('WorkerPacer', () => {
  it('staggers workers and spaces each by concurrency/rate', () => {
    // rate 100 ops/s over 4 workers: each every 40 ms, offsets 0, 10, 20, 30.
    const ps = [0, 1, 2, 3].map((w) => new WorkerPacer(100, 4, w, 1000));
    expect(ps.map((p) => p.next(1000))).toEqual([1000, 1010, 1020, 1030]);
    expect(ps[0]!.next(1001)).toBe(1040);
    expect(ps[0]!.next(1041)).toBe(1080);
  });

  it('schedules from the previous scheduled time, not the completion time', () => {
    const p = new WorkerPacer(100, 1, 0, 0); // every 10 ms
    expect(p.next(0)).toBe(0);
    expect(p.next(7)).toBe(10); // op took 7 ms: still on the 10 ms grid
    expect(p.next(16)).toBe(20);
  });

  it('catches up at most one interval after falling behind', () => {
    const p = new WorkerPacer(100, 1, 0, 0);
    expect(p.next(0)).toBe(0);
    // A 500 ms stall: the next op is one interval "late" (runs now), then the grid resumes
    // from there, not 50 back-to-back ops.
    expect(p.next(500)).toBe(490);
    expect(p.next(500.5)).toBe(500);
    expect(p.next(501)).toBe(510);
  });

  it('validates its inputs, naming the field and the value', () => {
    expect(() => new WorkerPacer(0, 1, 0, 0)).toThrow(/rate: .*got 0/);
    expect(() => new WorkerPacer(10, 1.5, 0, 0)).toThrow(/concurrency: .*got 1.5/);
  });
});
