// (2) RTO accuracy: a calibrated outage of known length, measured by the RTO checker.
//
// One 3-node cluster, a workload at a realistic rate (300 ops/s, 8 clients, 1 s op
// timeout, as in the bundled scenarios). Per trial: pause ALL nodes with the pause fault
// (docker pause, confirmed when Docker reports every container paused: t_f on the harness
// clock), hold exactly 2.000 s on the harness clock from t_f, then unpause every node at
// once. The outage the SUT really had, as the RTO checker defines RTO (from the fault's
// confirmation), lasts until the last node is thawed (t_u), plus the SUT's own time to
// serve again, which for a frozen-then-thawed cluster with no leader election is ~0. The
// thaw happens somewhere inside the unpause call (tens of ms, hundreds on a loaded host),
// so t_u is observed directly: the harness polls every node's freezer cgroup file on the
// host and notes when all read thawed; t_u is the earlier of that and the unpause
// completion (both are upper bounds of the thaw). Truth = t_u - t_f. Elections are ruled out by
// ELECTION_TIMEOUT_MS=5000 (randomised 5-10 s, check-quorum after 5 s: both far above
// the 2 s outage), and each
// trial checks that the leader and its term are unchanged. The figure is
// |checkRto(history, t_f).rto - (t_u - t_f)|, median over trials.
import { existsSync, readFileSync } from 'node:fs';
import { pairHistory } from '../client/history.js';
import { HistoryWriter } from '../client/history-writer.js';
import { startWorkload } from '../client/workload.js';
import { checkRto } from '../checkers/rto.js';
import { monotonicClock, sleep, type Clock } from '../core/clock.js';
import type { FaultContext } from '../faults/fault.js';
import { hostCaps } from '../faults/host-caps.js';
import { pause } from '../faults/pause.js';
import type { NodeLifecycle } from '../targets/target.js';
import { GraphAgentClient } from '../targets/graph-agent/client.js';
import { startCluster, type Cluster } from '../targets/graph-agent/cluster.js';
import { ensureGraphAgentImage } from '../targets/graph-agent/image.js';
import { benchRunId, type BenchOptions } from './common.js';
import { figure, median, type Figure } from './table.js';

const OUTAGE_MS = 2000;
const RATE = 300;
const CONCURRENCY = 8;
const OP_TIMEOUT_MS = 1000;

export function lifecycleOf(c: Cluster): NodeLifecycle {
  return {
    kill: (n, s) => c.kill(n, s),
    stop: (n) => c.stop(n, 5),
    start: (n) => c.start(n),
    restart: (n) => c.restart(n),
    pause: (n) => c.pause(n),
    unpause: (n) => c.unpause(n),
    inspect: async (n) => {
      const s = await c.inspect(n);
      return { running: s.running, paused: s.paused, pid: s.pid, exitCode: s.exitCode };
    },
  };
}

/** Sleep until the harness clock reads `t` (timer to within 2 ms, then a short spin). */
export async function sleepUntil(clock: Clock, t: number): Promise<void> {
  const coarse = t - clock.now() - 2;
  if (coarse > 0) await sleep(coarse);
  while (clock.now() < t) {
    /* spin: at most ~2 ms */
  }
}

