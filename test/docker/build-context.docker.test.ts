// A custom target's build context is sent as `docker build` sends it (issue 14, item 6):
// empty directories kept (an image's /tmp must exist) with their modes (a world-writable
// /tmp stays 1777 whatever the harness's umask), .dockerignore honoured.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCustomImage } from '../../src/targets/custom/image.js';

let tag: string | undefined;
afterAll(async () => {
  if (tag) await execa('docker', ['rmi', '-f', tag], { reject: false });
});

describe('build contexts', () => {
  it('keeps empty directories with their modes and drops what .dockerignore names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-ctx-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
    mkdirSync(join(dir, 'tmp'));
    chmodSync(join(dir, 'tmp'), 0o1777);
    mkdirSync(join(dir, 'data', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'keep.txt'), 'kept\n');
    writeFileSync(join(dir, 'secret.env'), 'TOKEN=x\n');
    writeFileSync(join(dir, '.dockerignore'), 'secret.env\n');
    const r = await ensureCustomImage({ name: 'ctxtest', build: dir });
    tag = r.tag;
    const c = await execa('docker', ['create', tag, 'x']);
    const id = c.stdout.trim();
    const listing = await execa('sh', ['-c', `docker export ${id} | tar -t`]);
    const modes = await execa('sh', ['-c', `docker export ${id} | tar -tv ctx/tmp/`]);
    await execa('docker', ['rm', id]);
    const files = listing.stdout.split('\n');
    expect(files).toContain('ctx/tmp/');
    expect(modes.stdout).toMatch(/^drwxrwxrwt /);
    expect(files).toContain('ctx/data/deep/');
    expect(files).toContain('ctx/keep.txt');
    expect(files.some((f) => f.includes('secret.env'))).toBe(false);
  });
});
