// Size-bounded data volumes for disk-full faults, shared by every target that offers the
// `disk` capability (graph-agent, custom targets). Each bounded volume is a sparse ext4
// image under the run's state dir (host-state.ts) behind a loop device, which Docker
// mounts as a `local` volume (type=ext4, device=/dev/loopN). Filling it writes a balloon
// file at the volume's root; freeing deletes it. Nothing here touches the host filesystem
// outside the run's state dir and the volume's own filesystem.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { InfraError } from '../core/errors.js';
import { docker, errorLine } from '../docker/engine.js';
import { createLoopDisk } from './host-state.js';

/** The balloon's name on a filled volume. */
export const BALLOON = '.drill-balloon';

export interface FillResult {
  freeBytes: number;
  balloonBytes: number;
  volume: string;
}

/** Docker volume create options for a volume on `device` (ext4). */
export function deviceVolumeOpts(device: string): { Driver: string; DriverOpts: Record<string, string> } {
  return { Driver: 'local', DriverOpts: { type: 'ext4', device } };
}

/**
 * The run's bounded volumes, each known by a key (graph-agent: the node name; custom
 * targets: `<node>-v<i>`). Loop devices and images are removed by removeRunState().
 */
export class BoundedDisks {
  private readonly loops = new Map<string, string>();

  constructor(
    private readonly runId: string,
    readonly sizeMb: number,
  ) {}

  /** A fresh loop device with an empty ext4 filesystem for `key` (a previous one is detached). */
  async device(key: string): Promise<string> {
    const old = this.loops.get(key);
    if (old !== undefined) {
      this.loops.delete(key);
      await execa('losetup', ['-d', old], { reject: false });
    }
    const { device } = await createLoopDisk(this.runId, key, this.sizeMb);
    this.loops.set(key, device);
    return device;
  }

  has(key: string): boolean {
    return this.loops.has(key);
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

  /** Free bytes on the volume, null when it is not mounted (node down). */
  async free(volume: string): Promise<number | null> {
    const mp = await this.mountpoint(volume);
    if (!this.mounted(mp)) return null;
    const s = statfsSync(mp);
    return s.bavail * s.bsize;
  }

  /** Fill the volume: fallocate all but 1 MiB, then top up with writes until ENOSPC. */
  async fill(key: string, volume: string, node = key): Promise<FillResult> {
    const mp = await this.mountpoint(volume);
    if (!this.loops.has(key)) throw new InfraError(`disk-full: ${node}'s volume ${volume} is not size-bounded`);
    if (!this.mounted(mp)) throw new InfraError(`disk-full: ${volume} is not mounted (is ${node} running?)`);
    const balloon = path.join(mp, BALLOON);
    const s = statfsSync(mp);
    const free = s.bavail * s.bsize;
    const first = Math.max(0, free - 1024 * 1024);
    if (first > 0) {
      const r = await execa('fallocate', ['-l', String(first), balloon], { reject: false });
      if (r.exitCode !== 0)
        throw new InfraError(`disk-full: fallocate on ${volume}: ${String(r.stderr).split('\n')[0]}`);
    }
    // Top up with real writes (4 KiB pieces) until the filesystem refuses.
    await execa(
      'sh',
      [
        '-c',
        `dd if=/dev/zero bs=4096 count=1000000 >> ${JSON.stringify(balloon)} 2>/dev/null; sync -f ` +
          `${JSON.stringify(balloon)}`,
      ],
      {
        reject: false,
      },
    );
    // The node may already have exited on ENOSPC and Docker unmounted the volume: then
    // read the filesystem through its device.
    const read = (dir: string): FillResult => {
      const st = statfsSync(dir);
      const b = path.join(dir, BALLOON);
      return { freeBytes: st.bavail * st.bsize, balloonBytes: existsSync(b) ? statSync(b).size : 0, volume };
    };
    if (this.mounted(mp)) return read(mp);
    return this.withDevice(key, read);
  }

  /** Delete the balloon; when the volume is not mounted (node down), mount its device briefly. */
  async unfill(key: string, volume: string): Promise<void> {
    const mp = await this.mountpoint(volume);
    if (this.mounted(mp)) {
      if (existsSync(path.join(mp, BALLOON))) unlinkSync(path.join(mp, BALLOON));
      return;
    }
    if (!this.loops.has(key)) return;
    await this.withDevice(key, (dir) => {
      if (existsSync(path.join(dir, BALLOON))) unlinkSync(path.join(dir, BALLOON));
    });
  }

  /** Run `fn` on the volume's filesystem mounted briefly from its loop device (node down). */
  private async withDevice<T>(key: string, fn: (dir: string) => T): Promise<T> {
    const dev = this.loops.get(key);
    if (!dev) throw new InfraError(`disk-full: volume ${key} is not size-bounded`);
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
}
