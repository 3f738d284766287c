// report.html: a self-contained page (inline CSS and SVG, no script, no external asset;
// it opens offline and from a CI artifact) that shows a run at a glance: the verdict, the
// key figures, a timeline of operations / latency / leader with fault bands and the RTO
// and RPO marked, the threshold table, the fault journal, and the node logs around each
// fault. Everything is read from the run directory, so `drill report` re-renders it.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { humanDuration } from '../core/format.js';
import type { DrillResult } from '../core/result.js';
import { bucketOps } from './html/buckets.js';
import { cards } from './html/cards.js';
import { legend } from './html/legend.js';
import { logSection } from './html/log-section.js';
import { logExcerpts } from './html/log-excerpts.js';
import { readRunData, type RunData } from './html/run-data.js';
import { sampleScatter } from './html/scatter.js';
import { CSS } from './html/style.js';
import { esc } from './html/svg.js';
import { faultTable, rtoTable, stepTable, markTable, thresholdTable } from './html/tables.js';
import { renderTimeline } from './html/timeline-svg.js';
import type { Reporter } from './reporter.js';

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

function expectation(e: NonNullable<DrillResult['expect']>): string {
  return (
    `<p class="sub">Expected <b>${esc(e.verdict)}</b>${e.reason ? ` (${esc(e.reason)})` : ''}: ` +
    `<span class="${e.met ? 'pass' : 'fail'}">${e.met ? 'met' : 'NOT met'}</span>` +
    `${e.detail ? ` — ${esc(e.detail)}` : ''}</p>`
  );
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
  const exp = r.expect ? expectation(r.expect) : '';
  const status =
    r.aborted || r.status !== 'completed'
      ? ` · <span class="fail">${esc(r.status)}${r.error ? `: ${esc(r.error)}` : ''}</span>`
      : '';
  const run =
    `run <code>${esc(r.run_id)}</code> · seed ${r.seed} · started ${esc(r.started_at)} · ` +
    `${esc(humanDuration(r.duration_s))} · ${esc(clusterLabel(r.target))}${status}`;
  const footer =
    `drill · scenario <code>${esc(r.scenario.file)}</code> · run directory <code>${esc(r.run_dir)}</code> · ` +
    'files: result.json, history.jsonl, faults.jsonl, junit.xml, logs/ · ' +
    `re-render with <code>drill report ${esc(r.run_dir)}</code>`;
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
<p class="sub">${run}</p>
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
<h2>Marks</h2>
${markTable(r)}
<h2>Node logs around each fault</h2>
${logSection(r, excerpts)}
<footer>${footer}</footer>
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

/** "graph-agent × 3", or per group: "pg × 3, etcd × 3"; and where each node ran when spread over hosts (swarm). */
function clusterLabel(t: DrillResult['target']): string {
  const size =
    t.groups === undefined
      ? `${t.kind} × ${t.nodes.length}`
      : Object.entries(t.groups)
          .map(([g, n]) => `${g} × ${n.length}`)
          .join(', ');
  const hosts = t.settings['hosts'];
  // One Docker host ('local' for every node) is the default and goes unsaid.
  if (hosts === null || typeof hosts !== 'object' || t.settings['engine'] === 'docker') return size;
  const placed = Object.entries(hosts as Record<string, unknown>).filter(([, h]) => typeof h === 'string');
  if (placed.length === 0) return size;
  const engine = typeof t.settings['engine'] === 'string' ? ` on ${t.settings['engine']}` : '';
  return `${size}${engine}: ${placed.map(([n, h]) => `${n} @ ${String(h)}`).join(', ')}`;
}
