// The terminal summary printed at the end of a drill: thresholds first (what decides the
// exit code), then the key measurements, then one verdict line.
import { Chalk, type ChalkInstance } from 'chalk';
import chalkDefault from 'chalk';
import Table from 'cli-table3';
import type { DrillResult, ThresholdResult } from '../core/result.js';
import { formatDuration, formatLatency, formatMeasured, formatPercent, orUnknown } from '../core/format.js';
import type { Reporter } from './reporter.js';

export interface SummaryOptions {
  /** Default: chalk's detected colour level (0 = no colour). */
  color?: boolean;
}

const sec = (s: number | null): string => orUnknown(s, formatDuration);
const ms = (x: number | null): string => orUnknown(x, formatLatency);
const pct = (r: number | null): string => orUnknown(r, formatPercent);
const cnt = (n: number | null): string => orUnknown(n, String);
const signed = (s: number): string => `${s < 0 ? '-' : '+'}${formatDuration(Math.abs(s))}`;
const measured = (t: ThresholdResult): string => formatMeasured(t, formatDuration);
/** The harness interval the restore's recovery point was made in, from its point record. */
function pointAt(rs: NonNullable<DrillResult['metrics']['restore']>): string {
  const p = rs.points?.find((x) => x['name'] === rs.point);
  const [a, b] = [p?.['t_request_s'], p?.['t_made_s']];
  return typeof a === 'number' && typeof b === 'number' ? ` (made ${a}-${b} s)` : '';
}

