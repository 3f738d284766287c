import { describe, expect, it } from 'vitest';
import { failureMessage, renderJunit, xmlEscape } from '../../src/reporters/junit.js';
import { result } from './fixtures.js';

describe('junit.xml', () => {
  it('escapes XML special characters and drops characters XML cannot carry', () => {
    expect(xmlEscape(`a<b>&"c"'d'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
  });

  it('one testsuite per scenario, one testcase per threshold, failure with measured and limit', () => {
    const failing = result({
      scenario: { name: 'split <brain> & "friends"', file: 's.yaml', tags: [] },
      verdict: 'fail',
      thresholds: [
        {
          name: 'rto',
          limit: '<= 5 s',
          limit_value: 5,
          measured: 7.25,
          unit: 's',
          verdict: 'fail',
          reason: 'measured 7.25 s > limit 5 s',
        },
        {
          name: 'rpo.lost',
          limit: '<= 0',
          limit_value: 0,
          measured: null,
          unit: 'count',
          verdict: 'fail',
          reason: 'not measured: no final read',
        },
        { name: 'integrity', limit: 'must hold', limit_value: true, measured: true, unit: 'bool', verdict: 'pass' },
      ],
    });
    const xml = renderJunit([result(), failing]);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toContain('<testsuites name="drill" tests="6" failures="2" errors="0"');
    expect(xml).toContain('<testsuite name="split &lt;brain&gt; &amp; &quot;friends&quot;" tests="3" failures="2"');
    expect(xml).toContain('<failure message="measured 7.25 s against limit &lt;= 5 s" type="threshold">');
    expect(xml).toContain('<failure message="measured unknown against limit &lt;= 0" type="threshold">');
    expect(xml).toContain('name="integrity"/>');
    expect(xml).not.toMatch(/="[^"]*<[^"]*"/); // no raw < inside attribute values
  });

  it('an aborted run is a testcase error', () => {
    const xml = renderJunit([
      result({ aborted: true, status: 'interrupted', verdict: 'unknown', error: 'SIGINT <ctrl-c>' }),
    ]);
    expect(xml).toContain('errors="1"');
    expect(xml).toMatch(
      /<testcase classname="primary-down" name="run">\s*<error message="run interrupted: SIGINT &lt;ctrl-c&gt;"/,
    );
  });

  it('a met expected failure passes in CI; an unmet one fails', () => {
    const breached = {
      name: 'rpo.lost',
      limit: '<= 0',
      limit_value: 0,
      measured: 3,
      unit: 'count' as const,
      verdict: 'fail' as const,
    };
    const met = renderJunit([
      result({
        verdict: 'fail',
        thresholds: [breached],
        expect: { verdict: 'fail', reason: 'rpo.lost > 0', met: true },
      }),
    ]);
    expect(met).toContain('failures="0"');
    expect(met).toContain('<system-out>expected failure: measured 3 against limit &lt;= 0</system-out>');
    const unmet = renderJunit([
      result({ verdict: 'pass', expect: { verdict: 'fail', met: false, detail: 'expected fail, got pass' } }),
    ]);
    expect(unmet).toContain('failures="1"');
    expect(unmet).toContain('<failure message="expected fail, got pass"');
  });

  it('failure message reads "measured X against limit Y"', () => {
    expect(
      failureMessage({
        name: 'availability',
        limit: '>= 50%',
        limit_value: 0.5,
        measured: 0.4,
        unit: 'ratio',
        verdict: 'fail',
      }),
    ).toBe('measured 0.4 against limit >= 50%');
  });
});
