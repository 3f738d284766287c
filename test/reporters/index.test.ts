import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reporterNames, writeReports } from '../../src/reporters/index.js';
import { result } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-reports-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReports', () => {
  it('runs the named reporters', async () => {
    const printed: string[] = [];
    const outcomes = await writeReports(result(), dir, ['json', 'junit', 'terminal'], {
      write: (s) => printed.push(s),
      color: false,
    });
    expect(reporterNames).toEqual(['json', 'junit', 'html', 'terminal']);
    expect(outcomes).toEqual([
      { name: 'json', file: join(dir, 'result.json') },
      { name: 'junit', file: join(dir, 'junit.xml') },
      { name: 'terminal' },
    ]);
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite name="primary-down"');
    expect(printed.join('')).toContain('PASS');
  });

  it('logs a reporter that throws and an unknown name, and keeps going', async () => {
    const logs: string[] = [];
    const outcomes = await writeReports(result(), dir, ['nope', 'json'], {
      log: (m) => logs.push(m),
      extra: [
        {
          name: 'broken',
          onResult: () => {
            throw new Error('disk on fire');
          },
        },
      ],
    });
    expect(outcomes.map((o) => [o.name, o.error ?? 'ok'])).toEqual([
      ['nope', 'unknown reporter "nope" (known: json, junit, html, terminal)'],
      ['json', 'ok'],
      ['broken', 'disk on fire'],
    ]);
    expect(logs).toEqual([
      'drill: unknown reporter "nope" (known: json, junit, html, terminal)',
      'drill: reporter "broken" failed: disk on fire',
    ]);
  });
});
