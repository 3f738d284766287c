// Reports of a real drill: result.json matches the published JSON Schema, report.html is
// written, --json puts the same result on stdout, and `drill report` re-renders every report.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { validate } from '../reporters/mini-schema.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/drill.js');
const out = mkdtempSync(join(tmpdir(), 'drill-report-e2e-'));
const schema = JSON.parse(readFileSync(join(root, 'schema/result.schema.json'), 'utf8'));

const drill = (args: string[]) =>
  execa('node', [bin, ...args], { cwd: root, reject: false, timeout: 170_000, env: { FORCE_COLOR: '0' } });

const runIds: string[] = [];
afterAll(async () => {
  for (const id of runIds) await drill(['cleanup', '--run', id]);
  rmSync(out, { recursive: true, force: true });
});

describe('reports of a real drill', () => {
  it(
    'result.json validates against schema/result.schema.json; report.html, junit.xml written; drill report ' +
      're-renders them',
    async () => {
      const r = await drill(['run', 'scenarios/primary-down.yaml', '--out', out, '--seed', '11', '--json', '--quiet']);
      expect(r.stderr).not.toMatch(/internal error/);
      expect([0, 1], r.stderr).toContain(r.exitCode);
      // --json: exactly one JSON document on stdout, and it is the result
      const printed = JSON.parse(r.stdout) as { run_dir: string; run_id: string };
      runIds.push(printed.run_id);
      expect(validate(printed, schema)).toEqual([]);
      const runDir = printed.run_dir;
      const onDisk = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8'));
      expect(validate(onDisk, schema)).toEqual([]);
      expect(onDisk).toEqual(printed);
      for (const f of ['report.html', 'junit.xml', 'history.jsonl', 'faults.jsonl', 'leaders.json'])
        expect(existsSync(join(runDir, f)), f).toBe(true);
      const html = readFileSync(join(runDir, 'report.html'), 'utf8');
      expect(html).toContain('<svg id="timeline"');
      expect(html).toContain('class="fault-band"');
      expect(html).toContain('class="rto-marker"');

      rmSync(join(runDir, 'report.html'));
      rmSync(join(runDir, 'junit.xml'));
      const rep = await drill(['report', runDir]);
      expect(rep.exitCode, rep.stderr).toBe(0);
      expect(existsSync(join(runDir, 'report.html'))).toBe(true);
      expect(existsSync(join(runDir, 'junit.xml'))).toBe(true);
      const again = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8'));
      expect(validate(again, schema)).toEqual([]);
      expect(again.metrics.rto_s).toBe(onDisk.metrics.rto_s);
    },
  );
});
