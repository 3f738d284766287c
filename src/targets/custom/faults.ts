// What a custom target carries so that clock-skew and disk-full faults work on it
// (docs/custom-targets.md, "Faults on custom targets"). Set up at boot, only in runs whose
// scenario has such a fault:
//
// - clock (clock-skew): libfaketimeMT.so.1 is preloaded (LD_PRELOAD) with the same
//   environment as graph-agent's; each node reads its offset from /faketime/<node> ("+0"
//   until a fault writes another). On one Docker host the library is this machine's,
//   bind-mounted read-only at FAKETIME_LIB_IN_CONTAINER, and the offsets are files under the
//   run's state dir. On an engine with hosts of their own (a swarm) both come from the fault
//   agent of the node's host: it puts the library it carries (this machine's, copied into its
//   image) beside the offset files in the run's offset volume there, and writes the offsets.
//   The node's clock is read back through the optional probes.clock. When libfaketime cannot
//   reach the node binary (static, a Go program, or an image lacking the library's own
//   dependencies) nothing is preloaded and the fault fails with "skew not in effect"
//   instead of pretending.
// - disk (disk-full): every per-node volume (cluster.custom.volumes) is a size-bounded
//   ext4 on a loop device of the node's host (src/faults/bounded-disk.ts here, the agent's
//   loop helper on a swarm host); filling a node fills all of them.
//
// Offsets, disks and cleanup go through the HostOps of the node's host (src/faults/host-ops.ts:
// this process on one Docker host, the host's fault agent on a swarm), as graph-agent's do.
//
// Host artefacts (offset files, disk images, loop devices) live under the run's names and go
// with teardown (or `drill cleanup`).
import type Docker from 'dockerode';
import { InfraError } from '../../core/errors.js';
import type { Engine, MountSpec } from '../../engines/engine.js';
import {
  FAKETIME_DIR_IN_CONTAINER,
  FAKETIME_LIB_IN_OFFSET_DIR,
  faketimeEnv,
  faketimeNodeEnv,
  findHostFaketime,
} from '../../faults/faketime.js';
import type { DiskRef, FillResult, HostOps } from '../../faults/host-ops.js';
import { faketimeDir } from '../../faults/host-state.js';
import { LocalHostOps } from '../../faults/local-host-ops.js';
import { monotonicClock } from '../../core/clock.js';
import type { NodeDisk } from '../target.js';
import { inspectNodeBinary } from './node-binary.js';

/** Where the host's preload library is mounted in a custom node's container (one Docker host). */
export const FAKETIME_LIB_IN_CONTAINER = '/usr/lib/drill-faketime/libfaketimeMT.so.1';

/** Where a node runs when an engine places it on hosts of its own (a swarm). */
export interface FaultHosts {
  engine: Engine;
  /** The node's host: where it runs, or where it will be placed before it starts. */
  hostOf(node: string): string;
  /** The node's main process on its host, null when it is down. */
  pidOf(node: string): Promise<number | null>;
  /** The container path of each of the node's volumes, in the order of volumesOf. */
  volumePaths(node: string): readonly string[];
}

export interface CustomFaultOptions {
  runId: string;
  nodes: readonly string[];
  /** Preload libfaketime (the scenario has a clock-skew fault). */
  faketime: boolean;
  /** Size-bound every per-node volume to this many MiB (the scenario has a disk-full fault). */
  diskLimitMb?: number | undefined;
}

export class CustomFaultPlumbing {
  /** This machine's host-side operations (one Docker host). */
  private readonly local: HostOps = new LocalHostOps(monotonicClock());
  /** The host's libfaketime, when preloading was asked for and it is installed. */
  private readonly hostLib: string | undefined;
  /** Set by prepare(): preload into the nodes, or why not. */
  private preload = false;
  private blocker: string | null;
  private hosts: FaultHosts | undefined;

  constructor(private readonly o: CustomFaultOptions) {
    this.hostLib = o.faketime ? findHostFaketime() : undefined;
    this.blocker = !o.faketime
      ? 'libfaketime is preloaded only in runs whose scenario has a clock-skew fault'
      : this.hostLib === undefined
        ? 'libfaketime is not installed on the host (apt-get install libfaketime), so it cannot be preloaded'
        : 'the cluster is not started';
  }

  /** Nodes placed by an engine on hosts of its own: the host side goes to each node's host. */
  placeOn(hosts: FaultHosts): void {
    this.hosts = hosts;
  }

  /** The host-side operations of the node's host. */
  private ops(node: string): HostOps {
    const h = this.hosts;
    return h === undefined ? this.local : h.engine.hostOps(h.hostOf(node));
  }

  /** Those of every host a node may run on. */
  private async everyHost(): Promise<HostOps[]> {
    const h = this.hosts;
    return h === undefined ? [this.local] : (await h.engine.hosts()).map((x) => h.engine.hostOps(x));
  }

  /**
   * Before the nodes are created: look at the node binary in the image and decide whether
   * libfaketime can reach it. Preloading into a process it cannot serve is pointless, and
   * into an image that lacks the library's own dependencies (libm...) it stops the node
   * from starting, so in both cases the nodes run unpreloaded and skewBlocker() says why.
   */
  async prepare(image: string, command: string[] | undefined, kind: string): Promise<void> {
    if (this.hostLib === undefined) return;
    const found = await inspectNodeBinary(image, command, this.hostLib, { runId: this.o.runId, kind });
    this.blocker = found;
    this.preload = found === null;
    if (!this.preload) return;
    for (const ops of await this.everyHost()) await ops.initClocks(this.o.runId, this.o.nodes);
  }

