// Booting a custom target: build or find each image once, then start the node groups in
// dependency order (a group another group depends on with `healthy` is waited for before
// the next starts), and wait until the cluster is ready: every node healthy (its group's
// health probe, or a Compose healthcheck; a node without one counts as healthy when
// running) and exactly one node of the data group claiming the primary role.
//
// A node that exits during boot, or probes that never succeed within boot_timeout, fail the
// boot with an InfraError (exit 3) naming the probe and what each node answered.

import { sleep } from '../../core/clock.js';
import { InfraError } from '../../core/errors.js';
import type { CustomNodes } from './nodes.js';
import { ensureCustomImage } from './image.js';
import type { ImageBuildListener } from '../target.js';
import type { ImageSource, Layout, NodeDef } from './layout.js';
import { describeOutcome, type AnyProbe, type ProbeOutcome } from './probes/run.js';

const POLL_MS = 100;

export interface BootHost {
  layout: Layout;
  kind: string;
  scenarioFile?: string | undefined;
  logDir: string;
  cluster(): CustomNodes;
  probe(p: AnyProbe, node: string): Promise<ProbeOutcome>;
  nodeSpec(node: string): {
    command?: string[] | undefined;
    entrypoint?: string[] | undefined;
    env: Record<string, string>;
  };
}

/** The image tag of every node (each distinct image or build context built once). */
export async function resolveImages(
  layout: Layout,
  kind: string,
  onBuild?: ImageBuildListener,
): Promise<Map<string, string>> {
  const bySource = new Map<string, Promise<string>>();
  const key = (s: ImageSource) => ('image' in s ? `image:${s.image}` : `build:${s.build}:${s.dockerfile ?? ''}`);
  const out = new Map<string, string>();
  for (const n of layout.nodes) {
    const k = key(n.image);
    if (!bySource.has(k)) {
      const src = n.image;
      bySource.set(
        k,
        ensureCustomImage(
          {
            name: layout.grouped ? n.group : kind,
            ...('image' in src ? { image: src.image } : { build: src.build, dockerfile: src.dockerfile }),
          },
          undefined,
          onBuild,
        ).then((r) => r.tag),
      );
    }
    out.set(n.name, await bySource.get(k)!);
  }
  return out;
}

/** Node is healthy: its health probe succeeds, or (without one) its container runs. */
export async function nodeHealth(h: BootHost, node: NodeDef): Promise<ProbeOutcome> {
  if (node.health) return h.probe(node.health, node.name);
  const st = await h.cluster().inspect(node.name);
  return st.running && !st.paused ? { kind: 'success', output: 'running' } : { kind: 'unsent', error: 'not running' };
}

async function failIfExited(h: BootHost, names: readonly string[]): Promise<void> {
  const c = h.cluster();
  for (const n of names) {
    const st = await c.inspect(n);
    if (!st.running && st.exitCode !== null) {
      const tail = await c.tail(n);
      throw new InfraError(
        `${h.kind} node ${n} exited with code ${st.exitCode} during ` +
          `boot${tail ? `: ${tail.split('\n').slice(-3).join(' | ')}` : ''}`,
        `check the node's command and image in ${h.scenarioFile ?? 'the scenario'}; node logs in ${h.logDir}`,
      );
    }
  }
}

/** What libfaketime logs when it cannot start in a process (libfaketime issue #130: jemalloc). */
const FAKETIME_CLASH = 'libfaketime: Cannot recover from unexpected recursive calls';

/**
 * A node that never became healthy because libfaketime, preloaded for a clock-skew fault,
 * hangs it (its allocator, jemalloc as in Debian's Redis, calls clock_gettime while
 * libfaketime initialises): say that, not just "no answer".
 */
