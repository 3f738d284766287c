// The harness's single timebase. Every instant the harness records is milliseconds on
// the monotonic clock, relative to the run's origin. Container clocks are never used
// for measurements: drills skew them.

export interface Clock {
  /** Milliseconds since the run's origin, monotonic, sub-millisecond resolution. */
  now(): number;
  /** Wall-clock time (epoch ms) of the origin, for humans reading reports. */
  readonly originWallMs: number;
}

export function monotonicClock(): Clock {
  const origin = process.hrtime.bigint();
  const originWallMs = Date.now();
  return {
    originWallMs,
    now: () => Number(process.hrtime.bigint() - origin) / 1e6,
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
