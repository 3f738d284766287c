// How the page prints figures: durations rounded for reading at a glance, moments on the
// run's timeline to the hundredth of a second, and "unknown" for what was not measured.

import { formatLatency, formatMeasured, formatPercent, humanDuration, orUnknown } from '../../core/format.js';
import type { ThresholdResult } from '../../core/result.js';

export const sec = (s: number | null | undefined): string => orUnknown(s ?? null, humanDuration);
/** A moment, seconds since the run's origin. */
export const at = (s: number | null): string => (s === null ? '—' : `${s.toFixed(2)} s`);
export const pct = (r: number | null): string => orUnknown(r, formatPercent);
export const ms = (x: number | null): string => orUnknown(x, formatLatency);
export const measured = (t: ThresholdResult): string => formatMeasured(t, humanDuration);
