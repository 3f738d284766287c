// The timeline's legend: what each colour and line stands for, and how operations are
// counted and sampled.

import { COLORS } from './timeline-svg.js';

export function legend(widthMs: number, sampled: string): string {
  const sw = (c: string, cls = '') => `<i class="sw${cls}" style="background:${c}"></i>`;
  const item = (swatch: string, text: string) => `<span>${swatch}${text}</span>`;
  const rows = [
    [
      item(sw(COLORS.ok), 'ok'),
      item(sw(COLORS.lost), 'acknowledged, then lost'),
      item(sw(COLORS.info), 'info (outcome unknown, e.g. timeout)'),
      item(sw(COLORS.fail), 'fail (certainly not applied)'),
    ],
    [
      item(sw(COLORS.p50, ' line'), `p50 latency / ${widthMs} ms`),
      item(sw(COLORS.p99, ' line'), `p99 latency / ${widthMs} ms`),
    ],
    [
      item(sw('rgba(214,69,69,.25)'), 'fault in effect'),
      item(sw(COLORS.recovered, ' line'), 'RTO: fault → recovery'),
      item(sw(COLORS.mark, ' line'), 'mark'),
    ],
  ];
  const note =
    `<p class="note">Operations are counted by completion time in ${widthMs} ms slices; ` +
    `the scatter plots each operation at its invoke time${sampled}. Hover a band, marker or step for details.</p>`;
  return `<div class="legend">\n${rows.map((r) => r.join('')).join('\n')}\n</div>${note}`;
}
