// A container's cgroup, read and written from the host, for the resource faults (memory,
// cpu, io-limit): the files are found from the container's main process (/proc/<pid>/cgroup),
// never guessed from Docker's naming, so any cgroup parent and driver works. cgroup v1 (this
// project's machines) and v2 name the same knobs differently; FILES maps them. Only the
// cgroups of our own running containers are ever touched. A swarm's fault agent reads them on
// its host through the host's /proc and /sys/fs/cgroup mounted elsewhere (CgroupRoots).
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';

export type CgroupVersion = 1 | 2;
export type Controller = 'memory' | 'cpu' | 'blkio';
export const CONTROLLERS: readonly Controller[] = ['memory', 'cpu', 'blkio'];

/** Where a host's procfs and cgroup hierarchy are seen from: this machine's own, or mounted into an agent. */
export interface CgroupRoots {
  proc: string;
  cgroup: string;
}
const LOCAL: CgroupRoots = { proc: '/proc', cgroup: ROOT };

/** The cgroup version of this host: 2 when the unified hierarchy is mounted at the root. */
export function cgroupVersion(root = ROOT): CgroupVersion | null {
  if (existsSync(path.join(root, 'cgroup.controllers'))) return 2;
  return existsSync(path.join(root, 'memory')) || existsSync(path.join(root, 'cpu')) ? 1 : null;
}

/** The knobs each fault reads and writes, per version. */
export const FILES = {
  1: {
    memoryLimit: 'memory.limit_in_bytes',
    memswLimit: 'memory.memsw.limit_in_bytes',
    oomEvents: 'memory.oom_control',
    cpuQuota: 'cpu.cfs_quota_us',
    cpuPeriod: 'cpu.cfs_period_us',
    cpuStat: 'cpu.stat',
    readBps: 'blkio.throttle.read_bps_device',
    writeBps: 'blkio.throttle.write_bps_device',
  },
  2: {
    memoryLimit: 'memory.max',
    memswLimit: null,
    oomEvents: 'memory.events',
    cpuQuota: 'cpu.max',
    cpuPeriod: 'cpu.max',
    cpuStat: 'cpu.stat',
    readBps: 'io.max',
    writeBps: 'io.max',
  },
} as const;

