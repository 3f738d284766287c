// The library table, from recorded result.json files (fixtures/runs, real drills) and from
// results whose shape has moved on: fields are read defensively, never trusted.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  libraryRow,
  librarySummary,
  mdTable,
  renderLibraryMarkdown,
  renderLibraryTerminal,
  writeLibrarySummary,
} from '../../src/reporters/library-table.js';
import { rtoText, seconds } from '../../src/reporters/result-fields.js';
import { gfmTables } from './gfm.js';

const root = resolve(import.meta.dirname, '../..');
const recorded = (name: string): unknown =>
  JSON.parse(readFileSync(join(root, 'fixtures/runs', name, 'result.json'), 'utf8')) as unknown;
const dir = mkdtempSync(join(tmpdir(), 'drill-library-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Recorded by real drills (fixtures/runs/library/README.md): a pass, an expected failure in
// the format before per-fault RPO windows, a restore drill, a split brain caught as expected,
// a flaw not caught, and an unexpected RTO breach.
const library = () => [
  recorded('library/primary-down'),
  recorded('library/primary-down-async'),
  recorded('library/backup-restore-full'),
  recorded('library/split-brain'),
  recorded('library/primary-down-async-not-caught'),
  recorded('primary-down'),
];

describe('figures', () => {
  it('RTO with its one-sided error bar', () => {
    expect(rtoText(1.2345, 0.021)).toBe('1.23 s (-0.02)');
    expect(rtoText(7.746113, 0.005138)).toBe('7.75 s (-0.005)');
    expect(rtoText(2, null)).toBe('2 s');
    expect(rtoText(null, 0.1)).toBe('unknown');
    expect(seconds(0.2418)).toBe('0.242 s');
    expect(seconds(0)).toBe('0 s');
  });
});

describe('libraryRow', () => {
  it('reads every recorded kind of run', () => {
    const [pass, async, restore, split, notCaught, fail] = library().map(libraryRow);
    expect(pass).toMatchObject({ scenario: 'primary-down', expected: 'pass', verdict: 'pass', as_expected: true });
    expect(pass).toMatchObject({ rto_s: 1.481167, rto_error_bar_s: 0.048031, rpo_lost: 0, restore: null });
    expect(async).toMatchObject({ expected: 'fail', verdict: 'fail', as_expected: true, rpo_lost: 24 });
    expect(restore).toMatchObject({ rto_s: 4, rto_error_bar_s: null, rpo_lost: 408, restore: { rto_s: 4 } });
    expect(split).toMatchObject({ expected: 'fail', verdict: 'fail', as_expected: true, rpo_lost: 965 });
    expect(split!.rpo_window_s).toBe(5.523);
    expect(notCaught).toMatchObject({ expected: 'fail', verdict: 'pass', as_expected: false });
    expect(fail).toMatchObject({ verdict: 'fail', as_expected: false, rto_s: 7.746113, rto_error_bar_s: 0.005138 });
  });

  it('a missing or reshaped field is unknown, not an exception', () => {
    const r = libraryRow({ scenario: { name: 'x' }, verdict: 'maybe', metrics: { rto_s: 'fast', rpo: null } });
    expect(r).toMatchObject({ scenario: 'x', verdict: 'unknown', rto_s: null, rpo_lost: null, rpo_window_s: null });
    expect(libraryRow(null).scenario).toBe('(unnamed)');
    expect(libraryRow([]).as_expected).toBe(false);
  });

  it('per-fault RPO windows stand in for a missing overall window (the worst one)', () => {
    const r = libraryRow({ metrics: { rpo: { lost: 3, per_fault: [{ window_s: 0.5 }, { window_s: 1.25 }] } } });
    expect(r.rpo_window_s).toBe(1.25);
  });
});

describe('rendering', () => {
  it('Markdown: one GitHub table, a row per run, unexpected outcomes marked', () => {
    const md = renderLibraryMarkdown(librarySummary(library()));
    const [table] = gfmTables(md);
    expect(table!.head).toEqual([
      'scenario',
      'expected',
      'verdict',
      'RTO',
      'acked writes lost',
      'RPO window',
      'restore RTO',
    ]);
    expect(table!.rows).toEqual([
      ['primary-down', 'pass', '✅ pass', '1.48 s (-0.05)', '0', '0 s', '-'],
      ['primary-down-async', 'fail', '✅ fail', '2.09 s (-0.04)', '24', '0.242 s', '-'],
      ['backup-restore-full', 'pass', '✅ pass', '4 s', '408', '2.8 s', '4 s'],
      ['split-brain', 'fail', '✅ fail', '5.52 s (-0.03)', '965', '5.52 s', '-'],
      ['primary-down-async', 'fail', '❌ pass (UNEXPECTED)', '0.712 s (-0.03)', '0', '0 s', '-'],
      ['primary-down', 'pass', '❌ fail (UNEXPECTED)', '7.75 s (-0.005)', '0', '0 s', '-'],
    ]);
    expect(md).toContain('**6 runs, 2 NOT as expected.**');
  });

  it('escapes pipes in cells', () => {
    const [t] = gfmTables(mdTable(['a', 'b'], [['x | y', 'z']]));
    expect(t!.rows[0]).toEqual(['x \\| y', 'z']);
  });

  it('terminal: one line per run, no colour when asked', () => {
    const text = renderLibraryTerminal(librarySummary(library()), { color: false });
    expect(text).toContain('primary-down-async');
    expect(text).toContain('6 runs, 2 NOT as expected');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\x1b\[/);
    expect(text.split('\n').length).toBe(6 + 6); // 3 rules, head, 6 rows, verdict, final newline
  });

  it('summary.md and summary.json beside the run directories', () => {
    const paths = writeLibrarySummary(librarySummary(library(), new Date('2026-01-02T03:04:05Z')), dir);
    expect(paths).toEqual({ md: join(dir, 'summary.md'), json: join(dir, 'summary.json') });
    const json = JSON.parse(readFileSync(paths.json, 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({
      kind: 'drill-library',
      runs: 6,
      as_expected: 4,
      created_at: '2026-01-02T03:04:05.000Z',
    });
    expect(readFileSync(paths.md, 'utf8')).toMatch(/^# drill: scenario library\n\n\| scenario \|/);
  });
});
