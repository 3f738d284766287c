// The leader lane: who the harness saw as leader over time, one colour per node, hatched
// where there was none.

import type { DrillResult } from '../../../core/result.js';
import type { LeaderObservation } from '../../../run/leader-watch.js';
import { esc, n1 } from '../svg.js';
import { COLORS, LEADER, LEFT, NODE_COLORS, type TimeAxis } from './layout.js';

/** The hatching of "no leader", defined once per SVG. */
export const NO_LEADER_PATTERN =
  '<defs><pattern id="noleader" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
  '<rect width="6" height="6" fill="#f3d6d6"/>' +
  `<line x1="0" y1="0" x2="0" y2="6" stroke="${COLORS.fault}" stroke-width="2" opacity="0.5"/></pattern></defs>`;

export function leaderLane(
  r: DrillResult,
  leaders: readonly LeaderObservation[],
  { span, clampX }: TimeAxis,
): string[] {
  const out: string[] = [];
  out.push(
    `<g class="lane leader"><text x="${LEFT - 8}" y="${LEADER.top + 14}" text-anchor="end" ` +
      `fill="${COLORS.text}">leader</text>`,
  );
  const nodeColor = (name: string) => NODE_COLORS[Math.max(0, r.target.nodes.indexOf(name)) % NODE_COLORS.length]!;
  leaders.forEach((o, i) => {
    const t0 = o.t / 1000;
    const t1 = i + 1 < leaders.length ? leaders[i + 1]!.t / 1000 : span;
    const x0 = clampX(t0);
    const w = Math.max(0.5, clampX(t1) - x0);
    const fill = o.leader === null ? 'url(#noleader)' : nodeColor(o.leader);
    const label = o.leader ?? 'no leader';
    out.push(
      `<rect x="${n1(x0)}" y="${LEADER.top}" width="${n1(w)}" height="${LEADER.h}" fill="${fill}">` +
        `<title>${esc(`${label} from ${t0.toFixed(2)} s to ${t1.toFixed(2)} s`)}</title></rect>`,
    );
    if (w > label.length * 7 + 8) {
      out.push(
        `<text x="${n1(x0 + 5)}" y="${LEADER.top + 14}" fill="${o.leader === null ? COLORS.fault : '#fff'}" ` +
          `font-weight="600">${esc(label)}</text>`,
      );
    }
  });
  out.push('</g>');
  return out;
}
