// Bad input: one line naming file:line:col and the field, exit 2, and no container started.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'drill-bad-'));

async function containerCount(): Promise<number> {
  const r = await execa('docker', ['ps', '-aq', '--filter', 'label=drill.managed=true']);
  return r.stdout.split('\n').filter(Boolean).length;
}

const good = `name: ok
cluster: { target: graph-agent, nodes: 3 }
steps:
  - wait: 1s
`;

const cases: [string, string, RegExp][] = [
  ['syntax.yaml', 'name: x\nsteps: [\n  - wait: 1s\n', /syntax\.yaml:\d+:\d+: YAML syntax/],
  ['type.yaml', good.replace('nodes: 3', 'nodes: three'), /type\.yaml:2:\d+: cluster\.nodes: /],
  ['unknown.yaml', good + 'colour: blue\n', /unknown\.yaml:5:1: colour: /],
  ['duration.yaml', good.replace('wait: 1s', 'wait: soon'), /duration\.yaml:4:\d+: steps\[0\]\.wait: .*"soon"/],
];

describe('drill run with a broken scenario', () => {
  for (const [file, text, re] of cases) {
    it(`${file}: exit 2, file:line and field, no stack trace, no container`, async () => {
      const path = join(dir, file);
      writeFileSync(path, text);
      const before = await containerCount();
      const r = await execa('node', [join(root, 'bin/drill.js'), 'run', path], { reject: false, cwd: root });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await containerCount()).toBe(before);
    });
  }
});
