// `npm run bench`: how fast a drill runs, how precisely it measures, how it scales.
//
//   node dist/bench/main.js [--quick] [--only overhead,rto-accuracy,...] [--out FILE]
//   (swarm, one host against a three-host swarm fixture, runs only when --only names it)
//
// Prints a table and writes bench/results.json (docs/BENCHMARKS.md: the method and the
// latest figures). Every figure is a ratio, or comes with a reference measured in the
// same run; a figure that could not be measured is "unknown" with its reason, never 0.
// --quick is the CI variant (fewer samples and sizes; a few minutes): it keeps the
// benchmark working, its numbers are not the published ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { removeRunResources } from '../docker/cleanup.js';
import { assertDockerAvailable } from '../docker/engine.js';
import { ensureGraphAgentImage } from '../targets/graph-agent/image.js';
import { issuedRunIds, type BenchOptions } from './common.js';
import { benchBackup } from './backup.js';
import { benchColdStart } from './cold-start.js';
import { benchWriteThroughput } from './graph-agent.js';
import { benchInjectionLatency, INJECTION_TARGETS_MS } from './injection-latency.js';
import type { FaultKindName } from '../faults/fault.js';
import { benchOverhead } from './overhead.js';
import { benchRecordingCapacity, RECORDING_TARGET_OPS } from './recording-capacity.js';
import { benchRestoreRto } from './restore-rto.js';
import { benchRtoAccuracy } from './rto-accuracy.js';
import { benchScaling } from './scaling.js';
import { benchSwarm } from './swarm.js';
import { figure, renderTable, unknownFigures, type Figure } from './table.js';

type FigureName = { name: string; label: string; unit: string; target?: string };

interface Bench {
  name: string;
  run: (o: BenchOptions) => Promise<Figure[]>;
  /** The figures it reports, for the unknowns when it cannot run. */
  figures: (quick: boolean) => FigureName[];
  /** Run only when named in --only (it needs more than this machine's engine). */
  optIn?: boolean;
}

const INJECTED = ['kill', 'pause', 'partition', 'delay', 'clock-skew'];

export const BENCHES: Bench[] = [
  {
    name: 'overhead',
    run: benchOverhead,
    figures: () => [
      { name: 'overhead.boot_to_leader', label: 'boot 3 nodes to first leader', unit: 'ms', target: '<= 1.5x' },
      { name: 'overhead.teardown', label: 'teardown of 3 nodes', unit: 'ms', target: '<= 1.5x' },
    ],
  },
  {
    name: 'cold-start',
    run: benchColdStart,
    figures: () => [
      {
        name: 'cold_start.first_boot',
        label: 'first drill on a fresh machine: image build + boot to leader',
        unit: 'ms',
        target: '<= 1.5x',
      },
      { name: 'cold_start.image_build', label: 'graph-agent image build, cache off', unit: 'ms' },
    ],
  },
  {
    name: 'rto-accuracy',
    run: benchRtoAccuracy,
    figures: () => [
      { name: 'rto_accuracy.abs_error', label: '|measured RTO - true outage|', unit: 'ms', target: '<= 50 ms' },
      { name: 'rto_accuracy.measured_rto', label: 'measured RTO of the calibrated outage', unit: 'ms' },
    ],
  },
  {
    name: 'injection',
    run: benchInjectionLatency,
    figures: () =>
      INJECTED.flatMap((k) => [
        {
          name: `injection.${k}.median`,
          label: `${k}: request -> confirmed, median`,
          unit: 'ms',
          ...(INJECTION_TARGETS_MS[k as FaultKindName] !== undefined
            ? { target: `<= ${INJECTION_TARGETS_MS[k as FaultKindName]} ms` }
            : {}),
        },
        { name: `injection.${k}.max`, label: `${k}: request -> confirmed, max`, unit: 'ms' },
      ]),
  },
  {
    name: 'recording',
    run: benchRecordingCapacity,
    figures: () => [
      {
        name: 'recording.capacity',
        label: 'highest rate with timings within 1 ms of unloaded',
        unit: 'ops/s',
        target: `>= ${RECORDING_TARGET_OPS} ops/s`,
      },
      { name: 'recording.p50_latency_at_capacity', label: 'p50 op latency at that rate', unit: 'ms' },
      { name: 'recording.unpaced_rate', label: 'unpaced closed loop: ops/s recorded', unit: 'ops/s' },
      { name: 'recording.harness_cpu_per_op', label: 'harness CPU per op (process.cpuUsage)', unit: 'us/op' },
    ],
  },
  {
    name: 'scaling',
    run: benchScaling,
    figures: (quick) => [
      ...(quick ? [3, 5] : [3, 5, 7, 9]).map((n) => ({
        name: `scaling.primary_down_wall.${n}`,
        label: `primary-down drill wall time, ${n} nodes`,
        unit: 's',
      })),
      { name: 'scaling.history_bytes_per_op', label: 'history.jsonl bytes per operation', unit: 'B/op' },
      { name: 'scaling.peak_rss', label: 'harness peak RSS during the drills', unit: 'MiB' },
    ],
  },
  {
    name: 'restore',
    run: benchRestoreRto,
    figures: () => [{ name: 'restore.rto', label: 'restore RTO of backup-restore-full.yaml', unit: 'ms' }],
  },
  {
    name: 'sut',
    run: benchSutThroughput,
    figures: () => [
      { name: 'sut.write_throughput', label: 'graph-agent x3 writes/s (fsync on, 16 clients)', unit: 'writes/s' },
      { name: 'sut.write_p99', label: 'graph-agent x3 write latency p99', unit: 'ms' },
    ],
  },
  {
    name: 'backup',
    run: benchBackupIfAvailable,
    figures: () => [
      { name: 'backup.backup_throughput', label: 'backup throughput', unit: 'MB/s', target: '>= 0.5x' },
      { name: 'backup.restore_throughput', label: 'restore throughput', unit: 'MB/s', target: '>= 0.3x' },
    ],
  },
  {
    name: 'swarm',
    run: benchSwarm,
    optIn: true,
    figures: () => [
      { name: 'swarm.rto_primary_down', label: 'primary-down RTO on a 3-host swarm', unit: 'ms', target: '<= 1.5x' },
      { name: 'swarm.injection.kill', label: 'kill on a 3-host swarm', unit: 'ms', target: '<= 2x' },
      { name: 'swarm.injection.partition', label: 'partition on a 3-host swarm', unit: 'ms', target: '<= 2x' },
    ],
  },
];

