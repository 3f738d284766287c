// Point-in-time restore of a real PostgreSQL 15 (issue 15): pg_basebackup and WAL archiving
// under INSERTs, a restore point, more writes, the node destroyed, the base backup restored
// and replayed up to the point. The history is cut again here, independently of the drill's
// checker, from history.jsonl, the final read and the point's interval: every write
// acknowledged before the point asked is back, every write sent after it answered is not.
// And the classic pitfall: a backup role without REPLICATION fails the backup step with the
// server's own message, which the scenario expects.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, RunTracker } from '../../support/drill-cli.js';

const out = mkdtempSync(join(tmpdir(), 'drill-pitr-'));
const runs = new RunTracker();

beforeAll(async () => {
  if (!existsSync(join(root, 'examples/postgres/rootfs/usr/lib/postgresql/15/bin/pg_basebackup')))
    await execa('bash', [join(root, 'examples/postgres/prepare.sh')]);
}, 300_000);
afterAll(() => runs.cleanup());

interface Write {
  invoke: number;
  ok?: number;
}

/** Writes by id from history.jsonl: when each was sent and, if acknowledged, when. */
function writesOf(runDir: string): Map<string, Write> {
  const m = new Map<string, Write>();
  for (const line of readFileSync(join(runDir, 'history.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as { type: string; f: string; id?: string; t: number };
    if (e.f !== 'put' || e.id === undefined) continue;
    if (e.type === 'invoke') m.set(e.id, { invoke: e.t });
    else if (e.type === 'ok') m.get(e.id)!.ok = e.t;
  }
  return m;
}

describe('PostgreSQL point-in-time restore', () => {
  it('restores exactly the writes acknowledged before the restore point', async () => {
    const { code, result, output } = await runs.run('examples/postgres-pitr/pitr.yaml', out);
    expect(code, output).toBe(0);
    expect(result.verdict).toBe('pass');
    const rs = result.metrics.restore!;
    expect(rs.point).toBe('p1');
    expect(rs.missing_before_position).toBe(0);
    expect(rs.present_after_position).toBe(0);
    expect(rs.lost_after_position!).toBeGreaterThan(0);
    expect(result.metrics.integrity.ok).toBe(true);
    // the base backup's position is its WAL end point, an LSN parsed from pg_basebackup's output
    // the backup probe is opaque to the harness: its size is unknown, never 0
    expect(rs.backups[0]).toMatchObject({ name: 'base', status: 'completed', bytes: null, throughput_mb_s: null });
    expect(rs.backups[0]!['position'] as number).toBeGreaterThan(0);
    const point = rs.points?.[0] as { name: string; status: string; t_request_s: number; t_made_s: number };
    expect(point).toMatchObject({ name: 'p1', node: 'n1', status: 'made' });
    expect(point.t_made_s).toBeGreaterThanOrEqual(point.t_request_s);
    const restore = rs.restores[0] as { point: string; status: string; t_destroy_s: number; data: object };
    expect(restore).toMatchObject({ point: 'p1', status: 'restored' });
    expect(restore.data).toMatchObject({ missing_before_position: 0, present_after_position: 0 });
    expect(result.steps.filter((s) => s.kind === 'verify').map((s) => s.status)).toEqual(['completed']);

    // The cut, again, from the raw history and the final read.
    const present = new Set(
      (JSON.parse(readFileSync(join(result.run_dir, 'final-read.json'), 'utf8')) as { ids: string[] }).ids,
    );
    const [start, end, destroy] = [point.t_request_s * 1000, point.t_made_s * 1000, restore.t_destroy_s * 1000];
    const backupEnd = (rs.backups[0]!['end_s'] as number) * 1000;
    let before = 0;
    let replayed = 0; // acknowledged after the base backup ended: back only through the archived WAL
    let after = 0;
    const missing: string[] = [];
    const back: string[] = [];
    for (const [id, w] of writesOf(result.run_dir)) {
      if (w.ok !== undefined && w.ok <= start) {
        before++;
        if (w.ok > backupEnd) replayed++;
        if (!present.has(id)) missing.push(id);
      } else if (w.invoke >= end && w.invoke < destroy) {
        if (w.ok !== undefined) after++;
        if (present.has(id)) back.push(id);
      }
    }
    expect(before).toBeGreaterThan(100);
    expect(replayed).toBeGreaterThan(100);
    expect(missing).toEqual([]);
    expect(after).toBeGreaterThan(100); // written (and acknowledged) after the point ...
    expect(back).toEqual([]); // ... and none of them came back
  });

  it("a backup role without REPLICATION fails the backup step with the server's message, as expected", async () => {
    const { code, result, output } = await runs.run('examples/postgres-pitr/backup-role-unprivileged.yaml', out);
    expect(code, output).toBe(0); // the expectation is met
    expect(result.verdict).toBe('fail');
    expect(result.expect).toMatchObject({ verdict: 'fail', reason: 'step backup failed', met: true });
    const failed = result.steps.filter((s) => s.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'backup' });
    const server = /FATAL: +must be superuser or replication role to start walsender/;
    expect(failed[0]!.error).toMatch(server);
    expect(output).toMatch(server);
    expect(result.metrics.restore!.backups[0]).toMatchObject({ name: 'base', status: 'failed', id: null });
    // it failed there, not later: no point made, nothing destroyed or restored
    expect(result.metrics.restore!.points).toEqual([]);
    expect(result.metrics.restore!.restores).toEqual([]);
    expect(result.metrics.rpo.lost).toBe(0);
  });
});
