// Every fault kind, registered by name in one explicit map (Toxiproxy style).

import { backupStorage } from './backup-storage.js';
import { bandwidth } from './bandwidth.js';
import { clockSkew } from './clock-skew.js';
import { delay } from './delay.js';
import { diskFull } from './disk-full.js';
import { duplicate } from './duplicate.js';
import type { FaultKind, FaultKindName } from './fault.js';
import { kill } from './kill.js';
import { loss } from './loss.js';
import { partition } from './partition.js';
import { pause } from './pause.js';
import { restart } from './restart.js';
import { stop } from './stop.js';

export const faultKinds: Record<FaultKindName, FaultKind> = {
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
};
