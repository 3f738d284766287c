// The backup, destroy, restore and verify steps (docs/backup-restore.md).
//
// Restore RTO: from the destroy (t_destroy, the data confirmed gone) to the first verified
// read and write on the restored cluster (t_verified), in phases: restore (boot a fresh
// cluster, verify the chain, load), cluster healthy, verification (every acknowledged write
// up to the backup's position read back, and writes succeeding again).
// Writes concurrent with a backup are resolved by the position the SUT acknowledged them at
// (CompletionEvent.index) against the backup's recorded position, never by time.

import type { HistoryEvent } from '../client/history.js';
import { compareWithHistory, type DataCheck } from '../checkers/backup-data.js';
import type { PositionCut } from '../checkers/position.js';
import { sleep, type Clock } from '../core/clock.js';
import type { Target } from '../targets/target.js';
import { BackupRefusedError, type BackupControl, type BackupSummary } from '../targets/backup.js';
import type { BackupStepSpec, DestroyStepSpec, RestoreStepSpec, VerifyStepSpec } from './backup-step-types.js';
import { allHealthy, type RecoveryWatcher } from './conditions.js';

export interface BackupRecord {
  name: string;
  id: string | null;
  type: 'full' | 'incremental';
  node: string;
  status: 'running' | 'completed' | 'failed';
  /** The failure was what the scenario expected (expect_failure). */
  expected_failure: boolean;
  error?: string;
  start_s: number;
  end_s: number | null;
  position: number | null;
  bytes: number | null;
  chunks: number | null;
  chunks_written: number | null;
  chunks_skipped: number | null;
  chunks_resumed: number | null;
  resumed: boolean | null;
  /** Snapshot size / duration, MB/s (10^6 bytes). */
  throughput_mb_s: number | null;
  promoted_to_full?: string;
}

export interface RestoreRecord {
  from: string;
  snapshot: string | null;
  position: number | null;
  into: 'new-cluster' | 'new-network';
  status: 'restored' | 'refused' | 'failed';
  expected_refusal: boolean;
  error?: string;
  /** Harness times, seconds. */
  t_destroy_s: number | null;
  t_restore_start_s: number;
  t_booted_s: number | null;
  t_restore_done_s: number | null;
  t_healthy_s: number | null;
  t_verified_s: number | null;
  /** t_verified - t_destroy; null when unknown (no destroy, or never verified). */
  rto_s: number | null;
  phases: { restore_s: number | null; healthy_s: number | null; verification_s: number | null };
  restored: number | null;
  checksum: string | null;
  manifest_checksum: string | null;
  checksum_match: boolean | null;
  bytes: number | null;
  /** Restore throughput: snapshot chain bytes / restore phase, MB/s. */
  throughput_mb_s: number | null;
  data: DataCheck | null;
}

export class BackupRunState {
  readonly backups: BackupRecord[] = [];
  readonly restores: RestoreRecord[] = [];
  private readonly background = new Set<Promise<void>>();
  destroyT: number | null = null;
  /** The position cut in force after a successful restore. */
  cut: PositionCut | null = null;

  named(name: string): BackupRecord | undefined {
    return this.backups.find((b) => b.name === name);
  }
  track(p: Promise<void>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }
  async settled(): Promise<void> {
    await Promise.all([...this.background]);
  }
}

export interface BackupStepDeps {
  clock: Clock;
  target: Target;
  recovery: RecoveryWatcher;
  signal: AbortSignal;
  history?: (() => readonly HistoryEvent[]) | undefined;
  onEvent?: ((line: string) => void) | undefined;
  state: BackupRunState;
}

const BACKUP_TIMEOUT_MS = 10 * 60_000;
const s = (ms: number): number => Math.round(ms) / 1000;

function control(t: Target): BackupControl {
  if (!t.backups) throw new Error(`target ${t.kind} has no backup capability`);
  return t.backups;
}

