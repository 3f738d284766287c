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
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { InfraError } from '../../core/errors.js';
import { docker, errorLine } from '../../docker/engine.js';
import { hasInterpreter } from '../../faults/elf.js';
import { createLoopDisk, faketimeDir, initFaketime, removeRunState, writeOffset } from '../../faults/host-state.js';
import { LinkProxy } from '../../faults/link-proxy.js';
import { FAKETIME_LIB_IN_IMAGE } from './image.js';

/** The balloon's name on a filled volume. */
export const BALLOON = '.drill-balloon';

export interface PlumbingOptions {
  faketime: boolean;
  linkProxy: boolean;
  diskLimitMb?: number | undefined;
  upstream(node: string): { host: string; port: number } | null;
}

export class FaultPlumbing {
  links: LinkProxy | undefined;
  private readonly loops = new Map<string, string>();

  constructor(
    private readonly runId: string,
    private readonly nodes: readonly string[],
    private readonly o: PlumbingOptions,
  ) {
    if (o.faketime) initFaketime(runId, nodes);
  }

  env(): Record<string, string> {
    if (!this.o.faketime) return {};
    return {
      LD_PRELOAD: FAKETIME_LIB_IN_IMAGE,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }

  nodeEnv(node: string): Record<string, string> {
    return this.o.faketime ? { FAKETIME_TIMESTAMP_FILE: `/faketime/${node}` } : {};
  }

  mounts(): Docker.MountSettings[] {
    if (!this.o.faketime) return [];
    return [{ Type: 'bind', Source: faketimeDir(this.runId), Target: '/faketime', ReadOnly: true }];
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
    if (!this.o.faketime) return 'libfaketime is not in the graph-agent image (apt-get install libfaketime, then rebuild: drill doctor)';
    const dyn = hasInterpreter(process.execPath);
    if (dyn === false) return `the node binary (${process.execPath}, copied into the image) is statically linked; libfaketime cannot reach it`;
    return null;
  }

  async volumeDevice(node: string): Promise<string | undefined> {
    if (this.o.diskLimitMb === undefined) return undefined;
    const { device } = await createLoopDisk(this.runId, node, this.o.diskLimitMb);
    this.loops.set(node, device);
    return device;
  }

  private async mountpoint(volume: string): Promise<string> {
    try {
      return (await docker().getVolume(volume).inspect()).Mountpoint;
    } catch (e) {
      throw new InfraError(`disk-full: inspect volume ${volume}: ${errorLine(e)}`);
    }
  }

  /** Is `dir` a mount point right now (the volume is mounted while its node runs)? */
  private mounted(dir: string): boolean {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === dir);
  }

  async diskFree(volume: string): Promise<number | null> {
    const mp = await this.mountpoint(volume);
    if (!this.mounted(mp)) return null;
    const s = statfsSync(mp);
    return s.bavail * s.bsize;
  }

  /** Fill the volume: fallocate all but 1 MiB, then top up with writes until ENOSPC. */
  async fillDisk(node: string, volume: string): Promise<{ freeBytes: number; balloonBytes: number; volume: string }> {
    const mp = await this.mountpoint(volume);
    if (!this.loops.has(node)) throw new InfraError(`disk-full: ${node}'s volume is not size-bounded`);
    if (!this.mounted(mp)) throw new InfraError(`disk-full: ${volume} is not mounted (is ${node} running?)`);
    const balloon = path.join(mp, BALLOON);
    const s = statfsSync(mp);
    const free = s.bavail * s.bsize;
    const first = Math.max(0, free - 1024 * 1024);
    if (first > 0) {
      const r = await execa('fallocate', ['-l', String(first), balloon], { reject: false });
      if (r.exitCode !== 0) throw new InfraError(`disk-full: fallocate on ${volume}: ${String(r.stderr).split('\n')[0]}`);
    }
    // Top up with real writes (4 KiB pieces) until the filesystem refuses.
    await execa('sh', ['-c', `dd if=/dev/zero bs=4096 count=1000000 >> ${JSON.stringify(balloon)} 2>/dev/null; sync -f ${JSON.stringify(balloon)}`], {
      reject: false,
    });
    // The node may already have exited on ENOSPC and Docker unmounted the volume: then
    // read the filesystem through its device.
    const read = (dir: string) => {
      const st = statfsSync(dir);
      const b = path.join(dir, BALLOON);
      return { freeBytes: st.bavail * st.bsize, balloonBytes: existsSync(b) ? statSync(b).size : 0, volume };
    };
    if (this.mounted(mp)) return read(mp);
    return this.withDevice(node, read);
  }

  /** Run `fn` on the volume's filesystem mounted briefly from its loop device (node down). */
  private async withDevice<T>(node: string, fn: (dir: string) => T): Promise<T> {
    const dev = this.loops.get(node);
    if (!dev) throw new InfraError(`disk-full: ${node}'s volume is not size-bounded`);
    const tmp = mkdtempSync(path.join(tmpdir(), 'drill-disk-'));
    try {
      const m = await execa('mount', ['-t', 'ext4', dev, tmp], { reject: false });
      if (m.exitCode !== 0) throw new InfraError(`disk-full: mount ${dev}: ${String(m.stderr).split('\n')[0]}`);
      try {
        return fn(tmp);
      } finally {
        await execa('umount', [tmp], { reject: false });
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Delete the balloon; when the volume is not mounted (node down), mount its device briefly. */
  async freeDisk(node: string, volume: string): Promise<void> {
    const mp = await this.mountpoint(volume);
    if (this.mounted(mp)) {
      if (existsSync(path.join(mp, BALLOON))) unlinkSync(path.join(mp, BALLOON));
      return;
    }
    if (!this.loops.has(node)) return;
    await this.withDevice(node, (dir) => {
      if (existsSync(path.join(dir, BALLOON))) unlinkSync(path.join(dir, BALLOON));
    });
  }

  settings(): Record<string, unknown> {
    return {
      faults: {
        clock: this.o.faketime ? 'libfaketime preloaded, offset +0 until a clock-skew fault' : 'no libfaketime in the image',
        links: this.o.linkProxy ? 'node-to-node traffic through the harness link proxy' : 'direct',
        data_volume: this.o.diskLimitMb !== undefined ? `ext4 on a loop device, ${this.o.diskLimitMb} MiB` : 'named volume',
      },
    };
  }

  /** After the containers and volumes are gone: stop the proxy, detach loops, delete host files. */
  async close(): Promise<void> {
    await this.links?.close();
    await removeRunState(this.runId);
  }
}