  get preloading(): boolean {
    return this.preload;
  }

  /** Environment added to a node's (faketime). */
  env(node: string): Record<string, string> {
    if (!this.preload) return {};
    const lib =
      this.hosts === undefined
        ? FAKETIME_LIB_IN_CONTAINER
        : `${FAKETIME_DIR_IN_CONTAINER}/${FAKETIME_LIB_IN_OFFSET_DIR}`;
    return { ...faketimeEnv(lib), ...faketimeNodeEnv(node) };
  }

  /** One Docker host's bind mounts (the library and the offset directory). */
  mounts(): Docker.MountSettings[] {
    if (!this.preload || this.hostLib === undefined || this.hosts !== undefined) return [];
    return [
      { Type: 'bind', Source: this.hostLib, Target: FAKETIME_LIB_IN_CONTAINER, ReadOnly: true },
      { Type: 'bind', Source: faketimeDir(this.o.runId), Target: FAKETIME_DIR_IN_CONTAINER, ReadOnly: true },
    ];
  }

  /** An engine's mounts: the run's offset volume on the node's host (the library is in it). */
  engineMounts(): MountSpec[] {
    if (!this.preload || this.hosts === undefined) return [];
    return [this.hosts.engine.faketimeMount(this.o.runId, FAKETIME_DIR_IN_CONTAINER)];
  }

  /** A fresh bounded disk for a node's volume, on the node's host, before the node starts. */
  async volumeDevice(node: string, index: number): Promise<string | undefined> {
    if (this.o.diskLimitMb === undefined) return undefined;
    return this.ops(node).boundedDisk(this.o.runId, volumeKey(node, index), this.o.diskLimitMb);
  }

  async setClockOffset(node: string, offsetS: number): Promise<void> {
    if (!this.preload)
      throw new InfraError(
        `clock skew: libfaketime is not preloaded in this run (${this.blocker ?? 'unknown reason'})`,
      );
    await this.ops(node).setClockOffset(this.o.runId, node, offsetS);
  }

  /** Why a skew cannot take effect (no libfaketime, static or Go node binary...), or null. */
  skewBlocker(): string | null {
    return this.blocker;
  }

  /**
   * The `disk` capability over the node's volumes (`volumesOf`), when they are size-bounded:
   * filling a node fills every one of its volumes.
   */
  nodeDisk(volumesOf: (node: string) => string[], kind: string): NodeDisk | undefined {
    if (this.o.diskLimitMb === undefined) return undefined;
    const vols = (n: string) => {
      const v = volumesOf(n);
      if (v.length === 0) throw new InfraError(`disk-full: ${kind} has no per-node volumes (cluster.custom.volumes)`);
      return v;
    };
    return {
      fillDisk: async (n) => {
        let freeBytes = 0;
        let balloonBytes = 0;
        const names: string[] = [];
        for (const [i, v] of vols(n).entries()) {
          const r = await this.fill(n, i, v);
          freeBytes = Math.max(freeBytes, r.freeBytes);
          balloonBytes += r.balloonBytes;
          names.push(v);
        }
        return { freeBytes, balloonBytes, volume: names.join(', ') };
      },
      freeDisk: async (n) => {
        for (const [i, v] of vols(n).entries()) await this.unfill(n, i, v);
      },
      diskFree: async (n) => {
        const free = await Promise.all(vols(n).map((v, i) => this.free(n, i, v)));
        const known = free.filter((f): f is number => f !== null);
        return known.length === 0 ? null : Math.min(...known);
      },
    };
  }

  /** The node's volume `i` as its host finds it (a fault agent: through the node's process). */
  private async diskRef(node: string, i: number, volume: string): Promise<DiskRef> {
    const h = this.hosts;
    if (h === undefined) return { key: volumeKey(node, i), volume, pid: null, path: '' };
    const target = h.volumePaths(node)[i];
    if (target === undefined) throw new InfraError(`disk-full: ${node} has no volume ${i + 1}`);
    return { key: volumeKey(node, i), volume, pid: await h.pidOf(node), path: target };
  }

  private async fill(node: string, i: number, volume: string): Promise<FillResult> {
    return this.ops(node).fillDisk(this.o.runId, await this.diskRef(node, i, volume));
  }

  private async unfill(node: string, i: number, volume: string): Promise<void> {
    await this.ops(node).unfillDisk(this.o.runId, await this.diskRef(node, i, volume));
  }

  private async free(node: string, i: number, volume: string): Promise<number | null> {
    return this.ops(node).diskFree(this.o.runId, await this.diskRef(node, i, volume));
  }

  settings(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const where = this.hosts === undefined ? 'from the host' : "from each host's fault agent";
    if (this.o.faketime)
      out['clock'] = this.preload
        ? `libfaketime preloaded ${where} (${this.hostLib}), offset +0 until a clock-skew fault`
        : `libfaketime not preloaded: ${this.blocker}`;
    if (this.o.diskLimitMb !== undefined)
      out['data_volume'] = `ext4 on a loop device of the node's host, ${this.o.diskLimitMb} MiB per volume`;
    return Object.keys(out).length > 0 ? { faults: out } : {};
  }

  /** After the containers and volumes are gone: detach loops, delete the run's host files. */
  async close(): Promise<void> {
    if (!this.o.faketime && this.o.diskLimitMb === undefined) return;
    for (const ops of await this.everyHost().catch(() => [] as HostOps[]))
      await ops.removeRunState(this.o.runId).catch(() => undefined);
  }
}

export function volumeKey(node: string, index: number): string {
  return `${node}-v${index + 1}`;
}
