// Every fault kind, registered by name in one explicit map (Toxiproxy style).

import type { FaultKind, FaultKindName } from './fault.js';
import { kill } from './kill.js';
import { pause } from './pause.js';
import { restart } from './restart.js';
import { stop } from './stop.js';

export const faultKinds: Record<FaultKindName, FaultKind> = { kill, stop, restart, pause };
