// Polls the target for its leader on the harness clock and records every change: the
// timeline the RTO phases (detection, leader change) and the leader-change count use.

import type { Clock } from '../core/clock.js';
import type { RoleProbe } from '../target/target.js';

export interface LeaderObservation {
  t: number;
  leader: string | null;
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
        const leader = await this.probe.leader().catch(() => null);
        const last = this.timeline.at(-1);
        if (!last || last.leader !== leader) this.timeline.push({ t: this.clock.now(), leader });
        this.current = leader;
      } finally {
        this.busy = false;
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
