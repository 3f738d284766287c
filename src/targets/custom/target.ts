// A custom target: a system under test defined in the scenario (cluster.custom), behind
// the same seam as graph-agent and split the same way: the cluster driver (cluster.ts) runs
// any image; the scenario's probes (probes/) answer health and role here, carry the workload
// and the final read (client.ts), and take and restore backups (backups.ts); what clock and
// disk faults need is set up in faults.ts. Custom targets take key/value workloads only.
//
// Boot is ready when every node's health probe succeeds and exactly one node's role probe
// does. A node that exits during boot, or probes that never succeed within boot_timeout,
// fail the boot with an InfraError (exit 3) naming the probe and what it answered; every
// container, volume and the network are removed before the error propagates.

import { sleep } from '../../core/clock.js';
import { InfraError } from '../../core/errors.js';
import type { CustomTargetSpec } from '../../scenario/custom-schema.js';
import type { BackupControl } from '../backup.js';
import type {
  ImageBuildListener,
  NodeClock,
  NodeDisk,
  NodeNetwork,
  NodeResources,
  NodeState,
  Target,
} from '../target.js';
import { CustomBackups } from './backups.js';
import { CustomFaultPlumbing } from './faults.js';
import type { FinalReadSource } from '../../client/final-read.js';
import type { WriteClient } from '../../client/write-client.js';
import type { ClientModule } from '../../drivers/module-api.js';
import { loadClientModule } from './module-client.js';
import { WritePath } from './write-path.js';
import { CustomCluster } from './cluster.js';
import { ensureCustomImage } from './image.js';
import { capture, parseClockValue } from './probes/parse.js';
import { describeOutcome, ProbeRunner, transportOf, type AnyProbe, type ProbeOutcome } from './probes/run.js';
import { nodeVars, render, type ClusterLayout, type TemplateVars } from './templates.js';
import { execInContainer, type ExecAnswer } from '../../docker/exec.js';
import { volumePath } from '../../docker/resources.js';

export interface CustomTargetOptions {
  spec: CustomTargetSpec;
  nodes: number;
  runId: string;
  logDir: string;
  /** The scenario file (build contexts are relative to it; named in error hints). */
  scenarioFile?: string | undefined;
  /** Preload libfaketime into every node (the scenario has a clock-skew fault). */
  faketime?: boolean | undefined;
  /** Size-bound every per-node volume to this many MiB (the scenario has a disk-full fault). */
  diskLimitMb?: number | undefined;
  /** Told when the boot builds the image (the drill's `build image` phase). */
  onImageBuild?: ImageBuildListener | undefined;
}

/**
 * Health and role probes must not hang on a paused node, but fit their transport: a command
 * in the container costs a process start and an engine round trip, seconds on a loaded host.
 */
const STATUS_PROBE_TIMEOUT_MS = 1000;
const EXEC_STATUS_PROBE_TIMEOUT_MS = 3000;
const statusTimeout = (p: AnyProbe): number => (p.exec ? EXEC_STATUS_PROBE_TIMEOUT_MS : STATUS_PROBE_TIMEOUT_MS);
const POLL_MS = 100;

export class CustomTarget implements Target {
  readonly kind: string;
  /** Writes of unique keys: a system we did not write has no edges to check. */
  readonly workloads = ['kv'] as const;
  readonly nodeNames: readonly string[];
  readonly network: NodeNetwork;
  readonly backups: BackupControl;
  readonly clocks: NodeClock;
  readonly disk: NodeDisk | undefined;
  readonly resources: NodeResources;
  private readonly faults: CustomFaultPlumbing;
  readonly spec: CustomTargetSpec;
  private cl: CustomCluster | undefined;
  private readonly runner: ProbeRunner;
  private layout: ClusterLayout;
  private vars = new Map<string, TemplateVars>();
  private image: string | undefined;
  private module: ClientModule | undefined;
  private path: WritePath | undefined;

