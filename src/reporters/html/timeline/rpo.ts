// RPO markers on the RTO row. Per fault, the span of acknowledged history that is gone,
// from the first lost acknowledgement to max(t_f, the last one): before t_f for losses the
// fault took, after it for losses acknowledged during the outage (a split brain). Without
// such windows, the RPO's count left of the first disruptive fault.

import { humanDuration } from '../../../core/format.js';
import type { DrillResult } from '../../../core/result.js';
import { esc, n1 } from '../svg.js';
import { COLORS, LEFT, PANEL_BOTTOM, PANEL_TOP, ROW_RTO, type TimeAxis } from './layout.js';

const y = ROW_RTO;

/** A bold label ending just left of `x0`, or starting at the left edge when it would not fit. */
function label(x0: number, text: string, color: string): string {
  const anchor = x0 - 8 - text.length * 6.6 < LEFT ? 'start' : 'end';
  return (
    `<text x="${n1(Math.max(LEFT + 2, x0 - 8))}" y="${y + 11}" text-anchor="${anchor}" fill="${color}" ` +
    `font-weight="700">${esc(text)}</text>`
  );
}

export function rpoMarkers(r: DrillResult, { clampX }: TimeAxis): string[] {
  const out: string[] = [];
  const rpo = r.metrics.rpo;
  const tfOf = (id: string): number | null => {
    if (id === 'destroy')
      return (
        (r.metrics.restore?.restores.find((x) => typeof x['t_destroy_s'] === 'number')?.['t_destroy_s'] as number) ??
        null
      );
    return r.faults.find((f) => f.id === id)?.confirmed_s ?? null;
  };
  const firstF = r.faults
    .filter((f) => f.disruptive && f.confirmed_s !== null)
    .sort((a, b) => a.confirmed_s! - b.confirmed_s!)[0];
  const lostText =
    rpo.lost === null ? `unknown (${rpo.reason ?? 'no final read'})` : rpo.lost === 0 ? '0 lost' : `${rpo.lost} lost`;
  const bad = rpo.lost === null || rpo.lost > 0;
  const color = bad ? COLORS.lost : COLORS.recovered;
  const windows = (rpo.per_fault ?? []).flatMap((w) => {
    const tf = tfOf(w.fault_id);
    return tf === null ? [] : [{ ...w, from: tf + w.first_lost_ack_s, to: tf + Math.max(0, w.last_lost_ack_s) }];
  });
  if (windows.length > 0) {
    for (const w of windows) {
      const xa = clampX(w.from);
      const xb = clampX(w.to);
      const title =
        `RPO ${w.fault_id}: ${w.lost} acknowledged writes lost, acknowledged from ${w.first_lost_ack_s} s ` +
        `to ${w.last_lost_ack_s} s relative to t_f; window ${humanDuration(w.window_s)}`;
      out.push(`<g class="rpo-marker"><title>${esc(title)}</title>`);
      out.push(
        `<rect x="${n1(xa)}" y="${y + 3}" width="${n1(Math.max(2, xb - xa))}" height="6" ` +
          `fill="${COLORS.lost}" opacity="0.8"/>`,
      );
      out.push(
        `<rect x="${n1(xa)}" y="${PANEL_TOP}" width="${n1(Math.max(1, xb - xa))}" ` +
          `height="${PANEL_BOTTOM - PANEL_TOP}" fill="${COLORS.lost}" opacity="0.08"/>`,
      );
      out.push(label(xa, `RPO ${w.fault_id}: ${w.lost} lost, window ${humanDuration(w.window_s)}`, color));
      out.push('</g>');
    }
  } else if (firstF) {
    const title =
      `RPO over acknowledged writes: ${lostText}; ` +
      `unexpected ${rpo.unexpected ?? 'unknown'}, recovered ${rpo.recovered ?? 'unknown'}`;
    out.push(`<g class="rpo-marker"><title>${esc(title)}</title>`);
    out.push(label(clampX(firstF.confirmed_s!), `RPO: ${lostText}`, color));
    out.push('</g>');
  }
  return out;
}
