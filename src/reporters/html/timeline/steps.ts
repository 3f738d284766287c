// The steps lane: each of the scenario's steps as a numbered box from its start to its end,
// outlined red when it failed; the description in its tooltip.

import type { DrillResult } from '../../../core/result.js';
import { esc, n1 } from '../svg.js';
import { COLORS, LEFT, STEPS, type TimeAxis } from './layout.js';

export function stepsLane(r: DrillResult, { span, clampX }: TimeAxis): string[] {
  const out: string[] = [];
  out.push(
    `<g class="lane steps"><text x="${LEFT - 8}" y="${STEPS.top + 13}" text-anchor="end" ` +
      `fill="${COLORS.text}">steps</text>`,
  );
  for (const s of r.steps) {
    const x0 = clampX(s.start_s);
    const w = Math.max(2, clampX(s.end_s ?? span) - x0);
    const failed = s.status === 'failed';
    const end = s.end_s === null ? '?' : s.end_s.toFixed(2);
    const title =
      `${s.index + 1}. ${s.description} (${s.status}, ${s.start_s.toFixed(2)}–${end} s)` +
      (s.error ? `: ${s.error}` : '');
    out.push(
      `<g class="step"><title>${esc(title)}</title><rect x="${n1(x0)}" y="${STEPS.top}" width="${n1(w)}" ` +
        `height="${STEPS.h}" rx="2" fill="${s.index % 2 ? '#dfe4ea' : '#eef1f4'}" ` +
        `stroke="${failed ? COLORS.fault : '#aab3bf'}"/>`,
    );
    if (w >= 14)
      out.push(
        `<text x="${n1(x0 + w / 2)}" y="${STEPS.top + 13}" text-anchor="middle" fill="${COLORS.text}" ` +
          `font-size="11">${s.index + 1}</text>`,
      );
    out.push('</g>');
  }
  out.push('</g>');
  return out;
}