  constructor(private readonly o: CustomTargetOptions) {
    this.spec = o.spec;
    this.kind = o.spec.name;
    this.nodeNames = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
    this.layout = {
      runId: o.runId,
      names: this.nodeNames,
      peerPort: o.spec.peer_port,
      peerUrl: o.spec.peer_url,
      state: 'new',
    };
    this.runner = new ProbeRunner(
      {
        baseUrl: (n, p) => this.cl?.baseUrl(n, p),
        address: (n, p) => this.cl?.address(n, p),
        containerId: (n) => this.cl?.containerId(n),
      },
      o.spec.ports[0]!,
      o.spec.client,
    );
    this.network = {
      pid: async (n) => {
        const st = await this.inspect(n);
        if (st.pid === null) throw new InfraError(`node ${n} is not running: no pid`);
        return st.pid;
      },
      ip: (n) => this.cluster().ip(n),
      peerPort: o.spec.peer_port,
    };
    this.backups = new CustomBackups(this);
    this.faults = new CustomFaultPlumbing({
      runId: o.runId,
      nodes: this.nodeNames,
      faketime: o.faketime ?? false,
      diskLimitMb: o.diskLimitMb,
    });
    this.clocks = {
      setClockOffset: async (n, s) => this.faults.setClockOffset(n, s),
      readClock: (n) => this.readClock(n),
      skewBlocker: async () => this.faults.skewBlocker(),
    };
    this.resources = {
      containerId: (n) => this.cl?.containerId(n),
      dataPaths: (n) => Promise.all(this.cluster().volumesOf(n).map(volumePath)),
    };
    this.disk = this.faults.nodeDisk((n) => this.cluster().volumesOf(n), this.kind);
  }

  // -- templates -------------------------------------------------------------------------

  varsOf(node: string): TemplateVars {
    let v = this.vars.get(node);
    if (!v) {
      v = nodeVars(this.layout, node);
      this.vars.set(node, v);
    }
    return v;
  }