/** The reference SUT itself: write throughput of a 3-node graph-agent cluster in Docker at the default fsync. */
async function benchSutThroughput(o: BenchOptions): Promise<Figure[]> {
  const r = await benchWriteThroughput({ durationMs: o.quick ? 3_000 : 10_000, concurrency: 16 });
  const detail = {
    acknowledged: r.acknowledged,
    failed: r.failed,
    p50_ms: r.p50Ms,
    max_ms: r.maxMs,
    duration_ms: r.durationMs,
  };
  return [
    figure({
      bench: 'sut',
      name: 'sut.write_throughput',
      label: 'graph-agent x3 writes/s (fsync on, 16 clients)',
      value: r.writesPerSec,
      unit: 'writes/s',
      detail,
    }),
    figure({
      bench: 'sut',
      name: 'sut.write_p99',
      label: 'graph-agent x3 write latency p99',
      value: r.p99Ms,
      unit: 'ms',
    }),
  ];
}

/** (6) Backup and restore throughput (backup.ts, in process) against tar | sha256sum of the same data. */
async function benchBackupIfAvailable(o: BenchOptions): Promise<Figure[]> {
  const r = await benchBackup(o.quick ? 100_000 : 1_000_000, o.log);
  const ref = { what: 'tar | sha256sum of the data dir, same run', value: r.tar_sha256_mb_s, unit: 'MB/s' };
  const detail = {
    elements: r.elements,
    data_dir_bytes: r.data_dir_bytes,
    snapshot_bytes: r.snapshot_bytes,
    tar_sha256_s: r.tar_sha256_s,
    full_backup_s: r.full_backup_s,
    restore_s: r.restore_s,
    apply_s: r.apply_s,
    cpu: r.cpu,
    incremental: r.incremental,
  };
  return [
    figure({
      bench: 'backup',
      name: 'backup.backup_throughput',
      label: `full backup throughput (${r.elements} elements)`,
      value: r.full_backup_mb_s,
      unit: 'MB/s',
      reference: ref,
      target: { text: '>= 0.5x', ok: (_v, ratio) => ratio !== null && ratio >= 0.5 },
      detail,
    }),
    figure({
      bench: 'backup',
      name: 'backup.restore_throughput',
      label: 'restore throughput (verify + rebuild + load)',
      value: r.restore_mb_s,
      unit: 'MB/s',
      reference: ref,
      target: { text: '>= 0.3x', ok: (_v, ratio) => ratio !== null && ratio >= 0.3 },
    }),
  ];
}

