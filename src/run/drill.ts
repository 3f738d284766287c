// One drill, start to finish:
//
//   boot cluster -> workload on -> steps (faults, awaits, marks) -> heal all
//   -> workload off -> converge -> final read -> teardown
//   -> checkers -> thresholds -> verdict -> reports
//
// Whatever happens (a failed step, Ctrl-C, an infrastructure error) the `finally` heals
// every fault and tears the cluster down, and the result is written with what was
// measured so far: the same result shape for success, failure and an aborted run.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finalRead } from '../client/final-read.js';
import type { FinalRead, HistoryEvent } from '../client/history.js';
import { HistoryWriter } from '../client/history-writer.js';
import { RecoveryProbe } from '../client/recovery-probe.js';
import { startWorkload } from '../client/workload.js';
import { computeMetrics, faultInputs } from '../checkers/metrics.js';
import { monotonicClock, sleep, type Clock } from '../core/clock.js';
import { DrillError, InfraError, UsageError } from '../core/errors.js';
import { seededRng } from '../core/random.js';
import type { DrillResult, RunStatus, StepRecord } from '../core/result.js';
import { FaultManager } from '../faults/fault-manager.js';
import { FaultJournal } from '../faults/journal.js';
import type { ScenarioFile } from '../scenario/schema.js';
import { RecoveryWatcher } from '../schedule/conditions.js';
import { runSteps, StepFailedError, type ScheduleOutcome } from '../schedule/runner.js';
import { judge } from '../scoring/verdict.js';
import { createTarget } from '../targets/create.js';
import { dataNodesOf, type Target } from '../targets/target.js';
import type { EngineKind } from '../engines/engine.js';
import type { Progress } from '../reporters/progress.js';
import { LeaderWatch } from './leader-watch.js';
import { MarkBoard } from './marks.js';
import { LiveSession, type LiveOptions } from '../live/session.js';
import { createRunDir, type RunDir } from './run-dir.js';

/** The live progress a drill reports to (the terminal's, or a quiet one). */
export type DrillProgress = Progress;

export interface RunOptions {
  file: ScenarioFile;
  outDir: string;
  seed?: number | undefined;
  /** Leave the cluster up after the drill (for poking at it); `drill cleanup` removes it. */
  keep?: boolean;
  signal: AbortSignal;
  progress: DrillProgress;
  /** A game day: the live page and terminal keys for marks (`drill run --live`). */
  live?: LiveOptions | undefined;
  /** Where the nodes run (`drill run --engine`); default: the scenario's cluster.engine. */
  engine?: EngineKind | undefined;
}

/** Logical-client numbers of the recovery probe: far above any workload worker's. */
const PROBE_PROCESS_BASE = 10_000;

/** How long to wait for every node to hold the same data before the final read. */
const CONVERGE_TIMEOUT_MS = 30_000;