async function resolveNode(deps: BackupStepDeps, node: string): Promise<string> {
  if (node !== 'primary' && node !== 'replica') return node;
  const deadline = deps.clock.now() + 15_000;
  for (;;) {
    const leader = await deps.target.leader();
    if (leader !== null) {
      if (node === 'primary') return leader;
      const h = await allHealthy(deps.target, deps.target.nodeNames);
      const replica = deps.target.nodeNames.find((n) => n !== leader && !h.down.includes(n));
      if (replica) return replica;
    }
    if (deps.clock.now() > deadline) throw new Error(`no ${node} to back up from within 15 s`);
    await sleep(100, deps.signal);
  }
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
      throughput_mb_s: t1 > t0 ? Math.round((b.bytes / 1e6 / ((t1 - t0) / 1000)) * 100) / 100 : null,
      ...(b.promoted_to_full ? { promoted_to_full: b.promoted_to_full } : {}),
    });
    deps.onEvent?.(
      `backup ${step.name} = ${b.id}: ${b.type} at position ${b.position}, ${b.chunks} chunks (${b.chunks_written ?? '?'} sent, ${b.chunks_skipped ?? '?'} already stored${b.resumed ? `, resumed: ${b.chunks_resumed} finished before the interruption` : ''}), ${b.bytes} bytes in ${s(t1 - t0)} s`,
    );
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
        throw new Error(`backup ${step.name} failed, but not with an answer from the SUT: ${rec.error}`);
      return;
    }
    throw new Error(`backup ${step.name} succeeded (${rec.id}) but was expected to fail`);
  }
  await run();
}

export async function runDestroy(step: DestroyStepSpec, deps: BackupStepDeps): Promise<void> {
  const ctl = control(deps.target);
  await deps.state.settled();
  let nodes: string[] = [];
  if (step.what === 'nodes') {
    if (step.node) nodes = [step.node];
    else if (step.target === 'all') nodes = [...deps.target.nodeNames];
    else {
      const leader = await deps.target.leader();
      nodes =
        step.target === 'primary'
          ? leader
            ? [leader]
            : []
          : deps.target.nodeNames.filter((n) => n !== leader).slice(0, 1);
      if (nodes.length === 0) throw new Error(`no ${step.target} to destroy`);
    }
  }
  const r = await ctl.destroy(step.what, nodes);
  deps.state.destroyT = deps.clock.now();
  deps.onEvent?.(`destroyed ${step.what}: ${r.mechanism}`);
}

async function readAll(target: Target): Promise<Set<string>> {
  const src = target.finalReadSource();
  let last: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      const leader = await src.leader();
      if (leader !== null) {
        const r = await src.scanAll(leader, false);
        return new Set([...r.vertices, ...r.edges.map((e) => e.id)]);
      }
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`could not read the data back: ${last instanceof Error ? last.message : 'no leader'}`);
}

