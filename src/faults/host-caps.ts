// What this host offers the faults, probed once per process: kernel features in a
// throwaway network namespace (unshare -n, never on the host's own interfaces), the host
// tools the faults run, libfaketime, the cgroup controllers the resource faults set, and
// the block device Docker's volumes live on. Each fault kind derives its mechanism from these
// (`mechanism(caps)` in its file), and `drill doctor` prints the same table the faults act on.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { blockDeviceOf, cgroupVersion, type CgroupVersion } from '../docker/cgroup.js';
import { docker, errorLine } from '../docker/engine.js';
import { findHostFaketime } from './faketime.js';

export interface Probe {
  ok: boolean;
  /** First line of the error when not ok. */
  err: string;
}

export const HOST_TOOLS = ['nsenter', 'iptables', 'tc', 'losetup', 'mkfs.ext4', 'chattr'] as const;
export type HostTool = (typeof HOST_TOOLS)[number];

export interface HostCaps {
  netem: Probe;
  tbf: Probe;
  statistic: Probe;
  /** Whether each host tool a fault runs is on the PATH. */
  tools: Record<HostTool, boolean>;
  /** The host's libfaketimeMT.so.1 (clock-skew), or null when libfaketime is not installed. */
  faketime: string | null;
  /** The cgroup version and whether each controller the resource faults set is there. */
  cgroup: CgroupCaps;
  /** "major:minor (name)" of the block device under Docker's volumes (io-limit), or why there is none. */
  volumeDevice: { device: string | null; why: string };
}

export interface CgroupCaps {
  version: CgroupVersion | null;
  memory: boolean;
  cpu: boolean;
  /** Block I/O throttling: blkio.throttle.* (v1) or io.max (v2). */
  io: boolean;
}

export function probeCgroups(): CgroupCaps {
  const version = cgroupVersion();
  if (version === 2) {
    const on = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/);
    return { version, memory: on.includes('memory'), cpu: on.includes('cpu'), io: on.includes('io') };
  }
  const has = (f: string) => version === 1 && existsSync(path.join('/sys/fs/cgroup', f));
  return {
    version,
    memory: has('memory/memory.limit_in_bytes'),
    cpu: has('cpu/cpu.cfs_quota_us'),
    io: has('blkio/blkio.throttle.write_bps_device'),
  };
}

async function probeVolumeDevice(): Promise<{ device: string | null; why: string }> {
  try {
    const root = (await docker().info()) as { DockerRootDir?: string };
    const dir = path.join(root.DockerRootDir ?? '/var/lib/docker', 'volumes');
    const { device, why } = blockDeviceOf(dir);
    return device ? { device: `${device.id} (${device.name})`, why: '' } : { device: null, why };
  } catch (e) {
    return { device: null, why: `Docker does not answer: ${errorLine(e)}` };
  }
}

async function inScratchNetns(script: string): Promise<Probe> {
  const r = await execa('unshare', ['-n', 'sh', '-c', script], { reject: false, timeout: 10_000 });
  return {
    ok: r.exitCode === 0,
    err: r.exitCode === 0 ? '' : (String(r.stderr || r.stdout || r.message || 'failed').split('\n')[0] ?? ''),
  };
}

async function onPath(tool: string): Promise<boolean> {
  const r = await execa('sh', ['-c', `command -v ${tool}`], { reject: false, timeout: 10_000 });
  return r.exitCode === 0;
}

export async function probeHostCaps(): Promise<HostCaps> {
  const [netem, tbf, statistic, found, volumeDevice] = await Promise.all([
    inScratchNetns('ip link set lo up && tc qdisc add dev lo root netem delay 1ms'),
    inScratchNetns('ip link set lo up && tc qdisc add dev lo root tbf rate 1mbit burst 32kbit latency 400ms'),
    inScratchNetns('iptables -w -A INPUT -m statistic --mode random --probability 0.5 -j DROP'),
    Promise.all(HOST_TOOLS.map(onPath)),
    probeVolumeDevice(),
  ]);
  const tools = Object.fromEntries(HOST_TOOLS.map((t, i) => [t, found[i] ?? false])) as Record<HostTool, boolean>;
  return { netem, tbf, statistic, tools, faketime: findHostFaketime() ?? null, cgroup: probeCgroups(), volumeDevice };
}

let cached: Promise<HostCaps> | undefined;

/** probeHostCaps, once per process. */
export function hostCaps(): Promise<HostCaps> {
  cached ??= probeHostCaps();
  return cached;
}

/** "needs X (apt-get install Y)" for the first missing tool, or null when all are present. */
export function missingTool(caps: HostCaps, needs: readonly HostTool[]): string | null {
  const PACKAGE: Record<HostTool, string> = {
    nsenter: 'util-linux',
    iptables: 'iptables',
    tc: 'iproute2',
    losetup: 'util-linux',
    'mkfs.ext4': 'e2fsprogs',
    chattr: 'e2fsprogs',
  };
  const t = needs.find((n) => !caps.tools[n]);
  return t === undefined ? null : `${t} is missing on this host (apt-get install ${PACKAGE[t]})`;
}
