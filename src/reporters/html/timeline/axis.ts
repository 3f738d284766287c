// The vertical grid lines through the ops and latency panels, and the time axis below.

import { esc, n1, niceTicks, timeLabel } from '../svg.js';
import { AXIS_Y, COLORS, LAT, LEFT, PANEL_TOP, RIGHT, W, type TimeAxis } from './layout.js';

export function gridAndAxis({ span, x }: TimeAxis): string[] {
  const out: string[] = [];
  const xt = niceTicks(0, span, 12);
  out.push(`<g class="grid" stroke="${COLORS.grid}">`);
  for (const t of xt) out.push(`<line x1="${n1(x(t))}" x2="${n1(x(t))}" y1="${PANEL_TOP}" y2="${LAT.top + LAT.h}"/>`);
  out.push('</g>');
  out.push(`<g class="x-axis" fill="${COLORS.axis}" text-anchor="middle">`);
  out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${AXIS_Y}" y2="${AXIS_Y}" stroke="${COLORS.axis}"/>`);
  for (const t of xt) {
    out.push(`<line x1="${n1(x(t))}" x2="${n1(x(t))}" y1="${AXIS_Y}" y2="${AXIS_Y + 5}" stroke="${COLORS.axis}"/>`);
    out.push(`<text x="${n1(x(t))}" y="${AXIS_Y + 18}">${esc(timeLabel(t, span))}</text>`);
  }
  out.push(
    `<text x="${(LEFT + W - RIGHT) / 2}" y="${AXIS_Y + 34}" fill="${COLORS.text}">` +
      `time since run start (${span < 180 ? 's' : 'm:ss'})</text>`,
  );
  out.push('</g>');
  return out;
}
