// Runs a drill's steps in order on the harness clock. A step that fails (an await that
// times out, a fault that could not take effect) fails the run with its reason; the
// caller's `finally` heals and tears down. Aborting (Ctrl-C) stops at the current step.

import { sleep, type Clock } from '../core/clock.js';
import { formatMs } from '../core/format.js';
import type { FaultRecord, MarkRecord, StepRecord } from '../core/result.js';
import type { FaultManager } from '../faults/fault-manager.js';
import type { Target } from '../targets/target.js';
import { allHealthy, RecoveryWatcher } from './conditions.js';
import type { HistoryEvent } from '../client/history.js';
import {
  BackupRunState,
  runBackup,
  runDestroy,
  runPoint,
  runRestore,
  runVerify,
  type BackupStepDeps,
} from './backup-steps.js';
import { describeStep, type Step } from './steps.js';
import { runExecStep } from './exec-step.js';
import type { MarkBoard } from '../run/marks.js';

export class StepFailedError extends Error {
  constructor(
    readonly step: number,
    message: string,
  ) {
    super(message);
    this.name = 'StepFailedError';
  }
}

export interface RunnerDeps {
  clock: Clock;
  target: Target;
  faults: FaultManager;
  recovery: RecoveryWatcher;
  signal: AbortSignal;
  onStep?(record: StepRecord): void;
  onEvent?(line: string): void;
  /** A fault was confirmed in effect (the recovery probe starts a session). */
  onFault?(record: FaultRecord): void;
  /** The run's marks (scenario marks and, on game days, the team's). */
  marks?: MarkBoard;
  /** The history so far (backup/restore/verify steps compare the data with it). */
  history?: () => readonly HistoryEvent[];
  /** Who led at a harness time (await new-leader); absent: the leader when the step begins. */
  leaderAt?(tMs: number): string | null;
  /** The run's id and directory (exec steps). */
  runId?: string;
  runDir?: string;
}

export interface ScheduleOutcome {
  steps: StepRecord[];
  marks: MarkRecord[];
  /** Backups and restores of the run (backup, destroy, restore, verify steps). */
  backup?: BackupRunState;
}

const POLL_MS = 50;

export async function runSteps(steps: readonly Step[], deps: RunnerDeps, out: ScheduleOutcome): Promise<void> {
  const { clock, signal } = deps;
  for (const [index, step] of steps.entries()) {
    const record: StepRecord = {
      index,
      kind: step.kind,
      description: describeStep(step),
      status: 'completed',
      start_s: clock.now() / 1000,
      end_s: null,
    };
    if (step.kind === 'fault' && step.fault.blind) record.blind = true;
    out.steps.push(record);
    deps.onStep?.(record);
    try {
      if (signal.aborted) throw signal.reason;
      await runStep(step, deps, out);
      record.end_s = clock.now() / 1000;
    } catch (e) {
      record.end_s = clock.now() / 1000;
      if (signal.aborted) {
        record.status = 'interrupted';
        for (const rest of steps.slice(index + 1).entries()) {
          out.steps.push({
            index: index + 1 + rest[0],
            kind: rest[1].kind,
            description: describeStep(rest[1]),
            status: 'skipped',
            start_s: record.end_s,
            end_s: null,
          });
        }
        throw signal.reason;
      }
      record.status = 'failed';
      record.error = e instanceof Error ? e.message : String(e);
      throw new StepFailedError(index, `step ${index + 1} (${record.description}) failed: ${record.error}`);
    }
  }
}

