// Threshold scoring: compare measured figures with the scenario's limits. A figure that
// could not be measured fails its threshold ("not measured: ..."): an unknown is never a pass.
import { formatDuration, formatNumber, formatPercent } from '../core/format.js';
import type { DrillMetrics, ThresholdResult, Verdict } from '../core/result.js';

/** What the scenario parser outputs. Durations in ms; availability as a ratio 0..1. */
export interface ThresholdSpec {
  rto?: number;
  rpo?: { lost?: number; window?: number };
  availability?: number;
  p99_latency?: number;
  /** ms: the longest completed backup. */
  backup_duration?: number;
  /** ms: the longest restore (from the restore request to the data loaded). */
  restore_duration?: number;
  /** true: integrity must hold; false/absent: not scored. */
  integrity?: boolean;
  /** Max stale reads (reads that missed a write acknowledged before they were sent). */
  reads?: { stale?: number };
  /** ms: game days, from the fault taking effect to the team's `detected` / `mitigated` mark. */
  detect?: number;
  mitigate?: number;
}

export const THRESHOLD_NAMES = [
  'rto',
  'rpo.lost',
  'rpo.window',
  'availability',
  'p99_latency',
  'backup_duration',
  'restore_duration',
  'integrity',
  'reads.stale',
  'detect',
  'mitigate',
] as const;
export type ThresholdName = (typeof THRESHOLD_NAMES)[number];

function upper(
  name: ThresholdName,
  unit: 's' | 'count',
  limit: number,
  measured: number | null,
  why: string | undefined,
): ThresholdResult {
  const show = unit === 's' ? formatDuration : formatNumber;
  const r: ThresholdResult = { name, limit: `<= ${show(limit)}`, limit_value: limit, measured, unit, verdict: 'pass' };
  if (measured === null) {
    r.verdict = 'fail';
    r.reason = `not measured: ${why ?? 'unknown'}`;
  } else if (measured > limit) {
    r.verdict = 'fail';
    r.reason = `measured ${show(measured)} > limit ${show(limit)}`;
  }
  return r;
}

export function scoreThresholds(spec: ThresholdSpec, m: DrillMetrics): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  const noFinal = 'no final read of the data';
  if (spec.rto !== undefined)
    out.push(upper('rto', 's', spec.rto / 1000, m.rto_s, m.rto_reason ?? 'no sustained recovery observed'));
  if (spec.rpo?.lost !== undefined) out.push(upper('rpo.lost', 'count', spec.rpo.lost, m.rpo.lost, noFinal));
  if (spec.rpo?.window !== undefined) {
    const why = m.rpo.lost === null ? noFinal : 'writes were lost but the fault instant is unknown';
    out.push(upper('rpo.window', 's', spec.rpo.window / 1000, m.rpo.window_s, why));
  }
  if (spec.availability !== undefined) {
    const limit = spec.availability;
    const r: ThresholdResult = {
      name: 'availability',
      limit: `>= ${formatPercent(limit)}`,
      limit_value: limit,
      measured: m.availability,
      unit: 'ratio',
      verdict: 'pass',
    };
    if (m.availability === null) {
      r.verdict = 'fail';
      r.reason = `not measured: ${m.availability_reason ?? 'no write was invoked during a fault'}`;
    } else if (m.availability < limit) {
      r.verdict = 'fail';
      r.reason = `measured ${formatPercent(m.availability)} < limit ${formatPercent(limit)}`;
    }
    out.push(r);
  }
  if (spec.p99_latency !== undefined) {
    const p99 = m.latency_ms.p99;
    out.push(
      upper('p99_latency', 's', spec.p99_latency / 1000, p99 === null ? null : p99 / 1000, 'no successful operation'),
    );
  }
  if (spec.backup_duration !== undefined) {
    const done = (m.restore?.backups ?? []).filter(
      (b) => b['status'] === 'completed' && typeof b['end_s'] === 'number',
    );
    const longest =
      done.length === 0 ? null : Math.max(...done.map((b) => (b['end_s'] as number) - (b['start_s'] as number)));
    out.push(upper('backup_duration', 's', spec.backup_duration / 1000, longest, 'no backup completed'));
  }
  if (spec.restore_duration !== undefined) {
    const rs = (m.restore?.restores ?? [])
      .map((r) => (r['phases'] as { restore_s?: number | null } | undefined)?.restore_s)
      .filter((x): x is number => typeof x === 'number');
    out.push(
      upper(
        'restore_duration',
        's',
        spec.restore_duration / 1000,
        rs.length === 0 ? null : Math.max(...rs),
        'no restore completed',
      ),
    );
  }
  if (spec.reads?.stale !== undefined) {
    const reads = m.reads.ok > 0 ? m.reads.stale : null;
    out.push(upper('reads.stale', 'count', spec.reads.stale, reads, 'no read was answered (set workload.read_share)'));
  }
  if (spec.detect !== undefined) {
    const why = m.game_day?.reason ?? 'nobody marked the fault detected';
    out.push(upper('detect', 's', spec.detect / 1000, m.game_day?.detect_s ?? null, why));
  }
  if (spec.mitigate !== undefined) {
    const why = m.game_day?.reason ?? 'nobody marked the fault mitigated';
    out.push(upper('mitigate', 's', spec.mitigate / 1000, m.game_day?.mitigate_s ?? null, why));
  }
  if (spec.integrity === true) {
    const r: ThresholdResult = {
      name: 'integrity',
      limit: 'must hold',
      limit_value: true,
      measured: m.integrity.ok,
      unit: 'bool',
      verdict: m.integrity.ok === true ? 'pass' : 'fail',
    };
    if (m.integrity.ok === null) r.reason = `not measured: ${m.integrity.reason ?? 'no final read of the data'}`;
    else if (!m.integrity.ok) r.reason = m.integrity.reason ?? 'integrity violated';
    out.push(r);
  }
  return out;
}

