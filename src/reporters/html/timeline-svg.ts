// The timeline: one SVG, time on the x axis (seconds since the run's origin), lanes from
// top to bottom:
//
//   marks      ▾ labels of `mark` steps
//   faults     fault names over their bands
//   RTO / RPO  bracket t_f -> t_r labelled with the RTO; the RPO to the left of t_f
//   ops        ok / info / fail operations per time slice (stacked)
//   latency    scatter of individual operations (log scale) + p50 and p99 per slice
//   leader     who the harness saw as leader, and gaps with none
//   steps      the scenario's steps, numbered
//   axis
//
// Fault bands (confirmation -> heal) run through every panel, so a reader sees at a
// glance what the faults did to throughput, latency and leadership.

import type { DrillResult } from '../../core/result.js';
import type { LeaderObservation } from '../../run/leader-watch.js';
import type { Buckets } from './buckets.js';
import type { ScatterPoint } from './scatter.js';
import { humanDuration } from '../../core/format.js';
import { esc, linear, log10, logTicks, n1, niceTicks, tickLabel, timeLabel, type Scale } from './svg.js';

export interface TimelineData {
  buckets: Buckets;
  scatter: ScatterPoint[];
  leaders: LeaderObservation[];
  /** Acknowledgement times (s) of writes lost after recovery. */
  lostAckS: number[];
}

export const COLORS = {
  ok: '#2e9e5b',
  fail: '#d64545',
  info: '#e8a33d',
  p50: '#1f5fbf',
  p99: '#7b3fb5',
  fault: '#d64545',
  recovered: '#2e9e5b',
  mark: '#6b4fbb',
  grid: '#e3e6ea',
  axis: '#5b6470',
  text: '#1d2330',
  /** Acknowledged, then lost: the client was told "ok" and the write is gone. */
  lost: '#7b1fa2',
} as const;

const NODE_COLORS = ['#4c78a8', '#54a24b', '#b279a2', '#f58518', '#72b7b2', '#9d755d', '#eeca3b', '#ff9da6', '#bab0ac'];

const W = 1200;
const LEFT = 72;
const RIGHT = 24;
const ROW_MARKS = 16;
const ROW_FAULTS = 36;
const ROW_RTO = 58;
const OPS = { top: 76, h: 170 };
const LAT = { top: 266, h: 210 };
const LEADER = { top: 488, h: 20 };
const STEPS = { top: 514, h: 18 };
const AXIS_Y = 540;
const H = 576;
const PANEL_TOP = OPS.top;
const PANEL_BOTTOM = STEPS.top + STEPS.h;

/** Greedy placement of labels on one row: a label that would overlap the previous one moves right. */
function placer(): (x: number, text: string, anchor?: 'start' | 'end') => number {
  let lastEnd = -Infinity;
  return (x, text, anchor = 'start') => {
    const w = text.length * 6.6;
    let start = anchor === 'end' ? x - w : x;
    if (start < lastEnd + 6) start = lastEnd + 6;
    start = Math.min(start, W - RIGHT - w);
    lastEnd = start + w;
    return start;
  };
}

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

