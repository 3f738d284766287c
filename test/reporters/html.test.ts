// report.html without a browser: the data behind the page (buckets, scatter sampling, log
// excerpts) and what the page says. html.browser.test.ts opens it in Chromium.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/client/history.js';
import type { DrillResult } from '../../src/core/result.js';
import { renderHtml } from '../../src/reporters/html.js';
import { bucketOps, bucketWidthFor, MAX_BUCKETS } from '../../src/reporters/html/buckets.js';
import { logExcerpts, parseLogLines } from '../../src/reporters/html/log-excerpts.js';
import { readRunData } from '../../src/reporters/html/run-data.js';
import { sampleScatter } from '../../src/reporters/html/scatter.js';
import { defaultFileReporters, writeReports } from '../../src/reporters/index.js';
import { result } from './fixtures.js';

const op = (invokeT: number, completeT: number, outcome: Op['outcome'], id = `v${invokeT}`): Op => ({
  process: 0,
  f: 'add-vertex',
  id,
  node: 'n1',
  invokeT,
  completeT,
  outcome,
});

describe('bucketOps', () => {
  it('counts outcomes per 100 ms by completion time, with p50 / p99 of ok latencies', () => {
    const b = bucketOps(
      [op(0, 10, 'ok'), op(20, 50, 'ok'), op(30, 60, 'fail'), op(120, 150, 'info'), op(150, 1099, 'info')],
      1000,
    );
    expect(b.widthMs).toBe(100);
    expect(b.buckets).toHaveLength(10);
    expect(b.buckets[0]).toEqual({ t: 0, ok: 2, lost: 0, fail: 1, info: 0, p50: 10, p99: 30 });
    expect(b.buckets[1]).toMatchObject({ ok: 0, info: 1, p50: null });
    expect(b.buckets[9]).toMatchObject({ info: 1 }); // the last slice catches the end
    expect(b.maxCount).toBe(3);
  });
  it('widens the slices of a long run', () => {
    expect(bucketWidthFor(60_000)).toBe(100);
    expect(bucketWidthFor(3_600_000)).toBe(2000);
    expect(3_600_000 / bucketWidthFor(3_600_000)).toBeLessThanOrEqual(MAX_BUCKETS);
  });
});

describe('sampleScatter', () => {
  it('caps the points, keeps every rare outcome, and is deterministic', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 50_000; i++) ops.push(op(i, i + 3, i % 1000 === 0 ? 'fail' : i % 777 === 0 ? 'info' : 'ok'));
    const a = sampleScatter(ops, 5000);
    expect(a.points).toHaveLength(5000);
    expect(a.total).toBe(50_000);
    expect(a.points.filter((p) => p.outcome === 'fail')).toHaveLength(50);
    expect(a.points.filter((p) => p.outcome === 'info')).toHaveLength(ops.filter((o) => o.outcome === 'info').length);
    expect(sampleScatter(ops, 5000)).toEqual(a);
    // thinned evenly over time, sorted by invoke time
    expect(a.points[0]!.t).toBeLessThan(50);
    expect(a.points.at(-1)!.t).toBeGreaterThan(49_900);
  });
});

describe('log excerpts', () => {
  const origin = Date.parse('2026-01-01T00:00:00.000Z');
  const log = [
    '2026-01-01T00:00:01.000Z n1 start',
    '2026-01-01T00:00:09.500Z n1 role role=leader',
    '  at stack frame (no stamp)',
    '2026-01-01T00:00:30.000Z n1 later',
  ].join('\n');
  it('places lines on the run clock and keeps unstamped lines with the one before', () => {
    expect(parseLogLines(log, origin).map((l) => l.t)).toEqual([1, 9.5, null, 30]);
    const f = result().faults[0]!; // requested 12.4, confirmed 12.5, not healed
    const [e] = logExcerpts([{ ...f, requested_s: 10 }], { n1: log }, origin);
    expect(e).toMatchObject({ faultId: 'f1', node: 'n1', from: 8, to: 15.5, omitted: 0 });
    expect(e!.lines.map((l) => l.text)).toEqual([
      '2026-01-01T00:00:09.500Z n1 role role=leader',
      '  at stack frame (no stamp)',
    ]);
  });
});