export interface Expectation {
  verdict: 'pass' | 'fail';
  reason?: string;
}
export interface ExpectationResult {
  verdict: 'pass' | 'fail';
  reason?: string;
  met: boolean;
  /** Why it was not met, or which thresholds matched the reason. */
  detail?: string;
}

/*
 * Accepted grammar of `expect.reason` (case-insensitive, whitespace free-form):
 *
 *   reason  := clause ( ("," | "and") clause )*
 *   clause  := name [ op number ] | "step" kind "failed"
 *   kind    := a step kind: backup | destroy | restore | verify | exec | await | fault | heal | ...
 *   name    := rto | rpo | rpo.lost | rpo.window | availability | p99_latency | backup_duration | restore_duration
 *              | integrity | reads | reads.stale | detect | mitigate
 *   op      := ">" | ">=" | "<" | "<=" | "=" | "=="
 *
 * Every clause must hold: the named threshold failed in this run ("rpo" matches rpo.lost
 * or rpo.window), and with an op, its measured value compares true against the number
 * (in the threshold's unit: s, count, ratio). Example: "rpo.lost > 0", "rto, integrity".
 * A reason in which some clause does not have that shape (e.g. "split brain loses
 * writes") is prose for humans and is not matched: only the verdict is. A reason that has
 * the shape but names an unknown threshold ("rpo.lsot > 0", "durability") is an error
 * (met = false), so a typo can't silently pass. "step backup failed" holds when a backup step
 * failed: the drill that must fail loudly at the backup step, not later.
 */
const CLAUSE = /^([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)\s*(?:(>=|<=|==|>|<|=)\s*(-?\d+(?:\.\d+)?))?$/;
const NAMES = new Set<string>([...THRESHOLD_NAMES, 'rpo', 'reads']);

const STEP_CLAUSE = /^step ([a-z-]+) fail(?:s|ed)$/;

type Clause = { name: string; op?: string; value?: number; step?: string };

export function parseExpectReason(
  reason: string,
): { kind: 'prose' } | { kind: 'clauses'; clauses: Clause[] } | { kind: 'error'; message: string } {
  const parts = reason
    .trim()
    .toLowerCase()
    .split(/\s*,\s*|\s+and\s+/);
  const clauses: Clause[] = [];
  const rest: string[] = [];
  for (const p of parts) {
    const s = STEP_CLAUSE.exec(p.trim());
    if (s) clauses.push({ name: `step ${s[1]}`, step: s[1]! });
    else rest.push(p);
  }
  const matches = rest.map((p) => CLAUSE.exec(p.trim()));
  if (matches.some((m) => m === null)) return { kind: 'prose' };
  for (const m of matches as RegExpExecArray[]) {
    if (!NAMES.has(m[1]!))
      return { kind: 'error', message: `unknown threshold name "${m[1]}" (known: ${[...NAMES].join(', ')})` };
    const c: Clause = { name: m[1]! };
    if (m[2] !== undefined) {
      c.op = m[2];
      c.value = Number(m[3]);
    }
    clauses.push(c);
  }
  return { kind: 'clauses', clauses };
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    default:
      return a === b;
  }
}

/** Undefined when the scenario has no expectation. */
export function checkExpectation(
  expect: Expectation | undefined,
  verdict: Verdict,
  thresholds: readonly ThresholdResult[],
  steps: readonly { kind: string; status: string; error?: string }[] = [],
): ExpectationResult | undefined {
  if (!expect) return undefined;
  const base: ExpectationResult = { verdict: expect.verdict, met: false };
  if (expect.reason !== undefined) base.reason = expect.reason;
  if (verdict !== expect.verdict) return { ...base, detail: `expected ${expect.verdict}, got ${verdict}` };
  if (expect.reason === undefined || expect.verdict === 'pass') return { ...base, met: true };
  const parsed = parseExpectReason(expect.reason);
  if (parsed.kind === 'prose') return { ...base, met: true, detail: 'reason is prose; only the verdict was matched' };
  if (parsed.kind === 'error') return { ...base, detail: parsed.message };
  const failed = thresholds.filter((t) => t.verdict === 'fail');
  for (const c of parsed.clauses) {
    if (c.step !== undefined) {
      if (steps.some((s) => s.kind === c.step && s.status === 'failed')) continue;
      const f = steps.find((s) => s.status === 'failed');
      return { ...base, detail: `no ${c.step} step failed${f ? ` (the ${f.kind} step did)` : ''}` };
    }
    const hits = failed.filter((t) => t.name === c.name || t.name.startsWith(`${c.name}.`));
    if (hits.length === 0) {
      const names = failed.map((t) => t.name).join(', ') || 'none';
      return { ...base, detail: `"${c.name}" did not fail (failed: ${names})` };
    }
    if (c.op !== undefined) {
      const ok = hits.some((t) => typeof t.measured === 'number' && compare(t.measured, c.op!, c.value!));
      if (!ok) {
        const got = hits.map((t) => `${t.name}=${t.measured === null ? 'unknown' : String(t.measured)}`).join(', ');
        return { ...base, detail: `"${c.name} ${c.op} ${c.value}" does not hold (${got})` };
      }
    }
  }
  return { ...base, met: true, detail: `matched: ${parsed.clauses.map((c) => c.name).join(', ')}` };
}
