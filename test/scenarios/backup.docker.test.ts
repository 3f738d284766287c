// The backup/restore scenario library against the real Docker engine: each scenario ends with
// the verdict it should have (exit 0 = expectation met), and the restore's data matches every
// acknowledged write up to the backup position.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/core/result.js';
import { bin, root, RunTracker } from '../support/drill-cli.js';

const out = mkdtempSync(join(tmpdir(), 'drill-backup-'));
const runs = new RunTracker();
afterAll(() => runs.cleanup());

async function run(file: string): Promise<{ code: number; result: DrillResult; stdout: string }> {
  const r = await runs.run(`scenarios/${file}`, out);
  return { code: r.code, result: r.result, stdout: r.output };
}

function restoredClean(result: DrillResult): void {
  const rs = result.metrics.restore!;
  expect(rs).toBeDefined();
  expect(rs.missing_before_position).toBe(0);
  expect(rs.checksum_match).toBe(true);
  expect(rs.rto_s).not.toBeNull();
  expect(rs.phases.restore_s).not.toBeNull();
  expect(rs.phases.healthy_s).not.toBeNull();
  expect(rs.phases.verification_s).not.toBeNull();
  expect(result.metrics.integrity.ok).toBe(true);
  expect(result.metrics.rpo.missing_before_position).toBe(0);
}

describe('backup and restore scenarios', () => {
  it('backup-restore-full: passes, every write acknowledged up to the position restored', async () => {
    const { code, result, stdout } = await run('backup-restore-full.yaml');
    expect(code, stdout).toBe(0);
    expect(result.verdict).toBe('pass');
    restoredClean(result);
    // the restore RTO is the drill's RTO (SPEC section 4), and `drill report` re-renders it the same
    expect(result.metrics.rto_s).toBe(result.metrics.restore!.rto_s);
    const again = await execa('node', [bin, 'report', result.run_dir], { cwd: root, reject: false });
    expect(again.exitCode, again.stderr).toBe(0);
    const rerendered = JSON.parse(readFileSync(join(result.run_dir, 'result.json'), 'utf8')) as DrillResult;
    expect(rerendered.verdict).toBe(result.verdict);
    expect(rerendered.metrics.rto_s).toBe(result.metrics.rto_s);
    expect(rerendered.metrics.restore?.missing_before_position).toBe(0);
  });

  it('incremental-chain: restores a chain of three; the fourth snapshot is full again', async () => {
    const { code, result, stdout } = await run('incremental-chain.yaml');
    expect(code, stdout).toBe(0);
    restoredClean(result);
    const bs = result.metrics.restore!.backups as Array<{ name: string; type: string }>;
    expect(bs.map((b) => b.type)).toEqual(['full', 'incremental', 'incremental', 'full']);
    const rs = result.metrics.restore!.restores as Array<{ snapshot: string }>;
    expect(rs).toHaveLength(1);
  });

  it('corrupt-backup: restoring the corrupt backup is refused, naming the chunk; the older one restores', async () => {
    const { code, result, stdout } = await run('corrupt-backup.yaml');
    expect(code, stdout).toBe(0);
    expect(result.metrics.restore!.refused).toBe(1);
    const chunk = (result.faults.find((f) => f.kind === 'backup-storage')!.detail as { chunk: string }).chunk;
    const refused = (result.metrics.restore!.restores as Array<{ status: string; error?: string }>).find(
      (r) => r.status === 'refused',
    )!;
    expect(refused.error).toContain(chunk);
    restoredClean(result);
  });

  it('backup-interrupted: the retry resumes the same snapshot and skips the finished chunks', async () => {
    const { code, result, stdout } = await run('backup-interrupted.yaml');
    expect(code, stdout).toBe(0);
    const bs = result.metrics.restore!.backups as Array<{
      name: string;
      status: string;
      resumed: boolean;
      chunks_resumed: number;
    }>;
    expect(bs.find((b) => b.name === 'interrupted')!.status).toBe('failed');
    const resumed = bs.find((b) => b.name === 'resumed')!;
    expect(resumed.resumed).toBe(true);
    expect(resumed.chunks_resumed).toBeGreaterThan(0);
    restoredClean(result);
  });

  it('region-loss: restored into a new network', async () => {
    const { code, result, stdout } = await run('region-loss.yaml');
    expect(code, stdout).toBe(0);
    restoredClean(result);
    expect((result.metrics.restore!.restores as Array<{ into: string }>)[0]!.into).toBe('new-network');
  });

  it('backup-repository-faults: backups fail loudly on a read-only or unavailable repository', async () => {
    const { code, result, stdout } = await run('backup-repository-faults.yaml');
    expect(code, stdout).toBe(0);
    const bs = result.metrics.restore!.backups as Array<{ name: string; error?: string; expected_failure: boolean }>;
    expect(bs.find((b) => b.name === 'while-read-only')!.error).toMatch(/507 repository_unwritable.*EPERM/);
    expect(bs.find((b) => b.name === 'while-unavailable')!.error).toMatch(/503 repository_unavailable/);
    restoredClean(result);
  });

  it(
    'clock-skew-incremental: incremental=mtime loses acknowledged writes under clock skew and the drill fails ' +
      '(as expected)',
    async () => {
      const { code, result, stdout } = await run('clock-skew-incremental.yaml');
      expect(code, stdout).toBe(0); // the expectation (fail: integrity) is met
      expect(result.verdict).toBe('fail');
      expect(result.expect?.met).toBe(true);
      expect(result.metrics.restore!.missing_before_position).toBeGreaterThan(0);
      expect(result.metrics.integrity.ok).toBe(false);
    },
  );

  it('clock-skew-incremental-log: the default incremental passes under the same skew', async () => {
    const { code, result, stdout } = await run('clock-skew-incremental-log.yaml');
    expect(code, stdout).toBe(0);
    expect(result.verdict).toBe('pass');
    restoredClean(result);
  });
});
