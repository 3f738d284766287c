// The library table: one row per scenario run of a `drill run <dir>` (or several files),
// the RTO/RPO table an SRE pastes into a DR review. Figures come from each run's
// result.json, read defensively (result-fields.ts), so a change in that format touches
// this file only. Rendered for the terminal (cli-table3), as Markdown (summary.md, the
// GitHub job summary) and as JSON (summary.json), written beside the run directories.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import chalkDefault, { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { ShardRecord } from '../run/shard.js';
import { at, count, num, rpoWindow, rtoText, seconds, str, verdictOf, type VerdictText } from './result-fields.js';

export interface LibraryRow {
  scenario: string;
  file: string | null;
  run_id: string | null;
  run_dir: string | null;
  /** The scenario's `expect.verdict`; a scenario without `expect` is expected to pass. */
  expected: 'pass' | 'fail';
  verdict: VerdictText;
  /** The verdict (and a machine-readable expected reason) matched: the library's own pass. */
  as_expected: boolean;
  /** How the run ended (completed, failed, aborted, interrupted). */
  status: string | null;
  rto_s: number | null;
  /** One-sided: the true recovery lies in [rto_s - rto_error_bar_s, rto_s]. */
  rto_error_bar_s: number | null;
  rpo_lost: number | null;
  rpo_window_s: number | null;
  /** Present only for runs with a restore; its rto_s may still be unknown. */
  restore: { rto_s: number | null } | null;
}

export interface LibrarySummary {
  kind: 'drill-library';
  schema_version: 1;
  created_at: string;
  runs: number;
  as_expected: number;
  rows: LibraryRow[];
  /** A sharded run (`drill run --shard K/N`): which part of which library it ran. */
  shard?: ShardRecord;
  /** A merged summary (`drill merge`): the shards it was made of, and any that were missing. */
  shards?: { total: number; found: number[]; missing: number[] };
  /** A merged summary: scenarios of the library that no run covers, and why. */
  not_run?: { key: string; file: string; name: string; shard: number; reason: string }[];
}

/** One row from a parsed result.json. */
export function libraryRow(result: unknown): LibraryRow {
  const verdict = verdictOf(at(result, 'verdict'));
  const expected = at(result, 'expect', 'verdict') === 'fail' ? 'fail' : 'pass';
  const met = at(result, 'expect', 'met');
  const restore = at(result, 'metrics', 'restore');
  const hasRestore = restore !== null && typeof restore === 'object';
  return {
    scenario: str(at(result, 'scenario', 'name')) ?? '(unnamed)',
    file: str(at(result, 'scenario', 'file')) ?? null,
    run_id: str(at(result, 'run_id')) ?? null,
    run_dir: str(at(result, 'run_dir')) ?? null,
    expected,
    verdict,
    as_expected: typeof met === 'boolean' ? met : verdict === expected,
    status: str(at(result, 'status')) ?? null,
    rto_s: num(at(result, 'metrics', 'rto_s')),
    rto_error_bar_s: num(at(result, 'metrics', 'rto_error_bar_s')),
    rpo_lost: num(at(result, 'metrics', 'rpo', 'lost')),
    rpo_window_s: rpoWindow(result),
    restore: hasRestore ? { rto_s: num(at(restore, 'rto_s')) } : null,
  };
}

export function librarySummary(results: readonly unknown[], now = new Date()): LibrarySummary {
  const rows = results.map(libraryRow);
  return {
    kind: 'drill-library',
    schema_version: 1,
    created_at: now.toISOString(),
    runs: rows.length,
    as_expected: rows.filter((r) => r.as_expected).length,
    rows,
  };
}

export const LIBRARY_COLUMNS = [
  'scenario',
  'expected',
  'verdict',
  'RTO',
  'acked writes lost',
  'RPO window',
  'restore RTO',
] as const;

/** The cells of a row, as text (the verdict cell says when it was not the expected one). */
export function rowCells(r: LibraryRow): string[] {
  const verdict = r.as_expected ? r.verdict : `${r.verdict} (UNEXPECTED)`;
  return [
    r.scenario,
    r.expected,
    r.status === 'completed' || r.status === null ? verdict : `${verdict}, ${r.status}`,
    rtoText(r.rto_s, r.rto_error_bar_s),
    count(r.rpo_lost),
    seconds(r.rpo_window_s),
    r.restore === null ? '-' : seconds(r.restore.rto_s),
  ];
}

function verdictLine(s: LibrarySummary): string {
  const bad = s.runs - s.as_expected;
  return bad === 0
    ? `${s.runs} run${s.runs === 1 ? '' : 's'}, all as expected`
    : `${s.runs} run${s.runs === 1 ? '' : 's'}, ${bad} NOT as expected`;
}

export interface TerminalOptions {
  /** Default: chalk's detected colour level (NO_COLOR / FORCE_COLOR respected by the CLI). */
  color?: boolean;
}

export function renderLibraryTerminal(s: LibrarySummary, opts: TerminalOptions = {}): string {
  const color = opts.color ?? chalkDefault.level > 0;
  const c = new Chalk({ level: color ? chalkDefault.level || 1 : 0 });
  const table = new Table({
    head: [...LIBRARY_COLUMNS],
    // One line per run, no rule between rows: a library is twenty rows.
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [], compact: true },
  });
  for (const r of s.rows) {
    const cells = rowCells(r);
    cells[2] = r.as_expected ? c.green(cells[2]!) : c.red(cells[2]!);
    table.push(cells);
  }
  const line = verdictLine(s);
  return `${table.toString()}\n${s.as_expected === s.runs ? c.bold.green(line) : c.bold.red(line)}\n`;
}

/** Markdown cells: pipes escaped, line breaks flattened. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

export function renderLibraryMarkdown(s: LibrarySummary): string {
  const rows = s.rows.map((r) => {
    const cells = rowCells(r);
    cells[2] = `${r.as_expected ? '✅' : '❌'} ${cells[2]}`;
    return cells;
  });
  const note = 'RTO (-x): the true recovery lies within x seconds before it.';
  return `${mdTable(LIBRARY_COLUMNS, rows)}\n**${verdictLine(s)}.** ${note}\n`;
}

/** summary.md and summary.json in `outDir`, beside the run directories. Returns both paths. */
export function writeLibrarySummary(s: LibrarySummary, outDir: string): { md: string; json: string } {
  const md = resolve(join(outDir, 'summary.md'));
  const json = resolve(join(outDir, 'summary.json'));
  mkdirSync(resolve(outDir), { recursive: true });
  const part = s.shard ? ` (shard ${s.shard.index} of ${s.shard.total})` : s.shards ? ' (merged shards)' : '';
  writeFileSync(md, `# drill: scenario library${part}\n\n${renderLibraryMarkdown(s)}`);
  writeFileSync(json, `${JSON.stringify(s, null, 2)}\n`);
  return { md, json };
}
