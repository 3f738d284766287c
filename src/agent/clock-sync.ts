// The offset between a fault agent's monotonic clock and the harness's, measured the way NTP
// does over one request: the agent's reading `a` lies between the harness's send `t0` and
// receive `t1`, so offset = a - (t0 + t1) / 2 within +- (t1 - t0) / 2. Of several samples
// the one with the shortest round trip bounds it best. Monotonic clocks on one machine (or
// on hosts a drill's few minutes apart) drift by microseconds: one measurement per agent
// connection is enough.

export interface ClockOffset {
  /** Agent clock minus harness clock, ms. */
  offsetMs: number;
  /** The true offset lies within offsetMs +- errorMs. */
  errorMs: number;
  /** The round trip of the sample used, ms. */
  rttMs: number;
}

export interface ClockSample {
  t0: number;
  agent: number;
  t1: number;
}

/** The offset from the sample with the shortest round trip. */
export function offsetFrom(samples: readonly ClockSample[]): ClockOffset {
  if (samples.length === 0) throw new Error('clock offset: no samples');
  const best = [...samples].sort((a, b) => a.t1 - a.t0 - (b.t1 - b.t0))[0]!;
  const rtt = best.t1 - best.t0;
  return { offsetMs: best.agent - (best.t0 + best.t1) / 2, errorMs: rtt / 2, rttMs: rtt };
}

/** Measure with `n` requests (`read` answers the agent's clock, ms). */
export async function measureOffset(now: () => number, read: () => Promise<number>, n = 8): Promise<ClockOffset> {
  const samples: ClockSample[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const agent = await read();
    const t1 = now();
    samples.push({ t0, agent, t1 });
  }
  return offsetFrom(samples);
}

/** An agent instant on the harness clock. */
export function toHarness(agentMs: number, o: ClockOffset): number {
  return agentMs - o.offsetMs;
}
