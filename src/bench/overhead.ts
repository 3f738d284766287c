// (1) Harness overhead: boot of a 3-node graph-agent cluster to its first leader, and its
// teardown, by the harness (startCluster + waitForLeader, Cluster.teardown) against the
// same containers started and removed with the plain Docker CLI in the same run:
// `docker network create`, `docker volume create`, `docker run -d` (same image, env,
// network, aliases, volumes, port published on 127.0.0.1 only), then the same
// leader poll over the published ports; `docker rm -f`, `docker network rm`,
// `docker volume rm`. The two are interleaved (harness, plain, harness, plain...) so
// that drifting machine load hits both alike. Plain resources carry drill labels and
// are always removed in `finally`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { sleep } from '../core/clock.js';
import { removeRunResources } from '../docker/cleanup.js';
import { LABEL } from '../docker/labels.js';
import { AgentClient, type AgentStatus } from '../targets/graph-agent/agent-http.js';
import { CLIENT_PORT, RAFT_PORT, startCluster, type Cluster } from '../targets/graph-agent/cluster.js';
import { ensureGraphAgentImage } from '../targets/graph-agent/image.js';
import { benchRunId, type BenchOptions } from './common.js';
import { figure, median, type Figure } from './table.js';

const NODES = 3;
const POLL_MS = 25; // GraphAgentTarget.boot polls at the default 25 ms too
const LEADER_TIMEOUT_MS = 60_000;

interface Sample {
  bootMs: number;
  teardownMs: number;
}

/** The harness's leader rule (Cluster.currentLeader) over plain URLs. */
async function leaderOf(urls: string[]): Promise<string | null> {
  const sts = await Promise.all(urls.map((u) => new AgentClient(u).status(500).catch(() => null)));
  const leaders = sts.filter((s): s is AgentStatus => s !== null && s.role === 'leader');
  if (leaders.length !== 1) return null;
  const l = leaders[0]!;
  const agree = sts.filter((s) => s !== null && s.leader === l.node && s.term === l.term).length;
  return agree >= Math.floor(urls.length / 2) + 1 ? l.node : null;
}

async function harnessOnce(image: string, logRoot: string): Promise<Sample> {
  const runId = benchRunId('ovh');
  const t0 = performance.now();
  let cluster: Cluster | undefined;
  let bootMs: number;
  try {
    cluster = await startCluster({ runId, nodes: NODES, image, logDir: path.join(logRoot, runId) });
    await cluster.waitForLeader(LEADER_TIMEOUT_MS, POLL_MS);
    bootMs = performance.now() - t0;
  } catch (e) {
    await cluster?.teardown();
    throw e;
  }
  const t1 = performance.now();
  const rep = await cluster.teardown();
  const teardownMs = performance.now() - t1;
  if (rep.errors.length > 0) throw new Error(`harness teardown: ${rep.errors.join('; ')}`);
  return { bootMs, teardownMs };
}

