// Fault bands (confirmation -> heal) through every panel, behind the data, with a lighter
// band while the fault was requested but not yet confirmed; and the faults' labels on
// their own row.

import type { DrillResult } from '../../../core/result.js';
import { humanDuration } from '../../../core/format.js';
import { esc, n1 } from '../svg.js';
import { COLORS, PANEL_BOTTOM, PANEL_TOP, RIGHT, ROW_FAULTS, W, type TimeAxis } from './layout.js';

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

/**
 * One label per fault on its row, left to right. A label that would have to move away from
 * its fault's line or run past the next one (faults close together) drops the heal, then
 * everything but the fault's id; the full text stays in the tooltip, and the id alone moves
 * right if even it would overlap.
 */
export function faultLabels(r: DrillResult, { clampX }: TimeAxis): string[] {
  const out: string[] = [];
  const charW = 6.6;
  const maxX = W - RIGHT;
  let lastEnd = -Infinity;
  out.push(`<g class="fault-labels" fill="${COLORS.fault}" font-weight="600">`);
  const faults = [...r.faults].sort((a, b) => (a.confirmed_s ?? a.requested_s) - (b.confirmed_s ?? b.requested_s));
  const wantOf = (f: (typeof faults)[number]) => clampX(f.confirmed_s ?? f.requested_s) + 4;
  for (const [i, f] of faults.entries()) {
    const start = f.confirmed_s ?? f.requested_s;
    const healed = f.healed_s === null ? '' : ` → healed ${humanDuration(f.healed_s - start)} later`;
    const full = `⚡ ${f.id}: ${f.kind} ${f.nodes.join(',')}${healed}`;
    const want = wantOf(f);
    // The full text must end before the next fault's line, so that the next label sits at it.
    const until = i + 1 < faults.length ? Math.min(maxX, wantOf(faults[i + 1]!) - 10) : maxX;
    const fits = (text: string) => want >= lastEnd + 6 && want + text.length * charW <= until;
    const brief = `⚡ ${f.id}: ${f.kind} ${f.nodes.join(',')}`;
    const text = [full, brief].find(fits) ?? `⚡ ${f.id}`;
    const w = text.length * charW;
    const x = Math.min(Math.max(want, lastEnd + 6), maxX - w);
    lastEnd = x + w;
    out.push(`<text x="${n1(x)}" y="${ROW_FAULTS}"><title>${esc(full)}</title>${esc(text)}</text>`);
  }
  out.push('</g>');
  return out;
}