export async function runDrill(opts: RunOptions): Promise<DrillResult> {
  const { scenario, path } = opts.file;
  const seed = opts.seed ?? scenario.seed ?? Math.floor(Math.random() * 2 ** 31);
  const clock = monotonicClock();
  const startedAt = new Date(clock.originWallMs).toISOString();
  const run = createRunDir(opts.outDir, scenario.name);
  writeFileSync(join(run.dir, 'scenario.json'), JSON.stringify({ path, scenario, seed }, null, 2));
  const { progress } = opts;
  progress.event(`run ${run.runId}: ${scenario.name} (seed ${seed}) -> ${run.dir}`);

  const journal = new FaultJournal(run.journal);
  const history = await HistoryWriter.open(run.history);
  const recovery = new RecoveryWatcher();
  const marks = new MarkBoard(clock, history);
  // The board's list is the outcome's: scenario marks and the team's marks in one place.
  const out: ScheduleOutcome = { steps: [], marks: marks.marks };
  let phase = 'boot';
  let status: RunStatus = 'completed';
  let error: string | undefined;
  let aborted = false;
  let final: FinalRead | null = null;
  let target: Target | undefined;
  let leaders: LeaderWatch | undefined;
  let faults: FaultManager | undefined;
  let workload: ReturnType<typeof startWorkload> | undefined;
  let probe: RecoveryProbe | undefined;
  let live: LiveSession | undefined;
  let ticker: NodeJS.Timeout | undefined;

  const tick = () => {
    const st = workload?.stats();
    progress.update({
      phase,
      elapsedS: clock.now() / 1000,
      opsPerS: st?.opsPerSLast1s ?? 0,
      errorRate: st?.errorRateLast1s ?? 0,
      leader: leaders?.current ?? null,
      activeFaults: faults?.activeNames() ?? [],
    });
  };

  try {
    target = await createTarget(scenario, {
      runId: run.runId,
      logDir: run.logs,
      clock,
      scenarioFile: path,
      // A first run on a machine (or after a code change) builds the image: its own phase.
      onImageBuild: (e) => {
        if (e.phase === 'start') {
          phase = 'build image';
          progress.event(`building image ${e.tag}`);
        } else {
          progress.event(`image ${e.tag} built in ${(e.ms / 1000).toFixed(1)} s`);
          phase = 'boot';
        }
      },
      engine: opts.engine,
    });
    const groups = target.nodeGroups?.();
    progress.event(
      groups
        ? `booting ${Object.entries(groups)
            .map(([g, n]) => `${g} x${n.length}`)
            .join(', ')}`
        : `booting ${target.kind} x${target.nodeNames.length}`,
    );
    ticker = setInterval(tick, 250);
    await target.boot(opts.signal);
    progress.event(`cluster up: ${target.nodeNames.join(', ')} (${(clock.now() / 1000).toFixed(1)} s)`);

    leaders = new LeaderWatch(target, clock);
    leaders.start();
    faults = new FaultManager(target, clock, journal, run.runId, seededRng(seed ^ 0x5eed), {
      onError: (m) => progress.event(`warning: ${m}`),
      onHealed: (r) => {
        progress.event(`fault ${r.id} healed`);
        // Healing can disrupt too (a deposed primary rejoins, a partition's old side is discarded).
        if (r.disruptive) probe?.start();
      },
    });
    if (opts.live) {
      const f = faults;
      const l = leaders;
      live = new LiveSession(
        {
          clock,
          scenario,
          runId: run.runId,
          nodes: target.nodeNames,
          phase: () => phase,
          steps: () => out.steps,
          faults: () => f.records,
          active: () => f.activeNames(),
          events: () => history.events,
          leaders: () => l.timeline,
          rtoLimitS: scenario.thresholds?.rto === undefined ? undefined : scenario.thresholds.rto / 1000,
          marks,
          echo: (line) => progress.event(line),
        },
        opts.live,
      );
      await live.start();
    }
    const w = scenario.workload;
    const client = target.writeClient();
    // The target says which workloads it takes; the first is its default.
    const kind = w.kind ?? target.workloads[0];
    if (!target.workloads.includes(kind)) {
      throw new UsageError(`workload kind ${kind} is not one ${target.kind} takes (${target.workloads.join(', ')})`);
    }
    if (w.probe.enabled) {
      probe = new RecoveryProbe({
        client,
        clock,
        writer: history,
        kind,
        intervalMs: w.probe.interval,
        timeoutMs: w.probe.timeout,
        processBase: PROBE_PROCESS_BASE,
        onEvent: (e: HistoryEvent) => recovery.observe(e),
      });
    }
    workload = startWorkload({
      client,
      clock,
      rate: w.rate,
      concurrency: w.concurrency,
      // Custom targets take key/value writes (no edges); graph-agent takes either.
      kind,
      edgeShare: kind === 'kv' ? 0 : w.edge_share,
      readShare: w.read_share,
      timeoutMs: w.timeout,
      seed,
      writer: history,
      onEvent: (e: HistoryEvent) => recovery.observe(e),
    });

    phase = 'steps';
    await runSteps(
      scenario.steps,
      {
        clock,
        target,
        faults,
        recovery,
        signal: opts.signal,
        runId: run.runId,
        runDir: run.dir,
        onStep: (r: StepRecord) => {
          phase = `step ${r.index + 1}/${scenario.steps.length}: ${r.description}`;
          progress.event(phase);
        },
        onEvent: (line) => progress.event(line),
        onFault: (r) => {
          if (r.disruptive) probe?.start();
        },
        marks,
        leaderAt: (t) => leaders?.leaderAt(t) ?? null,
        history: () => history.events,
      },
      out,
    );
  } catch (e) {
    if (opts.signal.aborted) {
      status = 'interrupted';
      aborted = true;
      error = 'interrupted';
      progress.event('interrupted: healing faults and tearing down');
    } else if (e instanceof StepFailedError) {
      status = 'failed';
      error = e.message;
      progress.event(e.message);
    } else {
      status = 'aborted';
      aborted = true;
      error = e instanceof Error ? e.message : String(e);
      if (!(e instanceof DrillError)) error = `harness error: ${error}`;
      progress.event(`aborted: ${error}`);
      if (!(e instanceof DrillError) && e instanceof Error && e.stack) {
        writeFileSync(join(run.dir, 'harness-error.txt'), e.stack);
      }
    }
  } finally {
    // Heal with no regard for the abort signal: cleanup must survive cancellation.
    phase = 'heal';
    if (faults) {
      await faults.healAll().catch((e: unknown) => {
        progress.event(`warning: ${String(e)}`);
        error ??= `healing failed: ${String(e)}`;
      });
    }
    if (workload) {
      phase = 'settle';
      // Let the SUT show it serves again after the last heal before the workload stops.
      if (!aborted) await settle(clock, recovery);
    }
    await Promise.all([workload?.stop(), probe?.stop()]);
    if (target && !aborted) {
      phase = 'final read';
      try {
        const t0 = clock.now();
        await awaitConverged(target, clock);
        const t1 = clock.now();
        final = await finalRead(target.finalReadSource(), clock, { timeoutMs: 30_000 });
        writeFileSync(join(run.dir, 'final-read.json'), JSON.stringify(final));
        const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
        progress.event(`final read: converged in ${secs(t1 - t0)}, read in ${secs(clock.now() - t1)}`);
      } catch (e) {
        progress.event(`final read failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    leaders?.stop();
    if (leaders) writeFileSync(join(run.dir, 'leaders.json'), JSON.stringify(leaders.timeline));
    if (ticker) clearInterval(ticker);
    await history.close();
    journal.close();
    if (target && !opts.keep) {
      phase = 'teardown';
      const t0 = clock.now();
      await target.teardown();
      progress.event(`teardown: ${((clock.now() - t0) / 1000).toFixed(1)} s`);
    } else if (target) {
      progress.event(`--keep: cluster left running; remove it with \`drill cleanup\``);
    }
    progress.done();
  }

  const result = assemble({
    opts,
    run,
    clock,
    seed,
    startedAt,
    status,
    aborted,
    error,
    final,
    target,
    faults,
    leaders,
    history: history.events,
    out,
  });
  await live?.stop(result.verdict).catch(() => undefined);
  return result;
}

/** Give the workload a moment to show recovery after the last heal (bounded, best effort). */
async function settle(clock: Clock, recovery: RecoveryWatcher): Promise<void> {
  recovery.reset(clock.now());
  const deadline = clock.now() + 5_000;
  while (clock.now() < deadline && !recovery.recovered()) await sleep(50);
}

/** Wait until every node reports the same checksum (replicas caught up) or the timeout. */
async function awaitConverged(target: Target, clock: Clock): Promise<void> {
  const src = target.finalReadSource();
  const deadline = clock.now() + CONVERGE_TIMEOUT_MS;
  while (clock.now() < deadline) {
    const sums = await Promise.all(dataNodesOf(target).map((n) => src.checksum(n).catch(() => null)));
    if (sums.every((s) => s !== null && s === sums[0])) return;
    await sleep(200);
  }
}

function assemble(a: {
  opts: RunOptions;
  run: RunDir;
  clock: Clock;
  seed: number;
  startedAt: string;
  status: RunStatus;
  aborted: boolean;
  error: string | undefined;
  final: FinalRead | null;
  target: Target | undefined;
  faults: FaultManager | undefined;
  leaders: LeaderWatch | undefined;
  history: HistoryEvent[];
  out: ScheduleOutcome;
}): DrillResult {
  const { scenario, path } = a.opts.file;
  const faultRecords = a.faults?.records ?? [];
  const backup = a.out.backup
    ? {
        cut: a.out.backup.cut,
        destroyT: a.out.backup.destroyT,
        backups: a.out.backup.backups,
        restores: a.out.backup.restores,
        points: a.out.backup.points,
      }
    : undefined;
  // What the backup/restore steps recorded cannot be derived from the history: keep it for `drill report`.
  if (backup) writeFileSync(join(a.run.dir, 'backup.json'), JSON.stringify(backup));
  const metrics = computeMetrics({
    events: a.history,
    endT: a.clock.now(),
    final: a.final,
    faults: faultInputs(faultRecords),
    leaderTimeline: a.leaders?.timeline ?? [],
    ...(backup ? { backup } : {}),
    marks: a.out.marks,
    gameDay: scenario.thresholds?.detect !== undefined || scenario.thresholds?.mitigate !== undefined,
  });
  // A step that failed (recovery never came within its await timeout) fails the drill
  // even when every threshold that could be scored was met.
  const { thresholds, verdict, expect } = judge(scenario, metrics, {
    aborted: a.aborted,
    status: a.status,
    steps: a.out.steps,
  });
  const result: DrillResult = {
    schema_version: 1,
    scenario: {
      name: scenario.name,
      file: path,
      ...(scenario.description !== undefined ? { description: scenario.description } : {}),
      tags: scenario.tags ?? [],
    },
    run_id: a.run.runId,
    seed: a.seed,
    verdict,
    status: a.status,
    aborted: a.aborted,
    ...(a.error !== undefined ? { error: a.error } : {}),
    started_at: a.startedAt,
    duration_s: a.clock.now() / 1000,
    run_dir: a.run.dir,
    metrics,
    thresholds,
    faults: faultRecords,
    steps: a.out.steps,
    marks: a.out.marks,
    target: {
      kind: a.target?.kind ?? scenario.cluster.target,
      nodes: [...(a.target?.nodeNames ?? [])],
      settings: a.target?.settings() ?? {},
      ...(a.target?.nodeGroups ? { groups: groupsOf(a.target.nodeGroups()) } : {}),
    },
  };
  if (expect) result.expect = expect;
  return result;
}

export { InfraError };

const groupsOf = (g: Record<string, readonly string[]>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(g).map(([k, v]) => [k, [...v]]));
