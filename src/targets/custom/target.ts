// A custom target: a system under test defined in the scenario (cluster.custom), behind
// the same seam as graph-agent. The cluster driver (cluster.ts) runs any image; the
// scenario's probes (probes/) answer health and role, carry the workload and the final
// read (client.ts), and take and restore backups.
//
// Boot is ready when every node's health probe succeeds and exactly one node's role probe
// does. A node that exits during boot, or probes that never succeed within boot_timeout,
// fail the boot with an InfraError (exit 3) naming the probe and what it answered; every
// container, volume and the network are removed before the error propagates.

import { sleep, type Clock } from '../../core/clock.js';
import { InfraError } from '../../core/errors.js';
import type { CustomTargetSpec } from '../../scenario/custom-schema.js';
import {
  BackupRefusedError,
  type BackupControl,
  type BackupKind,
  type BackupSummary,
  type DestroyWhat,
  type RestoreInto,
  type RestoreResult,
  type VerifyResult,
} from '../backup.js';
import type { NodeClock, NodeDisk, NodeNetwork, NodeState, Target } from '../target.js';
import { CustomFaultPlumbing, volumeKey } from './faults.js';
import { CustomFinalReadSource, CustomWriteClient } from './client.js';
import { CustomCluster } from './cluster.js';
import { ensureCustomImage } from './image.js';
import { capture, parseClockValue } from './probes/parse.js';
import { describeOutcome, ProbeRunner, type AnyProbe, type ProbeOutcome } from './probes/run.js';
import { nodeVars, render, type ClusterLayout, type TemplateVars } from './templates.js';
import { execInContainer, type ExecAnswer } from '../../docker/exec.js';

export interface CustomTargetOptions {
  spec: CustomTargetSpec;
  nodes: number;
  runId: string;
  logDir: string;
  clock: Clock;
  /** The scenario file (build contexts are relative to it; named in error hints). */
  scenarioFile?: string | undefined;
  /** Preload libfaketime into every node (the scenario has a clock-skew fault). */
  faketime?: boolean | undefined;
  /** Size-bound every per-node volume to this many MiB (the scenario has a disk-full fault). */
  diskLimitMb?: number | undefined;
}

/** Health and role probes must not hang on a paused node. */
const STATUS_PROBE_TIMEOUT_MS = 1000;
const BACKUP_PROBE_TIMEOUT_MS = 120_000;
const POLL_MS = 100;

