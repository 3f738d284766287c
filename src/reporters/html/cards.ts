// The key figures at the top of the page, one card each: RTO, RPO, durable availability,
// p99 latency, operations and leadership; a card is marked good or bad by its thresholds.

import type { DrillResult } from '../../core/result.js';
import { ms, pct, sec } from './figures.js';
import { esc } from './svg.js';

function card(k: string, v: string, d: string, state?: 'good' | 'bad'): string {
  return (
    `<div class="card${state ? ` ${state}` : ''}"><div class="k">${esc(k)}</div>` +
    `<div class="v">${esc(v)}</div><div class="d">${esc(d)}</div></div>`
  );
}

function thresholdState(r: DrillResult, name: string): 'good' | 'bad' | undefined {
  const t = r.thresholds.find((x) => x.name === name || x.name.startsWith(`${name}.`));
  const all = r.thresholds.filter((x) => x.name === name || x.name.startsWith(`${name}.`));
  if (!t) return undefined;
  return all.every((x) => x.verdict === 'pass') ? 'good' : 'bad';
}

export function cards(r: DrillResult): string {
  const m = r.metrics;
  const rtoT = r.thresholds.find((t) => t.name === 'rto');
  const bar = m.rto_error_bar_s === null ? '' : `recovery within the last ${sec(m.rto_error_bar_s)} (one-sided)`;
  const rtoD =
    m.rto_s === null
      ? (m.rto_reason ?? '')
      : [bar, rtoT ? `limit ${rtoT.limit.replace('<= ', '')}` : ''].filter(Boolean).join(' · ');
  const lost = m.rpo.lost === null ? 'unknown' : `${m.rpo.lost} lost`;
  const rpoD =
    m.rpo.lost === null
      ? (m.rpo.reason ?? '')
      : `window ${sec(m.rpo.window_s)} · ${m.rpo.recovered ?? '?'} recovered · ${m.rpo.unexpected ?? '?'} unexpected`;
  const availD = `${pct(m.availability_acked)} acknowledged (raw) · ${pct(m.availability_overall)} overall`;
  const opsD =
    `${m.ops.ok} ok · ${m.ops.acked_then_lost ?? '?'} acknowledged then lost · ` +
    `${m.ops.fail} fail · ${m.ops.info} info`;
  const latD = `p50 ${ms(m.latency_ms.p50)} · max ${ms(m.latency_ms.max)}`;
  const leaders = m.leader_changes === null ? 'unknown' : String(m.leader_changes);
  const leadersD = m.leader_flapping
    ? 'flapping'
    : m.integrity.ok === false
      ? 'integrity violated'
      : `integrity ${m.integrity.ok === null ? 'unknown' : 'holds'}`;
  return `<div class="cards">
${card('RTO', sec(m.rto_s), rtoD, thresholdState(r, 'rto'))}
${card('RPO', lost, rpoD, thresholdState(r, 'rpo'))}
${card('Durable availability during faults', pct(m.availability), availD, thresholdState(r, 'availability'))}
${card('Latency p99', ms(m.latency_ms.p99), latD, thresholdState(r, 'p99_latency'))}
${card('Operations', String(m.ops.invoked), opsD, (m.ops.acked_then_lost ?? 0) > 0 ? 'bad' : undefined)}
${card('Leader changes', leaders, leadersD, m.integrity.ok === false ? 'bad' : undefined)}
</div>`;
}
