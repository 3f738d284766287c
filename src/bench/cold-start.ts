// (8) Cold start: the first drill on a fresh machine builds the graph-agent image before it
// boots the cluster. Measured as a drill does it, against what a user would do by hand
// with the same image, in the same run, interleaved:
//
//   harness  ensureGraphAgentImage (assemble the context from the host's node runtime and
//            the agent, build through the engine API), then GraphAgentTarget.boot to the
//            first leader;
//   plain    `docker build` of the same context, already assembled (a user has their
//            Dockerfile), then `docker run` of the same 3 nodes to the first leader (the
//            overhead benchmark's plain path).
//
// Both build with the cache off, so each sample builds every layer as a fresh machine
// does; the harness rebuilds its own tag in place rather than removing it first (other
// drills on the engine may be running that image). Target: at most 1.5x.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { monotonicClock } from '../core/clock.js';
import { docker } from '../docker/engine.js';
import { DockerEngine } from '../engines/docker/docker-engine.js';
import { LABEL } from '../docker/labels.js';
import { ensureGraphAgentImage, graphAgentBuildContext } from '../targets/graph-agent/image.js';
import { GraphAgentTarget } from '../targets/graph-agent/target.js';
import { benchRunId, type BenchOptions } from './common.js';
import { plainOnce } from './overhead.js';
import { figure, median, type Figure } from './table.js';

interface Sample {
  buildMs: number;
  totalMs: number;
}

async function harnessOnce(logRoot: string): Promise<Sample> {
  const runId = benchRunId('cold');
  const before = await docker()
    .getImage((await ensureGraphAgentImage()).tag)
    .inspect()
    .then((i) => i.Id)
    .catch(() => null);
  const t0 = performance.now();
  const img = await ensureGraphAgentImage({ force: true, noCache: true });
  const buildMs = performance.now() - t0;
  const target = new GraphAgentTarget(
    { nodes: 3 },
    runId,
    path.join(logRoot, runId),
    new DockerEngine(monotonicClock()),
  );
  try {
    await target.boot();
    const totalMs = performance.now() - t0;
    return { buildMs, totalMs };
  } finally {
    await target.teardown();
    // The image this rebuild replaced, unless something still runs it.
    const now = await docker()
      .getImage(img.tag)
      .inspect()
      .catch(() => null);
    if (before !== null && now?.Id !== before)
      await docker()
        .getImage(before)
        .remove()
        .catch(() => undefined);
  }
}

async function plainColdOnce(contextDir: string): Promise<Sample> {
  const tag = `drill-bench/graph-agent-plain:${benchRunId('coldref')}`;
  const t0 = performance.now();
  try {
    await execa(
      'docker',
      [
        'build',
        '--no-cache',
        '-q',
        '-t',
        tag,
        '--label',
        `${LABEL.managed}=true`,
        '--label',
        `${LABEL.kind}=bench`,
        contextDir,
      ],
      { env: { DOCKER_BUILDKIT: '0' } },
    );
    const buildMs = performance.now() - t0;
    const boot = await plainOnce(tag);
    return { buildMs, totalMs: buildMs + boot.bootMs };
  } finally {
    await execa('docker', ['rmi', '-f', tag], { reject: false });
  }
}

export async function benchColdStart(opts: BenchOptions): Promise<Figure[]> {
  const runs = opts.quick ? 1 : 3;
  const logRoot = await mkdtemp(path.join(tmpdir(), 'drill-bench-cold-'));
  const ctx = await graphAgentBuildContext();
  const harness: Sample[] = [];
  const plain: Sample[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        harness.push(await harnessOnce(logRoot));
        plain.push(await plainColdOnce(ctx.dir));
      } else {
        plain.push(await plainColdOnce(ctx.dir));
        harness.push(await harnessOnce(logRoot));
      }
      const h = harness.at(-1)!;
      const p = plain.at(-1)!;
      opts.log(
        `cold start ${i + 1}/${runs}: harness build ${h.buildMs.toFixed(0)} ms, ` +
          `to leader ${h.totalMs.toFixed(0)} ms; ` +
          `plain docker build ${p.buildMs.toFixed(0)} ms, + docker run to leader ${p.totalMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await rm(ctx.dir, { recursive: true, force: true });
    await rm(logRoot, { recursive: true, force: true });
  }
  const detail = {
    runs,
    harness_build_ms: harness.map((s) => Math.round(s.buildMs)),
    harness_total_ms: harness.map((s) => Math.round(s.totalMs)),
    plain_build_ms: plain.map((s) => Math.round(s.buildMs)),
    plain_total_ms: plain.map((s) => Math.round(s.totalMs)),
  };
  return [
    figure({
      bench: 'cold-start',
      name: 'cold_start.first_boot',
      label: `first drill on a fresh machine: image build + boot of 3 nodes to leader (median of ${runs})`,
      value: median(harness.map((s) => s.totalMs)),
      unit: 'ms',
      reference: {
        what: 'plain docker build + docker run of the same image, same run',
        value: median(plain.map((s) => s.totalMs)),
        unit: 'ms',
      },
      target: { text: '<= 1.5x', ok: (_v, r) => r !== null && r <= 1.5 },
      detail,
    }),
    figure({
      bench: 'cold-start',
      name: 'cold_start.image_build',
      label: `graph-agent image build, cache off (median of ${runs})`,
      value: median(harness.map((s) => s.buildMs)),
      unit: 'ms',
      reference: {
        what: 'plain docker build of the same context, same run',
        value: median(plain.map((s) => s.buildMs)),
        unit: 'ms',
      },
    }),
  ];
}
