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
// glance what the faults did to throughput, latency and leadership. Each lane is drawn by
// its own module under timeline/; this one stacks them in drawing order.

import type { DrillResult } from '../../core/result.js';
import type { LeaderObservation } from '../../run/leader-watch.js';
import type { Buckets } from './buckets.js';
import type { ScatterPoint } from './scatter.js';
import { linear } from './svg.js';
import { gridAndAxis } from './timeline/axis.js';
import { faultBands, faultLabels } from './timeline/faults.js';
import { latencyPanel } from './timeline/latency.js';
import { COLORS, H, LAT, LEFT, OPS, RIGHT, W, type TimeAxis } from './timeline/layout.js';
import { leaderLane, NO_LEADER_PATTERN } from './timeline/leader.js';
import { marks } from './timeline/marks.js';
import { opsPanel } from './timeline/ops.js';
import { rpoMarkers } from './timeline/rpo.js';
import { rtoMarkers } from './timeline/rto.js';
import { stepsLane } from './timeline/steps.js';

export { COLORS };

export interface TimelineData {
  buckets: Buckets;
  scatter: ScatterPoint[];
  leaders: LeaderObservation[];
  /** Acknowledgement times (s) of writes lost after recovery. */
  lostAckS: number[];
}

export function renderTimeline(r: DrillResult, data: TimelineData): string {
  const lastOp = data.scatter.reduce((m, p) => Math.max(m, p.t + p.ms), 0) / 1000;
  const span = Math.max(r.duration_s, lastOp, 1);
  const x = linear(0, span, LEFT, W - RIGHT);
  const axis: TimeAxis = { span, x, clampX: (s) => Math.min(W - RIGHT, Math.max(LEFT, x(s))) };
  const out: string[] = [];
  out.push(
    `<svg id="timeline" class="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" ` +
      'aria-label="Timeline of the run: operations, latency, leader, faults" xmlns="http://www.w3.org/2000/svg" ' +
      `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12">`,
  );
  out.push(NO_LEADER_PATTERN);
  out.push(...gridAndAxis(axis));
  out.push(...faultBands(r, axis)); // behind the data
  out.push(...faultLabels(r, axis));
  out.push(...marks(r, axis));
  out.push(...opsPanel(data.buckets, axis));
  out.push(...latencyPanel(data.buckets, data.scatter, data.lostAckS, axis));
  out.push(...leaderLane(r, data.leaders, axis));
  out.push(...stepsLane(r, axis));
  out.push([...rtoMarkers(r, axis), ...rpoMarkers(r, axis)].join('\n'));
  // panel frames last, on top
  out.push(`<g fill="none" stroke="${COLORS.axis}" stroke-width="1">`);
  for (const p of [OPS, LAT]) out.push(`<rect x="${LEFT}" y="${p.top}" width="${W - LEFT - RIGHT}" height="${p.h}"/>`);
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}
