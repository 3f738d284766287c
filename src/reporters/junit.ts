// junit.xml for CI: one <testsuite> per scenario, one <testcase> per threshold.
//
// When the scenario expects to fail and the expectation is met (a flawed configuration was
// caught, which is what the drill is for), the breached thresholds are rendered as passing
// testcases with the breach in <system-out>, and an "expectation" testcase records the
// match; a drill that was expected to fail but passed makes that testcase fail. An aborted
// run adds a "run" testcase with an <error>.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DrillResult, ThresholdResult } from '../core/result.js';
import type { Reporter } from './reporter.js';

export function xmlEscape(s: string): string {
  return (
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR).
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
  );
}

const attr = (s: string | number): string => `"${xmlEscape(String(s))}"`;

function measuredText(t: ThresholdResult): string {
  if (t.measured === null) return 'unknown';
  if (typeof t.measured === 'boolean') return t.measured ? 'holds' : 'violated';
  return t.unit === 'count' || t.unit === 'ratio' ? String(t.measured) : `${t.measured} ${t.unit}`;
}

export function failureMessage(t: ThresholdResult): string {
  return `measured ${measuredText(t)} against limit ${t.limit}`;
}

interface Case {
  name: string;
  failure?: { message: string; body: string };
  error?: { message: string };
  out?: string;
}

function casesOf(r: DrillResult): Case[] {
  const expectedFail = r.expect?.verdict === 'fail' && r.expect.met;
  const cases: Case[] = r.thresholds.map((t) => {
    const c: Case = { name: t.name };
    if (t.verdict === 'fail') {
      const msg = failureMessage(t);
      const body = t.reason ? `${msg}\n${t.reason}` : msg;
      if (expectedFail) c.out = `expected failure: ${body}`;
      else c.failure = { message: msg, body };
    }
    return c;
  });
  if (r.expect) {
    const c: Case = { name: 'expectation' };
    const text = `expected ${r.expect.verdict}${r.expect.reason ? ` (${r.expect.reason})` : ''}, got ${r.verdict}`;
    if (r.expect.met) c.out = `${text}${r.expect.detail ? `: ${r.expect.detail}` : ''}`;
    else c.failure = { message: text, body: r.expect.detail ?? text };
    cases.push(c);
  }
  if (r.aborted) cases.push({ name: 'run', error: { message: `run ${r.status}: ${r.error ?? 'aborted'}` } });
  return cases;
}

/** A scenario that should have run and did not (`drill merge`: a shard's job died): an error in CI's eyes. */
export interface NotRunCase {
  name: string;
  file: string;
  reason: string;
}

interface Suite {
  name: string;
  time: number;
  timestamp: string;
  properties: (readonly [string, string])[];
  cases: Case[];
}

function suiteOf(r: DrillResult): Suite {
  return {
    name: r.scenario.name,
    time: r.duration_s,
    timestamp: r.started_at,
    properties: [
      ['file', r.scenario.file],
      ['run_id', r.run_id],
      ['seed', String(r.seed)],
      ['verdict', r.verdict],
      ['run_dir', r.run_dir],
    ],
    cases: casesOf(r),
  };
}

function notRunSuite(n: NotRunCase): Suite {
  return {
    name: n.name,
    time: 0,
    timestamp: '',
    properties: [
      ['file', n.file],
      ['verdict', 'not run'],
    ],
    cases: [{ name: 'run', error: { message: `not run: ${n.reason}` } }],
  };
}

export function renderJunit(results: readonly DrillResult[], notRun: readonly NotRunCase[] = []): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = [...results.map(suiteOf), ...notRun.map(notRunSuite)];
  const count = (k: 'failure' | 'error') => all.reduce((n, s) => n + s.cases.filter((c) => c[k]).length, 0);
  const total = all.reduce((n, s) => n + s.cases.length, 0);
  const time = all.reduce((n, s) => n + s.time, 0);
  lines.push(
    `<testsuites name="drill" tests=${attr(total)} failures=${attr(count('failure'))} ` +
      `errors=${attr(count('error'))} time=${attr(time)}>`,
  );
  for (const s of all) {
    const failures = s.cases.filter((c) => c.failure).length;
    const errors = s.cases.filter((c) => c.error).length;
    lines.push(
      `  <testsuite name=${attr(s.name)} tests=${attr(s.cases.length)} failures=${attr(failures)} ` +
        `errors=${attr(errors)} skipped="0" time=${attr(s.time)} timestamp=${attr(s.timestamp)}>`,
    );
    lines.push('    <properties>');
    for (const [k, v] of s.properties) lines.push(`      <property name=${attr(k)} value=${attr(v)}/>`);
    lines.push('    </properties>');
    for (const c of s.cases) {
      const open = `    <testcase classname=${attr(s.name)} name=${attr(c.name)}`;
      if (!c.failure && !c.error && !c.out) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      if (c.failure)
        lines.push(
          `      <failure message=${attr(c.failure.message)} type="threshold">${xmlEscape(c.failure.body)}</failure>`,
        );
      if (c.error)
        lines.push(
          `      <error message=${attr(c.error.message)} type="aborted">${xmlEscape(c.error.message)}</error>`,
        );
      if (c.out) lines.push(`      <system-out>${xmlEscape(c.out)}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

export async function writeJunit(results: readonly DrillResult[], file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderJunit(results));
  return file;
}

export const junitReporter: Reporter = {
  name: 'junit',
  onResult: (result, ctx) => writeJunit([result], join(ctx.runDir, 'junit.xml')),
};
