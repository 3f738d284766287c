// What the live page shows while a drill runs (`drill run --live`), rebuilt on demand from
// the run's state: the timeline of report.html (server-rendered SVG, so the page needs no
// charting code), the current step, the active faults, the marks, and a provisional RTO
// per fault (acknowledged writes: whether they survived is known only after the final read).
//
// Blind faults (`blind: true`) are what the team must find: until someone marks the fault
// detected, the page shows neither its kind nor its name nor its target, anywhere (fault
// band, labels, active faults, step text). The report reveals it at the end.

import { pairHistory, type HistoryEvent } from '../client/history.js';
import { checkRto } from '../checkers/rto.js';
import type { LeaderObservation } from '../checkers/leader-phases.js';
import type {
  DrillMetrics,
  DrillResult,
  FaultRecord,
  MarkRecord,
  StepRecord,
  ThresholdResult,
} from '../core/result.js';
import { bucketOps } from '../reporters/html/buckets.js';
import { sampleScatter } from '../reporters/html/scatter.js';
import { renderTimeline } from '../reporters/html/timeline-svg.js';

export interface LiveInputs {
  scenario: { name: string; description?: string };
  runId: string;
  /** The target's node names (leader lane colours). */
  nodes: readonly string[];
  nowS: number;
  phase: string;
  steps: readonly StepRecord[];
  faults: readonly FaultRecord[];
  /** Names of the faults in effect now. */
  active: readonly string[];
  events: readonly HistoryEvent[];
  leaders: readonly LeaderObservation[];
  marks: readonly MarkRecord[];
  /** The scenario's RTO limit, seconds (the dotted line on the timeline). */
  rtoLimitS?: number | undefined;
  /** Set when the drill is over. */
  verdict?: string | undefined;
}

export interface LiveSnapshot {
  scenario: string;
  runId: string;
  elapsedS: number;
  phase: string;
  /** The current step's text (a blind fault's step reads "fault (hidden until detected)"). */
  step: string;
  active: string[];
  marks: MarkRecord[];
  /** Provisional RTO per fault, from acknowledged writes. */
  rto: { fault: string; rto_s: number | null }[];
  timelineSvg: string;
  done: boolean;
  verdict?: string;
}

export const HIDDEN = 'fault (hidden until detected)';

/** Whether a blind fault is still hidden: nobody marked detected since it was requested. */
export function isHidden(f: FaultRecord, marks: readonly MarkRecord[]): boolean {
  return f.blind === true && !marks.some((m) => m.kind === 'detected' && m.t_s >= f.requested_s);
}

function maskFault(f: FaultRecord, i: number): FaultRecord {
  return {
    id: `?${i + 1}`,
    kind: 'fault',
    disruptive: f.disruptive,
    nodes: [],
    requested_s: f.requested_s,
    confirmed_s: f.confirmed_s,
    injection_latency_s: null,
    healed_s: f.healed_s,
    mechanism: 'hidden until detected',
  };
}

export function buildLiveSnapshot(x: LiveInputs): LiveSnapshot {
  const hidden = new Set(x.faults.filter((f) => isHidden(f, x.marks)).map((f) => f.id));
  const faults = x.faults.map((f, i) => (hidden.has(f.id) ? maskFault(f, i) : f));
  const steps = x.steps.map((s) =>
    s.kind === 'fault' && stepHidesFault(s, x.faults, hidden) ? { ...s, description: HIDDEN } : s,
  );
  const ops = pairHistory(x.events, x.nowS * 1000);
  const rtoPerFault = x.faults
    .filter((f) => f.disruptive && f.confirmed_s !== null)
    .map((f) => checkRto(ops, { id: f.id, confirmedT: f.confirmed_s! * 1000, requestedT: f.requested_s * 1000 }));
  const metrics = {
    rto_per_fault: rtoPerFault.map((m, i) => (hidden.has(m.fault_id) ? { ...m, fault_id: `?${i + 1}` } : m)),
    rpo: {
      lost: null,
      unexpected: null,
      recovered: null,
      window_s: null,
      lost_ids: [],
      unexpected_ids: [],
      per_fault: [],
      reason: 'known after the final read',
    },
  } as unknown as DrillMetrics;
  const thresholds: ThresholdResult[] =
    x.rtoLimitS === undefined
      ? []
      : [{ name: 'rto', limit: '', limit_value: x.rtoLimitS, measured: null, unit: 's', verdict: 'pass' }];
  const partial = {
    duration_s: x.nowS,
    faults,
    marks: [...x.marks],
    steps,
    thresholds,
    metrics,
    target: { kind: '', nodes: [...x.nodes], settings: {} },
  } as unknown as DrillResult;
  const durationMs = Math.max(x.nowS * 1000, 1);
  const svg = renderTimeline(partial, {
    buckets: bucketOps(ops, durationMs),
    scatter: sampleScatter(ops, 3000).points,
    leaders: [...x.leaders],
    lostAckS: [],
  });
  const current = [...steps].reverse().find((s) => s.end_s === null) ?? steps.at(-1);
  // Active faults read "<name>:<kind>(<nodes>)".
  const active = x.active.map((a) => (hidden.has(a.split(':')[0]!) ? HIDDEN : a));
  const snap: LiveSnapshot = {
    scenario: x.scenario.name,
    runId: x.runId,
    elapsedS: Math.round(x.nowS * 10) / 10,
    // The phase text repeats the step's: say only which part of the drill this is.
    phase: x.phase.startsWith('step') ? 'steps' : x.phase,
    step: current ? `${current.index + 1}/${steps.length}: ${current.description}` : '',
    active,
    marks: [...x.marks],
    rto: rtoPerFault.map((m, i) => ({ fault: hidden.has(m.fault_id) ? `?${i + 1}` : m.fault_id, rto_s: m.rto_s })),
    timelineSvg: svg,
    done: x.verdict !== undefined,
  };
  if (x.verdict !== undefined) snap.verdict = x.verdict;
  return snap;
}

/** A blind fault's step names its fault: hidden while the fault is (or before it is even recorded). */
function stepHidesFault(s: StepRecord, faults: readonly FaultRecord[], hidden: ReadonlySet<string>): boolean {
  if (s.blind !== true) return false;
  const f = faults.find((r) => r.step === s.index);
  return f === undefined || hidden.has(f.id);
}
