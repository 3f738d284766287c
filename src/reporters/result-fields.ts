// Defensive reads of a parsed result.json (docs/result-json.md) for the reporters that
// summarise many runs (library table, GitHub summary). They take `unknown`, not
// DrillResult: the files may come from another drill version, and fields are added over
// time (per-fault RPO windows, a durable/raw availability split), so a missing or reshaped
// field reads as unknown instead of throwing.

import { formatFixed, formatPercentShort, formatSeconds, orUnknown } from '../core/format.js';

export function at(obj: unknown, ...path: readonly (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** A finite number, else null (unknown). */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export type VerdictText = 'pass' | 'fail' | 'unknown';

export function verdictOf(v: unknown): VerdictText {
  return v === 'pass' || v === 'fail' ? v : 'unknown';
}

/** The RPO window: the overall figure, else the worst of any per-fault list that carries window_s. */
export function rpoWindow(result: unknown): number | null {
  const overall = num(at(result, 'metrics', 'rpo', 'window_s'));
  if (overall !== null) return overall;
  const rpo = at(result, 'metrics', 'rpo');
  if (rpo === null || typeof rpo !== 'object') return null;
  const windows = Object.values(rpo)
    .flatMap((v) => arr(v))
    .map((e) => num(at(e, 'window_s')))
    .filter((w): w is number => w !== null);
  return windows.length > 0 ? Math.max(...windows) : null;
}

/** Availability during faults as a ratio: a number, or the `durable` share of a split object. */
export function availability(result: unknown): number | null {
  const a = at(result, 'metrics', 'availability');
  return num(a) ?? num(at(a, 'durable'));
}

/** Seconds for tables: "1.23 s", "0.012 s"; "unknown" for null. */
export function seconds(s: number | null): string {
  return orUnknown(s, formatSeconds);
}

/**
 * RTO with its one-sided error bar: the true recovery lies in [rto - bar, rto], so the bar
 * is printed as a minus only: "1.23 s (-0.02)".
 */
export function rtoText(rto: number | null, bar: number | null): string {
  if (rto === null) return 'unknown';
  if (bar === null || bar <= 0) return seconds(rto);
  return `${seconds(rto)} (-${bar >= 0.01 ? formatFixed(bar, 2) : String(Number(bar.toPrecision(1)))})`;
}

export function count(n: number | null): string {
  return orUnknown(n, String);
}

export function percent(r: number | null): string {
  return orUnknown(r, formatPercentShort);
}
