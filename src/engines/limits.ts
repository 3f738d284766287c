// What a custom target cannot do yet when its nodes are placed by an engine other than this
// machine's Docker host (a swarm), refused before anything starts (exit 2, docs/swarm.md):
// everything that needs this machine's files or cgroups inside or under a node. graph-agent's
// only such faults are the resource faults (the rest go through the hosts' fault agents).
// `drill run` and `drill validate` (with --engine, or the scenario's cluster.engine) check it.
//
//   cluster.compose                 a Compose file's services, bind mounts of host files and
//                                   all, run on one Docker host
//   clock-skew                      libfaketime is bind-mounted from this machine, the offset
//                                   files live under this machine's run state
//   disk-full                       size-bounded volumes are loop devices of this machine
//   backup-storage                  acts on the backup volume's files on this machine
//   memory, cpu, io-limit           write the node's cgroup on this machine

import { UsageError } from '../core/errors.js';
import type { Scenario } from '../scenario/schema.js';

/** Fault kinds that act on this machine's files or cgroups of a custom node. */
const LOCAL_ONLY_FAULTS: Readonly<Record<string, string>> = {
  'clock-skew': "libfaketime and the nodes' offset files come from this machine",
  'disk-full': "the nodes' size-bounded volumes are loop devices of this machine",
  'backup-storage': "it acts on the backup volume's files on this machine",
  memory: "it writes the node's cgroup on this machine",
  cpu: "it writes the node's cgroup on this machine",
  'io-limit': "it writes the node's cgroup on this machine",
};

/** The first thing of `scenario` a custom target cannot do on `engine`, as `<field>: <why>`; undefined: none. */
export function engineRefusal(scenario: Scenario, engine: string): string | undefined {
  const c = scenario.cluster;
  if (engine === 'docker') return undefined;
  if (c.target !== 'custom') return graphAgentRefusal(scenario, engine);
  const later = `custom targets on engine ${engine} do not support it yet (docs/swarm.md)`;
  if (c.compose !== undefined)
    return `cluster.compose: the services of a Compose file (bind mounts and all) run on one Docker host; ${later}`;
  for (const [i, s] of scenario.steps.entries()) {
    if (s.kind !== 'fault') continue;
    const why = LOCAL_ONLY_FAULTS[s.fault.kind];
    if (why !== undefined) return `steps[${i}].fault.kind: ${s.fault.kind} on a custom target: ${why}; ${later}`;
  }
  return undefined;
}

/** graph-agent's resource faults write the node's cgroup on this machine; its other faults go through the agents. */
function graphAgentRefusal(scenario: Scenario, engine: string): string | undefined {
  for (const [i, s] of scenario.steps.entries()) {
    if (s.kind !== 'fault' || !['memory', 'cpu', 'io-limit'].includes(s.fault.kind)) continue;
    return (
      `steps[${i}].fault.kind: ${s.fault.kind}: ${LOCAL_ONLY_FAULTS[s.fault.kind]}; ` +
      `not supported on engine ${engine} yet (docs/swarm.md)`
    );
  }
  return undefined;
}

/** Refuse (exit 2) a scenario whose custom target cannot run on `engine`, naming the file and the field. */
export function assertEngineSupports(scenario: Scenario, engine: string, file: string | undefined): void {
  const why = engineRefusal(scenario, engine);
  if (why !== undefined) throw new UsageError(`${file ?? 'scenario'}: ${why}`);
}
