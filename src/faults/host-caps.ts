// What this host offers the faults, probed once per process: kernel features in a
// throwaway network namespace (unshare -n, never on the host's own interfaces), the host
// tools the faults run, and libfaketime. Each fault kind derives its mechanism from these
// (`mechanism(caps)` in its file), and `drill doctor` prints the same table the faults act on.
import { execa } from 'execa';
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
  const [netem, tbf, statistic, found] = await Promise.all([
    inScratchNetns('ip link set lo up && tc qdisc add dev lo root netem delay 1ms'),
    inScratchNetns('ip link set lo up && tc qdisc add dev lo root tbf rate 1mbit burst 32kbit latency 400ms'),
    inScratchNetns('iptables -w -A INPUT -m statistic --mode random --probability 0.5 -j DROP'),
    Promise.all(HOST_TOOLS.map(onPath)),
  ]);
  const tools = Object.fromEntries(HOST_TOOLS.map((t, i) => [t, found[i] ?? false])) as Record<HostTool, boolean>;
  return { netem, tbf, statistic, tools, faketime: findHostFaketime() ?? null };
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