export function renderSummary(result: DrillResult, opts: SummaryOptions = {}): string {
  const color = opts.color ?? chalkDefault.level > 0;
  const c: ChalkInstance = new Chalk({ level: color ? chalkDefault.level || 1 : 0 });
  const out: string[] = [];
  out.push(
    c.bold(`drill: ${result.scenario.name}`) +
      c.dim(`  (run ${result.run_id}, seed ${result.seed}, ${result.duration_s.toFixed(1)} s)`),
  );

  if (result.thresholds.length > 0) {
    const table = new Table({
      head: ['threshold', 'limit', 'measured', 'verdict'],
      // cli-table3 colours headers and borders on its own; keep it monochrome unless asked.
      style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
    });
    for (const t of result.thresholds) {
      const v = t.verdict === 'pass' ? c.green('pass') : c.red(t.measured === null ? 'fail (unknown)' : 'fail');
      table.push([t.name, t.limit, measured(t), v]);
    }
    out.push(table.toString());
  } else {
    out.push(c.dim('no thresholds'));
  }

  const m = result.metrics;
  // The error bar is one-sided: the true recovery lies in [RTO - bar, RTO].
  const bar = (b: number | null | undefined) => (b == null || b === 0 ? '' : ` (-${formatDuration(b)})`);
  const rtoLine = [`RTO          ${sec(m.rto_s)}`];
  if (m.rto_s !== null) rtoLine.push(bar(m.rto_error_bar_s));
  if (m.rto_s === null && m.rto_reason) rtoLine.push(c.dim(` (${m.rto_reason})`));
  out.push(rtoLine.join(''));
  for (const f of m.rto_per_fault) {
    const p = f.phases;
    const phase = (k: string, v: number | null, b?: number | null) =>
      `${k} ${v === null ? 'unknown' : `+${formatDuration(v)}${bar(b)}`}`;
    const phases = [
      phase('detection', p.detection_s, p.detection_bar_s),
      phase('leader change', p.leader_change_s, p.leader_change_bar_s),
      phase('first ack', p.first_ack_write_s),
      phase('errors at baseline', p.error_rate_baseline_s),
    ];
    const head = `  ${f.fault_id}: ${sec(f.rto_s)}${f.rto_s !== null ? bar(f.error_bar_s) : ''}`;
    out.push(c.dim(`${head}  [${phases.join(', ')}]${f.rto_s === null && f.reason ? `  (${f.reason})` : ''}`));
  }
  const rs = m.restore;
  if (rs) {
    const ph = rs.phases;
    out.push(
      `restore      RTO ${sec(rs.rto_s)} (restore ${sec(ph.restore_s)}, healthy ${sec(ph.healthy_s)}, ` +
        `verification ${sec(ph.verification_s)})` +
        (rs.point ? `, to recovery point ${rs.point}${pointAt(rs)}` : '') +
        (rs.position !== null ? `, to position ${rs.position}` : ''),
    );
    const missing = rs.missing_before_position;
    const where = rs.point ? 'before the point' : 'at or before the position';
    const past = rs.present_after_position ?? null;
    out.push(
      `             ${missing === null ? 'unknown' : missing === 0 ? '0' : c.red(String(missing))} ` +
        `acknowledged writes missing ${where}; ` +
        (rs.point
          ? `${past === null ? 'unknown' : past === 0 ? '0' : c.red(String(past))} sent after it present, `
          : '') +
        `${cnt(rs.lost_after_position)} after it` +
        (rs.point ? ` absent, ${cnt(rs.unresolved_position)} in flight across it absent` : '') +
        ` (backup age ${sec(rs.backup_age_s)})` +
        (rs.refused > 0 ? `; ${rs.refused} restore(s) refused` : ''),
    );
  }
  const lost = m.rpo.lost === null ? 'unknown' : m.rpo.lost === 0 ? '0' : c.red(String(m.rpo.lost));
  out.push(
    `RPO          lost ${lost}, unexpected ${cnt(m.rpo.unexpected)}, recovered ${cnt(m.rpo.recovered)}, ` +
      `window ${sec(m.rpo.window_s)}` +
      (m.rpo.lost === null && m.rpo.reason ? c.dim(` (${m.rpo.reason})`) : ''),
  );
  for (const w of m.rpo.per_fault ?? []) {
    out.push(
      c.dim(
        `  ${w.fault_id}: ${w.lost} lost, window ${formatDuration(w.window_s)} ` +
          `(acknowledged ${signed(w.first_lost_ack_s)} .. ${signed(w.last_lost_ack_s)} from t_f)`,
      ),
    );
  }
  out.push(
    `availability ${pct(m.availability)} durable during faults (${pct(m.availability_acked)} acknowledged), ` +
      `${pct(m.availability_overall)} overall` +
      (m.availability === null && m.availability_reason ? c.dim(` (${m.availability_reason})`) : ''),
  );
  const g = m.game_day;
  if (g) {
    const who = (n?: string) => (n ? ` by ${n}` : '');
    for (const f of g.per_fault) {
      out.push(
        `game day     ${f.fault_id}: detected ${f.detect_s === null ? 'unknown' : `+${formatDuration(f.detect_s)}`}` +
          `${who(f.detected_by)}, mitigated ${f.mitigate_s === null ? 'unknown' : `+${formatDuration(f.mitigate_s)}`}` +
          `${who(f.mitigated_by)} after it took effect`,
      );
    }
    if (g.per_fault.length === 0) out.push(`game day     ${g.reason ?? 'no fault to measure from'}`);
  }
  out.push(`latency      p50 ${ms(m.latency_ms.p50)}, p99 ${ms(m.latency_ms.p99)}, max ${ms(m.latency_ms.max)}`);
  const atl = m.ops.acked_then_lost ?? null;
  out.push(
    `ops          ${m.ops.invoked} invoked: ${m.ops.ok} ok, ${m.ops.fail} fail, ${m.ops.info} info ` +
      `(${m.ops.writes_ok} writes acknowledged, ` +
      `${atl === null ? 'unknown' : atl === 0 ? '0' : c.red(String(atl))} of them then lost` +
      `${(m.ops.probe_writes ?? 0) > 0 ? `; ${m.ops.probe_writes} recovery probe writes` : ''})`,
  );
  if (m.reads && m.reads.invoked > 0) {
    const stale = m.reads.stale === 0 ? '0' : c.red(String(m.reads.stale));
    out.push(
      `reads        ${m.reads.invoked} invoked: ${m.reads.found} found, ${m.reads.not_found} not found, ${stale} stale`,
    );
  }
  out.push(
    `leader       ${cnt(m.leader_changes)} change(s)${m.leader_flapping ? c.yellow(' (flapping)') : ' (not flapping)'}`,
  );
  if (m.split_brain && m.split_brain.max_leaders >= 2) {
    // Raft allows a brief overlap (a deposed leader that has not noticed yet cannot commit);
    // whether writes were lost is the RPO checker's call, so this is a note, not a verdict.
    out.push(
      c.yellow(
        `             ${m.split_brain.max_leaders} nodes claimed leadership at once ` +
          `for ${m.split_brain.seconds.toFixed(1)} s (split brain?)`,
      ),
    );
  }
  for (const f of result.faults) {
    if (typeof f.detail?.['via'] === 'string')
      out.push(c.dim(`fault        ${f.id}: ${f.kind} via ${f.detail['via']}`));
    if (typeof f.detail?.['warning'] === 'string') out.push(c.yellow(`warning      ${f.id}: ${f.detail['warning']}`));
  }
  if (m.integrity.ok !== true)
    out.push(
      `integrity    ${m.integrity.ok === null ? 'unknown' : c.red('violated')}` +
        (m.integrity.reason ? `: ${m.integrity.reason}` : ''),
    );
  if (result.error) out.push(c.red(`error        ${result.error}`));

  const v = result.verdict;
  let line = v === 'pass' ? c.bold.green('PASS') : v === 'fail' ? c.bold.red('FAIL') : c.bold.yellow('UNKNOWN');
  if (result.aborted) line += ` (${result.status})`;
  if (result.expect) {
    const e = result.expect;
    const what = `expected ${e.verdict}${e.reason ? ` (${e.reason})` : ''}: ${e.met ? 'met' : 'NOT met'}`;
    line += `  ${e.met ? c.green(what) : c.red(what)}`;
    if (!e.met && e.detail) line += c.dim(` - ${e.detail}`);
  }
  out.push(line);
  return `${out.join('\n')}\n`;
}

export const terminalReporter: Reporter = {
  name: 'terminal',
  onResult: (result, ctx) => {
    ctx.write(renderSummary(result, ctx.color === undefined ? {} : { color: ctx.color }));
  },
};