function line(b: Buckets, x: Scale, y: Scale, pick: (i: number) => number | null): string {
  let d = '';
  let pen = false;
  b.buckets.forEach((bk, i) => {
    const v = pick(i);
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${n1(x((bk.t + b.widthMs / 2) / 1000))} ${n1(y(v))}`;
    pen = true;
  });
  return d;
}

export function renderTimeline(r: DrillResult, data: TimelineData): string {
  const { buckets } = data;
  const lastOp = data.scatter.reduce((m, p) => Math.max(m, p.t + p.ms), 0) / 1000;
  const span = Math.max(r.duration_s, lastOp, 1);
  const x = linear(0, span, LEFT, W - RIGHT);
  const clampX = (s: number) => Math.min(W - RIGHT, Math.max(LEFT, x(s)));
  const out: string[] = [];
  out.push(
    `<svg id="timeline" class="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Timeline of the run: operations, latency, leader, faults" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12">`,
  );
  out.push(
    `<defs><pattern id="noleader" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3d6d6"/><line x1="0" y1="0" x2="0" y2="6" stroke="${COLORS.fault}" stroke-width="2" opacity="0.5"/></pattern></defs>`,
  );

  // --- grid and x axis
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
    `<text x="${(LEFT + W - RIGHT) / 2}" y="${AXIS_Y + 34}" fill="${COLORS.text}">time since run start (${span < 180 ? 's' : 'm:ss'})</text>`,
  );
  out.push('</g>');

  // --- fault bands behind the data
  out.push('<g class="fault-bands">');
  for (const f of r.faults) {
    const start = f.confirmed_s ?? f.requested_s;
    const end = f.healed_s ?? span;
    const title = `${f.id}: ${f.kind} on ${f.nodes.join(', ') || '?'}; requested ${f.requested_s.toFixed(2)} s, in effect ${
      f.confirmed_s === null ? 'never confirmed' : `${f.confirmed_s.toFixed(2)} s`
    }, ${f.healed_s === null ? 'not healed' : `healed ${f.healed_s.toFixed(2)} s`} (${f.mechanism})`;
    out.push(`<g class="fault-band" data-fault="${esc(f.id)}"><title>${esc(title)}</title>`);
    if (f.confirmed_s !== null && f.confirmed_s > f.requested_s) {
      out.push(
        `<rect class="fault-injecting" x="${n1(clampX(f.requested_s))}" y="${PANEL_TOP}" width="${n1(Math.max(1, clampX(f.confirmed_s) - clampX(f.requested_s)))}" height="${PANEL_BOTTOM - PANEL_TOP}" fill="${COLORS.fault}" opacity="0.06"/>`,
      );
    }
    out.push(
      `<rect x="${n1(clampX(start))}" y="${PANEL_TOP}" width="${n1(Math.max(1, clampX(end) - clampX(start)))}" height="${PANEL_BOTTOM - PANEL_TOP}" fill="${COLORS.fault}" opacity="${f.disruptive ? 0.12 : 0.07}"/>`,
    );
    out.push(
      `<line x1="${n1(clampX(start))}" x2="${n1(clampX(start))}" y1="${ROW_FAULTS - 12}" y2="${PANEL_BOTTOM}" stroke="${COLORS.fault}" stroke-width="1.5"/>`,
    );
    if (f.healed_s !== null)
      out.push(
        `<line x1="${n1(clampX(end))}" x2="${n1(clampX(end))}" y1="${PANEL_TOP}" y2="${PANEL_BOTTOM}" stroke="${COLORS.fault}" stroke-dasharray="4 3"/>`,
      );
    out.push('</g>');
  }
  out.push('</g>');

  // --- fault labels
  const placeFault = placer();
  out.push(`<g class="fault-labels" fill="${COLORS.fault}" font-weight="600">`);
  for (const f of r.faults) {
    const start = f.confirmed_s ?? f.requested_s;
    const text = `⚡ ${f.id}: ${f.kind} ${f.nodes.join(',')}${f.healed_s === null ? '' : ` → healed ${humanDuration(f.healed_s - start)} later`}`;
    out.push(`<text x="${n1(placeFault(clampX(start) + 4, text))}" y="${ROW_FAULTS}">${esc(text)}</text>`);
  }
  out.push('</g>');

  // --- marks
  const placeMark = placer();
  out.push(`<g class="marks" fill="${COLORS.mark}">`);
  for (const m of r.marks) {
    const mx = clampX(m.t_s);
    const text = `▾ ${m.label}`;
    out.push(
      `<line x1="${n1(mx)}" x2="${n1(mx)}" y1="${ROW_MARKS + 4}" y2="${PANEL_BOTTOM}" stroke="${COLORS.mark}" stroke-dasharray="2 3"/>`,
    );
    out.push(
      `<text x="${n1(placeMark(mx - 4, text))}" y="${ROW_MARKS}"><title>${esc(`${m.t_s.toFixed(2)} s: ${m.label}`)}</title>${esc(text)}</text>`,
    );
  }
  out.push('</g>');

  // --- ops panel
  const opsMax = Math.max(1, buckets.maxCount);
  const yt = niceTicks(0, opsMax * 1.08, 4);
  const yOps = linear(0, Math.max(yt.at(-1)!, 1), OPS.top + OPS.h, OPS.top);
  out.push('<g class="panel ops">');
  out.push(
    `<g stroke="${COLORS.grid}">${yt.map((v) => `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${n1(yOps(v))}" y2="${n1(yOps(v))}"/>`).join('')}</g>`,
  );
  const bs = buckets.buckets;
  const okU = (i: number) => bs[i]!.ok;
  const lostU = (i: number) => bs[i]!.ok + bs[i]!.lost;
  const infoU = (i: number) => lostU(i) + bs[i]!.info;
  const failU = (i: number) => infoU(i) + bs[i]!.fail;
  out.push(
    `<path class="series-ok" d="${stackedArea(buckets, x, yOps, () => 0, okU)}" fill="${COLORS.ok}" fill-opacity="0.85"/>`,
  );
  if (bs.some((b) => b.lost > 0)) {
    out.push(
      `<path class="series-lost" d="${stackedArea(buckets, x, yOps, okU, lostU)}" fill="${COLORS.lost}" fill-opacity="0.9"/>`,
    );
  }
  out.push(
    `<path class="series-info" d="${stackedArea(buckets, x, yOps, lostU, infoU)}" fill="${COLORS.info}" fill-opacity="0.9"/>`,
  );
  out.push(
    `<path class="series-fail" d="${stackedArea(buckets, x, yOps, infoU, failU)}" fill="${COLORS.fail}" fill-opacity="0.85"/>`,
  );
  out.push(
    axisY(
      yt.map((v) => [yOps(v), tickLabel(v)]),
      `ops / ${buckets.widthMs} ms`,
      OPS,
    ),
  );
  out.push('</g>');

  // --- latency panel
  const lats = [...data.scatter.map((p) => p.ms), ...bs.flatMap((b) => [b.p50 ?? 0, b.p99 ?? 0])].filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...lats, 1))));
  // Headroom above the slowest operation (timeouts sit at the client's timeout), not a whole decade.
  const hi = Math.max(...lats, lo * 10) * 1.6;
  const yLatRaw = log10(lo, hi, LAT.top + LAT.h, LAT.top);
  const yLat: Scale = (v) => Math.max(LAT.top + 1, yLatRaw(v));
  const lt = logTicks(lo, hi);
  out.push('<g class="panel latency">');
  out.push(
    `<g stroke="${COLORS.grid}">${lt.map((v) => `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${n1(yLat(v))}" y2="${n1(yLat(v))}"/>`).join('')}</g>`,
  );
  for (const [cls, width, opacity] of [
    ['ok', 2.2, 0.35],
    ['lost', 3.2, 0.85],
    ['info', 3.2, 0.8],
    ['fail', 3.2, 0.8],
  ] as const) {
    const pts = data.scatter.filter((p) => p.outcome === cls);
    if (pts.length === 0) continue;
    const d = pts.map((p) => `M${n1(x(p.t / 1000))} ${n1(yLat(p.ms))}h0`).join('');
    out.push(
      `<path class="scatter-${cls}" d="${d}" stroke="${COLORS[cls]}" stroke-width="${width}" stroke-linecap="round" stroke-opacity="${opacity}" fill="none"/>`,
    );
  }
  out.push(
    `<path class="series-p50" d="${line(buckets, x, yLat, (i) => bs[i]!.p50)}" stroke="${COLORS.p50}" stroke-width="1.6" fill="none"/>`,
  );
  out.push(
    `<path class="series-p99" d="${line(buckets, x, yLat, (i) => bs[i]!.p99)}" stroke="${COLORS.p99}" stroke-width="1.6" fill="none"/>`,
  );
  for (const t of data.lostAckS) {
    const lx = n1(x(t));
    out.push(
      `<path class="lost-write" d="M${lx} ${LAT.top + LAT.h - 2}l-4 -8h8z" fill="${COLORS.lost}"><title>lost write, acknowledged at ${t.toFixed(3)} s</title></path>`,
    );
  }
  out.push(
    axisY(
      lt.map((v) => [yLat(v), tickLabel(v)]),
      'latency (ms, log)',
      LAT,
    ),
  );
  out.push('</g>');

  // --- leader lane
  out.push(
    `<g class="lane leader"><text x="${LEFT - 8}" y="${LEADER.top + 14}" text-anchor="end" fill="${COLORS.text}">leader</text>`,
  );
  const nodeColor = (name: string) => NODE_COLORS[Math.max(0, r.target.nodes.indexOf(name)) % NODE_COLORS.length]!;
  data.leaders.forEach((o, i) => {
    const t0 = o.t / 1000;
    const t1 = i + 1 < data.leaders.length ? data.leaders[i + 1]!.t / 1000 : span;
    const x0 = clampX(t0);
    const w = Math.max(0.5, clampX(t1) - x0);
    const fill = o.leader === null ? 'url(#noleader)' : nodeColor(o.leader);
    const label = o.leader ?? 'no leader';
    out.push(
      `<rect x="${n1(x0)}" y="${LEADER.top}" width="${n1(w)}" height="${LEADER.h}" fill="${fill}"><title>${esc(`${label} from ${t0.toFixed(2)} s to ${t1.toFixed(2)} s`)}</title></rect>`,
    );
    if (w > label.length * 7 + 8) {
      out.push(
        `<text x="${n1(x0 + 5)}" y="${LEADER.top + 14}" fill="${o.leader === null ? COLORS.fault : '#fff'}" font-weight="600">${esc(label)}</text>`,
      );
    }
  });
  out.push('</g>');

  // --- steps lane
  out.push(
    `<g class="lane steps"><text x="${LEFT - 8}" y="${STEPS.top + 13}" text-anchor="end" fill="${COLORS.text}">steps</text>`,
  );
  for (const s of r.steps) {
    const x0 = clampX(s.start_s);
    const w = Math.max(2, clampX(s.end_s ?? span) - x0);
    const failed = s.status === 'failed';
    const title = `${s.index + 1}. ${s.description} (${s.status}, ${s.start_s.toFixed(2)}–${s.end_s === null ? '?' : s.end_s.toFixed(2)} s)${s.error ? `: ${s.error}` : ''}`;
    out.push(
      `<g class="step"><title>${esc(title)}</title><rect x="${n1(x0)}" y="${STEPS.top}" width="${n1(w)}" height="${STEPS.h}" rx="2" fill="${s.index % 2 ? '#dfe4ea' : '#eef1f4'}" stroke="${failed ? COLORS.fault : '#aab3bf'}"/>`,
    );
    if (w >= 14)
      out.push(
        `<text x="${n1(x0 + w / 2)}" y="${STEPS.top + 13}" text-anchor="middle" fill="${COLORS.text}" font-size="11">${s.index + 1}</text>`,
      );
    out.push('</g>');
  }
  out.push('</g>');

  // --- RTO and RPO markers
  out.push(rtoRpoMarkers(r, x, clampX));

  // panel frames last, on top
  out.push(`<g fill="none" stroke="${COLORS.axis}" stroke-width="1">`);
  for (const p of [OPS, LAT]) out.push(`<rect x="${LEFT}" y="${p.top}" width="${W - LEFT - RIGHT}" height="${p.h}"/>`);
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}

