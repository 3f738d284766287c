// Small SVG helpers: escaping, linear and log scales, "nice" axis ticks, compact numbers.
// Plain strings, no DOM: the page is rendered on the server side of a drill and opens offline.

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A coordinate with at most one decimal: keeps the page small. */
export function n1(x: number): string {
  return String(Math.round(x * 10) / 10);
}

export type Scale = (v: number) => number;

export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Log10 scale; values below d0 are drawn at d0. */
export function log10(d0: number, d1: number, r0: number, r1: number): Scale {
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const k = l1 === l0 ? 0 : (r1 - r0) / (l1 - l0);
  return (v) => r0 + (Math.log10(Math.max(v, d0)) - l0) * k;
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 x 10^n steps). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** Powers of ten covering [lo, hi], for a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); 10 ** e <= hi * 1.0001; e++) if (10 ** e >= lo * 0.9999) out.push(10 ** e);
  return out;
}

/** A tick label: 0.25, 3, 1.5k, 2M. */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 1) return String(+v.toFixed(2));
  return String(+v.toPrecision(2));
}

/** A time-axis label in seconds or m:ss for long runs. */
export function timeLabel(s: number, spanS: number): string {
  if (spanS < 180) return `${tickLabel(s)}`;
  const m = Math.floor(s / 60);
  const r = Math.round(s - m * 60);
  return `${m}:${String(r).padStart(2, '0')}`;
}
