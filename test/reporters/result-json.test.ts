import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResultSchema, renderResultJson, writeResultJson } from '../../src/reporters/result-json.js';
import { result } from './fixtures.js';
import { validate } from './mini-schema.js';

const schema = JSON.parse(await readFile(new URL('../../schema/result.schema.json', import.meta.url), 'utf8'));

describe('result.json', () => {
  it('a realistic result validates against the published schema', () => {
    const r = result({
      verdict: 'fail',
      expect: { verdict: 'fail', reason: 'rpo.lost > 0', met: true, detail: 'matched' },
      error: 'x',
    });
    expect(validate(JSON.parse(renderResultJson(r)), schema)).toEqual([]);
  });

  it('the validator catches a wrong type, a missing field and an unknown field', () => {
    const bad = JSON.parse(renderResultJson(result())) as Record<string, any>;
    bad.metrics.rto_s = '4.2';
    delete bad.run_id;
    bad.metrics.rpo.extra = 1;
    bad.thresholds[0].verdict = 'maybe';
    const errors = validate(bad, schema);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\$\.metrics\.rto_s: expected number\|null, got string/),
        expect.stringMatching(/missing required "run_id"/),
        expect.stringMatching(/unexpected property "extra"/),
        expect.stringMatching(/thresholds\[0\]\.verdict/),
      ]),
    );
  });

  it('documents every schema property in docs/result-json.md', async () => {
    const doc = await readFile(new URL('../../docs/result-json.md', import.meta.url), 'utf8');
    const missing: string[] = [];
    const walk = (s: any, path: string): void => {
      if (s.$ref) s = schema.$defs[s.$ref.replace('#/$defs/', '')];
      if (s.items) walk(s.items, `${path}[]`);
      for (const [k, sub] of Object.entries(s.properties ?? {})) {
        const p = path ? `${path}.${k}` : k;
        if (!doc.includes(`\`${p}\``)) missing.push(p);
        walk(sub, p);
      }
    };
    walk(schema, '');
    expect(missing).toEqual([]);
  });

  it('writes keys in a stable order, whatever order the result was built in', async () => {
    const r = result();
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as typeof r;
    shuffled.metrics = Object.fromEntries(Object.entries(r.metrics).reverse()) as typeof r.metrics;
    expect(renderResultJson(shuffled)).toBe(renderResultJson(r));
    const text = renderResultJson(shuffled);
    expect(Object.keys(JSON.parse(text)).slice(0, 3)).toEqual(['schema_version', 'scenario', 'run_id']);
    expect(text).toContain('\n  "metrics": {\n    "rto_s": 4.2,');
    expect(loadResultSchema()).not.toBeNull();

    const dir = await mkdtemp(join(tmpdir(), 'drill-json-'));
    try {
      const file = await writeResultJson(r, join(dir, 'run'));
      expect(file).toBe(join(dir, 'run', 'result.json'));
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(r);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
