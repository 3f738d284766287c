// Every fault kind, registered by name in one explicit map (Toxiproxy style). Adding a
// fault = its file under src/faults/ + one line here (+ its test, a line in docs/faults.md
// and a scenario): the scenario schema, the JSON Schema, `drill doctor` and the fault
// manager are assembled from this map. The order is the order of the kinds (and of their
// fields) in the schema and in error messages.

import { backupStorage } from './backup-storage.js';
import { bandwidth } from './bandwidth.js';
import { clockSkew } from './clock-skew.js';
import { cpu } from './cpu.js';
import { delay } from './delay.js';
import { diskFull } from './disk-full.js';
import { duplicate } from './duplicate.js';
import type { AnyFaultKind } from './fault.js';
import { ioLimit } from './io-limit.js';
import { kill } from './kill.js';
import { loss } from './loss.js';
import { memory } from './memory.js';
import { partition } from './partition.js';
import { pause } from './pause.js';
import { restart } from './restart.js';
import { stop } from './stop.js';

export const faultKinds = {
  kill,
  stop,
  restart,
  pause,
  partition,
  delay,
  loss,
  duplicate,
  bandwidth,
  'clock-skew': clockSkew,
  'disk-full': diskFull,
  'backup-storage': backupStorage,
  memory,
  cpu,
  'io-limit': ioLimit,
};

export type FaultKinds = typeof faultKinds;

/** The kinds in registry order. */
export const FAULT_KIND_LIST: readonly AnyFaultKind[] = Object.values(faultKinds);

/** The kind of this name, or undefined (a name from a file, checked: never a prototype key). */
export function faultKind(name: string): AnyFaultKind | undefined {
  return Object.hasOwn(faultKinds, name) ? (faultKinds as Record<string, AnyFaultKind>)[name] : undefined;
}
