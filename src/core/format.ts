// How reports print figures, in one place so that each report prints a given figure the
// same way every time.
// Durations come in four forms, each for its reader: to the millisecond where a number is
// compared with a limit (thresholds, terminal summary), rounded where it is read at a glance
// (the HTML page), always in seconds where a column compares runs (library table, job
// summary), and in the scenario's own compact notation where a step is described.

import type { ThresholdResult } from './result.js';

/** At most three decimals: 7.746, 0.5, 12. */
export function formatNumber(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/** Seconds to the millisecond: "250 ms" below a second, "7.746 s" above (and "0 s"). */
export function formatDuration(s: number): string {
  return s < 1 && s !== 0 ? `${formatNumber(s * 1000)} ms` : `${formatNumber(s)} s`;
}

/** Seconds rounded for reading at a glance: 850 ms, 7.75 s, 2 m 05 s. */
export function humanDuration(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${+s.toFixed(2)} s`;
  const m = Math.floor(s / 60);
  return `${m} m ${String(Math.round(s - m * 60)).padStart(2, '0')} s`;
}

/** At most `digits` decimals, trailing zeros dropped: (1.5, 2) -> "1.5". */
export function formatFixed(x: number, digits: number): string {
  return String(Number(x.toFixed(digits)));
}

/** Seconds, always in seconds, for tables that compare runs: "1.23 s", "0.012 s". */
export function formatSeconds(s: number): string {
  return `${formatFixed(s, Math.abs(s) >= 1 || s === 0 ? 2 : 3)} s`;
}

/** Milliseconds in the scenario's notation: "250ms", "1.5s". */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(3)}s` : `${ms}ms`;
}

/** A ratio as a percentage: 0.27042 -> "27.042%". */
export function formatPercent(r: number): string {
  return `${formatNumber(r * 100)}%`;
}

/** A ratio as a percentage with one decimal, for tables: 0.99512 -> "99.5%". */
export function formatPercentShort(r: number): string {
  return `${formatFixed(r * 100, 1)}%`;
}

/** A latency in ms, one decimal: "18.3 ms". */
export function formatLatency(ms: number): string {
  return `${Math.round(ms * 10) / 10} ms`;
}

/**
 * A figure not measured (null) is printed "unknown", never as 0; so is one an older
 * result.json lacks (undefined).
 */
export function orUnknown<T>(v: T | null | undefined, format: (v: T) => string): string {
  return v === null || v === undefined ? 'unknown' : format(v);
}

/** A threshold's measured value, durations in the caller's form. */
export function formatMeasured(t: ThresholdResult, duration: (s: number) => string): string {
  if (t.measured === null) return 'unknown';
  if (typeof t.measured === 'boolean') return t.measured ? 'holds' : 'violated';
  if (t.unit === 's') return duration(t.measured);
  if (t.unit === 'ratio') return formatPercent(t.measured);
  return String(t.measured);
}
