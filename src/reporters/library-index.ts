// index.html of a merged library (`drill merge`): the library table with a link to each
// run's own report.html, the shards it was made of, and, in red at the top, any shard or
// scenario that is missing. Self-contained like the run report (inline style, no script).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CSS } from './html/style.js';
import { esc } from './html/svg.js';
import { LIBRARY_COLUMNS, rowCells, type LibrarySummary } from './library-table.js';

export interface IndexExtras {
  /** Link (relative to index.html) to each row's report, by row position; null when the run has none. */
  links: readonly (string | null)[];
  /** Shard of each row, by position; null when unknown. */
  shardOf: readonly (number | null)[];
  notRun: readonly { name: string; file: string; reason: string }[];
  unreadable: readonly string[];
}

const EXTRA_CSS = [
  '.problems{background:#fff;border:1px solid var(--fail);box-shadow:inset 4px 0 0 var(--fail);',
  'border-radius:8px;padding:10px 14px;margin-top:16px}.problems li{margin:2px 0}',
].join('');

function headline(s: LibrarySummary, problems: number): { text: string; cls: string } {
  const bad = s.runs - s.as_expected;
  if (problems > 0) return { text: 'INCOMPLETE', cls: 'unknown' };
  return bad === 0 ? { text: 'AS EXPECTED', cls: 'pass' } : { text: `${bad} NOT AS EXPECTED`, cls: 'fail' };
}

export function renderLibraryIndex(s: LibrarySummary, x: IndexExtras): string {
  const problems = [
    ...(s.shards?.missing ?? []).map((i) => `shard ${i}/${s.shards!.total}: no results (its job did not finish)`),
    ...x.notRun.map((n) => `${n.name} (${n.file}): not run: ${n.reason}`),
    ...x.unreadable.map((f) => `${f}: unreadable`),
  ];
  const head = headline(s, problems.length);
  const found = s.shards?.found.map((i) => `${i}/${s.shards!.total}`).join(', ') || 'none';
  const shardLine = s.shards
    ? `${s.shards.found.length} of ${s.shards.total} shards (${found})`
    : 'runs merged as found (no shard summaries)';
  const rows = s.rows.map((r, i) => {
    const cells = rowCells(r).map((c, j) => `<td${j >= 3 ? ' class="num"' : ''}>${esc(c)}</td>`);
    cells[2] = `<td class="${r.as_expected ? 'pass' : 'fail'}">${esc(rowCells(r)[2]!)}</td>`;
    const link = x.links[i];
    const shard = x.shardOf[i];
    return (
      `<tr>${cells.join('')}<td class="num">${shard === null || shard === undefined ? '-' : shard}</td>` +
      `<td>${link ? `<a href="${esc(link)}">report</a>` : '-'}</td></tr>`
    );
  });
  const body = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>drill library: ${esc(head.text.toLowerCase())}</title><style>${CSS}${EXTRA_CSS}</style></head><body><main>`,
    `<header><span class="verdict ${head.cls}">${esc(head.text)}</span><div><h1>drill: scenario library</h1>`,
    `<p class="sub">${s.runs} run${s.runs === 1 ? '' : 's'}, ${s.as_expected} as expected; ${esc(shardLine)}; `,
    `merged ${esc(s.created_at)}</p></div></header>`,
    problems.length > 0
      ? '<div class="problems"><strong>Missing from this merge</strong><ul>' +
        `${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`
      : '',
    '<h2>Runs</h2><table><thead><tr>',
    [...LIBRARY_COLUMNS, 'shard', 'report'].map((c) => `<th>${esc(c)}</th>`).join(''),
    `</tr></thead><tbody>${rows.join('')}</tbody></table>`,
    '<p class="note">RTO (-x): the true recovery lies within x seconds before it. ' +
      "Each report link opens the run's own page.</p>",
    '</main></body></html>',
  ];
  return `${body.join('\n')}\n`;
}

export function writeLibraryIndex(s: LibrarySummary, x: IndexExtras, outDir: string): string {
  mkdirSync(resolve(outDir), { recursive: true });
  const file = resolve(join(outDir, 'index.html'));
  writeFileSync(file, renderLibraryIndex(s, x));
  return file;
}