/** The plain Docker CLI's boot of the same cluster to its first leader, and its removal. */
export async function plainOnce(image: string): Promise<Sample> {
  const runId = benchRunId('plain');
  const prefix = `drill-${runId}`;
  const net = prefix;
  const names = Array.from({ length: NODES }, (_, i) => `n${i + 1}`);
  const labels = (node?: string) =>
    [
      `${LABEL.managed}=true`,
      `${LABEL.run}=${runId}`,
      `${LABEL.role}=sut`,
      `${LABEL.kind}=graph-agent`,
      ...(node ? [`${LABEL.node}=${node}`] : []),
    ].flatMap((l) => ['--label', l]);
  let removed = false;
  const removeAll = async () => {
    await execa('docker', ['rm', '-f', ...names.map((n) => `${prefix}-${n}`)], { reject: false });
    await execa('docker', ['network', 'rm', net], { reject: false });
    await execa('docker', ['volume', 'rm', ...names.map((n) => `${prefix}-${n}-data`)], { reject: false });
  };
  try {
    const t0 = performance.now();
    await execa('docker', ['network', 'create', '--driver', 'bridge', ...labels(), net]);
    await Promise.all(
      names.map(async (n) => {
        const vol = `${prefix}-${n}-data`;
        await execa('docker', ['volume', 'create', ...labels(n), vol]);
        const peers = names
          .filter((p) => p !== n)
          .map((p) => `${p}=${p}:${RAFT_PORT}`)
          .join(',');
        await execa('docker', [
          'run',
          '-d',
          '--name',
          `${prefix}-${n}`,
          '--hostname',
          n,
          '--network',
          net,
          '--network-alias',
          n,
          '-p',
          `127.0.0.1::${CLIENT_PORT}`,
          '--mount',
          `type=volume,source=${vol},target=/data`,
          '-e',
          `NODE_ID=${n}`,
          '-e',
          `PEERS=${peers}`,
          '-e',
          'DATA_DIR=/data',
          '-e',
          `CLIENT_PORT=${CLIENT_PORT}`,
          '-e',
          `RAFT_PORT=${RAFT_PORT}`,
          ...labels(n),
          image,
        ]);
      }),
    );
    const urls = await Promise.all(
      names.map(async (n) => {
        const { stdout } = await execa('docker', ['port', `${prefix}-${n}`, `${CLIENT_PORT}/tcp`]);
        const line = stdout.split('\n').find((l) => l.startsWith('127.0.0.1:'));
        if (!line) throw new Error(`docker port ${prefix}-${n}: no 127.0.0.1 binding in ${JSON.stringify(stdout)}`);
        return `http://${line.trim()}`;
      }),
    );
    const deadline = performance.now() + LEADER_TIMEOUT_MS;
    while ((await leaderOf(urls)) === null) {
      if (performance.now() > deadline) throw new Error(`plain docker run: no leader within ${LEADER_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
    const bootMs = performance.now() - t0;
    const t1 = performance.now();
    await execa('docker', ['rm', '-f', ...names.map((n) => `${prefix}-${n}`)]);
    await execa('docker', ['network', 'rm', net]);
    await execa('docker', ['volume', 'rm', ...names.map((n) => `${prefix}-${n}-data`)]);
    const teardownMs = performance.now() - t1;
    removed = true;
    return { bootMs, teardownMs };
  } finally {
    if (!removed) {
      await removeAll();
      await removeRunResources(runId).catch(() => undefined);
    }
  }
}

export async function benchOverhead(opts: BenchOptions): Promise<Figure[]> {
  const runs = opts.quick ? 2 : 5;
  const img = await ensureGraphAgentImage();
  const logRoot = await mkdtemp(path.join(tmpdir(), 'drill-bench-ovh-'));
  const harness: Sample[] = [];
  const plain: Sample[] = [];
  try {
    // One unmeasured warm-up of each path (page cache, CLI binary, engine).
    await harnessOnce(img.tag, logRoot);
    await plainOnce(img.tag);
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so neither always follows the other's teardown.
      if (i % 2 === 0) {
        harness.push(await harnessOnce(img.tag, logRoot));
        plain.push(await plainOnce(img.tag));
      } else {
        plain.push(await plainOnce(img.tag));
        harness.push(await harnessOnce(img.tag, logRoot));
      }
      opts.log(
        `overhead ${i + 1}/${runs}: harness boot ${harness.at(-1)!.bootMs.toFixed(0)} ms teardown ` +
          `${harness.at(-1)!.teardownMs.toFixed(0)} ms; plain boot ${plain.at(-1)!.bootMs.toFixed(0)} ms teardown ` +
          `${plain.at(-1)!.teardownMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await rm(logRoot, { recursive: true, force: true });
  }
  const ratioTarget = { text: '<= 1.5x', ok: (_v: number, r: number | null) => r !== null && r <= 1.5 };
  const detail = (k: keyof Sample) => ({
    harness_ms: harness.map((s) => Math.round(s[k])),
    plain_ms: plain.map((s) => Math.round(s[k])),
    runs,
  });
  return [
    figure({
      bench: 'overhead',
      name: 'overhead.boot_to_leader',
      label: `boot ${NODES} nodes to first leader (median of ${runs})`,
      value: median(harness.map((s) => s.bootMs)),
      unit: 'ms',
      reference: { what: 'plain docker run, same run', value: median(plain.map((s) => s.bootMs)), unit: 'ms' },
      target: ratioTarget,
      detail: detail('bootMs'),
    }),
    figure({
      bench: 'overhead',
      name: 'overhead.teardown',
      label: `teardown of ${NODES} nodes + network + volumes (median of ${runs})`,
      value: median(harness.map((s) => s.teardownMs)),
      unit: 'ms',
      reference: { what: 'plain docker rm -f, same run', value: median(plain.map((s) => s.teardownMs)), unit: 'ms' },
      target: ratioTarget,
      detail: detail('teardownMs'),
    }),
  ];
}
