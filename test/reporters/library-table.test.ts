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

const library = () => [
  recorded('library/primary-down'),
  recorded('library/primary-down-async'),
  recorded('library/backup-restore-full'),
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
  it('reads a recorded passing run, an expected failure, a restore drill and an unexpected failure', () => {
    const [pass, async, restore, fail] = library().map(libraryRow);
    expect(pass).toMatchObject({ scenario: 'primary-down', expected: 'pass', verdict: 'pass', as_expected: true });
    expect(pass!.restore).toBeNull();
    expect(async).toMatchObject({ expected: 'fail', verdict: 'fail', as_expected: true, rpo_lost: 24 });
    expect(restore!.restore?.rto_s).toBe(2.803);
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
    expect(table!.rows.map((r) => r[0])).toEqual([
      'primary-down',
      'primary-down-async',
      'backup-restore-full',
      'primary-down',
    ]);
    expect(table!.rows[3]).toEqual([
      'primary-down',
      'pass',
      '❌ fail (UNEXPECTED)',
      '7.75 s (-0.005)',
      '0',
      '0 s',
      '-',
    ]);
    expect(table!.rows[2]![6]).toBe('2.8 s');
    expect(md).toContain('**4 runs, 1 NOT as expected.**');
  });

  it('escapes pipes in cells', () => {
    const [t] = gfmTables(mdTable(['a', 'b'], [['x | y', 'z']]));
    expect(t!.rows[0]).toEqual(['x \\| y', 'z']);
  });

  it('terminal: one line per run, no colour when asked', () => {
    const text = renderLibraryTerminal(librarySummary(library()), { color: false });
    expect(text).toContain('primary-down-async');
    expect(text).toContain('4 runs, 1 NOT as expected');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\x1b\[/);
    expect(text.split('\n').length).toBe(4 + 6); // 3 rules, head, 4 rows, verdict, final newline
  });

  it('summary.md and summary.json beside the run directories', () => {
    const paths = writeLibrarySummary(librarySummary(library(), new Date('2026-01-02T03:04:05Z')), dir);
    expect(paths).toEqual({ md: join(dir, 'summary.md'), json: join(dir, 'summary.json') });
    const json = JSON.parse(readFileSync(paths.json, 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({
      kind: 'drill-library',
      runs: 4,
      as_expected: 3,
      created_at: '2026-01-02T03:04:05.000Z',
    });
    expect(readFileSync(paths.md, 'utf8')).toMatch(/^# drill: scenario library\n\n\| scenario \|/);
  });
});
