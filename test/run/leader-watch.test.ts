import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { LeaderWatch } from '../../src/run/leader-watch.js';

const clock: Clock = { now: () => 0, originWallMs: 0 };

describe('LeaderWatch.splitBrain', () => {
  it('reports the most simultaneous leaders and how long two or more claimed leadership', () => {
    const w = new LeaderWatch({ health: async () => true, leader: async () => null, leaders: async () => [] }, clock);
    w.timeline.push(
      { t: 0, leader: 'n1', claimants: ['n1'] },
      { t: 1000, leader: 'n2', claimants: ['n2', 'n1'] },
      { t: 3500, leader: 'n2', claimants: ['n2'] },
      { t: 5000, leader: 'n3', claimants: ['n3', 'n2', 'n1'] },
    );
    expect(w.splitBrain(6000)).toEqual({ max_leaders: 3, seconds: 3.5 });
  });

  it('is unknown (null) for a target that cannot list leaders', () => {
    const w = new LeaderWatch({ health: async () => true, leader: async () => 'n1' }, clock);
    w.timeline.push({ t: 0, leader: 'n1' });
    expect(w.splitBrain(1000)).toBeNull();
  });
});