describe('renderHtml', () => {
  const fixture = resolve(import.meta.dirname, '../../fixtures/runs/primary-down');

  it('renders the recorded run (verdict, timeline, tables, logs) with no script and no external asset', async () => {
    const r = JSON.parse(readFileSync(join(fixture, 'result.json'), 'utf8')) as DrillResult;
    const html = renderHtml(r, await readRunData(fixture));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|(?:src|href)="(?!data:)|url\((?!#)|@import/i);
    expect(html).toContain('<span class="verdict fail" id="verdict">FAIL</span>');
    expect(html).toContain('class="fault-band" data-fault="primary-kill"');
    expect(html).toMatch(/class="rto-label"[^>]*>RTO 7\.75 s \(−5 ms\) \(limit 5 s\)</);
    expect(html).toContain('RPO: 0 lost');
    expect(html).toContain('ops / 100 ms');
    expect(html).toContain('latency (ms, log)');
    expect(html).toContain('▾ killing the primary');
    expect(html).toContain('measured 7.746 s &gt; limit 5 s');
    expect(html).toMatch(/n2 role role=candidate from=follower term=2/);
    expect(html).toContain('graph-agent × 3');
    const grouped = { ...r, target: { ...r.target, groups: { pg: ['pg1', 'pg2', 'pg3'], etcd: ['e1', 'e2', 'e3'] } } };
    expect(renderHtml(grouped, await readRunData(fixture))).toContain('pg × 3, etcd × 3');
    // On one host the nodes' hosts are null and go unsaid; on a swarm the header and the fault table name them.
    const local = { ...r, target: { ...r.target, settings: { engine: 'docker', hosts: { n1: 'local' } } } };
    expect(renderHtml(local, await readRunData(fixture))).not.toContain(' @ ');
    const hosts = { n1: 'h1', n2: 'h2', n3: 'h3' };
    const spread = {
      ...r,
      target: { ...r.target, settings: { ...r.target.settings, engine: 'swarm', hosts } },
      faults: r.faults.map((f) => ({ ...f, hosts: Object.fromEntries(f.nodes.map((n) => [n, hosts[n as 'n1']])) })),
    };
    // A recovery point: a diamond on the marks row at the end of its bracket, the bracket in the tooltip.
    const restoreRun = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../fixtures/runs/library/backup-restore-full/result.json'), 'utf8'),
    ) as DrillResult;
    restoreRun.metrics.restore!.points = [{ name: 'before-batch', t_request_s: 5, t_made_s: 5.25 }];
    const pointHtml = renderHtml(restoreRun, await readRunData(fixture));
    expect(pointHtml).toContain(
      'recovery point before-batch: requested 5.00 s, made 5.25 s</title>◆ point before-batch',
    );
    const swarmHtml = renderHtml(spread, await readRunData(fixture));
    expect(swarmHtml).toContain('graph-agent × 3 on swarm: n1 @ h1, n2 @ h2, n3 @ h3');
    expect(swarmHtml).toMatch(/<td>n\d @ h\d<\/td>/);
    expect(html.length).toBeLessThan(400_000);
  });

  it('renders an aborted run with no history or logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-html-empty-'));
    try {
      const r = result({
        verdict: 'unknown',
        status: 'aborted',
        aborted: true,
        error: 'no Docker',
        faults: [],
        steps: [],
        marks: [],
      });
      r.metrics.rto_per_fault = [];
      r.metrics.rto_s = null;
      const html = renderHtml(r, await readRunData(dir));
      expect(html).toContain('UNKNOWN');
      expect(html).toContain('aborted: no Docker');
      expect(html).toContain('<svg id="timeline"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is one of the default reports of a run directory', async () => {
    expect(defaultFileReporters).toContain('html');
    const dir = mkdtempSync(join(tmpdir(), 'drill-html-reports-'));
    try {
      cpSync(fixture, dir, { recursive: true });
      const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as DrillResult;
      const outcomes = await writeReports(r, dir, defaultFileReporters);
      expect(outcomes).toContainEqual({ name: 'html', file: join(dir, 'report.html') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
