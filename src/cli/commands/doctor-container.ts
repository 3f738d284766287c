// drill doctor when drill itself runs in a container (the drill image, docs/install.md).
// From there the faults reach the nodes only with the host's PID namespace (nsenter -t
// <host pid>), CAP_SYS_ADMIN (setns) and CAP_NET_ADMIN (iptables, tc); the harness reaches
// the ports published on 127.0.0.1 only on the host network; and the files clock-skew and
// disk-full bind into the nodes (the state dir) must sit at the same path on the host,
// because the engine resolves a bind mount's source on the host. The container's own
// record (inspect) says how it was started; the capability mask says what it may do.
// A container the engine does not know (a sandbox that runs its own engine inside) is the
// host as far as drill is concerned: no report.

import { existsSync, readFileSync } from 'node:fs';
import { docker } from '../../docker/engine.js';
import { stateRoot } from '../../faults/host-state.js';

export interface ContainerReport {
  checks: { name: string; ok: boolean; detail: string }[];
  /** Network faults can enter the nodes' namespaces. */
  netFaults: boolean;
  /** The state dir is shared with the host at the same path (clock-skew, disk-full). */
  stateDir: boolean;
}

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

/** This container's id, from the hostname file Docker mounts into it. */
function ownContainerId(): string | undefined {
  try {
    return /\/containers\/([0-9a-f]{64})\/hostname/.exec(readFileSync('/proc/self/mountinfo', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function effectiveCaps(): bigint {
  try {
    const hex = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex ? BigInt(`0x${hex}`) : 0n;
  } catch {
    return 0n;
  }
}

interface SelfInspect {
  HostConfig?: { PidMode?: string; NetworkMode?: string };
  Mounts?: { Type?: string; Source?: string; Destination?: string }[];
}

/** The report when drill runs in a container of the engine it drives, else undefined. */
export async function containerReport(): Promise<ContainerReport | undefined> {
  if (!existsSync('/.dockerenv')) return undefined;
  const id = ownContainerId();
  if (id === undefined) return undefined;
  const self = (await docker()
    .getContainer(id)
    .inspect()
    .catch(() => undefined)) as SelfInspect | undefined;
  if (self === undefined) return undefined;
  const caps = effectiveCaps();
  const missing = [
    ...((caps >> CAP_NET_ADMIN) & 1n ? [] : ['NET_ADMIN']),
    ...((caps >> CAP_SYS_ADMIN) & 1n ? [] : ['SYS_ADMIN']),
  ];
  const pidHost = self.HostConfig?.PidMode === 'host';
  const hostNetwork = self.HostConfig?.NetworkMode === 'host';
  const root = stateRoot();
  const stateDir = (self.Mounts ?? []).some((m) => m.Destination === root && m.Source === root);
  const checks = [
    { name: 'in a container', ok: true, detail: `${id.slice(0, 12)} of this engine` },
    {
      name: 'host PID namespace',
      ok: pidHost,
      detail: pidHost ? 'shared (--pid host)' : 'not shared: add --pid host for network faults',
    },
    {
      name: 'capabilities',
      ok: missing.length === 0,
      detail:
        missing.length === 0 ? 'NET_ADMIN, SYS_ADMIN' : `missing ${missing.map((c) => `--cap-add ${c}`).join(' ')}`,
    },
    {
      name: 'host network',
      ok: hostNetwork,
      detail: hostNetwork
        ? '--network host: reaches the ports drills publish on 127.0.0.1'
        : 'not the host network: add --network host (drills publish node ports on the host 127.0.0.1)',
    },
    {
      name: 'state dir',
      ok: stateDir,
      detail: stateDir
        ? `${root} shared with the host at the same path`
        : `not shared: add -v ${root}:${root} for clock-skew and disk-full (the engine binds it from the host)`,
    },
  ];
  return { checks, netFaults: pidHost && missing.length === 0, stateDir };
}