  private nodeSpec(node: string): { command?: string[]; env: Record<string, string> } {
    const vars = this.varsOf(node);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.spec.env)) env[k] = render(v, vars);
    Object.assign(env, this.faults.env(node));
    return { ...(this.spec.command ? { command: this.spec.command.map((a) => render(a, vars)) } : {}), env };
  }

  // -- boot ------------------------------------------------------------------------------

  cluster(): CustomCluster {
    if (!this.cl) throw new InfraError(`${this.kind} cluster is not started`);
    return this.cl;
  }

  async boot(signal?: AbortSignal): Promise<void> {
    const img = await ensureCustomImage(
      {
        name: this.spec.name,
        image: this.spec.image,
        build: this.spec.build,
        dockerfile: this.spec.dockerfile,
        scenarioFile: this.o.scenarioFile,
      },
      undefined,
      this.o.onImageBuild,
    );
    this.image = img.tag;
    if (this.spec.client?.module !== undefined) {
      this.module = await loadClientModule(this.spec.client.module, this.o.scenarioFile);
    }
    signal?.throwIfAborted();
    await this.faults.prepare(img.tag, this.nodeSpec(this.nodeNames[0]!).command, this.kind);
    this.cl = new CustomCluster({
      runId: this.o.runId,
      kind: this.kind,
      image: img.tag,
      names: this.nodeNames,
      ports: this.spec.ports,
      volumes: this.spec.volumes,
      backupPath: this.spec.backup_volume,
      logDir: this.o.logDir,
      volumeDevice: (n, i) => this.faults.volumeDevice(n, i),
      extraMounts: this.faults.mounts(),
    });
    try {
      await this.cl.createShared();
      await this.startFresh(signal);
    } catch (e) {
      await this.teardown();
      throw e;
    }
  }

  /** Create and start every node, then wait until the cluster is ready. */
  async startFresh(signal?: AbortSignal, beforeStart?: (node: string) => Promise<void>): Promise<void> {
    const c = this.cluster();
    for (const n of this.nodeNames) await c.createNode(n, this.nodeSpec(n));
    if (beforeStart) for (const n of this.nodeNames) await beforeStart(n);
    await Promise.all(this.nodeNames.map((n) => c.startNode(n)));
    await this.waitReady(this.spec.boot_timeout, signal);
  }

  /** Every node healthy and exactly one leader, or an InfraError saying which probe never succeeded. */
  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const c = this.cluster();
    const deadline = performance.now() + timeoutMs;
    let health: ProbeOutcome[];
    let roles: ProbeOutcome[] = [];
    for (;;) {
      signal?.throwIfAborted();
      for (const n of this.nodeNames) {
        const st = await c.inspect(n);
        if (!st.running && st.exitCode !== null) {
          const tail = await c.tail(n);
          throw new InfraError(
            `${this.kind} node ${n} exited with code ${st.exitCode} during ` +
              `boot${tail ? `: ${tail.split('\n').slice(-3).join(' | ')}` : ''}`,
            `check cluster.custom.command and image in ${this.o.scenarioFile ?? 'the scenario'}; node logs in ` +
              `${this.o.logDir}`,
          );
        }
      }
      health = await Promise.all(this.nodeNames.map((n) => this.probe(this.spec.probes.health, n)));
      if (health.every((h) => h.kind === 'success')) {
        roles = await Promise.all(this.nodeNames.map((n) => this.probe(this.spec.probes.role, n)));
        const leaders = this.nodeNames.filter((_, i) => roles[i]!.kind === 'success');
        if (leaders.length === 1) return leaders[0]!;
      }
      if (performance.now() >= deadline) break;
      await sleep(POLL_MS, signal);
    }
    const view = (outs: ProbeOutcome[]) =>
      this.nodeNames.map((n, i) => `${n}: ${describeOutcome(outs[i]!)}`).join('; ');
    const where = this.o.scenarioFile ?? 'the scenario';
    if (!health.every((h) => h.kind === 'success')) {
      throw new InfraError(
        `${this.kind} cluster not ready within ${timeoutMs / 1000} s: probes.health never succeeded on every node ` +
          `(${view(health)})`,
        `check probes.health in ${where} (port, path, match) and the node logs in ${this.o.logDir}`,
      );
    }
    const claim = roles.filter((r) => r.kind === 'success').length;
    throw new InfraError(
      `${this.kind} cluster not ready within ${timeoutMs / 1000} s: probes.role ` +
        `${claim === 0 ? 'matched on no node' : `matched on ${claim} nodes, expected exactly one`} (${view(roles)})`,
      `probes.role must succeed on the leader only; check its match in ${where}`,
    );
  }

  /** A status probe (health, role, discovery): a timeout that fits its transport. */
  private probe(p: AnyProbe, node: string): Promise<ProbeOutcome> {
    return this.runner.run(p, node, this.varsOf(node), p.timeout ?? statusTimeout(p));
  }

  async teardown(): Promise<void> {
    await this.path?.close().catch(() => undefined);
    if (this.cl) await this.cl.teardown().catch(() => undefined);
    this.runner.close();
    await this.faults.close().catch(() => undefined);
  }

  // -- lifecycle -------------------------------------------------------------------------

  kill(node: string, signal: string): Promise<void> {
    return this.cluster().kill(node, signal);
  }
  stop(node: string): Promise<void> {
    return this.cluster().stop(node, Math.ceil(this.spec.stop_timeout / 1000));
  }
  start(node: string): Promise<void> {
    return this.cluster().start(node);
  }
  restart(node: string): Promise<void> {
    return this.cluster().restart(node, Math.ceil(this.spec.stop_timeout / 1000));
  }
  pause(node: string): Promise<void> {
    return this.cluster().pause(node);
  }
  unpause(node: string): Promise<void> {
    return this.cluster().unpause(node);
  }
  inspect(node: string): Promise<NodeState> {
    return this.cluster().inspect(node);
  }

  // -- probes ----------------------------------------------------------------------------

  exec(node: string, argv: string[], timeoutMs: number): Promise<ExecAnswer> {
    const id = this.cl?.containerId(node);
    if (id === undefined) return Promise.reject(new Error(`${node}: no container`));
    return execInContainer(id, argv, timeoutMs);
  }

  async health(node: string): Promise<boolean> {
    if (!this.cl) return false;
    return (await this.probe(this.spec.probes.health, node)).kind === 'success';
  }

  /** The node whose role probe succeeds; with several (a split brain), the first by name. */
  async leader(): Promise<string | null> {
    return (await this.leaders())[0] ?? null;
  }

  /**
   * Every node whose role probe succeeds, by name: two or more at once is a split brain,
   * reported, drawn in the leader lane and counted in result.json as for graph-agent.
   */
  async leaders(): Promise<string[]> {
    if (!this.cl) return [];
    const res = await Promise.all(this.nodeNames.map((n) => this.probe(this.spec.probes.role, n)));
    return this.nodeNames.filter((_, i) => res[i]!.kind === 'success');
  }

  private writes(): WritePath {
    this.path ??= new WritePath({
      spec: this.spec,
      runner: this.runner,
      nodeNames: this.nodeNames,
      varsOf: (n) => this.varsOf(n),
      leader: () => this.leader(),
      leaders: () => this.leaders(),
      probe: (p, n) => this.probe(p, n),
      ip: (n) => this.cluster().ip(n),
      ports: (n) => this.cl?.publishedPorts(n) ?? {},
      module: this.module,
    });
    return this.path;
  }

  async describeRoles(): Promise<string> {
    if (!this.cl) return 'not started';
    const res = await Promise.all(this.nodeNames.map((n) => this.probe(this.spec.probes.role, n)));
    return `probes.role: ${this.nodeNames.map((n, i) => `${n}: ${describeOutcome(res[i]!)}`).join('; ')}`;
  }

  writeClient(): WriteClient {
    return this.writes().writeClient();
  }

  finalReadSource(): FinalReadSource & { readIds(node: string): Promise<string[]> } {
    return this.writes().finalReadSource();
  }

  settings(): Record<string, unknown> {
    const s = this.spec;
    return {
      image: this.image,
      nodes: this.nodeNames.length,
      ...(s.build !== undefined ? { build: s.build } : {}),
      ports: s.ports,
      probes: Object.fromEntries(
        Object.entries(s.probes)
          .filter(([, p]) => p !== undefined)
          .map(([k, p]) => [k, transportOf(p)]),
      ),
      ...this.faults.settings(),
    };
  }

  // -- clock and disk faults (faults.ts) ---------------------------------------------------

  /** The node's clock through probes.clock (ms since the epoch); null without one or on failure. */
  private async readClock(node: string): Promise<number | null> {
    const p = this.spec.probes.clock;
    if (!p || !this.cl) return null;
    const o = await this.probe(p, node);
    if (o.kind !== 'success') return null;
    const text = p.capture !== undefined ? capture(o.output, p.capture) : o.output;
    if (text === undefined) return null;
    const ms = parseClockValue(text);
    // Whole seconds are truncated: the true clock is somewhere in the next second.
    return ms !== null && /^\s*\d{1,10}\s*$/.test(text) ? ms + 500 : ms;
  }

  // -- backup / restore (for CustomBackups) --------------------------------------------------

  readIds(node: string): Promise<string[]> {
    return this.finalReadSource().readIds(node);
  }

  runProbe(p: AnyProbe, node: string, extra: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
    return this.runner.run(p, node, { ...this.varsOf(node), ...extra }, p.timeout ?? timeoutMs);
  }

  /** After a restore the nodes start from data they already have. */
  relayout(state: 'new' | 'existing'): void {
    this.layout = { ...this.layout, state };
    this.vars.clear();
  }
}
