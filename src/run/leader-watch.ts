// Polls the target for its leader on the harness clock and records every change: the
// timeline the RTO phases (detection, leader change) and the leader-change count use.

import type { Clock } from '../core/clock.js';
import type { RoleProbe } from '../targets/target.js';

export interface LeaderObservation {
  t: number;
  leader: string | null;
  /** Every node claiming leadership at that moment, when the target can tell (2+ = split brain). */
  claimants?: string[];
}

export class LeaderWatch {
  readonly timeline: LeaderObservation[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  current: string | null = null;

  constructor(
    private readonly probe: RoleProbe,
    private readonly clock: Clock,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    const tick = async () => {
      if (this.busy) return;
      this.busy = true;
      try {
        let leader: string | null;
        let claimants: string[] | undefined;
        if (this.probe.leaders) {
          claimants = await this.probe.leaders().catch(() => []);
          leader = claimants[0] ?? null;
        } else {
          leader = await this.probe.leader().catch(() => null);
        }
        const last = this.timeline.at(-1);
        const key = (c: string[] | undefined) => (c ?? []).join(',');
        if (!last || last.leader !== leader || key(last.claimants) !== key(claimants)) {
          this.timeline.push({ t: this.clock.now(), leader, ...(claimants ? { claimants } : {}) });
        }
        this.current = leader;
      } finally {
        this.busy = false;
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.intervalMs);
  }

  /** The most nodes that claimed leadership at once, and for how long (ms) two or more did. */
  splitBrain(endT: number): { max_leaders: number; seconds: number } | null {
    return splitBrainOf(this.timeline, endT);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Split brain from a leader timeline: null when the target could not list claimants. */
export function splitBrainOf(
  timeline: readonly LeaderObservation[],
  endT: number,
): { max_leaders: number; seconds: number } | null {
  if (!timeline.some((o) => o.claimants !== undefined)) return null;
  let max = 0;
  let ms = 0;
  timeline.forEach((o, i) => {
    const n = o.claimants?.length ?? 0;
    max = Math.max(max, n);
    if (n >= 2) ms += (timeline[i + 1]?.t ?? endT) - o.t;
  });
  return { max_leaders: max, seconds: ms / 1000 };
}