export class CustomTarget implements Target {
  readonly kind: string;
  readonly nodeNames: readonly string[];
  readonly network: NodeNetwork;
  readonly backups: BackupControl;
  readonly clocks: NodeClock;
  readonly disk: NodeDisk | undefined;
  private readonly faults: CustomFaultPlumbing;
  private readonly spec: CustomTargetSpec;
  private cl: CustomCluster | undefined;
  private readonly runner: ProbeRunner;
  private layout: ClusterLayout;
  private vars = new Map<string, TemplateVars>();
  private image: string | undefined;

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
        containerId: (n) => this.cl?.containerId(n),
      },
      o.spec.ports[0]!,
    );
    const self = this;
    this.network = {
      pid: async (n) => {
        const st = await self.inspect(n);
        if (st.pid === null) throw new InfraError(`node ${n} is not running: no pid`);
        return st.pid;
      },
      ip: (n) => self.c().ip(n),
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
    this.disk = this.faults.disks === undefined ? undefined : this.nodeDisk(this.faults.disks);
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

  c(): CustomCluster {
    if (!this.cl) throw new InfraError(`${this.kind} cluster is not started`);
    return this.cl;
  }

  async boot(signal?: AbortSignal): Promise<void> {
    const img = await ensureCustomImage({
      name: this.spec.name,
      image: this.spec.image,
      build: this.spec.build,
      dockerfile: this.spec.dockerfile,
      scenarioFile: this.o.scenarioFile,
    });
    this.image = img.tag;
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
    const c = this.c();
    for (const n of this.nodeNames) await c.createNode(n, this.nodeSpec(n));
    if (beforeStart) for (const n of this.nodeNames) await beforeStart(n);
    await Promise.all(this.nodeNames.map((n) => c.startNode(n)));
    await this.waitReady(this.spec.boot_timeout, signal);
  }

  /** Every node healthy and exactly one leader, or an InfraError saying which probe never succeeded. */
  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const c = this.c();
    const deadline = performance.now() + timeoutMs;
    let health: ProbeOutcome[] = [];
    let roles: ProbeOutcome[] = [];
    for (;;) {
      signal?.throwIfAborted();
      for (const n of this.nodeNames) {
        const st = await c.inspect(n);
        if (!st.running && st.exitCode !== null) {
          const tail = await c.tail(n);
          throw new InfraError(
            `${this.kind} node ${n} exited with code ${st.exitCode} during boot${tail ? `: ${tail.split('\n').slice(-3).join(' | ')}` : ''}`,
            `check cluster.custom.command and image in ${this.o.scenarioFile ?? 'the scenario'}; node logs in ${this.o.logDir}`,
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
        `${this.kind} cluster not ready within ${timeoutMs / 1000} s: probes.health never succeeded on every node (${view(health)})`,
        `check probes.health in ${where} (port, path, match) and the node logs in ${this.o.logDir}`,
      );
    }
    const claim = roles.filter((r) => r.kind === 'success').length;
    throw new InfraError(
      `${this.kind} cluster not ready within ${timeoutMs / 1000} s: probes.role ${claim === 0 ? 'matched on no node' : `matched on ${claim} nodes, expected exactly one`} (${view(roles)})`,
      `probes.role must succeed on the leader only; check its match in ${where}`,
    );
  }

  private probe(p: AnyProbe, node: string): Promise<ProbeOutcome> {
    return this.runner.run(p, node, this.varsOf(node), p.timeout ?? STATUS_PROBE_TIMEOUT_MS);
  }

  async teardown(): Promise<void> {
    if (this.cl) await this.cl.teardown().catch(() => undefined);
    this.runner.close();
    await this.faults.close().catch(() => undefined);
  }

  // -- lifecycle -------------------------------------------------------------------------

  kill(node: string, signal: string): Promise<void> {
    return this.c().kill(node, signal);
  }
  stop(node: string): Promise<void> {
    return this.c().stop(node, Math.ceil(this.spec.stop_timeout / 1000));
  }
  start(node: string): Promise<void> {
    return this.c().start(node);
  }
  restart(node: string): Promise<void> {
    return this.c().restart(node, Math.ceil(this.spec.stop_timeout / 1000));
  }
  pause(node: string): Promise<void> {
    return this.c().pause(node);
  }
  unpause(node: string): Promise<void> {
    return this.c().unpause(node);
  }
  inspect(node: string): Promise<NodeState> {
    return this.c().inspect(node);
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

  writeClient(): CustomWriteClient {
    return new CustomWriteClient([...this.nodeNames], this.runner, this.spec.probes.write, (n) => this.varsOf(n));
  }

  finalReadSource(): CustomFinalReadSource {
    return new CustomFinalReadSource(
      [...this.nodeNames],
      this.runner,
      this.spec.probes.read,
      (n) => this.varsOf(n),
      () => this.leader(),
    );
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
          .map(([k, p]) => [k, p.http ? 'http' : 'exec']),
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

  private nodeDisk(disks: NonNullable<CustomFaultPlumbing['disks']>): NodeDisk {
    const vols = (n: string) => {
      const v = this.c().volumesOf(n);
      if (v.length === 0)
        throw new InfraError(`disk-full: ${this.kind} has no per-node volumes (cluster.custom.volumes)`);
      return v;
    };
    return {
      fillDisk: async (n) => {
        let freeBytes = 0;
        let balloonBytes = 0;
        const names: string[] = [];
        for (const [i, v] of vols(n).entries()) {
          const r = await disks.fill(volumeKey(n, i), v, n);
          freeBytes = Math.max(freeBytes, r.freeBytes);
          balloonBytes += r.balloonBytes;
          names.push(v);
        }
        return { freeBytes, balloonBytes, volume: names.join(', ') };
      },
      freeDisk: async (n) => {
        for (const [i, v] of vols(n).entries()) await disks.unfill(volumeKey(n, i), v);
      },
      diskFree: async (n) => {
        const free = await Promise.all(vols(n).map((v) => disks.free(v)));
        const known = free.filter((f): f is number => f !== null);
        return known.length === 0 ? null : Math.min(...known);
      },
    };
  }

  // -- backup / restore (used by CustomBackups) ---------------------------------------------

  runProbe(p: AnyProbe, node: string, extra: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
    return this.runner.run(p, node, { ...this.varsOf(node), ...extra }, p.timeout ?? timeoutMs);
  }

  /** After a restore the nodes start from data they already have. */
  relayout(state: 'new' | 'existing'): void {
    this.layout = { ...this.layout, state };
    this.vars.clear();
  }

  get specOf(): CustomTargetSpec {
    return this.spec;
  }

  get clock(): Clock {
    return this.o.clock;
  }
}

/** Backups through the scenario's backup and restore probes, into the shared backup volume. */
class CustomBackups implements BackupControl {
  private readonly taken: BackupSummary[] = [];
  private gen = 1;

  constructor(private readonly t: CustomTarget) {}

  get generation(): number {
    return this.gen;
  }

  async backup(node: string, req: { type: BackupKind }, timeoutMs: number): Promise<BackupSummary> {
    const p = this.t.specOf.probes.backup;
    if (!p) throw new InfraError('cluster.custom.probes.backup is not defined');
    const id = `b${this.taken.length + 1}`;
    const extra = { 'backup.id': id, 'backup.type': req.type };
    const t0 = performance.now();
    const o = await this.t.runProbe(p, node, extra, timeoutMs || BACKUP_PROBE_TIMEOUT_MS);
    if (o.kind === 'mismatch')
      throw new BackupRefusedError(o.status ?? o.exitCode ?? 0, 'backup_failed', describeOutcome(o));
    if (o.kind !== 'success') throw new Error(`backup probe on ${node}: ${describeOutcome(o)}`);
    let position = -1;
    if (typeof p.position === 'string') {
      position = Number(capture(o.output, p.position) ?? NaN);
    } else if (p.position !== undefined) {
      const po = await this.t.runProbe(p.position, node, extra, BACKUP_PROBE_TIMEOUT_MS);
      if (po.kind === 'success') position = Number(capture(po.output, p.position.capture) ?? NaN);
    }
    const summary: BackupSummary = {
      id,
      type: req.type,
      parent: null,
      position: Number.isFinite(position) ? position : -1,
      created_at: new Date().toISOString(),
      checksum: '',
      chunks: 0,
      bytes: 0,
      node,
      duration_ms: performance.now() - t0,
    };
    this.taken.push(summary);
    return summary;
  }

  async list(): Promise<BackupSummary[]> {
    return [...this.taken];
  }

  async verify(): Promise<VerifyResult> {
    throw new InfraError(
      `${this.t.kind}: verify is not supported for custom targets (restore the backup and read it back instead)`,
    );
  }

  async destroy(what: DestroyWhat, nodes: string[]): Promise<{ mechanism: string; nodes: string[] }> {
    const which = what === 'cluster' || what === 'region' || nodes.length === 0 ? [...this.t.nodeNames] : nodes;
    await this.t.c().destroyNodes(which);
    return {
      mechanism: 'containers and their volumes removed (docker rm -f, volume rm); backup volume kept',
      nodes: which,
    };
  }

  async restore(req: { id?: string; position?: number; into: RestoreInto }, now: () => number): Promise<RestoreResult> {
    const p = this.t.specOf.probes.restore;
    if (!p) throw new InfraError('cluster.custom.probes.restore is not defined');
    if (req.position !== undefined)
      throw new InfraError(`${this.t.kind}: point-in-time restore is not supported for custom targets`);
    const snap = req.id === undefined ? this.taken.at(-1) : this.taken.find((b) => b.id === req.id);
    if (!snap) {
      throw new BackupRefusedError(
        404,
        'no_backup',
        req.id === undefined
          ? 'no backup has been taken'
          : `no backup ${req.id} (have ${this.taken.map((b) => b.id).join(', ') || 'none'})`,
      );
    }
    const c = this.t.c();
    const extra = { 'backup.id': snap.id, 'backup.type': snap.type };
    // A fresh cluster: whatever is left of the old one goes (the backup volume stays).
    await c.destroyNodes(this.t.nodeNames);
    this.t.relayout('existing');
    const offline = p.mode === 'offline';
    try {
      await this.t.startFresh(undefined, async (node) => {
        if (!offline || !p.exec) return;
        const vars = { ...this.t.varsOf(node), ...extra };
        const argv = p.exec.command.map((a) => render(a, vars));
        const r = await c.runOneOff(node, argv, {}, p.timeout ?? BACKUP_PROBE_TIMEOUT_MS);
        if (
          r.exitCode !== p.exec.expect_exit ||
          (p.exec.match !== undefined && !new RegExp(p.exec.match).test(r.output))
        ) {
          throw new BackupRefusedError(
            r.exitCode,
            'restore_failed',
            `${node}: exit code ${r.exitCode}: ${r.output.split('\n').slice(-3).join(' | ')}`,
          );
        }
      });
    } catch (e) {
      await c.destroyNodes(this.t.nodeNames).catch(() => undefined);
      throw e;
    }
    this.gen++;
    const booted = now();
    if (!offline) {
      const leader = (await this.t.leader()) ?? this.t.nodeNames[0]!;
      const o = await this.t.runProbe(p, leader, extra, BACKUP_PROBE_TIMEOUT_MS);
      if (o.kind !== 'success')
        throw new BackupRefusedError(
          o.kind === 'mismatch' ? (o.status ?? o.exitCode ?? 0) : 0,
          'restore_failed',
          describeOutcome(o),
        );
    }
    const loaded = now();
    let restored = 0;
    try {
      const leader = await this.t.leader();
      if (leader !== null) restored = (await this.t.finalReadSource().readIds(leader)).length;
    } catch {
      restored = 0;
    }
    return {
      restored,
      position: snap.position,
      snapshot: snap.id,
      chain: [snap.id],
      checksum: '',
      manifest_checksum: null,
      booted_t: booted,
      loaded_t: loaded,
    };
  }

  repositoryHostPath(): Promise<string> {
    return this.t.c().backupHostPath();
  }
}
