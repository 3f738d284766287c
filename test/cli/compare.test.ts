// drill compare on hand-made result.json files and repeat summaries.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { compareCommand, compareFigures, loadFigures, parseTolerance } from '../../src/cli/commands/compare.js';
import { UsageError } from '../../src/core/errors.js';
import type { DrillResult } from '../../src/core/result.js';
import { aggregateRuns } from '../../src/run/repeat.js';
import { result as makeResult } from '../reporters/fixtures.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'drill-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function result(rto: number | null, lost: number | null, window: number | null = 0): DrillResult {
  const r = makeResult();
  r.metrics.rto_s = rto;
  r.metrics.rpo.lost = lost;
  r.metrics.rpo.window_s = window;
  return r;
}

/** Write a result.json (in a run directory when `asDir`). */
function put(name: string, r: DrillResult, asDir = false): string {
  if (asDir) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'result.json'), JSON.stringify(r));
    return join(dir, name);
  }
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(r));
  return file;
}

const defaults = {
  rtoTolerance: parseTolerance('20%', 's'),
  rpoTolerance: parseTolerance('0', 'count'),
  rpoWindowTolerance: parseTolerance('20%', 's'),
};

describe('parseTolerance', () => {
  it('reads percentages, durations, counts and combinations', () => {
    expect(parseTolerance('20%', 's')).toMatchObject({ relative: 0.2, absolute: 0 });
    expect(parseTolerance('0.5s', 's')).toMatchObject({ relative: 0, absolute: 0.5 });
    expect(parseTolerance('250ms', 's')).toMatchObject({ absolute: 0.25 });
    expect(parseTolerance('20%,0.5s', 's')).toMatchObject({ relative: 0.2, absolute: 0.5 });
    expect(parseTolerance('3', 'count')).toMatchObject({ absolute: 3 });
  });
  it('rejects anything else with a one-line usage error', () => {
    expect(() => parseTolerance('fast', 's')).toThrow(UsageError);
    expect(() => parseTolerance('0.5s', 'count')).toThrow(/expected a percentage \("20%"\) and\/or a count/);
  });
});

describe('compareFigures', () => {
  it('flags an RTO beyond the tolerance, not one within it', () => {
    const a = loadFigures(put('a', result(2, 0)));
    const within = compareFigures(a, loadFigures(put('b1', result(2.3, 0))), defaults);
    expect(within.map((c) => c.verdict)).toEqual(['ok', 'ok', 'ok']);
    const beyond = compareFigures(a, loadFigures(put('b2', result(2.5, 0))), defaults);
    expect(beyond[0]).toMatchObject({ metric: 'rto', verdict: 'regression', detail: '+0.5 s > allowed +0.4 s' });
  });

  it('takes the larger of a relative and an absolute tolerance', () => {
    const a = loadFigures(put('c', result(0.5, 0)));
    const b = loadFigures(put('d', result(0.9, 0)));
    expect(compareFigures(a, b, defaults)[0]!.verdict).toBe('regression');
    expect(compareFigures(a, b, { ...defaults, rtoTolerance: parseTolerance('20%,0.5s', 's') })[0]!.verdict).toBe('ok');
  });

  it(
    'any lost write more than the baseline is a regression by default; unknown is a regression; faster is ' +
      'improved',
    () => {
      const a = loadFigures(put('e', result(3, 0)));
      expect(compareFigures(a, loadFigures(put('f', result(3, 1, 0.4))), defaults).map((c) => c.verdict)).toEqual([
        'ok',
        'regression',
        'regression',
      ]);
      expect(compareFigures(a, loadFigures(put('g', result(null, 0))), defaults)[0]).toMatchObject({
        verdict: 'regression',
        detail: 'became unknown (not measured)',
      });
      expect(compareFigures(a, loadFigures(put('h', result(1, 0))), defaults)[0]!.verdict).toBe('improved');
      expect(compareFigures(loadFigures(put('i', result(null, null))), a, defaults)[0]!.verdict).toBe('no baseline');
    },
  );

  it('reads a run directory and a repeat summary (its median by default, p90 or max on request)', () => {
    const runDir = put('run1', result(2, 0), true);
    expect(loadFigures(runDir).rto_s).toBe(2);
    const summary = aggregateRuns([result(1, 0), result(2, 0), result(10, 0)], { now: new Date(0) });
    const file = join(dir, 'repeat-1.json');
    writeFileSync(file, JSON.stringify(summary));
    expect(loadFigures(file).rto_s).toBe(2);
    expect(loadFigures(file, 'max').rto_s).toBe(10);
    expect(loadFigures(file).label).toMatch(/median of 3 runs/);
  });

  it('bad input is a UsageError naming the path', () => {
    expect(() => loadFigures(join(dir, 'nope'))).toThrow(/nope: no such file or directory/);
    mkdirSync(join(dir, 'empty'), { recursive: true });
    expect(() => loadFigures(join(dir, 'empty'))).toThrow(/not a run directory/);
    writeFileSync(join(dir, 'other.json'), '{"hello": 1}');
    expect(() => loadFigures(join(dir, 'other.json'))).toThrow(/neither a drill result.json nor a repeat summary/);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => loadFigures(join(dir, 'broken.json'))).toThrow(UsageError);
  });
});

describe('the compare command handler', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });
  it('prints a table and sets exit code 1 on regression, 0 otherwise', () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const args = {
      'rto-tolerance': '20%',
      'rpo-tolerance': '0',
      'rpo-window-tolerance': '20%',
      stat: 'median',
      json: false,
    };
    void compareCommand.handler({
      ...args,
      baseline: put('j', result(2, 0)),
      candidate: put('k', result(4, 0)),
      _: [],
      $0: 'drill',
    });
    expect(process.exitCode).toBe(1);
    expect(out.join('')).toMatch(/^rto\s+2 s\s+4 s\s+20%\s+REGRESSION\s+\+2 s > allowed \+0\.4 s$/m);
    expect(out.join('')).toMatch(/REGRESSION: rto/);
    out.length = 0;
    void compareCommand.handler({
      ...args,
      baseline: put('l', result(2, 0)),
      candidate: put('m', result(2.1, 0)),
      _: [],
      $0: 'drill',
    });
    expect(process.exitCode).toBe(0);
    expect(out.join('')).toMatch(/no regression/);
  });
});

// The built CLI end to end (npm test builds first): exit codes 0 / 1 / 2.
describe('drill compare (CLI)', () => {
  const drill = (args: string[]) =>
    execa('node', [join(root, 'bin/drill.js'), 'compare', ...args], { reject: false, env: { FORCE_COLOR: '0' } });
  it('exits 0, 1 and 2', async () => {
    const a = put('n', result(2, 0));
    const ok = await drill([a, put('o', result(2.2, 0))]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const bad = await drill([a, put('p', result(2.2, 0)), '--rto-tolerance', '5%']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/REGRESSION: rto/);
    const usage = await drill([a, join(dir, 'missing.json')]);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    expect(usage.stderr).toMatch(/^drill: .*missing\.json: no such file or directory$/);
    const tol = await drill([a, a, '--rto-tolerance', 'soon']);
    expect(tol.exitCode).toBe(2);
    expect(JSON.parse(readFileSync(a, 'utf8')).metrics.rto_s).toBe(2);
  });
});
