// Scenario fuzzing at the CLI edge (issue: a few hundred generated broken scenarios).
// Every one must exit 2 with file:line:col and the field, never a stack trace, and none
// may start a container. Most cases drive the CLI in-process (fast); a sample runs as
// real processes to cover the binary's own exit path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { seededRng, type Rng } from '../../src/core/random.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'drill-fuzz-'));

const BASE = `name: fuzz
description: a valid drill that the fuzzer breaks
cluster:
  target: graph-agent
  nodes: 3
  agent:
    heartbeat: 100ms
    election_timeout: 1s
workload:
  rate: 100
  concurrency: 4
  timeout: 1s
steps:
  - wait: 1s
  - fault:
      kind: kill
      target: primary
  - await:
      condition: recovered
      timeout: 10s
  - heal: f1
thresholds:
  rto: 5s
  rpo:
    lost: 0
  integrity: true
`;

/** One broken variant per category, each a textual edit of BASE that must be rejected. */
const mutations: [string, (r: Rng) => string][] = [
  [
    'wrong type',
    (r) =>
      pickLine(r, [
        ['  nodes: 3', '  nodes: three'],
        ['  rate: 100', '  rate: [100]'],
        ['  concurrency: 4', '  concurrency: true'],
        ['    lost: 0', '    lost: none'],
        ['  integrity: true', '  integrity: 42'],
        ['  - heal: f1', '  - heal: [f1]'],
      ]),
  ],
  [
    'unknown field',
    (r) =>
      pickLine(r, [
        ['  nodes: 3', `  nodes: 3\n  colour${Math.floor(r() * 1000)}: blue`],
        ['      kind: kill', '      kind: kill\n      jitter: 5ms'],
        ['  rto: 5s', '  rto: 5s\n  rtoo: 6s'],
        ['name: fuzz', `name: fuzz\nsetps: []`],
      ]),
  ],
  [
    'bad duration',
    (r) =>
      pickLine(r, [
        ['  - wait: 1s', `  - wait: ${['soon', '-1s', '5 hours', '1h', 'NaN', '1.2.3s'][Math.floor(r() * 6)]}`],
        ['  timeout: 1s', '  timeout: fast'],
        ['  rto: 5s', '  rto: -5s'],
        ['    election_timeout: 1s', '    election_timeout: 50ms'],
      ]),
  ],
  [
    'unknown target',
    (r) =>
      pickLine(r, [
        ['  target: graph-agent', `  target: ${['postgres', 'graph_agent', '', 'GRAPH-AGENT'][Math.floor(r() * 4)]}`],
        ['      target: primary', '      target: leader'],
        ['      target: primary', `      node: n${4 + Math.floor(r() * 5)}`],
        ['  - heal: f1', '  - heal: f9'],
      ]),
  ],
  [
    'YAML syntax',
    (r) =>
      pickLine(r, [
        ['steps:', 'steps: ['],
        ['  - wait: 1s', '  - wait: "1s'],
        ['  nodes: 3', '  nodes: 3\n    bad-indent: x\n  - y'],
        ['name: fuzz', 'name: fuzz\nname: again'],
        ['  agent:', '  agent: {'],
      ]),
  ],
];

function pickLine(r: Rng, edits: [string, string][]): string {
  const [from, to] = edits[Math.floor(r() * edits.length)]!;
  if (!BASE.includes(from)) throw new Error(`fuzzer edit does not apply: ${from}`);
  return BASE.replace(from, to);
}

function generate(n: number): { file: string; category: string }[] {
  const r = seededRng(20261122);
  const out: { file: string; category: string }[] = [];
  for (let i = 0; i < n; i++) {
    const [category, make] = mutations[i % mutations.length]!;
    const file = join(dir, `case-${String(i).padStart(3, '0')}.yaml`);
    writeFileSync(file, make(r));
    out.push({ file, category });
  }
  return out;
}

async function drillContainers(): Promise<number> {
  const r = await execa('docker', ['ps', '-aq', '--filter', 'label=drill.managed=true']);
  return r.stdout.split('\n').filter(Boolean).length;
}

async function runInProcess(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const errWrite = process.stderr.write.bind(process.stderr);
  const outWrite = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((s: string | Uint8Array) => ((stderr += String(s)), true)) as typeof process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array) => ((stdout += String(s)), true)) as typeof process.stdout.write;
  process.exitCode = undefined;
  try {
    const code = await main(args);
    return { code, stderr, stdout };
  } finally {
    process.stderr.write = errWrite;
    process.stdout.write = outWrite;
    process.exitCode = undefined;
  }
}

const PROBLEM = /^.+\.yaml:\d+:\d+: \S.*$/;

describe('fuzzed broken scenarios', () => {
  const cases = generate(300);

  it('every one of 300 exits 2 with file:line:col lines, no stack trace, and starts no container', async () => {
    const before = await drillContainers();
    const seen = new Set<string>();
    for (const c of cases) {
      const r = await runInProcess(['run', c.file, '--out', join(dir, 'reports')]);
      const where = `${c.category} ${c.file}:\n${r.stderr}`;
      expect(r.code, where).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines.length, where).toBeGreaterThan(0);
      for (const l of lines) expect(l, where).toMatch(PROBLEM);
      expect(r.stderr, where).not.toMatch(/\n\s+at |internal error/);
      seen.add(c.category);
    }
    expect(seen.size).toBe(mutations.length);
    expect(await drillContainers()).toBe(before);
  });

  it('the real binary agrees on a sample (exit code 2 from the process itself)', async () => {
    for (const c of cases.filter((_, i) => i % 20 === 0)) {
      const r = await execa('node', [join(root, 'bin/drill.js'), 'run', c.file], { reject: false });
      expect(r.exitCode, `${c.category}: ${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(PROBLEM);
    }
  });
});
