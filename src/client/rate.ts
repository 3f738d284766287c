// Pacing: a closed loop with a schedule. Each of `concurrency` workers has at most one op
// in flight and owns a slot in a shared timetable:
//
//   worker w invokes at  start + w*I/concurrency,  then every I = concurrency/rate
//
// so the workers are evenly interleaved and the total offered rate is `rate`. The next
// invoke time is the previous *scheduled* time + I (not completion + I), so latency does
// not lower the rate as long as an op takes less than I. When an op takes longer, the
// worker is behind schedule; it may catch up by at most one interval: lateness beyond
// that is forgiven (the schedule slides forward) instead of being paid back as a burst.
// A burst right after a fault heals would hammer the recovering system and distort
// exactly the window RTO measures. When every op is slower than I, the worker simply
// runs closed-loop (one op after another), which is the behaviour Jepsen clients have.
//
// Times are ms on the harness monotonic clock (Clock.now()).

export class WorkerPacer {
  /** Interval between this worker's invokes, ms. */
  readonly intervalMs: number;
  private scheduled: number;

  /**
   * @param rate total target rate across all workers, ops/s (> 0; Infinity = unpaced)
   * @param concurrency number of workers sharing that rate
   * @param worker this worker's index (0-based), used to stagger the first invoke
   * @param startT the time the schedule starts (clock.now())
   */
  constructor(rate: number, concurrency: number, worker: number, startT: number) {
    validatePacing(rate, concurrency);
    this.intervalMs = rate === Infinity ? 0 : (concurrency * 1000) / rate;
    this.scheduled = startT + (worker * this.intervalMs) / concurrency;
  }

  /**
   * The scheduled time of this worker's next invoke, given that it is ready at `now`
   * (its previous op completed). Advances the schedule. Wait until the returned time
   * (if it is in the future) before invoking.
   */
  next(now: number): number {
    let s = this.scheduled;
    // Behind by more than one interval: forgive the excess (at most one catch-up op).
    if (s < now - this.intervalMs) s = now - this.intervalMs;
    this.scheduled = s + this.intervalMs;
    return s;
  }
}

export function validatePacing(rate: number, concurrency: number): void {
  if (!(rate > 0)) throw new RangeError(`rate: expected a number of ops/s > 0, got ${rate}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency: expected an integer >= 1, got ${concurrency}`);
  }
}
