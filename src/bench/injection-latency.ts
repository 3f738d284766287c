// (3) Fault injection latency per fault type: from the request (FaultManager.apply called)
// to the fault confirmed in effect by its own check, exactly as a drill records it
// (FaultRecord.injection_latency_s). One 3-node graph-agent target, booted the way a
// drill boots it (GraphAgentTarget, with the link proxy so that delay works on kernels
// without netem); each fault hits one replica, is healed, and the cluster is back to
// every node healthy with a leader before the next sample.
//
//   kill        docker kill, confirmed when the process is seen gone or the die event
//               arrives (target: median <= 100 ms)
//   pause       docker pause, confirmed when observed paused
//   partition   iptables DROP rules, one iptables-restore per namespace, every node at
//               once, confirmed by one listing per namespace (target: median <= 150 ms)
//   delay       tc netem or the link proxy, confirmed when delayed traffic is observed
//               (target: median <= 120 ms)
//   clock-skew  libfaketime offset file, confirmed when the node's clock reads the offset
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerEngine } from '../engines/docker/docker-engine.js';
import { monotonicClock, sleep } from '../core/clock.js';
import { seededRng } from '../core/random.js';
import type { FaultKindName, FaultSpec } from '../faults/fault.js';
import { FaultManager } from '../faults/fault-manager.js';
import { FaultJournal } from '../faults/journal.js';
import { GraphAgentTarget } from '../targets/graph-agent/target.js';
import { benchRunId, type BenchOptions } from './common.js';
import { figure, median, type Figure } from './table.js';

interface KindPlan {
  kind: FaultKindName;
  spec: (name: string) => FaultSpec;
}

/** Median targets (ms) of the kinds that have one (issue 18). */
export const INJECTION_TARGETS_MS: Partial<Record<FaultKindName, number>> = { kill: 100, partition: 150, delay: 120 };

const PLANS: KindPlan[] = [
  { kind: 'kill', spec: (name) => ({ kind: 'kill', name, target: 'replica', signal: 'SIGKILL' }) },
  { kind: 'pause', spec: (name) => ({ kind: 'pause', name, target: 'replica' }) },
  { kind: 'partition', spec: (name) => ({ kind: 'partition', name, target: 'replica' }) },
  { kind: 'delay', spec: (name) => ({ kind: 'delay', name, target: 'replica', delayMs: 50 }) },
  { kind: 'clock-skew', spec: (name) => ({ kind: 'clock-skew', name, target: 'replica', offsetS: 30 }) },
];

async function waitHealthy(target: GraphAgentTarget, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.all(target.nodeNames.map((n) => target.health(n).catch(() => false)));
    if (ok.every(Boolean) && (await target.leader()) !== null) return;
    if (performance.now() > deadline) throw new Error(`cluster not healthy within ${timeoutMs} ms after heal`);
    await sleep(100);
  }
}

export async function benchInjectionLatency(opts: BenchOptions): Promise<Figure[]> {
  const samples = opts.quick ? 2 : 7;
  const runId = benchRunId('inj');
  const dir = await mkdtemp(path.join(tmpdir(), 'drill-bench-inj-'));
  const clock = monotonicClock();
  const target = new GraphAgentTarget(
    { nodes: 3, linkProxy: true },
    runId,
    path.join(dir, 'logs'),
    new DockerEngine(clock),
  );
  const journal = new FaultJournal(path.join(dir, 'faults.jsonl'));
  const fm = new FaultManager(target, clock, journal, runId, seededRng(7));
  const lat = new Map<FaultKindName, number[]>();
  const failed = new Map<FaultKindName, string>();
  // How each kill was seen (process exit / die event / inspect), counted.
  const seenBy = new Map<FaultKindName, Record<string, number>>();
  try {
    await target.boot();
    for (const plan of PLANS) {
      const xs: number[] = [];
      lat.set(plan.kind, xs);
      for (let i = 0; i < samples; i++) {
        const name = `${plan.kind}-${i}`;
        try {
          const rec = await fm.apply(plan.spec(name));
          if (rec.injection_latency_s !== null) xs.push(rec.injection_latency_s * 1000);
          const by = rec.detail?.['seen_by'] as Record<string, string> | undefined;
          for (const how of Object.values(by ?? {})) {
            const c = seenBy.get(plan.kind) ?? {};
            c[how] = (c[how] ?? 0) + 1;
            seenBy.set(plan.kind, c);
          }
        } catch (e) {
          failed.set(plan.kind, e instanceof Error ? e.message.split('\n')[0]! : String(e));
        } finally {
          await fm.heal(name).catch(() => undefined);
        }
        if (failed.has(plan.kind)) break;
        await waitHealthy(target, 60_000);
      }
      opts.log(
        `injection ${plan.kind}: ${xs.map((x) => x.toFixed(1)).join(', ') || '-'} ` +
          `ms${failed.has(plan.kind) ? ` (failed: ${failed.get(plan.kind)})` : ''}`,
      );
    }
  } finally {
    await fm.healAll().catch(() => undefined);
    journal.close();
    await target.teardown();
    await rm(dir, { recursive: true, force: true });
  }
  const figs: Figure[] = [];
  for (const plan of PLANS) {
    const xs = lat.get(plan.kind) ?? [];
    const why = failed.get(plan.kind) ?? 'not measured (the benchmark stopped before this fault)';
    const known = xs.length > 0 && !failed.has(plan.kind);
    const reason = known ? undefined : why;
    const detail: Record<string, unknown> = { samples_ms: xs.map((x) => +x.toFixed(2)), target_node: 'one replica' };
    const seen = seenBy.get(plan.kind);
    if (seen) detail['seen_by'] = seen;
    const limit = INJECTION_TARGETS_MS[plan.kind];
    figs.push(
      figure({
        bench: 'injection',
        name: `injection.${plan.kind}.median`,
        label: `${plan.kind}: request -> confirmed, median of ${samples}`,
        value: known ? median(xs) : null,
        unit: 'ms',
        ...(limit !== undefined ? { target: { text: `<= ${limit} ms`, ok: (v: number) => v <= limit } } : {}),
        ...(reason ? { reason } : {}),
        detail,
      }),
      figure({
        bench: 'injection',
        name: `injection.${plan.kind}.max`,
        label: `${plan.kind}: request -> confirmed, max of ${samples}`,
        value: known ? Math.max(...xs) : null,
        unit: 'ms',
        ...(reason ? { reason } : {}),
      }),
    );
  }
  return figs;
}
