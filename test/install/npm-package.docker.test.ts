// drill installed like a tool: pack (prepack builds), `npm install -g` into a temporary
// prefix, then from an unrelated empty directory `drill doctor`, `drill list` and
// `drill run primary-down` (a bundled scenario found by name), with the graph-agent image
// built offline from the installed files. The npm registry serves the dependencies.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/core/result.js';
import { cleanEnv, packDrill, type Packed } from '../support/pack.js';

const work = mkdtempSync(join(tmpdir(), 'drill-npm-'));
const prefix = join(work, 'prefix');
const elsewhere = join(work, 'elsewhere'); // no checkout, no scenarios/: what a new user has
const pkg = join(prefix, 'lib/node_modules/drill');
let packed: Packed;
let agentTag: string | undefined;
const runIds: string[] = [];

const env = () => cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env['PATH'] ?? ''}` });
const drill = (args: string[]) =>
  execa('drill', args, { cwd: elsewhere, env: env(), extendEnv: false, reject: false, timeout: 170_000 });

beforeAll(async () => {
  packed = await packDrill(work);
  console.log(`npm pack (prepack build included): ${(packed.ms / 1000).toFixed(1)} s`);
  await execa('mkdir', ['-p', elsewhere]);
  const t0 = performance.now();
  await execa('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', packed.tarball], {
    cwd: elsewhere,
    env: cleanEnv(),
    extendEnv: false,
  });
  console.log(`npm install -g: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // A comment in the installed agent gives it an image tag of its own, so the offline build
  // really runs from the installed files (the checkout's image would otherwise be reused).
  appendFileSync(
    join(pkg, 'packages/graph-agent/dist/main.js'),
    `\n// npm-package test ${randomBytes(4).toString('hex')}\n`,
  );
}, 300_000);

afterAll(async () => {
  for (const id of runIds) await drill(['cleanup', '--run', id]);
  if (agentTag) await execa('docker', ['rmi', agentTag], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('carries what a user needs and no tests, fixtures or source maps', () => {
    const f = packed.files;
    for (const need of [
      'bin/drill.js',
      'dist/cli/bin.js',
      'scenarios/primary-down.yaml',
      'schema/scenario.schema.json',
      'schema/result.schema.json',
      'docs/scenario-format.md',
      'docs/result-json.md',
      'packages/graph-agent/package.json',
      'packages/graph-agent/dist/main.js',
      'dist/drivers/module-api.d.ts',
    ])
      expect(f).toContain(need);
    expect(f.filter((p) => /^(test|fixtures|src|scripts|\.ci|\.github)\//.test(p))).toEqual([]);
    // Declarations ship only for the client-module API (`drill/client`); no TypeScript source.
    const source = (p: string) => p.endsWith('.ts') && p !== 'dist/drivers/module-api.d.ts';
    expect(f.filter((p) => p.endsWith('.map') || source(p) || p.startsWith('dist/bench/'))).toEqual([]);
  });

  it('installs without the workspace package as a dependency', () => {
    expect(existsSync(join(pkg, 'dist/cli/bin.js'))).toBe(true);
    expect(existsSync(join(pkg, 'node_modules/@drill'))).toBe(false);
    expect(existsSync(join(pkg, 'node_modules/vitest'))).toBe(false);
  });

  it('drill doctor builds the graph-agent image offline from the installed location', async () => {
    const r = await drill(['doctor']);
    agentTag = /graph-agent image\s+(drill\/graph-agent:[0-9a-f]+) \(built in/.exec(r.stdout)?.[1];
    expect(agentTag, r.stdout + r.stderr).toBeDefined();
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  });

  it('drill list shows the bundled library', async () => {
    const r = await drill(['list']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^primary-down\\s.*${pkg}/scenarios/primary-down.yaml$`, 'm'));
  });

  it('drill run primary-down passes, by name, from an unrelated directory, into a pipe that closes early', async () => {
    const out = join(work, 'reports');
    // `| head -3` closes the pipe while the drill runs: it must carry on, heal and pass.
    const r = await execa(
      'bash',
      ['-c', `drill run primary-down --out ${out} --seed 7 | head -3; exit \${PIPESTATUS[0]}`],
      { cwd: elsewhere, env: env(), extendEnv: false, reject: false, timeout: 170_000 },
    );
    const resultFile = join(out, 'latest/result.json');
    expect(existsSync(resultFile), r.stdout + r.stderr).toBe(true);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as DrillResult;
    runIds.push(result.run_id);
    expect(r.stderr).not.toMatch(/EPIPE|internal error/);
    expect(result.scenario.file).toBe(join(pkg, 'scenarios/primary-down.yaml'));
    expect(result.verdict, JSON.stringify(result.thresholds)).toBe('pass');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toHaveLength(3);
    const left = await execa('docker', ['ps', '-aq', '--filter', `label=drill.run=${result.run_id}`]);
    expect(left.stdout).toBe('');
  });
});
