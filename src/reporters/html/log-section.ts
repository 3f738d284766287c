// The node logs around each fault, one collapsible block per node (open for the faulted
// node and short excerpts), role changes and trouble highlighted.

import type { DrillResult } from '../../core/result.js';
import { at } from './figures.js';
import type { LogExcerpt } from './log-excerpts.js';
import { esc } from './svg.js';

/** Lines worth a second look: role changes and anything that sounds like trouble. */
const NOTABLE = /\brole=|\b(error|err|warn|warning|fatal|panic|torn|corrupt)\b/i;

function block(e: LogExcerpt, hit: boolean): string {
  const lines = e.lines
    .map((l) => {
      const cls = NOTABLE.test(l.text) ? ' class="hl"' : '';
      const stamp = l.t === null ? '        ' : `${l.t.toFixed(2).padStart(7)}s`;
      return `<span${cls}><span class="t">${stamp}</span> ${esc(l.text)}</span>`;
    })
    .join('\n');
  const more = e.omitted ? `, ${e.omitted} more in logs/${esc(e.node)}.log` : '';
  const count = `(${e.lines.length} line${e.lines.length === 1 ? '' : 's'}${more})`;
  return (
    `<details${hit || e.lines.length <= 12 ? ' open' : ''}><summary>${esc(e.node)}${hit ? ' — faulted node' : ''} ` +
    `<span class="note">${count}</span></summary>` +
    `<pre>${lines || '<span class="t">no log lines in this window</span>'}</pre></details>`
  );
}

export function logSection(r: DrillResult, excerpts: readonly LogExcerpt[]): string {
  if (excerpts.length === 0) return '<p class="note">No node logs, or no fault to show them around.</p>';
  const out: string[] = [
    '<p class="note">Times are seconds since the run started, from each node\'s own clock ' +
      '(a clock fault shifts them). Role changes and errors are highlighted.</p>',
  ];
  for (const f of r.faults) {
    const mine = excerpts.filter((e) => e.faultId === f.id);
    if (mine.length === 0) continue;
    out.push(
      `<h3 style="font-size:14px;margin:14px 0 6px">Around <code>${esc(f.id)}</code> ` +
        `(${esc(f.kind)} ${esc(f.nodes.join(', '))}), ${at(mine[0]!.from)} to ${at(mine[0]!.to)}</h3>`,
    );
    for (const e of mine) out.push(block(e, f.nodes.includes(e.node)));
  }
  return out.join('\n');
}
