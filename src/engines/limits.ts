// What a scenario cannot do yet when its nodes are placed by an engine other than this
// machine's Docker host (a swarm), refused before anything starts (exit 2, docs/swarm.md):
// what needs this machine's files under a node. `drill run` and `drill validate` (with
// --engine, or the scenario's cluster.engine) check it.
//
//   cluster.compose                 (custom targets) a Compose file's services, bind mounts of
//                                   host files and all, run on one Docker host
//   backup-storage read-only,       chattr on the repository's files on this machine; a swarm's
//     unavailable (and any mode     repository is the storage its hosts share, where chattr may
//     on a custom target)           not exist (NFS). Mode corrupt on graph-agent flips its byte
//                                   through a host's fault agent.
//   delay, without netem            runs through the harness's link proxy, which needs a
//                                   network the harness is on (one Docker host)
//
// Everything else (clock-skew, disk-full and the resource faults memory, cpu and io-limit
// included) goes through the fault agents of the nodes' hosts, for graph-agent and custom
// targets alike.

import { UsageError } from '../core/errors.js';
import { delayNeedsLinkProxy } from '../faults/delay.js';
import { hostCaps } from '../faults/host-caps.js';
import type { Scenario } from '../scenario/schema.js';

/** What this machine's kernel decides: delay through the link proxy (no netem). */
export interface HostFacts {
  linkProxy: boolean;
}

/** Fault kinds that act on this machine's files under a node. */
const LOCAL_ONLY_FAULTS: Readonly<Record<string, string>> = {
  'backup-storage':
    "modes read-only and unavailable chattr the repository's files on this machine, and a swarm's repository is " +
    'the storage its hosts share (mode corrupt on graph-agent runs on a swarm)',
};

/** The first thing of `scenario` that cannot run on `engine`, as `<field>: <why>`; undefined: none. */
export function engineRefusal(scenario: Scenario, engine: string, host?: HostFacts): string | undefined {
  if (engine === 'docker') return undefined;
  const later = `not supported on engine ${engine} yet (docs/swarm.md)`;
  if (scenario.cluster.target === 'custom' && scenario.cluster.compose !== undefined)
    return `cluster.compose: the services of a Compose file (bind mounts and all) run on one Docker host; ${later}`;
  for (const [i, s] of scenario.steps.entries()) {
    if (s.kind !== 'fault') continue;
    const corruptOnSwarm =
      s.fault.kind === 'backup-storage' &&
      (s.fault as { mode?: string }).mode === 'corrupt' &&
      scenario.cluster.target === 'graph-agent';
    const why = corruptOnSwarm ? undefined : LOCAL_ONLY_FAULTS[s.fault.kind];
    if (why !== undefined) return `steps[${i}].fault.kind: ${s.fault.kind}: ${why}; ${later}`;
    if (s.fault.kind === 'delay' && host?.linkProxy === true)
      return (
        `steps[${i}].fault.kind: delay: this kernel has no netem, so delay runs through the harness's link proxy, ` +
        `which needs a network the harness is on (one Docker host); ${later}`
      );
  }
  return undefined;
}

/** engineRefusal with this machine's facts, looked up only when they can matter. */
export async function engineRefusalHere(scenario: Scenario, engine: string): Promise<string | undefined> {
  const delays = scenario.steps.some((s) => s.kind === 'fault' && s.fault.kind === 'delay');
  const host = engine !== 'docker' && delays ? { linkProxy: delayNeedsLinkProxy(await hostCaps()) } : undefined;
  return engineRefusal(scenario, engine, host);
}

/** Refuse (exit 2) a scenario that cannot run on `engine`, naming the file and the field. */
export async function assertEngineSupports(
  scenario: Scenario,
  engine: string,
  file: string | undefined,
): Promise<void> {
  const why = await engineRefusalHere(scenario, engine);
  if (why !== undefined) throw new UsageError(`${file ?? 'scenario'}: ${why}`);
}
