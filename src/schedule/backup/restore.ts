// The restore step, and the restore RTO: from the destroy (t_destroy, the data confirmed
// gone) to the first verified read and write on the restored cluster (t_verified), in
// phases: restore (boot a fresh cluster, verify the chain, load), cluster healthy,
// verification (every acknowledged write up to the backup's position read back, and writes
// succeeding again).

import { compareWithHistory } from '../../checkers/backup-data.js';
import { sleep } from '../../core/clock.js';
import { BackupRefusedError } from '../../targets/backup.js';
import type { RestoreStepSpec } from '../backup-step-types.js';
import { allHealthy } from '../conditions.js';
import { pointBracket } from './point.js';
import { readAll } from './read-back.js';
import { control, mbPerS, s, type BackupRunState, type BackupStepDeps, type RestoreRecord } from './state.js';

interface Source {
  id?: string;
  position?: number;
  /** position: point:<name>: the point, and its bracket on the harness clock. */
  point?: string;
  bracket?: { start: number; end: number };
}

/** The snapshot id (undefined: the latest) and position or recovery point a restore step asks for. */
function resolveSource(step: RestoreStepSpec, st: BackupRunState): Source {
  let id: string | undefined;
  if (step.from !== 'latest') {
    const b = st.named(step.from);
    if (b?.id) id = b.id;
    else if (b)
      throw new Error(`backup ${step.from} did not complete (${b.error ?? b.status}): nothing to restore from`);
    else id = step.from; // a snapshot id
  }
  let position: number | undefined;
  if (typeof step.position === 'string' && step.position.startsWith('point:')) {
    const name = step.position.slice('point:'.length);
    const p = st.points.find((x) => x.name === name);
    const bracket = p ? pointBracket(p) : null;
    if (!p || !bracket) throw new Error(`position ${step.position}: recovery point ${name} was not made`);
    return { ...(id !== undefined ? { id } : {}), point: name, bracket };
  }
  if (typeof step.position === 'number') position = step.position;
  else if (typeof step.position === 'string') {
    const name = step.position.slice('backup:'.length);
    const b = st.named(name);
    if (!b || b.position === null) throw new Error(`position ${step.position}: backup ${name} did not complete`);
    position = b.position;
  }
  return { ...(id !== undefined ? { id } : {}), ...(position !== undefined ? { position } : {}) };
}

export async function runRestore(step: RestoreStepSpec, deps: BackupStepDeps): Promise<void> {
  const ctl = control(deps.target);
  const st = deps.state;
  await st.settled();
  const { bracket, ...source } = resolveSource(step, st);
  const { id, position } = source;
  const t0 = deps.clock.now();
  const rec: RestoreRecord = {
    from: step.from,
    snapshot: id ?? null,
    position: position ?? null,
    ...(source.point !== undefined ? { point: source.point } : {}),
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
    r = await ctl.restore({ ...source, into: step.into }, () => deps.clock.now());
  } catch (e) {
    rec.error = e instanceof Error ? e.message : String(e);
    if (e instanceof BackupRefusedError) {
      rec.status = 'refused';
      if (step.expect === 'refused') {
        // The target names why it refused (BackupRefusedError.reason); a corrupt backup is
        // what this step expects, not a missing one or a repository that is not there.
        if (e.reason !== 'corrupt') {
          throw new Error(`the restore was refused, but not as a corrupt backup (${e.reason}): ${e.message}`, {
            cause: e,
          });
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
  if (r.bytes !== undefined && r.loaded_t > r.booted_t) rec.throughput_mb_s = mbPerS(r.bytes, r.loaded_t - r.booted_t);
  // A target that reports no backup position (-1) resolves nothing: its writes stay unresolved.
  st.cut = {
    position: r.position >= 0 ? r.position : null,
    beforeT: st.destroyT ?? t0,
    ...(bracket ? { point: bracket } : {}),
  };
  const at = source.point !== undefined ? `recovery point ${source.point}` : `position ${r.position}`;
  deps.onEvent?.(
    `restored ${r.restored} elements from ${r.chain.join(' -> ')} to ${at}` +
      (r.checksum ? `, checksum ${r.checksum.slice(0, 12)}…` : ''),
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

  // verification: writes succeed on the restored cluster, and every acknowledged write up to
  // the position is there
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
      `${rec.data.missing_before_position} missing at or before ${at}, ` +
      (bracket ? `${rec.data.present_after_position} present though written after it, ` : '') +
      `${rec.data.lost_after_position} after it (RPO)` +
      (rec.data.unresolved > 0
        ? `, ${rec.data.unresolved} absent ` +
          (bracket ? 'that were in flight across the point' : 'without a position to resolve them')
        : '') +
      `; restore RTO ${rec.rto_s ?? 'unknown'} s`,
  );
}
