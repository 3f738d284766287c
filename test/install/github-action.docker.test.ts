// The Action's steps (scripts/github-action.sh, what action.yml runs) outside GitHub: a
// passing and a failing drill in one library run give exit-code 1 in $GITHUB_OUTPUT, the
// job summary with both sections and the library table in $GITHUB_STEP_SUMMARY, and one
// ::error annotation, for the breached threshold.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { LibrarySummary } from '../../src/reporters/library-table.js';
import { cleanEnv, root } from '../support/pack.js';

const work = mkdtempSync(join(tmpdir(), 'drill-action-'));
const runIds: string[] = [];
afterAll(async () => {
  for (const id of runIds) await execa('node', [join(root, 'bin/drill.js'), 'cleanup', '--run', id], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

describe('scripts/github-action.sh', () => {
  it('setup, then run: outputs, job summary and annotations', async () => {
    const strict = join(work, 'strict.yaml');
    writeFileSync(
      strict,
      readFileSync(join(root, 'scenarios/primary-down.yaml'), 'utf8')
        .replace('name: primary-down', 'name: primary-down-strict')
        .replace('rto: 5s', 'rto: 10ms'),
    );
    const files = { GITHUB_OUTPUT: join(work, 'output'), GITHUB_STEP_SUMMARY: join(work, 'summary.md') };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env = cleanEnv({
      ...files,
      INPUT_SCENARIOS: `primary-down ${strict}`,
      INPUT_OUT: join(work, 'reports'),
      INPUT_ARGS: '--seed 7 --quiet',
      INPUT_SUDO: 'false',
    });
    const script = join(root, 'scripts/github-action.sh');
    const setup = await execa('bash', [script, 'setup'], { env, extendEnv: false, reject: false });
    expect(setup.exitCode, setup.stderr).toBe(0);
    const r = await execa('bash', [script, 'run'], {
      cwd: work,
      env,
      extendEnv: false,
      reject: false,
      timeout: 170_000,
    });
    const summary = JSON.parse(readFileSync(join(work, 'reports/summary.json'), 'utf8')) as LibrarySummary;
    runIds.push(...summary.rows.map((row) => row.run_id!));

    expect(r.exitCode, r.stderr).toBe(0); // the step itself succeeds; action.yml's Verdict step gates
    expect(readFileSync(files.GITHUB_OUTPUT, 'utf8')).toBe(
      `exit-code=1\nsummary=${join(work, 'reports/summary.json')}\n`,
    );
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    // An absolute scenario path is not a repository file, so the annotation names no file.
    expect(errors[0]).toMatch(/^::error title=drill primary-down-strict%3A rto breached::measured .* > limit 10 ms$/);
    const md = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
    expect(md).toMatch(/^## ❌ drill: 1 of 2 runs NOT as expected\n/);
    expect(md).toContain('<details><summary>✅ <b>primary-down</b>: pass</summary>');
    expect(md).toContain('<details open><summary>❌ <b>primary-down-strict</b>: fail</summary>');
    expect(md).toMatch(/\| primary-down-strict \| pass \| ❌ fail \(UNEXPECTED\) \| \d/);
    expect(summary.rows.map((row) => [row.scenario, row.verdict])).toEqual([
      ['primary-down', 'pass'],
      ['primary-down-strict', 'fail'],
    ]);
  });
});