/** The directory of `pid`'s cgroup for `controller`, or null when the process or hierarchy is gone. */
export function cgroupDir(
  pid: number,
  controller: Controller,
  version = cgroupVersion(),
  roots: CgroupRoots = LOCAL,
): string | null {
  let text: string;
  try {
    text = readFileSync(`${roots.proc}/${pid}/cgroup`, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [, controllers, rel] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (rel === undefined || controllers === undefined) continue;
    if (version === 2 ? controllers !== '' : !controllers.split(',').includes(controller)) continue;
    const dir = version === 2 ? path.join(roots.cgroup, rel) : path.join(roots.cgroup, controller, rel);
    return existsSync(dir) ? dir : null;
  }
  return null;
}

/** A cgroup file of `pid`'s container, trimmed; null when it cannot be read (container gone). */
export function readCgroup(pid: number, controller: Controller, file: string, roots = LOCAL): string | null {
  const dir = cgroupDir(pid, controller, cgroupVersion(roots.cgroup), roots);
  if (dir === null) return null;
  try {
    return readFileSync(path.join(dir, file), 'utf8').trim();
  } catch {
    return null;
  }
}

/** Write a cgroup file of `pid`'s container; throws with the file named when the kernel refuses. */
export function writeCgroup(pid: number, controller: Controller, file: string, value: string, roots = LOCAL): void {
  const dir = cgroupDir(pid, controller, cgroupVersion(roots.cgroup), roots);
  if (dir === null) throw new Error(`no ${controller} cgroup for pid ${pid} (is the node running?)`);
  try {
    writeFileSync(path.join(dir, file), value);
  } catch (e) {
    throw new Error(`write ${JSON.stringify(value)} to ${path.join(dir, file)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** A counter from a "key value" file (memory.oom_control, memory.events, cpu.stat), or null. */
export function counter(text: string | null, key: string): number | null {
  const m = text === null ? null : new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

export interface BlockDevice {
  /** "major:minor" of the whole disk (throttles apply to disks, not partitions). */
  id: string;
  /** Its name under /sys/class/block, e.g. vda, loop3. */
  name: string;
}

/**
 * The block device a path's filesystem lives on, for blkio throttling; a partition resolves
 * to its disk. Null, with the reason, when there is none (overlay, tmpfs, a network mount).
 */
export function blockDeviceOf(p: string): { device: BlockDevice | null; why: string } {
  let dev: number;
  try {
    dev = statSync(p).dev;
  } catch (e) {
    return { device: null, why: `cannot stat ${p}: ${(e as Error).message}` };
  }
  // glibc's dev_t layout (gnu_dev_major / gnu_dev_minor).
  const d = BigInt(dev);
  const major = Number(((d & 0xfff00n) >> 8n) | ((d & 0xfffff00000000000n) >> 32n));
  const minor = Number((d & 0xffn) | ((d & 0xffffff00000n) >> 12n));
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(sys)) {
    return { device: null, why: `${p} is on device ${major}:${minor}, which is not a block device (overlay, tmpfs?)` };
  }
  const real = realpathSync(sys);
  const disk = existsSync(path.join(real, 'partition')) ? path.dirname(real) : real;
  const id = readFileSync(path.join(disk, 'dev'), 'utf8').trim();
  return { device: { id, name: path.basename(disk) }, why: '' };
}

export const V1_IO_FILES = [
  'blkio.throttle.read_bps_device',
  'blkio.throttle.write_bps_device',
  'blkio.throttle.read_iops_device',
  'blkio.throttle.write_iops_device',
];

/** Every file the resource faults read, by controller: all a fault agent will read for them. */
export const READABLE: Readonly<Record<Controller, readonly string[]>> = {
  memory: [
    'memory.limit_in_bytes',
    'memory.memsw.limit_in_bytes',
    'memory.max',
    'memory.stat',
    'memory.usage_in_bytes',
  ],
  cpu: ['cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.max', 'cpu.stat'],
  blkio: [...V1_IO_FILES, 'io.max', 'blkio.throttle.io_service_bytes', 'io.stat'],
};
/** The only files they write (block I/O limits: Docker's update API cannot set them). */
export const WRITABLE: Readonly<Partial<Record<Controller, readonly string[]>>> = {
  blkio: [...V1_IO_FILES, 'io.max'],
};
/** A block I/O limit line: "major:minor value" (v1) or an io.max line (v2). */
export const IO_LIMIT_LINE = /^\d+:\d+ (\d+|((rbps|wbps|riops|wiops)=(\d+|max) ?){1,4})$/;

/** The block I/O limits of `pid`'s cgroup, "major:minor value" (v1) or io.max lines (v2), by file. */
export function ioThrottles(pid: number): Map<string, string[]> {
  const version = cgroupVersion();
  const out = new Map<string, string[]>();
  for (const f of version === 2 ? ['io.max'] : V1_IO_FILES) {
    const lines = (readCgroup(pid, 'blkio', f) ?? '').split('\n').filter((l) => /^\d+:\d+ /.test(l));
    if (lines.length > 0) out.set(f, lines);
  }
  return out;
}

/** Lift every block I/O limit of `pid`'s cgroup (drill cleanup: a throttled process may not die promptly). */
export function clearIoThrottles(pid: number): number {
  let n = 0;
  for (const [file, lines] of ioThrottles(pid)) {
    for (const l of lines) {
      const dev = l.split(' ')[0]!;
      writeCgroup(pid, 'blkio', file, file === 'io.max' ? `${dev} rbps=max wbps=max riops=max wiops=max` : `${dev} 0`);
      n++;
    }
  }
  return n;
}
