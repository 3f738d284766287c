// Fault bands (confirmation -> heal) through every panel, behind the data, with a lighter
// band while the fault was requested but not yet confirmed; and the faults' labels on
// their own row.

import type { DrillResult } from '../../../core/result.js';
import { humanDuration } from '../../../core/format.js';
import { esc, n1 } from '../svg.js';
import { COLORS, PANEL_BOTTOM, PANEL_TOP, placer, ROW_FAULTS, type TimeAxis } from './layout.js';

export function faultBands(r: DrillResult, { span, clampX }: TimeAxis): string[] {
  const out: string[] = [];
  const height = PANEL_BOTTOM - PANEL_TOP;
  out.push('<g class="fault-bands">');
  for (const f of r.faults) {
    const start = f.confirmed_s ?? f.requested_s;
    const end = f.healed_s ?? span;
    const title =
      `${f.id}: ${f.kind} on ${f.nodes.join(', ') || '?'}; requested ${f.requested_s.toFixed(2)} s, in effect ` +
      `${f.confirmed_s === null ? 'never confirmed' : `${f.confirmed_s.toFixed(2)} s`}, ` +
      `${f.healed_s === null ? 'not healed' : `healed ${f.healed_s.toFixed(2)} s`} (${f.mechanism})`;
    out.push(`<g class="fault-band" data-fault="${esc(f.id)}"><title>${esc(title)}</title>`);
    if (f.confirmed_s !== null && f.confirmed_s > f.requested_s) {
      const width = Math.max(1, clampX(f.confirmed_s) - clampX(f.requested_s));
      out.push(
        `<rect class="fault-injecting" x="${n1(clampX(f.requested_s))}" y="${PANEL_TOP}" width="${n1(width)}" ` +
          `height="${height}" fill="${COLORS.fault}" opacity="0.06"/>`,
      );
    }
    out.push(
      `<rect x="${n1(clampX(start))}" y="${PANEL_TOP}" width="${n1(Math.max(1, clampX(end) - clampX(start)))}" ` +
        `height="${height}" fill="${COLORS.fault}" opacity="${f.disruptive ? 0.12 : 0.07}"/>`,
    );
    out.push(
      `<line x1="${n1(clampX(start))}" x2="${n1(clampX(start))}" y1="${ROW_FAULTS - 12}" y2="${PANEL_BOTTOM}" ` +
        `stroke="${COLORS.fault}" stroke-width="1.5"/>`,
    );
    if (f.healed_s !== null)
      out.push(
        `<line x1="${n1(clampX(end))}" x2="${n1(clampX(end))}" y1="${PANEL_TOP}" y2="${PANEL_BOTTOM}" ` +
          `stroke="${COLORS.fault}" stroke-dasharray="4 3"/>`,
      );
    out.push('</g>');
  }
  out.push('</g>');
  return out;
}

export function faultLabels(r: DrillResult, { clampX }: TimeAxis): string[] {
  const out: string[] = [];
  const place = placer();
  out.push(`<g class="fault-labels" fill="${COLORS.fault}" font-weight="600">`);
  for (const f of r.faults) {
    const start = f.confirmed_s ?? f.requested_s;
    const healed = f.healed_s === null ? '' : ` → healed ${humanDuration(f.healed_s - start)} later`;
    const text = `⚡ ${f.id}: ${f.kind} ${f.nodes.join(',')}${healed}`;
    out.push(`<text x="${n1(place(clampX(start) + 4, text))}" y="${ROW_FAULTS}">${esc(text)}</text>`);
  }
  out.push('</g>');
  return out;
}
