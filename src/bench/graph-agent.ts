// Benchmarks of the bundled graph-agent in Docker: (a) boot to an elected leader,
// (b) write throughput and latency of a 3-node cluster at default settings (fsync on).
// Every cluster is torn down, also on failure.
import { randomBytes } from 'node:crypto';
import { type Cluster, startCluster } from '../targets/graph-agent/cluster.js';
import { ensureGraphAgentImage } from '../targets/graph-agent/image.js';
import { AgentClient } from '../targets/graph-agent/agent-http.js';

function benchRunId(what: string): string {
  return `bench-${what}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface BootSample {
  /** startCluster: network, volumes, containers created and started, ports read. */
  startMs: number;
  /** From the start of startCluster to a leader agreed by a majority. */
  leaderMs: number;
  leader: string;
}

export interface BootBenchResult {
  nodes: number;
  image: string;
  imageBuildMs: number;
  imageBuilt: boolean;
  samples: BootSample[];
  medianStartMs: number;
  medianLeaderMs: number;
}

/** (a) Time from `docker run` (startCluster) to an elected leader, `runs` times. */
export async function benchBootToLeader(
  opts: { nodes?: number; runs?: number; env?: Record<string, string> } = {},
): Promise<BootBenchResult> {
  const nodes = opts.nodes ?? 3;
  const img = await ensureGraphAgentImage();
  const samples: BootSample[] = [];
  for (let i = 0; i < (opts.runs ?? 3); i++) {
    const t0 = performance.now();
    let cluster: Cluster | undefined;
    try {
      cluster = await startCluster({
        runId: benchRunId('boot'),
        nodes,
        image: img.tag,
        ...(opts.env ? { env: opts.env } : {}),
      });
      const startMs = performance.now() - t0;
      const leader = await cluster.waitForLeader(30_000, 10);
      samples.push({ startMs, leaderMs: performance.now() - t0, leader });
    } finally {
      await cluster?.teardown();
    }
  }
  const med = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  return {
    nodes,
    image: img.tag,
    imageBuildMs: img.ms,
    imageBuilt: img.built,
    samples,
    medianStartMs: med(samples.map((s) => s.startMs)),
    medianLeaderMs: med(samples.map((s) => s.leaderMs)),
  };
}

export interface WriteBenchResult {
  nodes: number;
  concurrency: number;
  durationMs: number;
  acknowledged: number;
  failed: number;
  writesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * (b) Vertex writes sent to the leader by `concurrency` closed-loop workers for
 * `durationMs`; latency of acknowledged writes only.
 */
export async function benchWriteThroughput(
  opts: { nodes?: number; concurrency?: number; durationMs?: number; env?: Record<string, string> } = {},
): Promise<WriteBenchResult> {
  const nodes = opts.nodes ?? 3;
  const concurrency = opts.concurrency ?? 16;
  const durationMs = opts.durationMs ?? 10_000;
  const img = await ensureGraphAgentImage();
  const cluster = await startCluster({
    runId: benchRunId('write'),
    nodes,
    image: img.tag,
    ...(opts.env ? { env: opts.env } : {}),
  });
  try {
    const leader = await cluster.waitForLeader(30_000);
    const client = new AgentClient(cluster.node(leader).clientUrl, { timeoutMs: 5000 });
    const lat: number[] = [];
    let failed = 0;
    let seq = 0;
    const t0 = performance.now();
    const end = t0 + durationMs;
    const worker = async (w: number) => {
      while (performance.now() < end) {
        const id = `w${w}-${seq++}`;
        const s = performance.now();
        try {
          const r = await client.addVertex({ id, label: 'bench', properties: { w, n: seq } });
          if (r.ok) lat.push(performance.now() - s);
          else failed++;
        } catch {
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
    const elapsed = performance.now() - t0;
    lat.sort((a, b) => a - b);
    return {
      nodes,
      concurrency,
      durationMs: elapsed,
      acknowledged: lat.length,
      failed,
      writesPerSec: lat.length / (elapsed / 1000),
      p50Ms: percentile(lat, 50),
      p99Ms: percentile(lat, 99),
      maxMs: lat.at(-1) ?? NaN,
    };
  } finally {
    await cluster.teardown();
  }
}
