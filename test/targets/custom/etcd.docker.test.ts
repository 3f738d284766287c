// Custom targets end to end, as a user runs them: the etcd example (Debian's binaries in an
// image built FROM scratch) through `drill run`, and bad definitions that must fail with
// exit 3 and leave nothing behind.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../../src/core/result.js';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'bin/drill.js');
const exampleDir = join(root, 'examples/etcd');
const out = mkdtempSync(join(tmpdir(), 'drill-custom-'));

function drill(args: string[]) {
  return execa('node', [bin, ...args], { cwd: root, reject: false, timeout: 170_000, env: { FORCE_COLOR: '0' } });
}

async function leftovers(runId: string): Promise<string[]> {
  const f = `label=drill.run=${runId}`;
  const found: string[] = [];
  for (const k of [
    ['ps', '-aq', '--filter', f],
    ['network', 'ls', '-q', '--filter', f],
    ['volume', 'ls', '-q', '--filter', f],
  ]) {
    const r = await execa('docker', k);
    found.push(
      ...r.stdout
        .split('\n')
        .filter(Boolean)
        .map((id) => `${k[0]} ${id}`),
    );
  }
  return found;
}

function resultOf(stdout: string): DrillResult {
  const dir = /run directory: (.+)/.exec(stdout)?.[1]?.trim();
  expect(dir, stdout).toBeDefined();
  return JSON.parse(readFileSync(join(dir!, 'result.json'), 'utf8')) as DrillResult;
}

/** A variant of the example as a temp file (the build context stays the example's). */
function variant(name: string, edit: (s: string) => string): string {
  const text = edit(readFileSync(join(exampleDir, 'primary-down.yaml'), 'utf8')).replace(
    /build: \.\s.*\n/,
    `build: ${exampleDir}\n`,
  );
  const file = join(out, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

const runIds: string[] = [];
beforeAll(async () => {
  if (!existsSync(join(exampleDir, 'rootfs/usr/local/bin/etcd'))) await execa('bash', [join(exampleDir, 'prepare.sh')]);
});
afterAll(async () => {
  for (const id of runIds) await drill(['cleanup', '--run', id]);
});

describe('custom target: etcd', () => {
  it('examples/etcd/primary-down.yaml passes: leader killed, RTO measured, nothing acknowledged lost', async () => {
    const r = await drill(['run', 'examples/etcd/primary-down.yaml', '--out', out, '--seed', '3']);
    const result = resultOf(r.stdout);
    runIds.push(result.run_id);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(result.target.kind).toBe('etcd');
    expect(result.metrics.rpo.lost).toBe(0);
    expect(result.metrics.rto_s).not.toBeNull();
    expect(result.metrics.rto_s!).toBeLessThanOrEqual(5);
    expect(result.metrics.integrity.ok).toBe(true);
    const history = readFileSync(join(result.run_dir, 'history.jsonl'), 'utf8');
    expect(history).toMatch(/"f":"put"/);
    expect(await leftovers(result.run_id)).toEqual([]);
  });

  it(
    'examples/etcd/backup-restore.yaml passes: snapshot, destroy, restore, every write up to the snapshot ' + 'back',
    async () => {
      const r = await drill(['run', 'examples/etcd/backup-restore.yaml', '--out', out, '--seed', '3']);
      const result = resultOf(r.stdout);
      runIds.push(result.run_id);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /restore verified: \d+ acknowledged writes checked, 0 missing at or before position \d+/,
      );
      expect(await leftovers(result.run_id)).toEqual([]);
    },
  );

  it('a role probe that never matches: exit 3 naming the probe, no container left', async () => {
    const file = variant('bad-role', (s) =>
      s.replace('boot_timeout: 60s', 'boot_timeout: 6s').replace('"leader":"\\1"', '"leader":"nobody"'),
    );
    const r = await drill(['run', file, '--out', out]);
    const result = resultOf(r.stdout);
    runIds.push(result.run_id);
    expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    expect(result.error).toMatch(/probes\.role matched on no node/);
    expect(await leftovers(result.run_id)).toEqual([]);
  });

  it("an image whose command does not start: exit 3 with the node's last words, no container left", async () => {
    const file = variant('bad-command', (s) => s.replace('- --data-dir=/data/etcd', '- --no-such-flag'));
    const r = await drill(['run', file, '--out', out]);
    const result = resultOf(r.stdout);
    runIds.push(result.run_id);
    expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    expect(result.error).toMatch(/etcd node n\d exited with code \d+ during boot/);
    expect(await leftovers(result.run_id)).toEqual([]);
  });

  it('an image that is not in the engine: exit 3, nothing created', async () => {
    const file = variant('no-image', (s) => s.replace(/build: .*\n/, 'image: drill-no-such-image:never\n'));
    const r = await drill(['run', file, '--out', out]);
    const result = resultOf(r.stdout);
    runIds.push(result.run_id);
    expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    expect(result.error).toMatch(/image drill-no-such-image:never is not in the local Docker engine/);
    expect(await leftovers(result.run_id)).toEqual([]);
  });
});
