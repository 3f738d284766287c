// drill init's starters validate as written (renderStarter parses them with the real
// loader), and the CLI writes them without overwriting anything.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { appNameFromImage, starterSource } from '../../src/cli/commands/init.js';
import { UsageError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { nameFromFile, renderStarter } from '../../src/scenario/starter.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'drill-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function drill(args: string[]) {
  return execa('node', [join(root, 'bin/drill.js'), ...args], { cwd: dir, reject: false, env: { FORCE_COLOR: '0' } });
}

describe('starters', () => {
  it('graph-agent: a commented kill-the-primary drill of the bundled store', () => {
    const text = renderStarter({ kind: 'graph-agent' }, { name: 'starter', schemaRef: '../schema/x.json' });
    expect(text.startsWith('# yaml-language-server: $schema=../schema/x.json\n')).toBe(true);
    const s = parseScenario(text, 'starter.yaml');
    expect(s).toMatchObject({ name: 'starter', cluster: { target: 'graph-agent', nodes: 3 } });
    expect(s.thresholds).toMatchObject({ rto: 5000, rpo: { lost: 0 }, integrity: true });
    expect(text.split('\n').filter((l) => l.includes('#')).length).toBeGreaterThan(10);
  });

  it('custom image: the image and port as given, probes marked TODO', () => {
    const src = starterSource({ image: 'my/app:1', port: 8080, nodes: 5 });
    const text = renderStarter(src, { name: 'app-drill' });
    const s = parseScenario(text, 'app.yaml');
    expect(s.cluster).toMatchObject({ target: 'custom', nodes: 5, custom: { image: 'my/app:1', ports: [8080] } });
    expect(text.match(/TODO/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('names: from the file and from the image', () => {
    expect(nameFromFile('drills/My Drill.yaml')).toBe('my-drill');
    expect(nameFromFile('___.yml')).toBe('my-drill');
    expect(appNameFromImage('registry:5000/team/My_App:1.2')).toBe('my_app');
    expect(appNameFromImage('app@sha256:00')).toBe('app');
  });

  it('refuses half-given custom targets', () => {
    expect(() => starterSource({ port: 80, nodes: 3 })).toThrow(UsageError);
    expect(() => starterSource({ image: 'a:1', nodes: 3 })).toThrow(/--image needs --port/);
    expect(() => starterSource({ image: 'a:1', port: 70000, nodes: 3 })).toThrow(/--port must be/);
    expect(() => starterSource({ image: 'a:1', port: 80, nodes: 0 })).toThrow(/--nodes/);
  });
});

describe('drill init (CLI)', () => {
  it('writes a file that drill validate accepts, for the store and for an image', async () => {
    const a = await drill(['init']);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(a.stdout).toContain('wrote drill.yaml (bundled graph-agent)');
    const va = await drill(['validate', 'drill.yaml']);
    expect(va.exitCode, va.stdout + va.stderr).toBe(0);

    const b = await drill(['init', 'sub/app.yaml', '--image', 'my/app:1', '--port', '8080']);
    expect(b.exitCode, b.stderr).toBe(0);
    const vb = await drill(['validate', 'sub/app.yaml']);
    expect(vb.exitCode, vb.stdout + vb.stderr).toBe(0);
    expect(vb.stdout).toContain('(app: 8 steps)');
    // The editor hint points at the bundled JSON Schema, relative to the file.
    const schema = /\$schema=(\S+)/.exec(readFileSync(join(dir, 'sub/app.yaml'), 'utf8'))?.[1];
    expect(resolve(dir, 'sub', schema!)).toBe(join(root, 'schema', 'scenario.schema.json'));
  });

  it('never overwrites without --force; bad flags are usage errors (exit 2, one line)', async () => {
    writeFileSync(join(dir, 'mine.yaml'), 'keep me');
    const r = await drill(['init', 'mine.yaml']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('drill: mine.yaml: already exists (--force overwrites it)');
    expect(readFileSync(join(dir, 'mine.yaml'), 'utf8')).toBe('keep me');
    expect((await drill(['init', 'mine.yaml', '--force'])).exitCode).toBe(0);
    const p = await drill(['init', 'x.yaml', '--port', '80']);
    expect(p.exitCode).toBe(2);
    expect(p.stderr).toMatch(/--port needs --image/);
  });
});

describe('drill init --compose', () => {
  it('your Compose stack: the data service gets the TODO probes, the healthcheck stands in for health', async () => {
    mkdirSync(join(dir, 'stack'), { recursive: true });
    writeFileSync(
      join(dir, 'stack/docker-compose.yml'),
      'services:\n  cache:\n    image: my/cache:1\n  api:\n    image: my/api:1\n    ports: ["8080"]\n' +
        '    depends_on: [cache]\n    healthcheck: { test: [CMD, /bin/ok] }\n',
    );
    const r = await drill(['init', 'drills/stack.yaml', '--compose', 'stack/docker-compose.yml']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote drills/stack.yaml (Compose stack stack/docker-compose.yml, data service api)');
    const text = readFileSync(join(dir, 'drills/stack.yaml'), 'utf8');
    expect(text).toContain('compose: "../stack/docker-compose.yml"');
    expect(text).toContain('# health: the Compose healthcheck is used');
    expect(text).toMatch(/Every other service \(cache\) is a group of its own/);
    const v = await drill(['validate', 'drills/stack.yaml']);
    expect(v.exitCode, v.stdout + v.stderr).toBe(0);
    // --data names a service without a healthcheck or a port: health and port become TODOs, and it still validates
    const c = await drill(['init', 'drills/cache.yaml', '--compose', 'stack/docker-compose.yml', '--data', 'cache']);
    expect(c.exitCode, c.stderr).toBe(0);
    expect(readFileSync(join(dir, 'drills/cache.yaml'), 'utf8')).toContain('ports: [8080]');
    expect((await drill(['validate', 'drills/cache.yaml'])).exitCode).toBe(0);
  });

  it('a service that is not there, or a Compose file drill cannot run, is a usage error (exit 2)', async () => {
    const r = await drill(['init', 'y.yaml', '--compose', 'stack/docker-compose.yml', '--data', 'db']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('drill: --data: no service db in stack/docker-compose.yml (services: cache, api)');
    writeFileSync(join(dir, 'bad-compose.yml'), 'services:\n  a:\n    image: x\n    privileged: true\n');
    const b = await drill(['init', 'z.yaml', '--compose', 'bad-compose.yml']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/bad-compose\.yml:4:5: services\.a\.privileged: not supported/);
  });
});