/** The host file that tells whether a container's cgroup is frozen (cgroup v1 freezer or v2), or null. */
export function freezerFile(containerId: string): string | null {
  const candidates = [
    `/sys/fs/cgroup/freezer/docker/${containerId}/freezer.state`,
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/cgroup.events`,
    `/sys/fs/cgroup/docker/${containerId}/cgroup.events`,
  ];
  return candidates.find((f) => existsSync(f)) ?? null;
}

function isThawed(text: string): boolean {
  if (text.startsWith('THAWED')) return true; // v1
  return /^frozen 0$/m.test(text); // v2 cgroup.events
}

/**
 * Poll the freezer files until every cgroup reads thawed; resolves with the harness time
 * of the first read that saw all of them thawed (or null when `stop` says give up).
 */
async function watchThaw(clock: Clock, files: string[], stop: () => boolean): Promise<number | null> {
  const thawed = new Set<string>();
  for (;;) {
    for (const f of files) {
      if (thawed.has(f)) continue;
      let t = '';
      try {
        t = readFileSync(f, 'utf8'); // sysfs, ~10 us; async reads queue behind the thread pool
      } catch {
        /* gone: not thawed yet as far as we know */
      }
      if (isThawed(t)) thawed.add(f);
    }
    if (thawed.size === files.length) return clock.now();
    if (stop()) return null;
    await new Promise<void>((r) => setImmediate(r)); // let the unpause call's I/O run
  }
}

interface Trial {
  truthMs: number;
  /** Unpause request -> all cgroups observed thawed, when the freezer files are readable. */
  thawSeenMs: number | null;
  measuredMs: number | null;
  errorMs: number | null;
  errorBarMs: number | null;
  unpauseCallMs: number;
  heldMs: number;
  election: boolean;
  reason?: string;
}

async function leaderTerm(c: Cluster): Promise<string> {
  const sts = await c.statuses(1000);
  const l = sts.find((s) => s?.role === 'leader');
  return l ? `${l.node}@${l.term}` : 'none';
}

export async function benchRtoAccuracy(opts: BenchOptions): Promise<Figure[]> {
  const trials = opts.quick ? 3 : 10;
  const img = await ensureGraphAgentImage();
  const runId = benchRunId('rto');
  const clock = monotonicClock();
  const cluster = await startCluster({ runId, nodes: 3, image: img.tag, env: { ELECTION_TIMEOUT_MS: '5000' } });
  const out: Trial[] = [];
  const writer = HistoryWriter.inMemory();
  let wl: ReturnType<typeof startWorkload> | undefined;
  try {
    await cluster.waitForLeader(60_000);
    const names = cluster.nodeNames;
    const client = new GraphAgentClient([...names], (n) => cluster.nodes.find((x) => x.name === n)?.clientUrl);
    wl = startWorkload({
      client,
      clock,
      rate: RATE,
      concurrency: CONCURRENCY,
      edgeShare: 0.3,
      readShare: 0.1,
      timeoutMs: OP_TIMEOUT_MS,
      seed: 42,
      writer,
    });
    await sleep(3000);
    for (let i = 0; i < trials; i++) {
      const before = await leaderTerm(cluster);
      const ctx: FaultContext = {
        lifecycle: lifecycleOf(cluster),
        runId,
        faultId: `calibrated-${i}`,
        nodeNames: names,
        caps: hostCaps,
        clock,
        confirmTimeoutMs: 15_000,
      };
      const applied = await pause.apply({ name: ctx.faultId, target: 'all' }, [...names], ctx);
      const tf = applied.confirmedT;
      await sleepUntil(clock, tf + OUTAGE_MS);
      // Unpause every node at once (no inspect first: the window in which the thaw happens
      // stays as short as the engine allows) and watch the freezer from the host.
      const files = names.map((n) => freezerFile(cluster.node(n).containerId));
      const tHeal = clock.now();
      let unpaused = false;
      let tu = Infinity;
      const thaw = files.every((f) => f !== null)
        ? watchThaw(clock, files as string[], () => unpaused && clock.now() - tu > 1000)
        : Promise.resolve(null);
      await Promise.all(names.map((n) => cluster.unpause(n)));
      tu = clock.now();
      unpaused = true;
      const thawT = await thaw;
      await applied.heal(); // no-op now; the fault's own heal, for symmetry
      // Let the workload show recovery (10 sustained oks take ~40 ms at 300 ops/s).
      await sleep(2500);
      const after = await leaderTerm(cluster);
      const ops = pairHistory(writer.events, clock.now());
      const m = checkRto(ops, { id: ctx.faultId, confirmedT: tf });
      // The outage ends when the last node is thawed. Both the unpause completion and the
      // first host observation of every cgroup thawed are upper bounds of that instant (the
      // poller can lag on a loaded host): the truth is the tighter one.
      const truthMs = Math.min(thawT ?? Infinity, tu) - tf;
      const measuredMs = m.rto_s === null ? null : m.rto_s * 1000;
      const t: Trial = {
        truthMs,
        thawSeenMs: thawT === null ? null : thawT - tHeal,
        measuredMs,
        errorMs: measuredMs === null ? null : measuredMs - truthMs,
        errorBarMs: m.error_bar_s === null ? null : m.error_bar_s * 1000,
        unpauseCallMs: tu - tHeal,
        heldMs: tHeal - tf,
        election: before !== after,
      };
      if (m.reason) t.reason = m.reason;
      out.push(t);
      opts.log(
        `rto-accuracy ${i + 1}/${trials}: truth ${truthMs.toFixed(1)} ms, measured ` +
          `${measuredMs?.toFixed(1) ?? 'unknown'} ms, ` +
          `error ${t.errorMs?.toFixed(1) ?? '-'} ms (unpause call ${t.unpauseCallMs.toFixed(1)} ms, thaw seen ` +
          `after ${t.thawSeenMs?.toFixed(1) ?? '-'} ms; leader ${before} -> ${after})`,
      );
      await sleep(500);
    }
  } finally {
    await wl?.stop().catch(() => undefined);
    // Never leave a frozen container behind.
    await Promise.all(cluster.nodeNames.map((n) => cluster.unpause(n).catch(() => undefined)));
    await cluster.teardown();
  }
  const valid = out.filter((t) => t.errorMs !== null && !t.election);
  const absErr = valid.map((t) => Math.abs(t.errorMs!));
  const elections = out.filter((t) => t.election).length;
  const reason =
    valid.length === 0
      ? `no valid trial (${out.length} run, ${elections} with a leader change, ` +
        `${out.filter((t) => t.measuredMs === null).length} unmeasured: ${out.find((t) => t.reason)?.reason ?? ''})`
      : undefined;
  const detail = {
    trials: out.map((t) => ({
      truth_ms: +t.truthMs.toFixed(2),
      measured_ms: t.measuredMs === null ? null : +t.measuredMs.toFixed(2),
      error_ms: t.errorMs === null ? null : +t.errorMs.toFixed(2),
      error_bar_ms: t.errorBarMs === null ? null : +t.errorBarMs.toFixed(2),
      held_ms: +t.heldMs.toFixed(3),
      unpause_call_ms: +t.unpauseCallMs.toFixed(2),
      thaw_seen_ms: t.thawSeenMs === null ? null : +t.thawSeenMs.toFixed(2),
      leader_changed: t.election,
      ...(t.reason ? { reason: t.reason } : {}),
    })),
    max_abs_error_ms: absErr.length ? +Math.max(...absErr).toFixed(2) : null,
    median_signed_error_ms: valid.length ? +median(valid.map((t) => t.errorMs!)).toFixed(2) : null,
    excluded_for_leader_change: elections,
    truth: out.every((t) => t.thawSeenMs !== null)
      ? 'pause confirmed -> min(every node observed thawed in its freezer cgroup, unpause completed)'
      : 'pause confirmed -> unpause completed (freezer cgroup not readable on this host)',
    workload: { rate: RATE, concurrency: CONCURRENCY, op_timeout_ms: OP_TIMEOUT_MS },
  };
  return [
    figure({
      bench: 'rto-accuracy',
      name: 'rto_accuracy.abs_error',
      label: `|measured RTO - true outage|, 2.000 s pause of all nodes (median of ${trials})`,
      value: absErr.length ? median(absErr) : null,
      unit: 'ms',
      reference: null,
      target: { text: '<= 50 ms', ok: (v) => v <= 50 },
      ...(reason ? { reason } : {}),
      detail,
    }),
    figure({
      bench: 'rto-accuracy',
      name: 'rto_accuracy.measured_rto',
      label: `measured RTO of the calibrated outage (median of ${trials})`,
      value: valid.length ? median(valid.map((t) => t.measuredMs!)) : null,
      unit: 'ms',
      reference: {
        what: 'true outage: pause confirmed -> thawed',
        value: valid.length ? median(valid.map((t) => t.truthMs)) : 'unknown',
        unit: 'ms',
      },
      ...(reason ? { reason } : {}),
    }),
  ];
}
