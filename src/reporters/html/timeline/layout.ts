// The timeline's geometry and colours, shared by its lanes: a fixed 1200-unit-wide SVG
// (it scales with the page), the rows and panels from top to bottom, and the time axis.

import { esc, n1, type Scale } from '../svg.js';

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

export const NODE_COLORS = [
  '#4c78a8',
  '#54a24b',
  '#b279a2',
  '#f58518',
  '#72b7b2',
  '#9d755d',
  '#eeca3b',
  '#ff9da6',
  '#bab0ac',
];

export const W = 1200;
export const LEFT = 72;
export const RIGHT = 24;
export const ROW_MARKS = 16;
export const ROW_FAULTS = 36;
export const ROW_RTO = 58;
export const OPS = { top: 76, h: 170 };
export const LAT = { top: 266, h: 210 };
export const LEADER = { top: 488, h: 20 };
export const STEPS = { top: 514, h: 18 };
export const AXIS_Y = 540;
export const H = 576;
export const PANEL_TOP = OPS.top;
export const PANEL_BOTTOM = STEPS.top + STEPS.h;

/** The time axis every lane draws on: seconds since the run's origin over [0, span]. */
export interface TimeAxis {
  span: number;
  x: Scale;
  /** x, kept inside the plot area. */
  clampX: Scale;
}

/** Greedy placement of labels on one row: a label that would overlap the previous one moves right. */
export function placer(): (x: number, text: string, anchor?: 'start' | 'end') => number {
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

/** A panel's y axis: tick labels and its rotated title. */
export function axisY(ticks: [number, string][], title: string, p: { top: number; h: number }): string {
  const parts = [`<g class="y-axis" fill="${COLORS.axis}" text-anchor="end">`];
  for (const [y, label] of ticks) parts.push(`<text x="${LEFT - 6}" y="${n1(y + 4)}">${esc(label)}</text>`);
  const cy = p.top + p.h / 2;
  parts.push(
    `<text transform="translate(16 ${cy}) rotate(-90)" text-anchor="middle" fill="${COLORS.text}">${esc(title)}</text>`,
  );
  parts.push('</g>');
  return parts.join('');
}