function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export interface MainArgs {
  quick: boolean;
  only: string[] | null;
  out: string;
}

export function parseArgs(argv: string[]): MainArgs {
  const a: MainArgs = { quick: false, only: null, out: path.join(repoRoot(), 'bench', 'results.json') };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--quick') a.quick = true;
    else if (x === '--only' || x.startsWith('--only=')) {
      const v = x.includes('=') ? x.slice(x.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error('--only needs a list of benchmarks');
      a.only = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = a.only.filter((n) => !BENCHES.some((b) => b.name === n));
      if (unknown.length)
        throw new Error(
          `--only: unknown benchmark(s) ${unknown.join(', ')}; have ${BENCHES.map((b) => b.name).join(', ')}`,
        );
    } else if (x === '--out') {
      const v = argv[++i];
      if (!v) throw new Error('--out needs a file');
      a.out = path.resolve(v);
    } else if (x === '--help' || x === '-h') {
      process.stdout.write(
        `usage: node dist/bench/main.js [--quick] [--only ${BENCHES.map((b) => b.name).join(',')}] [--out FILE]\n`,
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${x}`);
  }
  return a;
}

async function machine(): Promise<Record<string, unknown>> {
  const docker = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false });
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    mem_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadavg_at_start: os.loadavg().map((x) => +x.toFixed(2)),
    platform: `${os.type()} ${os.release()}`,
    node: process.version,
    docker_engine: docker.exitCode === 0 ? docker.stdout.trim() : 'unknown',
  };
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const ac = new AbortController();
  const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);
  const onSig = () => {
    log('interrupted: tearing down benchmark clusters');
    ac.abort();
    void Promise.all([...issuedRunIds].map((id) => removeRunResources(id).catch(() => undefined))).finally(() =>
      process.exit(130),
    );
  };
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  const opts: BenchOptions = { quick: args.quick, log, signal: ac.signal };
  const started = new Date();
  const t0 = performance.now();
  await assertDockerAvailable();
  const img = await ensureGraphAgentImage();
  log(
    `image ${img.tag} (${img.built ? `built in ${img.ms.toFixed(0)} ms` : 'cached'}); ` +
      `${args.quick ? 'quick' : 'full'} run`,
  );
  const env = await machine();
  const figures: Figure[] = [];
  const benches: Record<string, { duration_s: number; error?: string }> = {};
  for (const b of BENCHES) {
    if (args.only ? !args.only.includes(b.name) : b.optIn) continue;
    log(`--- ${b.name}`);
    const bt = performance.now();
    try {
      figures.push(...(await b.run(opts)));
      benches[b.name] = { duration_s: +((performance.now() - bt) / 1000).toFixed(1) };
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      log(`${b.name} failed: ${msg}`);
      figures.push(...unknownFigures(b.name, b.figures(args.quick), `benchmark failed: ${msg}`));
      benches[b.name] = { duration_s: +((performance.now() - bt) / 1000).toFixed(1), error: msg };
    }
    if (ac.signal.aborted) break;
  }
  const results = {
    schema_version: 1,
    started_at: started.toISOString(),
    duration_s: +((performance.now() - t0) / 1000).toFixed(1),
    variant: args.quick ? 'quick' : 'full',
    machine: { ...env, loadavg_at_end: os.loadavg().map((x) => +x.toFixed(2)) },
    benches,
    figures,
  };
  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(renderTable(figures) + '\n');
  const missed = figures.filter((f) => f.met === false).map((f) => f.name);
  process.stdout.write(
    `${figures.length} figures, ${figures.filter((f) => f.value === 'unknown').length} unknown; targets missed: ` +
      `${missed.length ? missed.join(', ') : 'none'}\n` +
      `wrote ${path.relative(process.cwd(), args.out) || args.out} in ${results.duration_s} s\n`,
  );
  process.off('SIGINT', onSig);
  process.off('SIGTERM', onSig);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(e instanceof Error && /unknown argument|--only|--out/.test(e.message) ? 2 : 3);
    },
  );
}
