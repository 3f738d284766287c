// The scenario's `mark` steps: a dashed line through the panels and a label on the top row;
// and the recovery points a restore may go back to, the same way in the recovered colour.

import type { DrillResult } from '../../../core/result.js';
import { esc, n1 } from '../svg.js';
import { COLORS, PANEL_BOTTOM, placer, ROW_MARKS, type TimeAxis } from './layout.js';

export function marks(r: DrillResult, axis: TimeAxis): string[] {
  const { clampX } = axis;
  const out: string[] = [];
  const place = placer();
  out.push(`<g class="marks" fill="${COLORS.mark}">`);
  for (const m of r.marks) {
    const mx = clampX(m.t_s);
    const text = `▾ ${m.label}`;
    out.push(
      `<line x1="${n1(mx)}" x2="${n1(mx)}" y1="${ROW_MARKS + 4}" y2="${PANEL_BOTTOM}" ` +
        `stroke="${COLORS.mark}" stroke-dasharray="2 3"/>`,
    );
    out.push(
      `<text x="${n1(place(mx - 4, text))}" y="${ROW_MARKS}">` +
        `<title>${esc(`${m.t_s.toFixed(2)} s: ${m.label}`)}</title>${esc(text)}</text>`,
    );
  }
  out.push('</g>');
  out.push(...pointMarks(r, axis, place));
  return out;
}

/**
 * Recovery points (`point` steps of custom targets) on the marks row: a diamond at the
 * bracket's end (t_made_s, the instant after which writes must be absent from a restore to
 * it), with the bracket in the tooltip.
 */
function pointMarks(r: DrillResult, { clampX }: TimeAxis, place: ReturnType<typeof placer>): string[] {
  const points = r.metrics.restore?.points ?? [];
  const out: string[] = [];
  for (const p of points) {
    const made = typeof p['t_made_s'] === 'number' ? p['t_made_s'] : null;
    const asked = typeof p['t_request_s'] === 'number' ? p['t_request_s'] : null;
    if (made === null) continue;
    const px = clampX(made);
    const name = typeof p['name'] === 'string' ? p['name'] : '?';
    const text = `◆ point ${name}`;
    const requested = asked === null ? '?' : `${asked.toFixed(2)} s`;
    const tip = `recovery point ${name}: requested ${requested}, made ${made.toFixed(2)} s`;
    out.push(
      `<line x1="${n1(px)}" x2="${n1(px)}" y1="${ROW_MARKS + 4}" y2="${PANEL_BOTTOM}" ` +
        `stroke="${COLORS.recovered}" stroke-dasharray="2 3"/>`,
      `<text x="${n1(place(px - 4, text))}" y="${ROW_MARKS}" fill="${COLORS.recovered}">` +
        `<title>${esc(tip)}</title>${esc(text)}</text>`,
    );
  }
  return out.length > 0 ? ['<g class="points">', ...out, '</g>'] : [];
}
