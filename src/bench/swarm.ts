// (10) One host against a swarm (issue 19): the same drills, interleaved in the same run, on
// this machine's Docker engine and with `--engine swarm` on a three-host swarm of Docker
// engines in containers (scripts/swarm-fixture.sh, the fixture the swarm test uses), one node
// on each host. Figures: primary-down's RTO (target: within 1.5x of one host) and the
// injection latency of a kill and of a partition, request -> confirmed (within 2x), each
// against the one-host median of the same run. Opt-in (`--only swarm`): the fixture runs
// three more Docker engines on the machine, which a quick CI run should not carry.
//
// What the ratio measures on this fixture is partly the fixture: its "hosts" share this
// machine's cores, and each is a Docker engine inside a container, whose own API answers
// slower than the machine's engine. A real swarm's hosts are machines.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { EngineKind } from '../engines/engine.js';
import { runDrill, type DrillProgress } from '../run/drill.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { BenchOptions } from './common.js';
import { figure, median, type Figure } from './table.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = path.join(ROOT, 'scripts', 'swarm-fixture.sh');
const quietProgress: DrillProgress = { update() {}, event() {}, done() {} };

interface Trial {
  engine: EngineKind;
  scenario: string;
  verdict: string;
  rtoMs: number | null;
  injectionMs: number | null;
  error?: string;
}

async function drillOnce(scenario: string, engine: EngineKind, out: string, seed: number, signal: AbortSignal) {
  const file = await loadScenarioFile(path.join(ROOT, 'scenarios', `${scenario}.yaml`));
  const r = await runDrill({ file, outDir: out, seed, signal, progress: quietProgress, engine });
  const f = r.faults[0];
  const t: Trial = {
    engine,
    scenario,
    verdict: r.verdict,
    rtoMs: r.metrics.rto_s === null ? null : r.metrics.rto_s * 1000,
    injectionMs: f?.injection_latency_s == null ? null : f.injection_latency_s * 1000,
  };
  if (r.error !== undefined) t.error = r.error;
  return t;
}

/** Bring the fixture up, run `fn` with its DRILL_SWARM_* variables set, always take it down. */
async function withFixture<T>(log: (l: string) => void, fn: () => Promise<T>): Promise<T> {
  const name = `bench${process.pid}`;
  log(`swarm fixture ${name}: 3 hosts`);
  const up = await execa('bash', [FIXTURE, 'up', name, '3'], { reject: false });
  const saved = { ...process.env };
  try {
    if (up.exitCode !== 0) throw new Error(`swarm fixture did not come up: ${up.stderr.trim().split('\n').at(-1)}`);
    for (const l of up.stdout.split('\n')) {
      const m = /^(DRILL_SWARM_[A-Z_]+)=(.*)$/.exec(l);
      if (m) process.env[m[1]!] = m[2]!;
    }
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (k.startsWith('DRILL_SWARM_') && !(k in saved)) delete process.env[k];
    await execa('bash', [FIXTURE, 'down', name], { reject: false });
  }
}

export async function benchSwarm(opts: BenchOptions): Promise<Figure[]> {
  const runs = opts.quick ? 1 : 3;
  const signal = opts.signal ?? new AbortController().signal;
  const out = await mkdtemp(path.join(tmpdir(), 'drill-bench-swarm-'));
  const trials: Trial[] = [];
  try {
    await withFixture(opts.log, async () => {
      for (let i = 0; i < runs && !signal.aborted; i++) {
        for (const scenario of ['primary-down', 'partition-primary']) {
          for (const engine of ['docker', 'swarm'] as const) {
            const t = await drillOnce(scenario, engine, out, 11 + i, signal);
            trials.push(t);
            opts.log(
              `${scenario} on ${engine} ${i + 1}/${runs}: ${t.verdict}, RTO ${t.rtoMs?.toFixed(0) ?? 'unknown'} ms, ` +
                `injection ${t.injectionMs?.toFixed(0) ?? 'unknown'} ms${t.error ? ` (${t.error})` : ''}`,
            );
          }
        }
      }
    });
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  const pick = (scenario: string, engine: EngineKind, k: 'rtoMs' | 'injectionMs') =>
    trials.filter((t) => t.scenario === scenario && t.engine === engine).map((t) => t[k]);
  const med = (xs: (number | null)[]) => (xs.length > 0 && xs.every((x) => x !== null) ? median(xs as number[]) : null);
  const pair = (name: string, label: string, scenario: string, k: 'rtoMs' | 'injectionMs', within: number) => {
    const local = med(pick(scenario, 'docker', k));
    return figure({
      bench: 'swarm',
      name,
      label: `${label} on a 3-host swarm (median of ${runs})`,
      value: med(pick(scenario, 'swarm', k)),
      unit: 'ms',
      reference: { what: 'the same drill on one host, same run', value: local ?? 'unknown', unit: 'ms' },
      target: { text: `<= ${within}x`, ok: (_v, ratio) => ratio !== null && ratio <= within },
      reason:
        trials.find((t) => t.scenario === scenario && t[k] === null)?.error ?? `a ${scenario} drill measured none`,
      detail: {
        swarm: pick(scenario, 'swarm', k).map((x) => (x === null ? null : Math.round(x))),
        one_host: pick(scenario, 'docker', k).map((x) => (x === null ? null : Math.round(x))),
        verdicts: trials.filter((t) => t.scenario === scenario).map((t) => `${t.engine}: ${t.verdict}`),
      },
    });
  };
  return [
    pair('swarm.rto_primary_down', 'primary-down RTO', 'primary-down', 'rtoMs', 1.5),
    pair('swarm.injection.kill', 'kill: request -> confirmed', 'primary-down', 'injectionMs', 2),
    pair('swarm.injection.partition', 'partition: request -> confirmed', 'partition-primary', 'injectionMs', 2),
  ];
}
