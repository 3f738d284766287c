// The RTO phases the harness sees through its leader watch (src/run/leader-watch.ts):
//
//   detection      the first observation after t_f of a state other than the pre-fault
//                  leader ("no leader" or another one); 0 when it had already changed at t_f
//   leader change  the first observation of a non-null leader other than the pre-fault one
//
// An observation is stamped with the start of the probe that made it (`t`) and carries the
// start of the previous probe (`since`), which still saw the old state: the change happened
// in between, and `t - since` is the phase's one-sided error bar. Phases are bounded by the
// fault's own recovery (or the next fault): a change seen later belongs to something else.
// Order is enforced where causality demands it: detection <= leader change <= first
// durable acknowledgement (a new leader acknowledged that write, so it existed by then).

export interface LeaderObservation {
  /** Harness ms: start of the probe that saw this state. */
  t: number;
  /** Leader node observed at t; null = no leader observed. */
  leader: string | null;
  /** Every node claiming leadership at that moment, when the target can tell (2+ = split brain). */
  claimants?: string[];
  /** Harness ms: start of the previous probe (the last that saw the previous state), when known. */
  since?: number;
  /** Harness ms: end of the probe that saw this state. */
  t_end?: number;
}

export interface LeaderPhases {
  detection_s: number | null;
  leader_change_s: number | null;
  /** One-sided error bars of the two phases above (the change happened up to this long before). */
  detection_bar_s: number | null;
  leader_change_bar_s: number | null;
}

const toS = (ms: number): number => Math.round(ms * 1000) / 1e6;

export function leaderPhases(
  timeline: readonly LeaderObservation[] | undefined,
  at: { tf: number; requestedT: number | null; boundT: number; firstAckT: number | null },
): LeaderPhases {
  const none: LeaderPhases = {
    detection_s: null,
    leader_change_s: null,
    detection_bar_s: null,
    leader_change_bar_s: null,
  };
  if (!timeline || timeline.length === 0) return none;
  const sorted = [...timeline].sort((a, b) => a.t - b.t);
  const { tf, boundT } = at;
  const preT = Math.min(at.requestedT ?? tf, tf);
  // Previous probe start for each observation (older files have no `since`).
  const sinceOf = (i: number): number => sorted[i]!.since ?? sorted[i - 1]?.t ?? sorted[i]!.t;

  let before: string | null = null;
  for (const o of sorted) if (o.t < preT && o.leader !== null) before = o.leader;
  let atTf: LeaderObservation | undefined;
  for (const o of sorted) if (o.t <= tf) atTf = o;

  let detection: { t: number; bar: number } | null = null;
  let change: { t: number; bar: number } | null = null;
  sorted.forEach((o, i) => {
    if (o.t < preT || sinceOf(i) >= boundT) return;
    const t = Math.max(o.t, tf);
    const bar = Math.max(0, t - Math.max(sinceOf(i), preT));
    if (detection === null && o.leader !== before && o.t > tf) detection = { t, bar };
    if (change === null && o.leader !== null && o.leader !== before) change = { t, bar };
  });
  // Already changed when the fault was confirmed (e.g. the watch saw the dead leader go
  // before the kill was confirmed): detection took no time after t_f.
  if (atTf !== undefined && atTf.t >= preT && atTf.leader !== before) detection = { t: tf, bar: 0 };
  const d = detection as { t: number; bar: number } | null;
  let c = change as { t: number; bar: number } | null;
  if (c !== null && at.firstAckT !== null && c.t > at.firstAckT) c = { t: at.firstAckT, bar: c.bar };
  let dd = d;
  if (dd !== null && c !== null && dd.t > c.t) dd = { t: c.t, bar: dd.bar };
  return {
    detection_s: dd === null ? null : toS(dd.t - tf),
    leader_change_s: c === null ? null : toS(c.t - tf),
    detection_bar_s: dd === null ? null : toS(dd.bar),
    leader_change_bar_s: c === null ? null : toS(c.bar),
  };
}
