// What a graph-agent cluster carries from boot so that clock, delay and disk faults can be
// switched on live, with no restart (docs/faults.md). The host-side half of each goes
// through the HostOps of the node's host (src/faults/host-ops.ts): this process on one
// Docker host, the host's fault agent on a swarm.
//
// - clock: every node runs with libfaketime preloaded, reading its offset from
//   /faketime/<node> (the engine's faketime mount: a directory under the run's state dir,
//   or a per-run volume on each swarm host), "+0" until a clock-skew fault writes another
//   offset. The monotonic clock is not faked (FAKETIME_DONT_FAKE_MONOTONIC=1: Node aborts
//   when it goes backwards).
// - links (scenarios with a delay fault, on kernels without netem): each node's PEERS
//   point at the harness's link proxy, one port per directed link (one Docker host only).
// - disk (scenarios with a disk-full fault): each node's /data is a size-bounded ext4 on a
//   loop device of its host, so filling it never fills the host disk.
import { InfraError } from '../../core/errors.js';
import type { Engine, MountSpec } from '../../engines/engine.js';
import { hasInterpreter } from '../../faults/elf.js';
import { FAKETIME_DIR_IN_CONTAINER, faketimeEnv, faketimeNodeEnv } from '../../faults/faketime.js';
import type { DiskRef } from '../../faults/host-ops.js';
import { LinkProxy } from '../../faults/link-proxy.js';
import { FAKETIME_LIB_IN_IMAGE } from './image.js';

export { BALLOON } from '../../faults/bounded-disk.js';

export interface PlumbingOptions {
  faketime: boolean;
  linkProxy: boolean;
  diskLimitMb?: number | undefined;
  upstream(node: string): { host: string; port: number } | null;
  /** The node's host and, when it runs, its main process there (pid null when down). */
  where(node: string): Promise<{ host: string; pid: number | null; volume: string }>;
}

export class FaultPlumbing {
  links: LinkProxy | undefined;

  constructor(
    private readonly runId: string,
    private readonly nodes: readonly string[],
    private readonly engine: Engine,
    private readonly o: PlumbingOptions,
  ) {}

  /** Before the nodes start: the offset files ("+0") on every host nodes may run on. */
  async prepare(): Promise<void> {
    if (!this.o.faketime) return;
    for (const h of await this.engine.hosts()) await this.engine.hostOps(h).initClocks(this.runId, this.nodes);
  }

  env(): Record<string, string> {
    if (!this.o.faketime) return {};
    return faketimeEnv(FAKETIME_LIB_IN_IMAGE);
  }

  nodeEnv(node: string): Record<string, string> {
    return this.o.faketime ? faketimeNodeEnv(node) : {};
  }

  mounts(): MountSpec[] {
    if (!this.o.faketime) return [];
    return [this.engine.faketimeMount(this.runId, FAKETIME_DIR_IN_CONTAINER)];
  }

  wantsPeers(): boolean {
    return this.o.linkProxy;
  }

  /** Start the link proxy on the gateway and return each node's PEERS through it. */
  async peers(gatewayIp: string, _port: number): Promise<Record<string, string>> {
    this.links = new LinkProxy({ listenIp: gatewayIp, upstream: (n) => this.o.upstream(n) });
    const out: Record<string, string> = {};
    for (const a of this.nodes) {
      const entries: string[] = [];
      for (const b of this.nodes) {
        if (a === b) continue;
        entries.push(`${b}=${gatewayIp}:${await this.links.addLink(a, b)}`);
      }
      out[a] = entries.join(',');
    }
    return out;
  }

  async setClockOffset(node: string, offsetS: number): Promise<void> {
    if (!this.o.faketime) throw new InfraError('clock skew: libfaketime is not in the graph-agent image');
    const { host } = await this.o.where(node);
    await this.engine.hostOps(host).setClockOffset(this.runId, node, offsetS);
  }

  /** Why skew cannot take effect: no libfaketime in the image, or a static node binary. */
  skewBlocker(): string | null {
    if (!this.o.faketime)
      return 'libfaketime is not in the graph-agent image (apt-get install libfaketime, then rebuild: drill doctor)';
    const dyn = hasInterpreter(process.execPath);
    if (dyn === false)
      return (
        `the node binary (${process.execPath}, copied into the image) is statically linked; libfaketime ` +
        `cannot reach it`
      );
    return null;
  }

  /** A bounded disk on the node's host, before the node starts there. */
  async volumeDevice(node: string, host: string): Promise<string | undefined> {
    if (this.o.diskLimitMb === undefined) return undefined;
    return this.engine.hostOps(host).boundedDisk(this.runId, node, this.o.diskLimitMb);
  }

  private async disk(node: string): Promise<{ host: string; ref: DiskRef }> {
    if (this.o.diskLimitMb === undefined) throw new InfraError('disk-full: the data volumes are not size-bounded');
    const w = await this.o.where(node);
    return { host: w.host, ref: { key: node, volume: w.volume, pid: w.pid, path: '/data' } };
  }

  async diskFree(node: string): Promise<number | null> {
    const { host, ref } = await this.disk(node);
    return this.engine.hostOps(host).diskFree(this.runId, ref);
  }

  /** Fill the volume: all but 1 MiB at once, then top up with writes until ENOSPC. */
  async fillDisk(node: string): Promise<{ freeBytes: number; balloonBytes: number; volume: string }> {
    const { host, ref } = await this.disk(node);
    return this.engine.hostOps(host).fillDisk(this.runId, ref);
  }

  /** Delete the balloon (the node may be down). */
  async freeDisk(node: string): Promise<void> {
    if (this.o.diskLimitMb === undefined) return;
    const { host, ref } = await this.disk(node);
    await this.engine.hostOps(host).unfillDisk(this.runId, ref);
  }

  settings(): Record<string, unknown> {
    return {
      faults: {
        clock: this.o.faketime
          ? 'libfaketime preloaded, offset +0 until a clock-skew fault'
          : 'no libfaketime in the image',
        links: this.o.linkProxy ? 'node-to-node traffic through the harness link proxy' : 'direct',
        data_volume:
          this.o.diskLimitMb !== undefined ? `ext4 on a loop device, ${this.o.diskLimitMb} MiB` : 'named volume',
      },
    };
  }

  /** After the containers and volumes are gone: stop the proxy, detach loops, delete host files. */
  async close(): Promise<string[]> {
    await this.links?.close();
    const errors: string[] = [];
    for (const h of await this.engine.hosts().catch(() => [] as string[])) {
      const r = await this.engine
        .hostOps(h)
        .removeRunState(this.runId)
        .catch((e: unknown) => ({ errors: [`${h}: ${e instanceof Error ? e.message : String(e)}`] }));
      errors.push(...r.errors);
    }
    return errors;
  }
}
