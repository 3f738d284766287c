// The scenario's `mark` steps: a dashed line through the panels and a label on the top row.

import type { DrillResult } from '../../../core/result.js';
import { esc, n1 } from '../svg.js';
import { COLORS, PANEL_BOTTOM, placer, ROW_MARKS, type TimeAxis } from './layout.js';

export function marks(r: DrillResult, { clampX }: TimeAxis): string[] {
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
  return out;
}
