// `drill run --format github`: a Markdown job summary (verdict, thresholds table, RTO and
// RPO per scenario, then the library table) and one workflow-command annotation per
// breached threshold. In a GitHub Actions job the summary is appended to the file
// $GITHUB_STEP_SUMMARY names and the annotations go to stdout, where the runner picks them
// up; anywhere else both are printed, so the output can be checked locally.
//
// A breach the scenario expects (`expect: fail`, the library proving a flaw is caught) is
// a notice, not an error: the nightly job is red only for outcomes nobody expected.

import { appendFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { libraryRow, librarySummary, mdTable, renderLibraryMarkdown, type LibraryRow } from './library-table.js';
import {
  arr,
  at,
  availability,
  count,
  num,
  percent,
  rpoWindow,
  rtoText,
  seconds,
  str,
  verdictOf,
} from './result-fields.js';

const ICON = { pass: '✅', fail: '❌', unknown: '⚠️' } as const;

function measuredText(t: unknown): string {
  const m = at(t, 'measured');
  if (typeof m === 'boolean') return m ? 'holds' : 'violated';
  const v = num(m);
  if (v === null) return 'unknown';
  const unit = at(t, 'unit');
  if (unit === 's') return seconds(v);
  if (unit === 'ratio') return percent(v);
  return String(v);
}

/** Durable availability, and the acknowledged share beside it when they differ (acknowledgements that were lies). */
function availabilityText(result: unknown): string {
  const durable = availability(result);
  const acked = num(at(result, 'metrics', 'availability_acked'));
  if (acked === null || durable === null || Math.abs(acked - durable) < 0.0005) return percent(durable);
  return `${percent(durable)} durable (${percent(acked)} acknowledged)`;
}

function thresholdsTable(result: unknown): string {
  const ts = arr(at(result, 'thresholds'));
  if (ts.length === 0) return '_no thresholds_\n';
  const rows = ts.map((t) => {
    const v = verdictOf(at(t, 'verdict'));
    return [str(at(t, 'name')) ?? '?', str(at(t, 'limit')) ?? '?', measuredText(t), `${ICON[v]} ${v}`];
  });
  return mdTable(['threshold', 'limit', 'measured', 'verdict'], rows);
}

function figures(result: unknown, row: LibraryRow): string[] {
  const lines: string[] = [];
  const perFault = arr(at(result, 'metrics', 'rto_per_fault'))
    .map((f) => `${str(at(f, 'fault_id')) ?? '?'} ${rtoText(num(at(f, 'rto_s')), num(at(f, 'error_bar_s')))}`)
    .join(', ');
  lines.push(`**RTO** ${rtoText(row.rto_s, row.rto_error_bar_s)}${perFault ? ` (per fault: ${perFault})` : ''}`);
  lines.push(
    `**RPO** ${count(row.rpo_lost)} acknowledged write(s) lost, window ${seconds(rpoWindow(result))}; ` +
      `**availability** ${availabilityText(result)} during faults`,
  );
  if (row.restore !== null) {
    const r = at(result, 'metrics', 'restore');
    const point = str(at(r, 'point'));
    lines.push(
      `**restore** RTO ${seconds(row.restore.rto_s)}, ${count(num(at(r, 'missing_before_position')))} missing ` +
        (point
          ? `before recovery point ${point}, ${count(num(at(r, 'present_after_position')))} sent after it present, `
          : 'at or before the backup position, ') +
        `${count(num(at(r, 'lost_after_position')))} lost after it`,
    );
  }
  const exp = at(result, 'expect');
  if (exp !== undefined) {
    const reason = str(at(exp, 'reason'));
    const detail = str(at(exp, 'detail'));
    lines.push(
      `**expected** ${row.expected}${reason ? ` (${reason})` : ''}: ${row.as_expected ? 'met' : '**NOT met**'}` +
        (detail && !row.as_expected ? ` - ${detail}` : ''),
    );
  }
  const error = str(at(result, 'error'));
  if (error) lines.push(`**error** ${error}`);
  return lines;
}

/** One scenario's section: collapsed when it went as expected, open when it did not. */
export function scenarioSection(result: unknown): string {
  const row = libraryRow(result);
  const seed = num(at(result, 'seed'));
  const dur = num(at(result, 'duration_s'));
  const meta = [
    row.file ? `\`${row.file}\`` : null,
    row.run_id ? `run \`${row.run_id}\`` : null,
    seed !== null ? `seed ${seed}` : null,
    dur !== null ? `${dur.toFixed(1)} s` : null,
  ].filter((x): x is string => x !== null);
  const description = str(at(result, 'scenario', 'description'));
  const head =
    `${row.as_expected ? ICON.pass : ICON.fail} <b>${escapeHtml(row.scenario)}</b>: ${row.verdict}` +
    (row.expected === 'fail' ? ` (expected ${row.expected})` : '');
  return [
    `<details${row.as_expected ? '' : ' open'}><summary>${head}</summary>`,
    '',
    ...(description ? [`${description}`, ''] : []),
    meta.join(' · '),
    '',
    thresholdsTable(result),
    figures(result, row).join('<br>\n'),
    '',
    '</details>',
    '',
  ].join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The job summary for the runs of one `drill run`, ending with the library table. */
export function githubSummary(results: readonly unknown[]): string {
  const lib = librarySummary(results);
  const bad = lib.runs - lib.as_expected;
  const head =
    bad === 0
      ? `## ${ICON.pass} drill: ${lib.runs} run${lib.runs === 1 ? '' : 's'}, all as expected`
      : `## ${ICON.fail} drill: ${bad} of ${lib.runs} run${lib.runs === 1 ? '' : 's'} NOT as expected`;
  return [head, '', ...results.map(scenarioSection), '### Library', '', renderLibraryMarkdown(lib)].join('\n');
}

/** Workflow-command escaping (actions/toolkit: command.ts). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: 'error' | 'notice', props: Record<string, string | undefined>, message: string): string {
  const p = Object.entries(props)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${kind}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

/** One annotation per breached threshold (error, or notice when the breach was expected), plus unmet expectations. */
export function githubAnnotations(results: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const result of results) {
    const row = libraryRow(result);
    // A relative path is the repository file GitHub can point at; a bundled scenario's is not.
    const file = row.file !== null && !isAbsolute(row.file) ? row.file : undefined;
    const kind = row.as_expected ? 'notice' : 'error';
    let breaches = 0;
    for (const t of arr(at(result, 'thresholds'))) {
      if (at(t, 'verdict') !== 'fail') continue;
      breaches++;
      const name = str(at(t, 'name')) ?? '?';
      const why = str(at(t, 'reason')) ?? `measured ${measuredText(t)}, limit ${str(at(t, 'limit')) ?? '?'}`;
      const title = `drill ${row.scenario}: ${name} breached${row.as_expected ? ' (as expected)' : ''}`;
      out.push(command(kind, { file, title }, why));
    }
    if (!row.as_expected && breaches === 0) {
      const why =
        str(at(result, 'error')) ??
        str(at(result, 'expect', 'detail')) ??
        `verdict ${row.verdict}, expected ${row.expected}`;
      out.push(command('error', { file, title: `drill ${row.scenario}: not as expected` }, why));
    }
  }
  return out;
}

export interface GithubOutputOptions {
  env?: NodeJS.ProcessEnv;
  write?: (s: string) => void;
}

/**
 * Annotations to stdout; the summary appended to $GITHUB_STEP_SUMMARY when set, else
 * printed after them. Returns the summary file written, if any.
 */
export function writeGithubOutput(results: readonly unknown[], opts: GithubOutputOptions = {}): string | undefined {
  const env = opts.env ?? process.env;
  const write = opts.write ?? ((s: string) => process.stdout.write(s));
  for (const a of githubAnnotations(results)) write(`${a}\n`);
  const summary = githubSummary(results);
  const file = env['GITHUB_STEP_SUMMARY'];
  if (file) {
    appendFileSync(file, `${summary}\n`);
    return file;
  }
  write(`\n${summary}`);
  return undefined;
}