export async function runRestore(step: RestoreStepSpec, deps: BackupStepDeps): Promise<void> {
  const ctl = control(deps.target);
  const st = deps.state;
  await st.settled();
  let id: string | undefined;
  if (step.from !== 'latest') {
    const b = st.named(step.from);
    if (b?.id) id = b.id;
    else if (b)
      throw new Error(`backup ${step.from} did not complete (${b.error ?? b.status}): nothing to restore from`);
    else id = step.from; // a snapshot id
  }
  let position: number | undefined;
  if (typeof step.position === 'number') position = step.position;
  else if (typeof step.position === 'string') {
    const name = step.position.slice('backup:'.length);
    const b = st.named(name);
    if (!b || b.position === null) throw new Error(`position ${step.position}: backup ${name} did not complete`);
    position = b.position;
  }
  const t0 = deps.clock.now();
  const rec: RestoreRecord = {
    from: step.from,
    snapshot: id ?? null,
    position: position ?? null,
    into: step.into,
    status: 'failed',
    expected_refusal: step.expect === 'refused',
    t_destroy_s: st.destroyT === null ? null : s(st.destroyT),
    t_restore_start_s: s(t0),
    t_booted_s: null,
    t_restore_done_s: null,
    t_healthy_s: null,
    t_verified_s: null,
    rto_s: null,
    phases: { restore_s: null, healthy_s: null, verification_s: null },
    restored: null,
    checksum: null,
    manifest_checksum: null,
    checksum_match: null,
    bytes: null,
    throughput_mb_s: null,
    data: null,
  };
  st.restores.push(rec);
  let r;
  try {
    r = await ctl.restore(
      { ...(id !== undefined ? { id } : {}), ...(position !== undefined ? { position } : {}), into: step.into },
      () => deps.clock.now(),
    );
  } catch (e) {
    rec.error = e instanceof Error ? e.message : String(e);
    if (e instanceof BackupRefusedError) {
      rec.status = 'refused';
      if (step.expect === 'refused') {
        if (!/chunk [0-9a-f]{64}|link|manifest/.test(e.message)) {
          throw new Error(`the restore was refused, but the reason names no chunk, link or manifest: ${e.message}`);
        }
        deps.onEvent?.(`restore refused as expected: ${e.message}`);
        return;
      }
    }
    throw e;
  }
  if (step.expect === 'refused') {
    rec.status = 'restored';
    throw new Error(`the restore of ${r.snapshot} succeeded (${r.restored} elements) but must be refused`);
  }
  rec.status = 'restored';
  Object.assign(rec, {
    snapshot: r.snapshot,
    position: r.position,
    t_booted_s: s(r.booted_t),
    t_restore_done_s: s(r.loaded_t),
    restored: r.restored,
    checksum: r.checksum,
    manifest_checksum: r.manifest_checksum,
    checksum_match: r.manifest_checksum === null ? null : r.manifest_checksum === r.checksum,
    bytes: r.bytes ?? null,
  });
  rec.phases.restore_s = s(r.loaded_t - t0);
  if (r.bytes !== undefined && r.loaded_t > r.booted_t)
    rec.throughput_mb_s = Math.round((r.bytes / 1e6 / ((r.loaded_t - r.booted_t) / 1000)) * 100) / 100;
  // A target that reports no backup position (-1) resolves nothing: its writes stay unresolved.
  st.cut = { position: r.position >= 0 ? r.position : null, beforeT: st.destroyT ?? t0 };
  deps.onEvent?.(
    `restored ${r.restored} elements from ${r.chain.join(' -> ')} at position ${r.position}, checksum ${r.checksum.slice(0, 12)}…`,
  );

  // cluster healthy: every node answers and a leader is agreed
  const deadline = deps.clock.now() + step.timeoutMs;
  for (;;) {
    const h = await allHealthy(deps.target, deps.target.nodeNames);
    if (h.ok && (await deps.target.leader()) !== null) break;
    if (deps.clock.now() > deadline)
      throw new Error(`restored cluster not healthy within the timeout: ${h.down.join(', ')} down`);
    await sleep(50, deps.signal);
  }
  const tHealthy = deps.clock.now();
  rec.t_healthy_s = s(tHealthy);
  rec.phases.healthy_s = s(tHealthy - r.loaded_t);

  // verification: writes succeed on the restored cluster, and every acknowledged write up to the position is there
  deps.recovery.reset(r.loaded_t);
  while (!deps.recovery.recovered()) {
    if (deps.clock.now() > deadline)
      throw new Error('writes did not succeed on the restored cluster within the timeout');
    await sleep(20, deps.signal);
  }
  const seen = [...(deps.history?.() ?? [])]; // writes acknowledged before the read starts
  const present = await readAll(deps.target);
  rec.data = compareWithHistory(seen, present, st.cut);
  const tVerified = deps.clock.now();
  rec.t_verified_s = s(tVerified);
  rec.phases.verification_s = s(tVerified - tHealthy);
  if (st.destroyT !== null) rec.rto_s = s(tVerified - st.destroyT);
  deps.onEvent?.(
    `restore verified: ${rec.data.acknowledged} acknowledged writes checked, ` +
      `${rec.data.missing_before_position} missing at or before position ${r.position}, ` +
      `${rec.data.lost_after_position} after it (RPO)` +
      (rec.data.unresolved > 0 ? `, ${rec.data.unresolved} absent without a position to resolve them` : '') +
      `; restore RTO ${rec.rto_s ?? 'unknown'} s`,
  );
}

export async function runVerify(step: VerifyStepSpec, deps: BackupStepDeps): Promise<void> {
  if (step.backups) {
    const v = await control(deps.target).verify();
    if (v.ok && step.expectBackupProblem)
      throw new Error(
        `the repository verified clean (${v.snapshots} snapshots, ${v.chunks_checked} chunks) but a problem was expected`,
      );
    if (!v.ok && !step.expectBackupProblem) throw new Error(`backup repository: ${v.problem?.message ?? 'problem'}`);
    deps.onEvent?.(
      v.ok
        ? `backups verified: ${v.snapshots} snapshots, ${v.chunks_checked} chunks, ${v.bytes_checked} bytes`
        : `backup problem found as expected: ${v.problem?.message}`,
    );
  }
  if (step.data) {
    const seen = [...(deps.history?.() ?? [])]; // writes acknowledged before the read starts
    const present = await readAll(deps.target);
    const d = compareWithHistory(seen, present, deps.state.cut);
    if (d.missing_before_position > 0) {
      throw new Error(
        `${d.missing_before_position} acknowledged writes${deps.state.cut ? ` at or before the backup position ${deps.state.cut.position}` : ''} are missing (e.g. ${d.missing_ids.slice(0, 5).join(', ')})`,
      );
    }
    deps.onEvent?.(
      `data verified: ${d.acknowledged} acknowledged writes, none missing${deps.state.cut ? ` up to position ${deps.state.cut.position}` : ''}`,
    );
  }
}
