// The step types of a drill's timeline, as the scenario parser outputs them (ms).

import { formatMs } from '../core/format.js';
import type { FaultSpec } from '../faults/fault.js';
import { describeBackupStep, type BackupSteps } from './backup-step-types.js';

export type AwaitCondition = 'healthy' | 'leader' | 'new-leader' | 'recovered';

export type Step =
  | { kind: 'wait'; ms: number }
  | { kind: 'mark'; label: string }
  | { kind: 'fault'; fault: FaultSpec }
  | { kind: 'heal'; name: string }
  | { kind: 'await'; condition: Exclude<AwaitCondition, 'mark'>; timeoutMs: number }
  | { kind: 'await'; condition: 'mark'; mark: 'detected' | 'mitigated'; timeoutMs: number }
  | ExecStep
  | BackupSteps;

/** A command of the user's: on the harness host, or inside a node's container (`in`). */
export interface ExecStep {
  kind: 'exec';
  command: string[];
  /** primary | replica | a node name; absent: on the host. */
  in?: string;
  timeoutMs: number;
  expectExit: number;
}

export function describeStep(s: Step): string {
  switch (s.kind) {
    case 'backup':
    case 'point':
    case 'destroy':
    case 'restore':
    case 'verify':
      return describeBackupStep(s);
    case 'wait':
      return `wait ${formatMs(s.ms)}`;
    case 'mark':
      return `mark "${s.label}"`;
    case 'fault': {
      const f = s.fault;
      const where = f.node ?? f.target ?? 'primary';
      const extra = f.signal ? ` ${f.signal}` : '';
      const dur = f.duration !== undefined ? ` for ${formatMs(f.duration)}` : '';
      return `fault ${f.name}: ${f.kind}${extra} ${where}${dur}`;
    }
    case 'heal':
      return `heal ${s.name}`;
    case 'await':
      return s.condition === 'mark'
        ? `await the team's "${s.mark}" mark (timeout ${formatMs(s.timeoutMs)})`
        : `await ${s.condition} (timeout ${formatMs(s.timeoutMs)})`;
    case 'exec':
      return `exec ${s.in !== undefined ? `in ${s.in}` : 'on the host'}: ${s.command.join(' ')}`;
  }
}