async function failIfFaketimeClash(h: BootHost, names: readonly string[], view: string): Promise<void> {
  for (const n of names) {
    if (!(await h.cluster().tail(n, 50)).includes(FAKETIME_CLASH)) continue;
    throw new InfraError(
      `${h.kind} node ${n} hangs with libfaketime preloaded (for the clock-skew fault): its log says ` +
        `"${FAKETIME_CLASH} to clock_gettime()", which is libfaketime's known clash with jemalloc ` +
        `(github.com/wolfcw/libfaketime/issues/130), so this node's clock cannot be skewed (${view})`,
      `drop the clock-skew fault for ${h.kind}, or run the node without jemalloc; node logs in ${h.logDir}`,
    );
  }
}

/** Wait until every node of `names` answers its health probe. */
async function awaitHealthy(
  h: BootHost,
  names: readonly string[],
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  const defs = h.layout.nodes.filter((n) => names.includes(n.name));
  let health: ProbeOutcome[] = [];
  for (;;) {
    signal?.throwIfAborted();
    await failIfExited(h, names);
    health = await Promise.all(defs.map((n) => nodeHealth(h, n)));
    if (health.every((x) => x.kind === 'success')) return;
    if (performance.now() >= deadline) break;
    await sleep(POLL_MS, signal);
  }
  const view = defs.map((n, i) => `${n.name}: ${describeOutcome(health[i]!)}`).join('; ');
  await failIfFaketimeClash(h, names, view);
  throw new InfraError(
    `${h.kind} cluster not ready within the boot timeout: the health probe never succeeded on every node (${view})`,
    `check the health probes in ${h.scenarioFile ?? 'the scenario'} and the node logs in ${h.logDir}`,
  );
}

/**
 * Create and start the nodes of `only` (default: every node), group by group in dependency
 * order, running `beforeStart` for each node before it starts; then wait until ready.
 */
export async function startNodes(
  h: BootHost,
  timeoutMs: number,
  signal?: AbortSignal,
  beforeStart?: (node: string) => Promise<void>,
  only?: readonly string[],
): Promise<string> {
  const c = h.cluster();
  const deadline = performance.now() + timeoutMs;
  const want = (n: string) => only === undefined || only.includes(n);
  const waitedFor = new Set(
    h.layout.groups.flatMap((g) => g.dependsOn.filter((d) => d.condition === 'healthy').map((d) => d.group)),
  );
  for (const g of h.layout.groups) {
    const names = g.nodes.filter(want);
    for (const n of names) await c.createNode(n, h.nodeSpec(n));
    if (beforeStart) for (const n of names) await beforeStart(n);
    await Promise.all(names.map((n) => c.startNode(n)));
    if (waitedFor.has(g.name) && names.length > 0) await awaitHealthy(h, names, deadline, signal);
  }
  return waitReady(h, deadline, signal, only);
}

/** Every node healthy and exactly one primary in the data group; its name. */
export async function waitReady(
  h: BootHost,
  deadline: number,
  signal?: AbortSignal,
  only?: readonly string[],
): Promise<string> {
  const names = h.layout.nodes.map((n) => n.name).filter((n) => only === undefined || only.includes(n));
  await awaitHealthy(h, names, deadline, signal);
  const role = h.layout.spec.probes.role;
  const data = h.layout.data.nodes;
  let roles: ProbeOutcome[] = [];
  for (;;) {
    signal?.throwIfAborted();
    roles = await Promise.all(data.map((n) => h.probe(role, n)));
    const leaders = data.filter((_, i) => roles[i]!.kind === 'success');
    if (leaders.length === 1) return leaders[0]!;
    if (performance.now() >= deadline) break;
    await sleep(POLL_MS, signal);
  }
  const claim = roles.filter((r) => r.kind === 'success').length;
  const view = data.map((n, i) => `${n}: ${describeOutcome(roles[i]!)}`).join('; ');
  throw new InfraError(
    `${h.kind} cluster not ready within the boot timeout: probes.role ` +
      `${claim === 0 ? 'matched on no node' : `matched on ${claim} nodes, expected exactly one`} (${view})`,
    `probes.role must succeed on the leader only; check its match in ${h.scenarioFile ?? 'the scenario'}`,
  );
}
