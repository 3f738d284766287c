// report.html: a self-contained page (inline CSS and SVG, no script, no external asset;
// it opens offline and from a CI artifact) that shows a run at a glance: the verdict, the
// key figures, a timeline of operations / latency / leader with fault bands and the RTO
// and RPO marked, the threshold table, the fault journal, and the node logs around each
// fault. Everything is read from the run directory, so `drill report` re-renders it.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DrillResult, ThresholdResult } from '../core/result.js';
import type { JournalEvent } from '../faults/journal.js';
import { formatLatency, formatMeasured, formatPercent, humanDuration, orUnknown } from '../core/format.js';
import { bucketOps } from './html/buckets.js';
import { logExcerpts, type LogExcerpt } from './html/log-excerpts.js';
import { readRunData, type RunData } from './html/run-data.js';
import { sampleScatter } from './html/scatter.js';
import { esc } from './html/svg.js';
import { COLORS, renderTimeline } from './html/timeline-svg.js';
import type { Reporter } from './reporter.js';

const sec = (s: number | null | undefined): string => orUnknown(s ?? null, humanDuration);
const at = (s: number | null): string => (s === null ? '—' : `${s.toFixed(2)} s`);
const pct = (r: number | null): string => orUnknown(r, formatPercent);
const ms = (x: number | null): string => orUnknown(x, formatLatency);
const measured = (t: ThresholdResult): string => formatMeasured(t, humanDuration);

const CSS = `
:root{--ok:${COLORS.ok};--fail:${COLORS.fail};--info:${COLORS.info};--text:${COLORS.text};--muted:#5b6470;--line:#e3e6ea;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1320px;margin:0 auto;padding:20px 24px 48px}
header{display:flex;align-items:center;gap:18px;flex-wrap:wrap}
h1{font-size:22px;margin:0}
h2{font-size:16px;margin:28px 0 10px}
.sub{color:var(--muted);margin:4px 0 0}
.verdict{font-weight:800;font-size:18px;padding:6px 16px;border-radius:6px;color:#fff;letter-spacing:.04em}
.verdict.pass{background:var(--ok);color:#fff}.verdict.fail{background:var(--fail);color:#fff}.verdict.unknown{background:#8a6d1f;color:#fff}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-top:18px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.card .v{font-size:22px;font-weight:700;margin-top:2px}
.card .d{color:var(--muted);font-size:12px}
.card.bad{border-color:var(--fail);box-shadow:inset 4px 0 0 var(--fail)}
.card.good{box-shadow:inset 4px 0 0 var(--ok)}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:12px;color:var(--muted);margin:0 0 6px}
.legend span{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
.sw.line{height:3px}
.note{color:var(--muted);font-size:12px;margin:6px 0 0}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);border-radius:8px;overflow:hidden}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f4;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.pass{color:var(--ok);font-weight:700}.fail{color:var(--fail);font-weight:700}
tr.failed td{background:#fdf1f1}
details{background:#fff;border:1px solid var(--line);border-radius:8px;margin:6px 0}
summary{cursor:pointer;padding:6px 10px;font-weight:600}
pre{margin:0;padding:8px 10px;overflow-x:auto;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border-top:1px solid var(--line)}
pre .t{color:var(--muted)}
pre .hl{background:#fff4d6}
footer{color:var(--muted);font-size:12px;margin-top:32px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
`;

function card(k: string, v: string, d: string, state?: 'good' | 'bad'): string {
  return `<div class="card${state ? ` ${state}` : ''}"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="d">${esc(d)}</div></div>`;
}

function thresholdState(r: DrillResult, name: string): 'good' | 'bad' | undefined {
  const t = r.thresholds.find((x) => x.name === name || x.name.startsWith(`${name}.`));
  const all = r.thresholds.filter((x) => x.name === name || x.name.startsWith(`${name}.`));
  if (!t) return undefined;
  return all.every((x) => x.verdict === 'pass') ? 'good' : 'bad';
}

