// RTO markers on their row: per disruptive fault, a bracket from the fault in effect (t_f)
// to recovery (t_r) labelled with the RTO and its one-sided error bar; the part beyond the
// scenario's limit in red, and the limit itself as a dashed line through the ops panel.

import { humanDuration } from '../../../core/format.js';
import type { DrillResult, RtoMeasurement } from '../../../core/result.js';
import { esc, n1, type Scale } from '../svg.js';
import { COLORS, OPS, PANEL_BOTTOM, ROW_RTO, type TimeAxis } from './layout.js';

const y = ROW_RTO;

function unknownRto(m: RtoMeasurement, xf: number): string[] {
  const text = `RTO unknown${m.reason ? `: ${m.reason}` : ''}`;
  return [
    `<title>${esc(text)}</title><text x="${n1(xf + 6)}" y="${y - 4}" fill="${COLORS.fault}" font-weight="700">` +
      `${esc(text)}</text>`,
  ];
}

function limitLine(xl: number, limitS: number): string[] {
  return [
    `<g class="rto-limit"><title>RTO limit: ${esc(humanDuration(limitS))} after the fault</title>` +
      `<line x1="${n1(xl)}" x2="${n1(xl)}" y1="${y - 1}" y2="${OPS.top + OPS.h}" stroke="${COLORS.text}" ` +
      'stroke-width="1.2" stroke-dasharray="3 3" opacity="0.7"/>',
    `<text x="${n1(xl + 3)}" y="${OPS.top + 12}" fill="${COLORS.text}" font-size="11" opacity="0.8">` +
      'RTO limit</text></g>',
  ];
}

function bracket(m: RtoMeasurement & { t_r_s: number; rto_s: number }, limitS: number | null, clampX: Scale): string[] {
  const out: string[] = [];
  const xf = clampX(m.t_f_s);
  const xr = clampX(m.t_r_s);
  const over = limitS !== null && m.rto_s > limitS;
  const color = over ? COLORS.fault : COLORS.recovered;
  // One-sided: the true recovery lies in [RTO - bar, RTO].
  const bar = m.error_bar_s !== null ? ` (−${humanDuration(m.error_bar_s)})` : '';
  const text = `RTO ${humanDuration(m.rto_s)}${bar}${limitS !== null ? ` (limit ${humanDuration(limitS)})` : ''}`;
  const title =
    `${m.fault_id}: fault in effect at ${m.t_f_s.toFixed(3)} s, ` +
    `recovered (sustained successful writes) at ${m.t_r_s.toFixed(3)} s: ${text}`;
  out.push(`<title>${esc(title)}</title>`);
  // The bracket t_f -> t_r; the part beyond the limit (if any) in red, the rest green.
  const xl = limitS !== null ? clampX(m.t_f_s + limitS) : null;
  const okEnd = xl !== null && over ? xl : xr;
  const h = (cls: string, x1: number, x2: number, stroke: string) =>
    `<line${cls} x1="${n1(x1)}" x2="${n1(x2)}" y1="${y + 6}" y2="${y + 6}" stroke="${stroke}" stroke-width="3"/>`;
  const tick = (x: number, stroke: string) =>
    `<line x1="${n1(x)}" x2="${n1(x)}" y1="${y}" y2="${y + 12}" stroke="${stroke}" stroke-width="2.5"/>`;
  out.push(h('', xf, okEnd, COLORS.recovered));
  if (okEnd < xr) out.push(h(' class="rto-over"', okEnd, xr, COLORS.fault));
  out.push(tick(xf, COLORS.recovered));
  out.push(tick(xr, color));
  out.push(
    `<line class="recovered-line" x1="${n1(xr)}" x2="${n1(xr)}" y1="${y + 12}" y2="${PANEL_BOTTOM}" ` +
      `stroke="${COLORS.recovered}" stroke-width="1.5" stroke-dasharray="6 3"/>`,
  );
  if (xl !== null) out.push(...limitLine(xl, limitS!));
  const fits = text.length * 6.8 < xr - xf;
  const tx = fits ? (xf + xr) / 2 : xf + 4;
  out.push(
    `<text class="rto-label" x="${n1(tx)}" y="${y - 2}" text-anchor="${fits ? 'middle' : 'start'}" ` +
      `fill="${color}" font-weight="700">${esc(text)}</text>`,
  );
  return out;
}

export function rtoMarkers(r: DrillResult, { clampX }: TimeAxis): string[] {
  const out: string[] = [];
  const rtoLimit = r.thresholds.find((t) => t.name === 'rto');
  const limitS = typeof rtoLimit?.limit_value === 'number' ? rtoLimit.limit_value : null;
  for (const m of r.metrics.rto_per_fault) {
    out.push(`<g class="rto-marker" data-fault="${esc(m.fault_id)}">`);
    if (m.t_r_s === null || m.rto_s === null) out.push(...unknownRto(m, clampX(m.t_f_s)));
    else out.push(...bracket({ ...m, t_r_s: m.t_r_s, rto_s: m.rto_s }, limitS, clampX));
    out.push('</g>');
  }
  return out;
}
