// The drill image (scripts/build-drill-image.sh): built offline FROM scratch from the same
// npm package a user installs, it runs the same drill: drill doctor inside says what the
// container can and cannot do, and a library run from it passes with the job summary.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibrarySummary } from '../../src/reporters/library-table.js';
import { graphAgentImageTag } from '../../src/targets/graph-agent/image.js';
import { cleanEnv, packDrill, root } from '../support/pack.js';

const work = mkdtempSync(join(tmpdir(), 'drill-image-'));
const tag = `drill:test-${randomBytes(4).toString('hex')}`;
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const runIds: string[] = [];

// The documented line (docs/install.md), minus the image arguments.
const RUN = [
  'run',
  '--rm',
  '--network',
  'host',
  '--pid',
  'host',
  '--cap-add',
  'NET_ADMIN',
  '--cap-add',
  'SYS_ADMIN',
  '-v',
  '/var/run/docker.sock:/var/run/docker.sock',
  '-v',
  '/tmp/drill-state:/tmp/drill-state',
];
const inImage = (docker: string[], args: string[]) =>
  execa('docker', [...docker, tag, ...args], { reject: false, timeout: 170_000, env: cleanEnv() });

beforeAll(async () => {
  const packed = await packDrill(work);
  const t0 = performance.now();
  const r = await execa(
    'bash',
    [join(root, 'scripts/build-drill-image.sh'), '--tarball', packed.tarball, '--tag', tag],
    {
      env: cleanEnv(),
      extendEnv: false,
    },
  );
  // "built drill:x: 135 MB in 42.0 s" (npm install from the registry included)
  console.log(`${r.stdout.trim()} (test measured ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}, 300_000);

afterAll(async () => {
  for (const id of runIds) await execa('node', [join(root, 'bin/drill.js'), 'cleanup', '--run', id], { reject: false });
  await execa('docker', ['rmi', tag], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

describe('the drill image', () => {
  it('is FROM scratch: one layer, node as the entrypoint, the packaged version', async () => {
    const info = JSON.parse((await execa('docker', ['image', 'inspect', tag])).stdout) as Array<{
      RootFS: { Layers: string[] };
      Config: { Entrypoint: string[] };
    }>;
    expect(info[0]!.RootFS.Layers).toHaveLength(1);
    expect(info[0]!.Config.Entrypoint).toEqual(['/usr/bin/node', '/usr/local/lib/node_modules/drill/bin/drill.js']);
    const v = await inImage(['run', '--rm'], ['--version']);
    expect(v.stdout).toBe(version);
  });

  it('drill doctor inside: all checks pass with the documented line; the host graph-agent tag is reused', async () => {
    const r = await inImage(RUN, ['doctor']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const { tag: agent } = await graphAgentImageTag();
    expect(r.stdout).toContain(`graph-agent image    ${agent}`);
    for (const check of ['in a container', 'host PID namespace', 'capabilities', 'host network', 'state dir'])
      expect(r.stdout).toMatch(new RegExp(`ok {3}${check}`));
    expect(r.stdout).toMatch(/ok {3}partition {14}iptables/);
    expect(r.stdout).toMatch(/ok {3}clock-skew/);
    expect(r.stdout).toMatch(/no {3}disk-full {14}unavailable: losetup/);
  });

  it('drill doctor inside says what is missing when the container was started without it', async () => {
    const r = await inImage(['run', '--rm', '-v', '/var/run/docker.sock:/var/run/docker.sock'], ['doctor']);
    expect(r.stdout).toContain('FAIL host PID namespace   not shared: add --pid host');
    expect(r.stdout).toContain('FAIL capabilities         missing --cap-add NET_ADMIN --cap-add SYS_ADMIN');
    expect(r.stdout).toContain('FAIL host network');
    expect(r.stdout).toMatch(/no {3}partition {14}unavailable/);
    expect(r.stdout).toContain('docs/install.md');
    expect(r.exitCode).toBe(3);
  });

  it('a library run from the image passes, with the table, summary.md and the GitHub job summary', async () => {
    const dir = join(work, 'project');
    mkdirSync(join(dir, 'drills'), { recursive: true });
    copyFileSync(join(root, 'scenarios/primary-down.yaml'), join(dir, 'drills/primary-down.yaml'));
    writeFileSync(join(dir, 'step-summary.md'), '');
    const r = await inImage(
      [...RUN, '-v', `${dir}:/work`, '-e', 'GITHUB_STEP_SUMMARY=/work/step-summary.md'],
      ['run', 'drills', '--out', 'reports', '--seed', '7', '--quiet', '--format', 'github'],
    );
    const summary = JSON.parse(readFileSync(join(dir, 'reports/summary.json'), 'utf8')) as LibrarySummary;
    runIds.push(...summary.rows.map((row) => row.run_id!));
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(summary.rows).toMatchObject([{ scenario: 'primary-down', verdict: 'pass', as_expected: true }]);
    expect(r.stdout).toMatch(/│ scenario\s+│ expected │ verdict │ RTO/);
    expect(r.stdout).toContain('1 run, all as expected');
    const md = readFileSync(join(dir, 'step-summary.md'), 'utf8');
    expect(md).toMatch(/^## ✅ drill: 1 run, all as expected/);
    expect(md).toContain('| primary-down | pass | ✅ pass |');
  });
});
