// The backup step: a full or incremental backup from the primary, a replica or a named
// node, in the foreground or in the background (a later fault can interrupt it), or
// expected to fail (e.g. a read-only repository).

import { dataNodesOf } from '../../targets/target.js';
import { sleep } from '../../core/clock.js';
import { BackupRefusedError, type BackupSummary } from '../../targets/backup.js';
import type { BackupStepSpec } from '../backup-step-types.js';
import { allHealthy } from '../conditions.js';
import { control, mbPerS, s, type BackupRecord, type BackupStepDeps } from './state.js';

const BACKUP_TIMEOUT_MS = 10 * 60_000;

async function resolveNode(deps: BackupStepDeps, node: string): Promise<string> {
  if (node !== 'primary' && node !== 'replica') return node;
  const deadline = deps.clock.now() + 15_000;
  for (;;) {
    const leader = await deps.target.leader();
    if (leader !== null) {
      if (node === 'primary') return leader;
      const h = await allHealthy(deps.target, deps.target.nodeNames);
      const replica = dataNodesOf(deps.target).find((n) => n !== leader && !h.down.includes(n));
      if (replica) return replica;
    }
    if (deps.clock.now() > deadline) throw new Error(`no ${node} to back up from within 15 s`);
    await sleep(100, deps.signal);
  }
}

function describeBackup(name: string, b: BackupSummary, ms: number): string {
  const at = b.position >= 0 ? `position ${b.position}` : 'no reported position';
  // A custom target's backup probe is opaque: its size is not known, so none is printed.
  if (b.chunks === null || b.bytes === null) return `backup ${name} = ${b.id}: ${b.type} at ${at} in ${s(ms)} s`;
  const resumed = b.resumed ? `, resumed: ${b.chunks_resumed} finished before the interruption` : '';
  return (
    `backup ${name} = ${b.id}: ${b.type} at ${at}, ${b.chunks} chunks ` +
    `(${b.chunks_written ?? '?'} sent, ${b.chunks_skipped ?? '?'} already stored${resumed}), ` +
    `${b.bytes} bytes in ${s(ms)} s`
  );
}

export async function runBackup(step: BackupStepSpec, deps: BackupStepDeps): Promise<void> {
  const ctl = control(deps.target);
  await deps.state.settled(); // an earlier background backup ends first (it may have been interrupted)
  const node = await resolveNode(deps, step.node);
  const t0 = deps.clock.now();
  const rec: BackupRecord = {
    name: step.name,
    id: null,
    type: step.type,
    node,
    status: 'running',
    expected_failure: false,
    start_s: s(t0),
    end_s: null,
    position: null,
    bytes: null,
    chunks: null,
    chunks_written: null,
    chunks_skipped: null,
    chunks_resumed: null,
    resumed: null,
    throughput_mb_s: null,
  };
  deps.state.backups.push(rec);
  const req = {
    type: step.type,
    resume: step.resume,
    ...(step.maxBytesPerS !== undefined ? { maxBytesPerS: step.maxBytesPerS } : {}),
  };
  const run = async (): Promise<void> => {
    let b: BackupSummary;
    try {
      b = await ctl.backup(node, req, BACKUP_TIMEOUT_MS);
    } catch (e) {
      rec.status = 'failed';
      rec.end_s = s(deps.clock.now());
      rec.error = e instanceof Error ? e.message : String(e);
      throw e;
    }
    const t1 = deps.clock.now();
    Object.assign(rec, {
      status: 'completed',
      id: b.id,
      type: b.type,
      end_s: s(t1),
      position: b.position,
      bytes: b.bytes,
      chunks: b.chunks,
      chunks_written: b.chunks_written ?? null,
      chunks_skipped: b.chunks_skipped ?? null,
      chunks_resumed: b.chunks_resumed ?? null,
      resumed: b.resumed ?? null,
      throughput_mb_s: t1 > t0 && b.bytes !== null ? mbPerS(b.bytes, t1 - t0) : null,
      ...(b.promoted_to_full ? { promoted_to_full: b.promoted_to_full } : {}),
    });
    deps.onEvent?.(describeBackup(step.name, b, t1 - t0));
  };
  if (step.background) {
    deps.state.track(
      run().catch((e: unknown) => {
        deps.onEvent?.(`background backup ${step.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }),
    );
    return;
  }
  if (step.expectFailure) {
    try {
      await run();
    } catch (e) {
      rec.expected_failure = true;
      deps.onEvent?.(`backup ${step.name} failed as expected: ${rec.error}`);
      if (!(e instanceof BackupRefusedError))
        throw new Error(`backup ${step.name} failed, but not with an answer from the SUT: ${rec.error}`, { cause: e });
      return;
    }
    throw new Error(`backup ${step.name} succeeded (${rec.id}) but was expected to fail`);
  }
  await run();
}
