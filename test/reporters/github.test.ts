// drill run --format github, on recorded results (fixtures/runs, real drills): the job
// summary is checked against the Markdown files in fixtures/ (what GitHub renders), and
// one annotation is written per breached threshold.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { githubAnnotations, githubSummary, writeGithubOutput } from '../../src/reporters/github.js';
import { gfmTables } from './gfm.js';

const root = resolve(import.meta.dirname, '../..');
const recorded = (name: string): unknown =>
  JSON.parse(readFileSync(join(root, 'fixtures/runs', name, 'result.json'), 'utf8')) as unknown;
const golden = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'drill-github-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pass = recorded('library/primary-down');
const fail = recorded('primary-down'); // RTO 7.7 s against a 5 s threshold
const expectedFail = recorded('library/primary-down-async'); // loses writes, as it must
const split = recorded('library/split-brain'); // loses writes as it must; acknowledged availability was a lie
const notCaught = recorded('library/primary-down-async-not-caught'); // expected to lose writes, did not

describe('job summary', () => {
  it('a passing run: as in fixtures/github-summary-pass.md, thresholds and library as tables', () => {
    const md = githubSummary([pass]);
    expect(md).toBe(golden('github-summary-pass.md'));
    const [thresholds, library] = gfmTables(md);
    expect(thresholds!.head).toEqual(['threshold', 'limit', 'measured', 'verdict']);
    expect(thresholds!.rows).toEqual([
      ['rto', '<= 5 s', '1.48 s', '✅ pass'],
      ['rpo.lost', '<= 0', '0', '✅ pass'],
      ['integrity', 'must hold', 'holds', '✅ pass'],
    ]);
    expect(library!.rows).toEqual([['primary-down', 'pass', '✅ pass', '1.48 s (-0.05)', '0', '0 s', '-']]);
    expect(md).toMatch(/^## ✅ drill: 1 run, all as expected\n/);
    expect(md).toContain('<details><summary>'); // collapsed: nothing to look at
  });

  it('a failing run: as in fixtures/github-summary-fail.md, open, the breach marked', () => {
    const md = githubSummary([fail]);
    expect(md).toBe(golden('github-summary-fail.md'));
    const [thresholds, library] = gfmTables(md);
    expect(thresholds!.rows[0]).toEqual(['rto', '<= 5 s', '7.75 s', '❌ fail']);
    expect(library!.rows[0]![2]).toBe('❌ fail (UNEXPECTED)');
    expect(md).toMatch(/^## ❌ drill: 1 of 1 run NOT as expected\n/);
    expect(md).toContain('<details open><summary>');
    expect(md).toContain('**RTO** 7.75 s (-0.005)');
  });

  it('a library: a section per run and the table of every run at the end', () => {
    const md = githubSummary([pass, expectedFail, fail]);
    const tables = gfmTables(md);
    expect(tables).toHaveLength(4);
    expect(tables[3]!.rows.map((r) => r[2])).toEqual(['✅ pass', '✅ fail', '❌ fail (UNEXPECTED)']);
    expect(md).toContain('**expected** fail (rpo.lost > 0): met');
  });

  it('durable availability, with the acknowledged share when acknowledgements were lost', () => {
    expect(githubSummary([split])).toContain('**availability** 0% durable (97.6% acknowledged) during faults');
    expect(githubSummary([pass])).toContain('**availability** 85.6% during faults');
  });
});

describe('annotations', () => {
  it('an error per breached threshold; an expected breach is a notice', () => {
    expect(githubAnnotations([pass])).toEqual([]);
    expect(githubAnnotations([fail, expectedFail])).toEqual([
      '::error file=scenarios/primary-down.yaml,title=drill primary-down%3A rto breached::measured 7.746 s > limit 5 s',
      '::notice file=scenarios/primary-down-async.yaml,title=drill primary-down-async%3A rpo.lost breached ' +
        '(as expected)::measured 24 > limit 0',
    ]);
  });

  it('an outcome not as expected without a breach (an aborted run, a flaw not caught) is an error too', () => {
    expect(githubAnnotations([notCaught])).toEqual([
      '::error file=scenarios/primary-down-async.yaml,title=drill primary-down-async%3A not as expected::' +
        'expected fail, got pass',
    ]);
    const aborted = {
      scenario: { name: 'x', file: '/abs/x.yaml' },
      verdict: 'unknown',
      status: 'aborted',
      error: 'Docker went away\nline two',
      thresholds: [],
    };
    expect(githubAnnotations([aborted])).toEqual([
      '::error title=drill x%3A not as expected::Docker went away%0Aline two',
    ]);
  });
});

describe('writeGithubOutput', () => {
  it('appends the summary to $GITHUB_STEP_SUMMARY and prints the annotations', () => {
    const file = join(dir, 'step-summary.md');
    writeFileSync(file, 'before\n');
    let out = '';
    const written = writeGithubOutput([fail], { env: { GITHUB_STEP_SUMMARY: file }, write: (s) => (out += s) });
    expect(written).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(`before\n${golden('github-summary-fail.md')}\n`);
    expect(out).toBe(`${githubAnnotations([fail])[0]}\n`);
  });

  it('outside GitHub Actions prints both', () => {
    let out = '';
    expect(writeGithubOutput([pass], { env: {}, write: (s) => (out += s) })).toBeUndefined();
    expect(out).toBe(`\n${golden('github-summary-pass.md')}`);
  });
});
