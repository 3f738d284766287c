// The point step's bracket on the harness clock: a restore to the point resolves writes by it,
// so the recorded bracket (whole milliseconds in result.json) must contain the real one.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.js';
import { pointBracket, runPoint } from '../../../src/schedule/backup/point.js';
import { BackupRunState, type BackupStepDeps } from '../../../src/schedule/backup/state.js';
import type { Target } from '../../../src/targets/target.js';

/** A clock that reads the given instants in turn. */
function clockOf(...ts: number[]): Clock {
  return { originWallMs: 0, now: () => ts.shift() ?? 0 };
}

function deps(clock: Clock, point: () => Promise<void>): BackupStepDeps {
  const backups = { supports: { incremental: false, pointInTime: false, verify: false, points: true }, point };
  const target = { kind: 'custom', nodeNames: ['n1'], backups, leader: () => Promise.resolve('n1') };
  return {
    clock,
    target: target as unknown as Target,
    recovery: undefined as never,
    signal: new AbortController().signal,
    state: new BackupRunState(),
  };
}

describe('point step', () => {
  it('records the bracket rounded outwards to whole milliseconds, and resolves it exactly', async () => {
    const d = deps(clockOf(12559.6, 12560.2), () => Promise.resolve());
    await runPoint({ kind: 'point', name: 'p1' }, d);
    const rec = d.state.points[0]!;
    expect(rec).toMatchObject({ name: 'p1', node: 'n1', status: 'made', t_request_s: 12.559, t_made_s: 12.561 });
    // A write acknowledged at 12559.8 ms came after the request: it must not count as before the point.
    const b = pointBracket(rec)!;
    expect(b).toEqual({ start: 12559, end: 12561 });
    expect(b.start).toBeLessThanOrEqual(12559.6);
    expect(b.end).toBeGreaterThanOrEqual(12560.2);
  });

  it("keeps a failed point with the store's error, and no bracket", async () => {
    const d = deps(clockOf(100, 101), () => Promise.reject(new Error('ERROR: must be superuser')));
    await expect(runPoint({ kind: 'point', name: 'p1' }, d)).rejects.toThrow('must be superuser');
    const rec = d.state.points[0]!;
    expect(rec).toMatchObject({ status: 'failed', t_made_s: null, error: 'ERROR: must be superuser' });
    expect(pointBracket(rec)).toBeNull();
  });
});
