// The page's tables: thresholds, recovery per fault (RTO and its phases), faults with their
// journal, and steps. A failed row is tinted.

import { humanDuration } from '../../core/format.js';
import type { DrillResult } from '../../core/result.js';
import type { JournalEvent } from '../../faults/journal.js';
import { at, measured, sec } from './figures.js';
import { esc } from './svg.js';

const head = (...names: string[]): string => `<thead><tr>${names.map((n) => `<th>${n}</th>`).join('')}</tr></thead>`;
const failedRow = (failed: boolean): string => (failed ? ' class="failed"' : '');

export function thresholdTable(r: DrillResult): string {
  if (r.thresholds.length === 0) return '<p class="note">The scenario sets no thresholds.</p>';
  const rows = r.thresholds.map(
    (t) =>
      `<tr${failedRow(t.verdict === 'fail')}><td><code>${esc(t.name)}</code></td>` +
      `<td class="num">${esc(t.limit)}</td><td class="num">${esc(measured(t))}</td>` +
      `<td class="${t.verdict}">${t.verdict}</td><td>${esc(t.reason ?? '')}</td></tr>`,
  );
  return (
    `<table class="thresholds">${head('threshold', 'limit', 'measured', 'verdict', 'why')}` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

export function rtoTable(r: DrillResult): string {
  if (r.metrics.rto_per_fault.length === 0)
    return `<p class="note">No RTO measured${r.metrics.rto_reason ? `: ${esc(r.metrics.rto_reason)}` : ''}.</p>`;
  const plus = (v: number | null | undefined, bar?: number | null) =>
    v == null ? 'unknown' : `+${humanDuration(v)}${bar ? ` (−${humanDuration(bar)})` : ''}`;
  const rows = r.metrics.rto_per_fault.map((m) => {
    const bar = m.error_bar_s !== null && m.rto_s !== null ? ` (−${esc(humanDuration(m.error_bar_s))})` : '';
    return (
      `<tr><td><code>${esc(m.fault_id)}</code></td><td class="num">${at(m.t_f_s)}</td>` +
      `<td class="num">${at(m.t_r_s)}</td><td class="num"><b>${esc(sec(m.rto_s))}</b>${bar}</td>` +
      `<td class="num">${plus(m.phases.detection_s, m.phases.detection_bar_s)}</td>` +
      `<td class="num">${plus(m.phases.leader_change_s, m.phases.leader_change_bar_s)}</td>` +
      `<td class="num">${plus(m.phases.first_ack_write_s)}</td>` +
      `<td class="num">${plus(m.phases.error_rate_baseline_s)}</td><td>${esc(m.reason ?? '')}</td></tr>`
    );
  });
  const note =
    '<p class="note">RTO (−bar): the bar is one-sided, the true recovery lies in [RTO − bar, RTO]: ' +
    'from the invoke of the latest write that did not durably succeed to the first write of the sustained run. ' +
    'Phases are seconds after t_f, from the leader watch (each with its own one-sided bar) and the history; ' +
    '"unknown" where the SUT did not show them.</p>';
  const cols = head(
    'fault',
    'in effect (t_f)',
    'recovered (t_r)',
    'RTO',
    'detection',
    'leader change',
    'first ack',
    'errors at baseline',
    '',
  );
  return `${note}<table>${cols}<tbody>${rows.join('')}</tbody></table>`;
}

function faultRows(r: DrillResult): string {
  if (!r.faults.length) return '<p class="note">No fault was injected.</p>';
  const rows = r.faults.map((f) => {
    const disruptive = f.disruptive
      ? ' <span class="fail" title="RTO is measured for this fault">disruptive</span>'
      : '';
    const latency =
      f.injection_latency_s === null
        ? ''
        : ` <span class="note">(+${esc(humanDuration(f.injection_latency_s))})</span>`;
    return (
      `<tr><td><code>${esc(f.id)}</code>${disruptive}</td><td>${esc(f.kind)}</td>` +
      `<td>${esc(f.nodes.map((n) => (f.hosts?.[n] ? `${n} @ ${f.hosts[n]}` : n)).join(', '))}</td>` +
      `<td class="num">${at(f.requested_s)}</td>` +
      `<td class="num">${at(f.confirmed_s)}${latency}</td>` +
      `<td class="num">${f.healed_s === null ? 'not healed' : at(f.healed_s)}</td><td>${esc(f.mechanism)}</td></tr>`
    );
  });
  const cols = head('fault', 'kind', 'nodes', 'requested', 'in effect', 'healed', 'mechanism');
  return `<table>${cols}<tbody>${rows.join('')}</tbody></table>`;
}

export function faultTable(r: DrillResult, journal: readonly JournalEvent[]): string {
  const faults = faultRows(r);
  if (journal.length === 0) return faults;
  const rows = journal.map((e) => {
    const rest = Object.entries(e)
      .filter(([k]) => !['event', 'id', 't', 'run_id'].includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('  ');
    return (
      `<tr${failedRow(e.event.endsWith('failed'))}><td class="num">${at(e.t / 1000)}</td>` +
      `<td>${esc(e.event)}</td><td><code>${esc(e.id)}</code></td><td><code>${esc(rest)}</code></td></tr>`
    );
  });
  return (
    `${faults}<h3 style="font-size:14px;margin:14px 0 6px">Fault journal ` +
    '<span class="note">(faults.jsonl, written before each fault is applied)</span></h3>' +
    `<table class="journal">${head('time', 'event', 'fault', 'detail')}<tbody>${rows.join('')}</tbody></table>`
  );
}

export function stepTable(r: DrillResult): string {
  if (r.steps.length === 0) return '<p class="note">No step ran.</p>';
  const rows = r.steps.map((s) => {
    const status = s.status === 'completed' ? 'pass' : s.status === 'failed' ? 'fail' : '';
    return (
      `<tr${failedRow(s.status === 'failed')}><td class="num">${s.index + 1}</td><td>${esc(s.kind)}</td>` +
      `<td>${esc(s.description)}</td><td class="num">${at(s.start_s)}</td><td class="num">${at(s.end_s)}</td>` +
      `<td class="${status}">${esc(s.status)}</td><td>${esc(s.error ?? '')}</td></tr>`
    );
  });
  const cols = head('#', 'kind', 'step', 'start', 'end', 'status', 'error');
  return `<table>${cols}<tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Marks on the timeline: the scenario's notes and, on game days, the team's detected /
 * mitigated marks with who made them, and time to detect and to mitigate per fault.
 */
export function markTable(r: DrillResult): string {
  if (r.marks.length === 0) return '<p class="note">No mark.</p>';
  const rows = r.marks.map(
    (m) =>
      `<tr><td class="num">${at(m.t_s)}</td><td>${esc(m.kind ?? 'note')}</td><td>${esc(m.label)}</td>` +
      `<td>${esc(m.operator ?? '')}</td><td>${esc(m.source ?? 'scenario')}</td></tr>`,
  );
  const cols = head('time', 'kind', 'mark', 'operator', 'from');
  const marks = `<table class="marks">${cols}<tbody>${rows.join('')}</tbody></table>`;
  const g = r.metrics.game_day;
  if (!g) return marks;
  const cell = (v: number | null, who?: string) =>
    v === null ? 'unknown' : `+${esc(humanDuration(v))}${who ? ` (${esc(who)})` : ''}`;
  const perFault = g.per_fault.map(
    (f) =>
      `<tr><td><code>${esc(f.fault_id)}</code></td><td class="num">${cell(f.detect_s, f.detected_by)}</td>` +
      `<td class="num">${cell(f.mitigate_s, f.mitigated_by)}</td></tr>`,
  );
  const note = g.reason ? `<p class="note">${esc(g.reason)}</p>` : '';
  return (
    `${marks}<h3 style="font-size:14px;margin:14px 0 6px">Time to detect and to mitigate ` +
    '<span class="note">(from each fault taking effect, harness clock)</span></h3>' +
    `<table class="game-day">${head('fault', 'detected', 'mitigated')}<tbody>${perFault.join('')}</tbody></table>` +
    note
  );
}
