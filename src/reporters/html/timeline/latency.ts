// The latency panel: every (sampled) operation at its invoke time on a log scale, coloured
// by outcome, the p50 and p99 of each slice as lines, and a marker under each lost write.

import type { Buckets } from '../buckets.js';
import type { ScatterPoint } from '../scatter.js';
import { log10, logTicks, n1, tickLabel, type Scale } from '../svg.js';
import { axisY, COLORS, LAT, LEFT, RIGHT, W, type TimeAxis } from './layout.js';

/** A line through the slices' midpoints, lifted where `pick` is null. */
function line(b: Buckets, x: Scale, y: Scale, pick: (i: number) => number | null): string {
  let d = '';
  let pen = false;
  b.buckets.forEach((bk, i) => {
    const v = pick(i);
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${n1(x((bk.t + b.widthMs / 2) / 1000))} ${n1(y(v))}`;
    pen = true;
  });
  return d;
}

export function latencyPanel(
  buckets: Buckets,
  scatter: readonly ScatterPoint[],
  lostAckS: readonly number[],
  { x }: TimeAxis,
): string[] {
  const out: string[] = [];
  const bs = buckets.buckets;
  const lats = [...scatter.map((p) => p.ms), ...bs.flatMap((b) => [b.p50 ?? 0, b.p99 ?? 0])].filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...lats, 1))));
  // Headroom above the slowest operation (timeouts sit at the client's timeout), not a whole decade.
  const hi = Math.max(...lats, lo * 10) * 1.6;
  const yLatRaw = log10(lo, hi, LAT.top + LAT.h, LAT.top);
  const yLat: Scale = (v) => Math.max(LAT.top + 1, yLatRaw(v));
  const lt = logTicks(lo, hi);
  out.push('<g class="panel latency">');
  const grid = lt.map((v) => `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${n1(yLat(v))}" y2="${n1(yLat(v))}"/>`);
  out.push(`<g stroke="${COLORS.grid}">${grid.join('')}</g>`);
  for (const [cls, width, opacity] of [
    ['ok', 2.2, 0.35],
    ['lost', 3.2, 0.85],
    ['info', 3.2, 0.8],
    ['fail', 3.2, 0.8],
  ] as const) {
    const pts = scatter.filter((p) => p.outcome === cls);
    if (pts.length === 0) continue;
    const d = pts.map((p) => `M${n1(x(p.t / 1000))} ${n1(yLat(p.ms))}h0`).join('');
    out.push(
      `<path class="scatter-${cls}" d="${d}" stroke="${COLORS[cls]}" stroke-width="${width}" ` +
        `stroke-linecap="round" stroke-opacity="${opacity}" fill="none"/>`,
    );
  }
  const series = (cls: 'p50' | 'p99'): string =>
    `<path class="series-${cls}" d="${line(buckets, x, yLat, (i) => bs[i]![cls])}" stroke="${COLORS[cls]}" ` +
    'stroke-width="1.6" fill="none"/>';
  out.push(series('p50'));
  out.push(series('p99'));
  for (const t of lostAckS) {
    const lx = n1(x(t));
    out.push(
      `<path class="lost-write" d="M${lx} ${LAT.top + LAT.h - 2}l-4 -8h8z" fill="${COLORS.lost}">` +
        `<title>lost write, acknowledged at ${t.toFixed(3)} s</title></path>`,
    );
  }
  out.push(
    axisY(
      lt.map((v) => [yLat(v), tickLabel(v)]),
      'latency (ms, log)',
      LAT,
    ),
  );
  out.push('</g>');
  return out;
}