async function runStep(step: Step, deps: RunnerDeps, out: ScheduleOutcome): Promise<void> {
  const { clock, target, faults, signal } = deps;
  switch (step.kind) {
    case 'wait':
      await sleep(step.ms, signal);
      return;
    case 'exec': {
      const line = await runExecStep(step, {
        target,
        runId: deps.runId ?? '',
        runDir: deps.runDir ?? process.cwd(),
        stepIndex: out.steps.length - 1,
        signal,
      });
      deps.onEvent?.(line);
      return;
    }
    case 'mark':
      // Through the run's mark board when there is one (history.jsonl, the live page); the
      // board's list is out.marks then, so the mark is recorded once.
      if (deps.marks) deps.marks.add('note', step.label, 'scenario');
      else out.marks.push({ t_s: clock.now() / 1000, label: step.label, kind: 'note', source: 'scenario' });
      deps.onEvent?.(`mark: ${step.label}`);
      return;
    case 'fault': {
      const r = await faults.apply(step.fault);
      r.step = out.steps.length - 1;
      if (step.fault.blind) r.blind = true;
      deps.onFault?.(r);
      const afterMs = ((r.injection_latency_s ?? 0) * 1000).toFixed(0);
      const on = r.nodes.length > 0 ? r.nodes.join(', ') : 'the backup repository';
      deps.onEvent?.(`fault ${r.id} ${r.kind} on ${on} in effect after ${afterMs} ms (${r.mechanism})`);
      return;
    }
    case 'heal':
      await faults.heal(step.name);
      deps.onEvent?.(`healed ${step.name}`);
      return;
    case 'backup':
    case 'point':
    case 'destroy':
    case 'restore':
    case 'verify': {
      out.backup ??= new BackupRunState();
      const bd: BackupStepDeps = {
        clock,
        target,
        recovery: deps.recovery,
        signal,
        history: deps.history,
        onEvent: deps.onEvent?.bind(deps),
        state: out.backup,
      };
      if (step.kind === 'backup') await runBackup(step, bd);
      else if (step.kind === 'point') await runPoint(step, bd);
      else if (step.kind === 'destroy') await runDestroy(step, bd);
      else if (step.kind === 'restore') await runRestore(step, bd);
      else await runVerify(step, bd);
      return;
    }
    case 'await': {
      const start = clock.now();
      const deadline = start + step.timeoutMs;
      if (step.condition === 'mark') return awaitMark(step.mark, step.timeoutMs, deps);
      if (step.condition === 'recovered') deps.recovery.reset(start);
      const before = step.condition === 'new-leader' ? await leaderBefore(deps, start) : null;
      let why = '';
      while (clock.now() < deadline) {
        if (signal.aborted) throw signal.reason;
        if (step.condition === 'recovered') {
          if (deps.recovery.recovered()) return;
          why = 'writes did not succeed again';
        } else if (step.condition === 'leader') {
          if ((await target.leader()) !== null) return;
          why = 'no leader elected';
        } else if (step.condition === 'new-leader') {
          const now = target.leaders ? await target.leaders().catch(() => []) : [await target.leader()];
          if (now.some((l) => l !== null && l !== before)) return;
          why = before === null ? 'no leader elected' : `no node but ${before} took the lead`;
        } else {
          const h = await allHealthy(target, target.nodeNames);
          if (h.ok) return;
          why = `not healthy: ${h.down.join(', ')}`;
        }
        await sleep(POLL_MS, signal);
      }
      throw new Error(`${why} within ${formatMs(step.timeoutMs)}`);
    }
  }
}

/** The leader when the latest fault was requested (or when the step began, before any fault). */
async function leaderBefore(deps: RunnerDeps, stepStart: number): Promise<string | null> {
  const latest = deps.faults.records.reduce((t, r) => Math.max(t, r.requested_s * 1000), -1);
  if (latest >= 0 && deps.leaderAt) return deps.leaderAt(latest);
  return deps.leaderAt ? deps.leaderAt(stepStart) : await deps.target.leader().catch(() => null);
}

/**
 * Game days: wait for the team's mark (detected / mitigated) made since the latest fault was
 * requested (a mark made before this step began counts: the team does not wait for the script).
 */
async function awaitMark(kind: 'detected' | 'mitigated', timeoutMs: number, deps: RunnerDeps): Promise<void> {
  const board = deps.marks;
  if (!board) throw new Error("await mark needs the run's marks (drill run --live)");
  const since = deps.faults.records.reduce((t, r) => Math.max(t, r.requested_s), 0);
  const deadline = deps.clock.now() + timeoutMs;
  while (board.firstSince(kind, since) === undefined) {
    if (deps.clock.now() > deadline) throw new Error(`nobody marked "${kind}" within ${formatMs(timeoutMs)}`);
    await sleep(POLL_MS, deps.signal);
  }
}
