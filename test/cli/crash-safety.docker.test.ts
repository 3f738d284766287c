// Crash safety: SIGKILL the harness at several points (a partition, a delay with a clock
// skew, a backup, a restore, a read-only repository, memory / cpu / block I/O limits), run
// `drill cleanup`, and audit that nothing of the run remains: no container, network or
// volume, no iptables rule, qdisc, proxy, loop device, clock-skew setting or throttled
// container.
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { audit, type AuditFinding } from '../support/audit.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/drill.js');
const out = mkdtempSync(join(tmpdir(), 'drill-crash-'));
const runIds: string[] = [];

afterAll(async () => {
  for (const id of runIds) await execa('node', [bin, 'cleanup', '--run', id], { reject: false });
});

async function killAt(fixture: string, at: RegExp, extraDelayMs = 0): Promise<string> {
  const p = execa('node', [bin, 'run', join(root, 'fixtures/scenarios/crash', fixture), '--out', out], {
    cwd: root,
    reject: false,
    env: { FORCE_COLOR: '0' },
  });
  let buf = '';
  const runId = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`never saw ${at}; output:\n${buf}`)), 90_000);
    p.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const id = /run (\S+): /.exec(buf)?.[1];
      if (id && at.test(buf)) {
        clearTimeout(t);
        res(id);
      }
    });
  });
  runIds.push(runId);
  if (extraDelayMs) await new Promise((r) => setTimeout(r, extraDelayMs));
  p.kill('SIGKILL');
  await p;
  return runId;
}

async function cleanupAndAudit(runId: string): Promise<AuditFinding[]> {
  const before = await audit([runId]);
  // the dead harness did leave something behind: otherwise this test proves nothing
  expect(before.length, 'leftovers before cleanup').toBeGreaterThan(0);
  const c = await execa('node', [bin, 'cleanup', '--run', runId], { reject: false });
  expect(c.exitCode, c.stderr).toBe(0);
  expect(await audit([runId])).toEqual([]);
  return before;
}

describe('SIGKILL of the harness, then drill cleanup', () => {
  it('during a partition', async () => {
    await cleanupAndAudit(await killAt('partition.yaml', /fault f1 partition .* in effect/));
  });

  it('during a delay through the link proxy and a clock skew', async () => {
    await cleanupAndAudit(await killAt('delay.yaml', /fault f2 delay .* in effect/));
  });

  it('during a backup', async () => {
    await cleanupAndAudit(await killAt('backup.yaml', /step 3\/4: backup/, 1500));
  });

  it('during a restore', async () => {
    await cleanupAndAudit(await killAt('restore.yaml', /step 4\/5: restore/, 500));
  });

  it('while the backup repository is read-only (immutable files)', async () => {
    await cleanupAndAudit(await killAt('readonly.yaml', /fault f1 backup-storage .* in effect/));
  });

  it('while memory, cpu and block I/O limits are in effect (no throttled container outlives cleanup)', async () => {
    const before = await cleanupAndAudit(await killAt('resources.yaml', /fault f3 io-limit .* in effect/));
    const throttled = before.filter((f) => f.what === 'throttled container').map((f) => f.detail);
    expect(throttled).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/-n1: memory 268435456/),
        expect.stringMatching(/-n2: cpu quota 50000\/100000/),
        expect.stringMatching(/-n3: blkio\.throttle\.write_bps_device \d+:\d+ 1048576/),
      ]),
    );
  });
});
