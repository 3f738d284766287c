// The point step: a named recovery point made in the store now (a custom target's
// probes.point on the primary, e.g. PostgreSQL's pg_create_restore_point). The harness keeps
// when it asked and when the store answered: a later restore to the point (position:
// point:<name>) resolves the writes by that bracket on the harness clock (position.ts).

import { InfraError } from '../../core/errors.js';
import type { PointStepSpec } from '../backup-step-types.js';
import { control, type BackupStepDeps, type PointRecord } from './state.js';

const POINT_TIMEOUT_MS = 30_000;

export async function runPoint(step: PointStepSpec, deps: BackupStepDeps): Promise<void> {
  const ctl = control(deps.target);
  if (!ctl.supports.points || !ctl.point)
    throw new InfraError(`target ${deps.target.kind} cannot make recovery points (it has no probes.point)`);
  if (deps.state.points.some((p) => p.name === step.name))
    throw new Error(`recovery point ${step.name} was already made in this run`);
  const node = await deps.target.leader();
  if (node === null) throw new Error(`no primary to make recovery point ${step.name} on`);
  const rec: PointRecord = { name: step.name, node, status: 'failed', t_request_s: 0, t_made_s: null };
  deps.state.points.push(rec);
  const t0 = deps.clock.now();
  // Rounded outwards to the millisecond: the recorded bracket must hold the real one, or a write
  // acknowledged in the rounded-off fraction after the request would count as before the point.
  rec.t_request_s = Math.floor(t0) / 1000;
  try {
    await ctl.point(step.name, node, POINT_TIMEOUT_MS);
  } catch (e) {
    rec.error = e instanceof Error ? e.message : String(e);
    throw e;
  }
  const t1 = deps.clock.now();
  rec.status = 'made';
  rec.t_made_s = Math.ceil(t1) / 1000;
  deps.onEvent?.(`recovery point ${step.name} made on ${node} (${Math.round(t1 - t0)} ms)`);
}

/** The harness-ms bracket of a made point. */
export function pointBracket(rec: PointRecord): { start: number; end: number } | null {
  if (rec.status !== 'made' || rec.t_made_s === null) return null;
  // The records hold whole milliseconds: round away the float error of seconds * 1000.
  return { start: Math.round(rec.t_request_s * 1000), end: Math.round(rec.t_made_s * 1000) };
}
