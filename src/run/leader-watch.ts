// Polls the target for its leader on the harness clock and records every change: the
// timeline the RTO phases (detection, leader change), the leader-change count and the
// split-brain figure use.
//
// Each observation is stamped with the START of the probe that made it (a probe that waits
// on a dead or paused node can take a second; stamping its end made a detection look later
// than the first acknowledged write), with the probe's end, and with the start of the
// previous probe, the last that saw the old state: the change happened in between.

import type { Clock } from '../core/clock.js';
import type { LeaderObservation } from '../checkers/leader-phases.js';
import type { RoleProbe } from '../targets/target.js';

export type { LeaderObservation } from '../checkers/leader-phases.js';
export { splitBrainOf } from '../checkers/leader.js';

export class LeaderWatch {
  readonly timeline: LeaderObservation[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastStart: number | null = null;
  current: string | null = null;
  /** Every node claiming leadership at the last observation (targets that can tell). */
  claimants: string[] = [];

  constructor(
    private readonly probe: RoleProbe,
    private readonly clock: Clock,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    const tick = async () => {
      if (this.busy) return;
      this.busy = true;
      const t = this.clock.now();
      try {
        let leader: string | null;
        let claimants: string[] | undefined;
        if (this.probe.leaders) {
          claimants = await this.probe.leaders().catch(() => []);
          leader = claimants[0] ?? null;
        } else {
          leader = await this.probe.leader().catch(() => null);
        }
        const tEnd = this.clock.now();
        const last = this.timeline.at(-1);
        const key = (c: string[] | undefined) => (c ?? []).join(',');
        if (!last || last.leader !== leader || key(last.claimants) !== key(claimants)) {
          this.timeline.push({
            t,
            leader,
            ...(claimants ? { claimants } : {}),
            ...(this.lastStart !== null ? { since: this.lastStart } : {}),
            t_end: tEnd,
          });
        }
        this.current = leader;
        this.claimants = claimants ?? (leader ? [leader] : []);
        this.lastStart = t;
      } finally {
        this.busy = false;
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.intervalMs);
  }

  /** The leader of the latest observation made at or before `tMs` (null before the first). */
  leaderAt(tMs: number): string | null {
    let out: string | null = null;
    for (const o of this.timeline) {
      if (o.t > tMs) break;
      out = o.leader;
    }
    return out;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
