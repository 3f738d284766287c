// Targets name their backup refusals with a reason code (and say what their backups
// support), so the backup steps compare codes instead of reading a target's error text.
import { describe, expect, it } from 'vitest';
import { BackupRefusedError } from '../../src/targets/backup.js';
import { CustomBackups, type CustomBackupHost } from '../../src/targets/custom/backups.js';
import { GraphAgentBackupOps, refused } from '../../src/targets/graph-agent/backup-ops.js';

describe('backup refusals and capabilities', () => {
  it("graph-agent: its error codes as reasons; an unknown code (even a prototype key) is 'failed'", () => {
    const r = (error: string) => refused({ status: 422, error, message: 'x' });
    expect(r('corrupt_backup').reason).toBe('corrupt');
    expect(r('corrupt_backup').message).toBe('422 corrupt_backup: x');
    expect(r('no_backup').reason).toBe('missing');
    expect(r('position_not_covered').reason).toBe('not-covered');
    expect(r('repository_unwritable').reason).toBe('unavailable');
    expect(r('backup_in_progress').reason).toBe('busy');
    expect(r('state_rebuilt').reason).toBe('failed');
    expect(r('constructor').reason).toBe('failed');
  });

  it(
    'graph-agent backs up incrementally, restores to a position and verifies; a custom target does neither of ' +
      'the last two',
    () => {
      const host = {} as ConstructorParameters<typeof GraphAgentBackupOps>[0];
      expect(new GraphAgentBackupOps(host).supports).toEqual({ incremental: true, pointInTime: true, verify: true });
      const custom = new CustomBackups({ spec: { probes: {} } } as unknown as CustomBackupHost);
      expect(custom.supports).toEqual({ incremental: true, pointInTime: false, verify: false, points: false });
      const point = { sql: { statement: 'SELECT 1' } };
      const withPoint = new CustomBackups({ spec: { probes: { point } } } as unknown as CustomBackupHost);
      expect(withPoint.supports.points).toBe(true);
    },
  );

  it("a custom target's restore without any backup is refused as 'missing'", async () => {
    const custom = new CustomBackups({
      kind: 'etcd',
      spec: { probes: { restore: { exec: { command: ['true'], expect_exit: 0 } } } },
    } as unknown as CustomBackupHost);
    const e = await custom.restore({ into: 'new-cluster' }, () => 0).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackupRefusedError);
    expect(e).toMatchObject({ code: 'no_backup', reason: 'missing' });
  });
});
