// The ops panel: operations per time slice by outcome, stacked (ok, acknowledged then lost,
// info, fail from the bottom up).

import type { Buckets } from '../buckets.js';
import { linear, n1, niceTicks, tickLabel, type Scale } from '../svg.js';
import { axisY, COLORS, LEFT, OPS, RIGHT, W, type TimeAxis } from './layout.js';

function stackedArea(
  b: Buckets,
  x: Scale,
  y: Scale,
  lower: (i: number) => number,
  upper: (i: number) => number,
): string {
  const bs = b.buckets;
  if (bs.length === 0) return '';
  const w = b.widthMs / 1000;
  let d = `M${n1(x(bs[0]!.t / 1000))} ${n1(y(upper(0)))}`;
  bs.forEach((bk, i) => {
    const x0 = bk.t / 1000;
    if (i > 0) d += `H${n1(x(x0))}V${n1(y(upper(i)))}`;
    d += `H${n1(x(x0 + w))}`;
  });
  for (let i = bs.length - 1; i >= 0; i--) {
    const x0 = bs[i]!.t / 1000;
    d += `V${n1(y(lower(i)))}H${n1(x(x0))}`;
  }
  return `${d}Z`;
}

export function opsPanel(buckets: Buckets, { x }: TimeAxis): string[] {
  const out: string[] = [];
  const opsMax = Math.max(1, buckets.maxCount);
  const yt = niceTicks(0, opsMax * 1.08, 4);
  const yOps = linear(0, Math.max(yt.at(-1)!, 1), OPS.top + OPS.h, OPS.top);
  const area = (lower: (i: number) => number, upper: (i: number) => number) =>
    stackedArea(buckets, x, yOps, lower, upper);
  out.push('<g class="panel ops">');
  const grid = yt.map((v) => `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${n1(yOps(v))}" y2="${n1(yOps(v))}"/>`);
  out.push(`<g stroke="${COLORS.grid}">${grid.join('')}</g>`);
  const bs = buckets.buckets;
  const okU = (i: number) => bs[i]!.ok;
  const lostU = (i: number) => bs[i]!.ok + bs[i]!.lost;
  const infoU = (i: number) => lostU(i) + bs[i]!.info;
  const failU = (i: number) => infoU(i) + bs[i]!.fail;
  out.push(`<path class="series-ok" d="${area(() => 0, okU)}" fill="${COLORS.ok}" fill-opacity="0.85"/>`);
  if (bs.some((b) => b.lost > 0)) {
    out.push(`<path class="series-lost" d="${area(okU, lostU)}" fill="${COLORS.lost}" fill-opacity="0.9"/>`);
  }
  out.push(`<path class="series-info" d="${area(lostU, infoU)}" fill="${COLORS.info}" fill-opacity="0.9"/>`);
  out.push(`<path class="series-fail" d="${area(infoU, failU)}" fill="${COLORS.fail}" fill-opacity="0.85"/>`);
  out.push(
    axisY(
      yt.map((v) => [yOps(v), tickLabel(v)]),
      `ops / ${buckets.widthMs} ms`,
      OPS,
    ),
  );
  out.push('</g>');
  return out;
}
