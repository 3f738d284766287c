// What a graph-agent cluster carries from boot so that clock, delay and disk faults can be
// switched on live, with no restart (docs/faults.md):
//
// - clock: every node runs with libfaketime preloaded, reading its offset from
//   /faketime/<node> (a host directory under the run's state dir, bind-mounted read-only),
//   "+0" until a clock-skew fault writes another offset. The monotonic clock is not faked
//   (FAKETIME_DONT_FAKE_MONOTONIC=1: Node aborts when it goes backwards).
// - links (scenarios with a delay fault, on kernels without netem): each node's PEERS
//   point at the harness's link proxy, one port per directed link.
// - disk (scenarios with a disk-full fault): each node's /data is a size-bounded ext4 on a
//   loop device, so filling it never fills the host disk.
import type Docker from 'dockerode';
import { InfraError } from '../../core/errors.js';
import { BoundedDisks } from '../../faults/bounded-disk.js';
import { hasInterpreter } from '../../faults/elf.js';
import { FAKETIME_DIR_IN_CONTAINER, faketimeEnv, faketimeNodeEnv } from '../../faults/faketime.js';
import { faketimeDir, initFaketime, removeRunState, writeOffset } from '../../faults/host-state.js';
import { LinkProxy } from '../../faults/link-proxy.js';
import { FAKETIME_LIB_IN_IMAGE } from './image.js';

export { BALLOON } from '../../faults/bounded-disk.js';

export interface PlumbingOptions {
  faketime: boolean;
  linkProxy: boolean;
  diskLimitMb?: number | undefined;
  upstream(node: string): { host: string; port: number } | null;
}

export class FaultPlumbing {
  links: LinkProxy | undefined;
  private readonly disks: BoundedDisks | undefined;

  constructor(
    private readonly runId: string,
    private readonly nodes: readonly string[],
    private readonly o: PlumbingOptions,
  ) {
    if (o.faketime) initFaketime(runId, nodes);
    this.disks = o.diskLimitMb !== undefined ? new BoundedDisks(runId, o.diskLimitMb) : undefined;
  }

  env(): Record<string, string> {
    if (!this.o.faketime) return {};
    return faketimeEnv(FAKETIME_LIB_IN_IMAGE);
  }

  nodeEnv(node: string): Record<string, string> {
    return this.o.faketime ? faketimeNodeEnv(node) : {};
  }

  mounts(): Docker.MountSettings[] {
    if (!this.o.faketime) return [];
    return [{ Type: 'bind', Source: faketimeDir(this.runId), Target: FAKETIME_DIR_IN_CONTAINER, ReadOnly: true }];
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
    writeOffset(this.runId, node, offsetS);
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

  async volumeDevice(node: string): Promise<string | undefined> {
    return this.disks?.device(node);
  }

  async diskFree(volume: string): Promise<number | null> {
    return this.d().free(volume);
  }

  /** Fill the volume: fallocate all but 1 MiB, then top up with writes until ENOSPC. */
  async fillDisk(node: string, volume: string): Promise<{ freeBytes: number; balloonBytes: number; volume: string }> {
    return this.d().fill(node, volume);
  }

  /** Delete the balloon; when the volume is not mounted (node down), mount its device briefly. */
  async freeDisk(node: string, volume: string): Promise<void> {
    await this.disks?.unfill(node, volume);
  }

  private d(): BoundedDisks {
    if (!this.disks) throw new InfraError('disk-full: the data volumes are not size-bounded');
    return this.disks;
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
  async close(): Promise<void> {
    await this.links?.close();
    await removeRunState(this.runId);
  }
}
