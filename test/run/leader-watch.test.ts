import { describe, expect, it } from 'vitest';
import { splitBrainOf } from '../../src/checkers/leader.js';
import type { Clock } from '../../src/core/clock.js';
import { LeaderWatch } from '../../src/run/leader-watch.js';

describe('splitBrainOf', () => {
  it('reports the most simultaneous leaders and how long two or more claimed leadership', () => {
    const timeline = [
      { t: 0, leader: 'n1', claimants: ['n1'] },
      { t: 1000, leader: 'n2', claimants: ['n2', 'n1'] },
      { t: 3500, leader: 'n2', claimants: ['n2'] },
      { t: 5000, leader: 'n3', claimants: ['n3', 'n2', 'n1'] },
    ];
    expect(splitBrainOf(timeline, 6000)).toEqual({ max_leaders: 3, seconds: 3.5 });
  });

  it('is unknown (null) for a target that cannot list leaders', () => {
    expect(splitBrainOf([{ t: 0, leader: 'n1' }], 1000)).toBeNull();
  });
});

describe('LeaderWatch', () => {
  // Defect: observations were stamped when a slow probe returned, so a detection could look
  // later than the first acknowledged write.
  it('stamps an observation with the start of its probe, its end, and the previous probe start', async () => {
    let now = 0;
    const clock: Clock = { now: () => now, originWallMs: 0 };
    let answer = 'n1';
    const probe = {
      health: async () => true,
      leader: async () => {
        now += 400; // a probe waiting on a paused node
        return answer;
      },
    };
    const w = new LeaderWatch(probe, clock, 5);
    w.start();
    await new Promise((r) => setTimeout(r, 30));
    answer = 'n2';
    const before = now;
    await new Promise((r) => setTimeout(r, 30));
    w.stop();
    const change = w.timeline.find((o) => o.leader === 'n2')!;
    expect(change.t).toBeGreaterThanOrEqual(before);
    expect(change.t_end! - change.t).toBe(400);
    expect(change.since).toBeLessThan(change.t);
    expect(w.timeline[0]).toMatchObject({ t: 0, leader: 'n1', t_end: 400 });
  });
});