function axisY(ticks: [number, string][], title: string, p: { top: number; h: number }): string {
  const parts = [`<g class="y-axis" fill="${COLORS.axis}" text-anchor="end">`];
  for (const [y, label] of ticks) parts.push(`<text x="${LEFT - 6}" y="${n1(y + 4)}">${esc(label)}</text>`);
  const cy = p.top + p.h / 2;
  parts.push(
    `<text transform="translate(16 ${cy}) rotate(-90)" text-anchor="middle" fill="${COLORS.text}">${esc(title)}</text>`,
  );
  parts.push('</g>');
  return parts.join('');
}

function rtoRpoMarkers(r: DrillResult, x: Scale, clampX: Scale): string {
  const out: string[] = [];
  const rtoLimit = r.thresholds.find((t) => t.name === 'rto');
  const limitS = typeof rtoLimit?.limit_value === 'number' ? rtoLimit.limit_value : null;
  const y = ROW_RTO;
  for (const m of r.metrics.rto_per_fault) {
    const xf = clampX(m.t_f_s);
    out.push(`<g class="rto-marker" data-fault="${esc(m.fault_id)}">`);
    if (m.t_r_s === null || m.rto_s === null) {
      const text = `RTO unknown${m.reason ? `: ${m.reason}` : ''}`;
      out.push(
        `<title>${esc(text)}</title><text x="${n1(xf + 6)}" y="${y - 4}" fill="${COLORS.fault}" font-weight="700">${esc(text)}</text>`,
      );
      out.push('</g>');
      continue;
    }
    const xr = clampX(m.t_r_s);
    const over = limitS !== null && m.rto_s > limitS;
    const color = over ? COLORS.fault : COLORS.recovered;
    // One-sided: the true recovery lies in [RTO - bar, RTO].
    const bar = m.error_bar_s !== null ? ` (−${humanDuration(m.error_bar_s)})` : '';
    const text = `RTO ${humanDuration(m.rto_s)}${bar}${limitS !== null ? ` (limit ${humanDuration(limitS)})` : ''}`;
    out.push(
      `<title>${esc(`${m.fault_id}: fault in effect at ${m.t_f_s.toFixed(3)} s, recovered (sustained successful writes) at ${m.t_r_s.toFixed(3)} s: ${text}`)}</title>`,
    );
    // The bracket t_f -> t_r; the part beyond the limit (if any) in red, the rest green.
    const xl = limitS !== null ? clampX(m.t_f_s + limitS) : null;
    const okEnd = xl !== null && over ? xl : xr;
    out.push(
      `<line x1="${n1(xf)}" x2="${n1(okEnd)}" y1="${y + 6}" y2="${y + 6}" stroke="${COLORS.recovered}" stroke-width="3"/>`,
    );
    if (okEnd < xr)
      out.push(
        `<line class="rto-over" x1="${n1(okEnd)}" x2="${n1(xr)}" y1="${y + 6}" y2="${y + 6}" stroke="${COLORS.fault}" stroke-width="3"/>`,
      );
    out.push(
      `<line x1="${n1(xf)}" x2="${n1(xf)}" y1="${y}" y2="${y + 12}" stroke="${COLORS.recovered}" stroke-width="2.5"/>`,
    );
    out.push(`<line x1="${n1(xr)}" x2="${n1(xr)}" y1="${y}" y2="${y + 12}" stroke="${color}" stroke-width="2.5"/>`);
    out.push(
      `<line class="recovered-line" x1="${n1(xr)}" x2="${n1(xr)}" y1="${y + 12}" y2="${PANEL_BOTTOM}" stroke="${COLORS.recovered}" stroke-width="1.5" stroke-dasharray="6 3"/>`,
    );
    if (xl !== null) {
      out.push(
        `<g class="rto-limit"><title>RTO limit: ${esc(humanDuration(limitS!))} after the fault</title><line x1="${n1(xl)}" x2="${n1(xl)}" y1="${y - 1}" y2="${OPS.top + OPS.h}" stroke="${COLORS.text}" stroke-width="1.2" stroke-dasharray="3 3" opacity="0.7"/>`,
      );
      out.push(
        `<text x="${n1(xl + 3)}" y="${OPS.top + 12}" fill="${COLORS.text}" font-size="11" opacity="0.8">RTO limit</text></g>`,
      );
    }
    const mid = (xf + xr) / 2;
    const fits = text.length * 6.8 < xr - xf;
    const tx = fits ? mid : xf + 4;
    out.push(
      `<text class="rto-label" x="${n1(tx)}" y="${y - 2}" text-anchor="${fits ? 'middle' : 'start'}" fill="${color}" font-weight="700">${esc(text)}</text>`,
    );
    out.push('</g>');
  }

  // RPO: per fault, the span of acknowledged history that is gone, from the first lost
  // acknowledgement to max(t_f, the last one): before t_f for losses the fault took, after it
  // for losses acknowledged during the outage (a split brain).
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
      const title = `RPO ${w.fault_id}: ${w.lost} acknowledged writes lost, acknowledged from ${w.first_lost_ack_s} s to ${w.last_lost_ack_s} s relative to t_f; window ${humanDuration(w.window_s)}`;
      out.push(`<g class="rpo-marker"><title>${esc(title)}</title>`);
      out.push(
        `<rect x="${n1(xa)}" y="${y + 3}" width="${n1(Math.max(2, xb - xa))}" height="6" fill="${COLORS.lost}" opacity="0.8"/>`,
      );
      out.push(
        `<rect x="${n1(xa)}" y="${PANEL_TOP}" width="${n1(Math.max(1, xb - xa))}" height="${PANEL_BOTTOM - PANEL_TOP}" fill="${COLORS.lost}" opacity="0.08"/>`,
      );
      const text = `RPO ${w.fault_id}: ${w.lost} lost, window ${humanDuration(w.window_s)}`;
      out.push(
        `<text x="${n1(Math.max(LEFT + 2, xa - 8))}" y="${y + 11}" text-anchor="${xa - 8 - text.length * 6.6 < LEFT ? 'start' : 'end'}" fill="${color}" font-weight="700">${esc(text)}</text>`,
      );
      out.push('</g>');
    }
  } else if (firstF) {
    const xf = clampX(firstF.confirmed_s!);
    const text = `RPO: ${lostText}`;
    out.push(
      `<g class="rpo-marker"><title>${esc(`RPO over acknowledged writes: ${lostText}; unexpected ${rpo.unexpected ?? 'unknown'}, recovered ${rpo.recovered ?? 'unknown'}`)}</title>`,
    );
    out.push(
      `<text x="${n1(Math.max(LEFT + 2, xf - 8))}" y="${y + 11}" text-anchor="${xf - 8 - text.length * 6.6 < LEFT ? 'start' : 'end'}" fill="${color}" font-weight="700">${esc(text)}</text>`,
    );
    out.push('</g>');
  }
  void x;
  return out.join('\n');
}
