// What this host's kernel offers the network faults, probed once per process in a
// throwaway network namespace (unshare -n), never on the host's own interfaces. The
// mechanism each fault uses follows from it (mechanismFor), and `drill doctor` prints the
// same table the faults act on.
import { execa } from 'execa';

export interface Probe {
  ok: boolean;
  /** First line of the error when not ok. */
  err: string;
}

export interface HostCaps {
  netem: Probe;
  tbf: Probe;
  statistic: Probe;
}

async function inScratchNetns(script: string): Promise<Probe> {
  const r = await execa('unshare', ['-n', 'sh', '-c', script], { reject: false, timeout: 10_000 });
  return {
    ok: r.exitCode === 0,
    err: r.exitCode === 0 ? '' : (String(r.stderr || r.stdout || r.message || 'failed').split('\n')[0] ?? ''),
  };
}

export async function probeHostCaps(): Promise<HostCaps> {
  const [netem, tbf, statistic] = await Promise.all([
    inScratchNetns('ip link set lo up && tc qdisc add dev lo root netem delay 1ms'),
    inScratchNetns('ip link set lo up && tc qdisc add dev lo root tbf rate 1mbit burst 32kbit latency 400ms'),
    inScratchNetns('iptables -w -A INPUT -m statistic --mode random --probability 0.5 -j DROP'),
  ]);
  return { netem, tbf, statistic };
}

let cached: Promise<HostCaps> | undefined;

/** probeHostCaps, once per process. */
export function hostCaps(): Promise<HostCaps> {
  cached ??= probeHostCaps();
  return cached;
}

export type NetFaultKind = 'partition' | 'delay' | 'loss' | 'duplicate' | 'bandwidth';

/** The mechanism a network fault uses on a host with these capabilities (null: unavailable). */
export function mechanismFor(
  kind: NetFaultKind,
  caps: HostCaps,
): { mechanism: string; available: boolean; why?: string } {
  switch (kind) {
    case 'partition':
      return {
        mechanism: 'iptables DROP rules in the node network namespaces (nsenter), tagged drill:<run>:<fault>',
        available: true,
      };
    case 'delay':
      return caps.netem.ok
        ? { mechanism: 'tc netem delay on the node interface', available: true }
        : {
            mechanism: 'userspace link proxy in the harness on the node-to-node links (no netem on this kernel)',
            available: true,
          };
    case 'loss':
      if (caps.netem.ok) return { mechanism: 'tc netem loss on the node interface', available: true };
      return caps.statistic.ok
        ? { mechanism: 'iptables statistic match (random DROP) towards peers', available: true }
        : {
            mechanism: 'none',
            available: false,
            why: `loss needs tc netem or the iptables statistic match: ${caps.statistic.err}`,
          };
    case 'duplicate':
      return caps.netem.ok
        ? { mechanism: 'tc netem duplicate on the node interface', available: true }
        : { mechanism: 'none', available: false, why: 'duplicate needs tc netem, which this kernel lacks' };
    case 'bandwidth':
      return caps.tbf.ok
        ? { mechanism: 'tc tbf on the node interface', available: true }
        : { mechanism: 'none', available: false, why: `bandwidth needs tc tbf: ${caps.tbf.err}` };
  }
}