function cards(r: DrillResult): string {
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
  const opsD = `${m.ops.ok} ok · ${m.ops.acked_then_lost ?? '?'} acknowledged then lost · ${m.ops.fail} fail · ${m.ops.info} info`;
  return `<div class="cards">
${card('RTO', sec(m.rto_s), rtoD, thresholdState(r, 'rto'))}
${card('RPO', lost, rpoD, thresholdState(r, 'rpo'))}
${card('Durable availability during faults', pct(m.availability), availD, thresholdState(r, 'availability'))}
${card('Latency p99', ms(m.latency_ms.p99), `p50 ${ms(m.latency_ms.p50)} · max ${ms(m.latency_ms.max)}`, thresholdState(r, 'p99_latency'))}
${card('Operations', String(m.ops.invoked), opsD, (m.ops.acked_then_lost ?? 0) > 0 ? 'bad' : undefined)}
${card('Leader changes', m.leader_changes === null ? 'unknown' : String(m.leader_changes), m.leader_flapping ? 'flapping' : m.integrity.ok === false ? 'integrity violated' : `integrity ${m.integrity.ok === null ? 'unknown' : 'holds'}`, m.integrity.ok === false ? 'bad' : undefined)}
</div>`;
}

function legend(widthMs: number, sampled: string): string {
  const sw = (c: string, cls = '') => `<i class="sw${cls}" style="background:${c}"></i>`;
  return `<div class="legend">
<span>${sw(COLORS.ok)}ok</span><span>${sw(COLORS.lost)}acknowledged, then lost</span><span>${sw(COLORS.info)}info (outcome unknown, e.g. timeout)</span><span>${sw(COLORS.fail)}fail (certainly not applied)</span>
<span>${sw(COLORS.p50, ' line')}p50 latency / ${widthMs} ms</span><span>${sw(COLORS.p99, ' line')}p99 latency / ${widthMs} ms</span>
<span>${sw('rgba(214,69,69,.25)')}fault in effect</span><span>${sw(COLORS.recovered, ' line')}RTO: fault → recovery</span><span>${sw(COLORS.mark, ' line')}mark</span>
</div><p class="note">Operations are counted by completion time in ${widthMs} ms slices; the scatter plots each operation at its invoke time${sampled}. Hover a band, marker or step for details.</p>`;
}

