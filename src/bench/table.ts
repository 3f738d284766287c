// Benchmark figures: the one shape every benchmark reports in (bench/results.json), and
// the terminal table. A figure is either measured (a number) or explicitly "unknown" with
// the reason: an unmeasured figure is never 0.
import Table from 'cli-table3';

export interface Reference {
  /** What the reference is, in words (e.g. "plain docker run / docker rm, same run"). */
  what: string;
  value: number | 'unknown';
  unit: string;
}

export interface Figure {
  /** Benchmark the figure belongs to (overhead, rto-accuracy, ...). */
  bench: string;
  /** Stable key, e.g. overhead.boot_ratio. */
  name: string;
  /** Human label. */
  label: string;
  value: number | 'unknown';
  unit: string;
  reference: Reference | null;
  /** value / reference.value when both are numbers in the same unit; null otherwise. */
  ratio: number | null;
  /** Target in words (e.g. "<= 1.5x"); null when the figure has none. */
  target: string | null;
  /** Whether the target is met; null when there is no target or the figure is unknown. */
  met: boolean | null;
  /** Why the figure is unknown (required when value is "unknown"). */
  reason?: string;
  /** Samples, spreads, notes. */
  detail?: Record<string, unknown>;
}

export interface FigureInput {
  bench: string;
  name: string;
  label: string;
  value: number | null | undefined;
  unit: string;
  reference?: Reference | null;
  target?: { text: string; ok: (value: number, ratio: number | null) => boolean } | null;
  /** Used only when the value is unknown. */
  reason?: string;
  detail?: Record<string, unknown>;
}

const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Build a figure; a null/NaN value becomes "unknown" with a reason. */
export function figure(i: FigureInput): Figure {
  const known = typeof i.value === 'number' && Number.isFinite(i.value);
  const value: number | 'unknown' = known ? round(i.value as number) : 'unknown';
  const ref = i.reference ?? null;
  const ratio =
    known &&
    ref &&
    ref.unit === i.unit &&
    typeof ref.value === 'number' &&
    Number.isFinite(ref.value) &&
    ref.value !== 0
      ? round((i.value as number) / ref.value)
      : null;
  const f: Figure = {
    bench: i.bench,
    name: i.name,
    label: i.label,
    value,
    unit: i.unit,
    reference: ref
      ? { ...ref, value: typeof ref.value === 'number' && Number.isFinite(ref.value) ? round(ref.value) : 'unknown' }
      : null,
    ratio,
    target: i.target?.text ?? null,
    met: i.target && known ? i.target.ok(i.value as number, ratio) : null,
  };
  if (!known) f.reason = i.reason ?? 'not measured';
  if (i.detail) f.detail = i.detail;
  return f;
}

/** Every figure of a benchmark that could not run, unknown with the same reason. */
export function unknownFigures(
  bench: string,
  names: Array<{ name: string; label: string; unit: string; target?: string }>,
  reason: string,
): Figure[] {
  return names.map((n) => ({
    bench,
    name: n.name,
    label: n.label,
    value: 'unknown' as const,
    unit: n.unit,
    reference: null,
    ratio: null,
    target: n.target ?? null,
    met: null,
    reason,
  }));
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

function fmt(v: number | 'unknown', unit: string): string {
  if (v === 'unknown') return 'unknown';
  const a = Math.abs(v);
  const s = a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
  return unit === '' ? s : `${s} ${unit}`;
}

/** The terminal table of all figures. */
export function renderTable(figs: readonly Figure[]): string {
  const t = new Table({
    head: ['benchmark', 'figure', 'value', 'reference', 'ratio', 'target', 'met'],
    wordWrap: true,
    colWidths: [14, 38, 16, 30, 8, 14, 6],
    style: { head: [], border: [] },
  });
  for (const f of figs) {
    t.push([
      f.bench,
      f.label,
      f.value === 'unknown' ? `unknown: ${f.reason ?? ''}` : fmt(f.value, f.unit),
      f.reference ? `${fmt(f.reference.value, f.reference.unit)} (${f.reference.what})` : '-',
      f.ratio === null ? '-' : `${f.ratio.toFixed(2)}x`,
      f.target ?? '-',
      f.met === null ? '-' : f.met ? 'yes' : 'NO',
    ]);
  }
  return t.toString();
}
