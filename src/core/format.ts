// How reports print figures, in one place so that the terminal summary, the thresholds'
// text, the HTML page and the step descriptions print a figure the same way each time.
// Durations come in three forms, each for its reader: to the millisecond where a number is
// compared with a limit (thresholds, terminal summary), rounded where it is read at a glance
// (the HTML page), and in the scenario's own compact notation where a step is described.

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

/** Milliseconds in the scenario's notation: "250ms", "1.5s". */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(3)}s` : `${ms}ms`;
}

/** A ratio as a percentage: 0.27042 -> "27.042%". */
export function formatPercent(r: number): string {
  return `${formatNumber(r * 100)}%`;
}

/** A latency in ms, one decimal: "18.3 ms". */
export function formatLatency(ms: number): string {
  return `${Math.round(ms * 10) / 10} ms`;
}

/** A figure not measured (null) is printed "unknown", never as 0. */
export function orUnknown<T>(v: T | null, format: (v: T) => string): string {
  return v === null ? 'unknown' : format(v);
}

/** A threshold's measured value, durations in the caller's form. */
export function formatMeasured(t: ThresholdResult, duration: (s: number) => string): string {
  if (t.measured === null) return 'unknown';
  if (typeof t.measured === 'boolean') return t.measured ? 'holds' : 'violated';
  if (t.unit === 's') return duration(t.measured);
  if (t.unit === 'ratio') return formatPercent(t.measured);
  return String(t.measured);
}