function thresholdTable(r: DrillResult): string {
  if (r.thresholds.length === 0) return '<p class="note">The scenario sets no thresholds.</p>';
  const rows = r.thresholds.map(
    (t) =>
      `<tr${t.verdict === 'fail' ? ' class="failed"' : ''}><td><code>${esc(t.name)}</code></td><td class="num">${esc(t.limit)}</td><td class="num">${esc(measured(t))}</td><td class="${t.verdict}">${t.verdict}</td><td>${esc(t.reason ?? '')}</td></tr>`,
  );
  return `<table class="thresholds"><thead><tr><th>threshold</th><th>limit</th><th>measured</th><th>verdict</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function rtoTable(r: DrillResult): string {
  if (r.metrics.rto_per_fault.length === 0)
    return `<p class="note">No RTO measured${r.metrics.rto_reason ? `: ${esc(r.metrics.rto_reason)}` : ''}.</p>`;
  const plus = (v: number | null | undefined, bar?: number | null) =>
    v == null ? 'unknown' : `+${humanDuration(v)}${bar ? ` (−${humanDuration(bar)})` : ''}`;
  const rows = r.metrics.rto_per_fault.map(
    (m) =>
      `<tr><td><code>${esc(m.fault_id)}</code></td><td class="num">${at(m.t_f_s)}</td><td class="num">${at(m.t_r_s)}</td><td class="num"><b>${esc(sec(m.rto_s))}</b>${m.error_bar_s !== null && m.rto_s !== null ? ` (−${esc(humanDuration(m.error_bar_s))})` : ''}</td><td class="num">${plus(m.phases.detection_s, m.phases.detection_bar_s)}</td><td class="num">${plus(m.phases.leader_change_s, m.phases.leader_change_bar_s)}</td><td class="num">${plus(m.phases.first_ack_write_s)}</td><td class="num">${plus(m.phases.error_rate_baseline_s)}</td><td>${esc(m.reason ?? '')}</td></tr>`,
  );
  const note =
    '<p class="note">RTO (−bar): the bar is one-sided, the true recovery lies in [RTO − bar, RTO]: ' +
    'from the invoke of the latest write that did not durably succeed to the first write of the sustained run. ' +
    'Phases are seconds after t_f, from the leader watch (each with its own one-sided bar) and the history; ' +
    '"unknown" where the SUT did not show them.</p>';
  return `${note}<table><thead><tr><th>fault</th><th>in effect (t_f)</th><th>recovered (t_r)</th><th>RTO</th><th>detection</th><th>leader change</th><th>first ack</th><th>errors at baseline</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function faultTable(r: DrillResult, journal: readonly JournalEvent[]): string {
  const faults = r.faults.length
    ? `<table><thead><tr><th>fault</th><th>kind</th><th>nodes</th><th>requested</th><th>in effect</th><th>healed</th><th>mechanism</th></tr></thead><tbody>${r.faults
        .map(
          (f) =>
            `<tr><td><code>${esc(f.id)}</code>${f.disruptive ? ' <span class="fail" title="RTO is measured for this fault">disruptive</span>' : ''}</td><td>${esc(f.kind)}</td><td>${esc(f.nodes.join(', '))}</td><td class="num">${at(f.requested_s)}</td><td class="num">${at(f.confirmed_s)}${f.injection_latency_s !== null ? ` <span class="note">(+${esc(humanDuration(f.injection_latency_s))})</span>` : ''}</td><td class="num">${f.healed_s === null ? 'not healed' : at(f.healed_s)}</td><td>${esc(f.mechanism)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="note">No fault was injected.</p>';
  if (journal.length === 0) return faults;
  const rows = journal.map((e) => {
    const rest = Object.entries(e)
      .filter(([k]) => !['event', 'id', 't', 'run_id'].includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('  ');
    return `<tr${e.event.endsWith('failed') ? ' class="failed"' : ''}><td class="num">${at(e.t / 1000)}</td><td>${esc(e.event)}</td><td><code>${esc(e.id)}</code></td><td><code>${esc(rest)}</code></td></tr>`;
  });
  return `${faults}<h3 style="font-size:14px;margin:14px 0 6px">Fault journal <span class="note">(faults.jsonl, written before each fault is applied)</span></h3><table class="journal"><thead><tr><th>time</th><th>event</th><th>fault</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function stepTable(r: DrillResult): string {
  if (r.steps.length === 0) return '<p class="note">No step ran.</p>';
  const rows = r.steps.map(
    (s) =>
      `<tr${s.status === 'failed' ? ' class="failed"' : ''}><td class="num">${s.index + 1}</td><td>${esc(s.kind)}</td><td>${esc(s.description)}</td><td class="num">${at(s.start_s)}</td><td class="num">${at(s.end_s)}</td><td class="${s.status === 'completed' ? 'pass' : s.status === 'failed' ? 'fail' : ''}">${esc(s.status)}</td><td>${esc(s.error ?? '')}</td></tr>`,
  );
  return `<table><thead><tr><th>#</th><th>kind</th><th>step</th><th>start</th><th>end</th><th>status</th><th>error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Lines worth a second look: role changes and anything that sounds like trouble. */
const NOTABLE = /\brole=|\b(error|err|warn|warning|fatal|panic|torn|corrupt)\b/i;

function logSection(r: DrillResult, excerpts: readonly LogExcerpt[]): string {
  if (excerpts.length === 0) return '<p class="note">No node logs, or no fault to show them around.</p>';
  const out: string[] = [
    '<p class="note">Times are seconds since the run started, from each node\'s own clock (a clock fault shifts them). Role changes and errors are highlighted.</p>',
  ];
  for (const f of r.faults) {
    const mine = excerpts.filter((e) => e.faultId === f.id);
    if (mine.length === 0) continue;
    out.push(
      `<h3 style="font-size:14px;margin:14px 0 6px">Around <code>${esc(f.id)}</code> (${esc(f.kind)} ${esc(f.nodes.join(', '))}), ${at(mine[0]!.from)} to ${at(mine[0]!.to)}</h3>`,
    );
    for (const e of mine) {
      const hit = f.nodes.includes(e.node);
      const lines = e.lines
        .map((l) => {
          const cls = NOTABLE.test(l.text) ? ' class="hl"' : '';
          return `<span${cls}><span class="t">${l.t === null ? '        ' : `${l.t.toFixed(2).padStart(7)}s`}</span> ${esc(l.text)}</span>`;
        })
        .join('\n');
      out.push(
        `<details${hit || e.lines.length <= 12 ? ' open' : ''}><summary>${esc(e.node)}${hit ? ' — faulted node' : ''} <span class="note">(${e.lines.length} line${e.lines.length === 1 ? '' : 's'}${e.omitted ? `, ${e.omitted} more in logs/${esc(e.node)}.log` : ''})</span></summary><pre>${lines || '<span class="t">no log lines in this window</span>'}</pre></details>`,
      );
    }
  }
  return out.join('\n');
}

/**
 * Acknowledged writes absent after recovery, drawn as their own outcome: from the final read
 * when the run has one (every id), else the result's capped list.
 */
function lostIdsOf(r: DrillResult, data: RunData): Set<string> {
  if (r.metrics.rpo.lost === null) return new Set();
  if (!data.finalIds) return new Set(r.metrics.rpo.lost_ids);
  const present = new Set(data.finalIds);
  const out = new Set<string>();
  for (const o of data.ops) if (o.outcome === 'ok' && o.f !== 'read' && !present.has(o.id)) out.add(o.id);
  return out;
}

export function renderHtml(r: DrillResult, data: RunData): string {
  const durationMs = Math.max(r.duration_s * 1000, ...data.ops.map((o) => o.completeT), 1);
  const lost = lostIdsOf(r, data);
  const buckets = bucketOps(data.ops, durationMs, undefined, lost);
  const { points, total } = sampleScatter(data.ops, undefined, lost);
  const lostAckS = lost.size
    ? data.ops.filter((o) => o.outcome === 'ok' && lost.has(o.id)).map((o) => o.completeT / 1000)
    : [];
  const timeline = renderTimeline(r, { buckets, scatter: points, leaders: data.leaders, lostAckS });
  const originWallMs = Date.parse(r.started_at);
  const excerpts = Number.isFinite(originWallMs) ? logExcerpts(r.faults, data.logs, originWallMs) : [];
  const sampled =
    points.length < total
      ? ` (${points.length} of ${total} shown, thinned evenly; every fail and info kept when possible)`
      : '';
  const verdict = r.verdict;
  const exp = r.expect
    ? `<p class="sub">Expected <b>${esc(r.expect.verdict)}</b>${r.expect.reason ? ` (${esc(r.expect.reason)})` : ''}: <span class="${r.expect.met ? 'pass' : 'fail'}">${r.expect.met ? 'met' : 'NOT met'}</span>${r.expect.detail ? ` — ${esc(r.expect.detail)}` : ''}</p>`
    : '';
  const status =
    r.aborted || r.status !== 'completed'
      ? ` · <span class="fail">${esc(r.status)}${r.error ? `: ${esc(r.error)}` : ''}</span>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="drill">
<title>${esc(`${verdict.toUpperCase()} · ${r.scenario.name} · drill ${r.run_id}`)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<span class="verdict ${verdict}" id="verdict">${verdict.toUpperCase()}</span>
<div>
<h1>${esc(r.scenario.name)}</h1>
<p class="sub">${esc(r.scenario.description ?? '')}</p>
<p class="sub">run <code>${esc(r.run_id)}</code> · seed ${r.seed} · started ${esc(r.started_at)} · ${esc(humanDuration(r.duration_s))} · ${esc(r.target.kind)} × ${r.target.nodes.length}${status}</p>
${exp}
</div>
</header>
${cards(r)}
<h2>Timeline</h2>
<div class="panel">
${legend(buckets.widthMs, sampled)}
${timeline}
</div>
<h2>Thresholds</h2>
${thresholdTable(r)}
<h2>Recovery per fault</h2>
${rtoTable(r)}
<h2>Faults</h2>
${faultTable(r, data.journal)}
<h2>Steps</h2>
${stepTable(r)}
<h2>Node logs around each fault</h2>
${logSection(r, excerpts)}
<footer>drill · scenario <code>${esc(r.scenario.file)}</code> · run directory <code>${esc(r.run_dir)}</code> · files: result.json, history.jsonl, faults.jsonl, junit.xml, logs/ · re-render with <code>drill report ${esc(r.run_dir)}</code></footer>
</main>
</body>
</html>
`;
}

export async function writeHtmlReport(result: DrillResult, runDir: string): Promise<string> {
  const data = await readRunData(runDir);
  await mkdir(runDir, { recursive: true });
  const file = join(runDir, 'report.html');
  await writeFile(file, renderHtml(result, data));
  return file;
}

export const htmlReporter: Reporter = {
  name: 'html',
  onResult: (result, ctx) => writeHtmlReport(result, ctx.runDir),
};
