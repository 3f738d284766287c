// Time to detect and time to mitigate (game days, SPEC section 10): the people in the room
// are part of what is drilled. For each disruptive fault, from its t_f (confirmed in effect,
// the harness clock) to the first `detected` / `mitigated` mark made at or after it. The
// drill's figure is the worst fault's, scored like RTO: unknown when nobody marked a fault
// (and a threshold on unknown fails), never 0.
import type { DrillMetrics, FaultRecord, MarkRecord } from '../core/result.js';

type Fault = Pick<FaultRecord, 'id' | 'confirmed_s' | 'disruptive'>;

export type HumanMeasurement = NonNullable<DrillMetrics['game_day']>;

const round = (s: number): number => Math.round(s * 1000) / 1000;

export function checkHuman(faults: readonly Fault[], marks: readonly MarkRecord[]): HumanMeasurement {
  const timed = faults.filter((f): f is Fault & { confirmed_s: number } => f.disruptive && f.confirmed_s !== null);
  const after = (kind: 'detected' | 'mitigated', t: number) =>
    marks.filter((m) => m.kind === kind && m.t_s >= t).sort((a, b) => a.t_s - b.t_s)[0];
  const perFault = timed.map((f) => {
    const d = after('detected', f.confirmed_s);
    const m = after('mitigated', f.confirmed_s);
    return {
      fault_id: f.id,
      detect_s: d ? round(d.t_s - f.confirmed_s) : null,
      mitigate_s: m ? round(m.t_s - f.confirmed_s) : null,
      ...(d?.operator ? { detected_by: d.operator } : {}),
      ...(m?.operator ? { mitigated_by: m.operator } : {}),
    };
  });
  const worst = (k: 'detect_s' | 'mitigate_s'): number | null => {
    if (perFault.length === 0 || perFault.some((p) => p[k] === null)) return null;
    return Math.max(...perFault.map((p) => p[k] as number));
  };
  const out: HumanMeasurement = { detect_s: worst('detect_s'), mitigate_s: worst('mitigate_s'), per_fault: perFault };
  if (timed.length === 0) out.reason = 'no disruptive fault was confirmed in effect';
  else if (out.detect_s === null || out.mitigate_s === null) {
    const missing = perFault.filter((p) => p.detect_s === null || p.mitigate_s === null).map((p) => p.fault_id);
    out.reason = `nobody marked ${missing.join(', ')} detected and mitigated after it took effect`;
  }
  return out;
}
