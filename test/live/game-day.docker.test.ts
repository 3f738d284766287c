// A game day in a real browser: `drill run --live` on the bundled store, Debian's Chromium
// (driven by playwright-core) on the live page. The page updates while the drill runs, the
// blind fault is hidden until the team marks it detected, a click on "Detected" lands in
// result.json on the harness clock within 200 ms of the click, and the drill scores time to
// detect and to mitigate.
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/core/result.js';

const root = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(tmpdir(), 'drill-live-page.png');
let browser: Browser | undefined;
let child: ResultPromise | undefined;
let runId: string | undefined;

afterAll(async () => {
  await browser?.close();
  child?.kill('SIGINT');
  await child?.catch(() => undefined);
  if (runId) await execa('node', [join(root, 'bin/drill.js'), 'cleanup', '--run', runId], { reject: false });
});

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('drill run --live (game day)', () => {
  it('serves the timeline live, hides the blind fault until detected, and scores the marks', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
    const out = mkdtempSync(join(tmpdir(), 'drill-live-'));
    child = execa(
      'node',
      [join(root, 'bin/drill.js'), 'run', 'scenarios/game-day.yaml', '--live', '--operator', 'tester', '--out', out],
      { cwd: root, reject: false, all: true, buffer: true },
    );
    let log = '';
    child.all!.on('data', (d: Buffer) => (log += d.toString()));
    const url = await until('the live URL', () => /live: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(log)?.[1]);
    runId = /run (\d{12}-[0-9a-f]{4})/.exec(log)?.[1];

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await until('the first snapshot', async () =>
      (await page.locator('#conn').textContent()) === 'live' ? true : undefined,
    );

    // The page updates while the drill runs.
    const t1 = Number((await page.locator('#elapsed').textContent())!.replace(' s', ''));
    await page.waitForTimeout(1500);
    const t2 = Number((await page.locator('#elapsed').textContent())!.replace(' s', ''));
    expect(t2).toBeGreaterThan(t1);

    // Wait for the blind fault to take effect, then look for any trace of it.
    await until('the fault in effect', async () =>
      (await page.locator('#faults').textContent())?.includes('hidden until detected') ? true : undefined,
    );
    await page.waitForTimeout(1200); // a snapshot or two with the fault in effect
    const before = await page.content();
    expect(before).not.toMatch(/surprise|kill|SIGKILL/i);
    expect(await page.locator('svg .fault-labels').textContent()).not.toMatch(/n[1-3]/);
    const shot = await page.screenshot({ fullPage: true });
    writeFileSync(SCREENSHOT, shot);

    // Detected: its time on the harness clock must be the click's (wall clock via the run's start).
    const clickWall = Date.now();
    await page.locator('#detected').click();
    await until('the detected mark on the page', async () =>
      (await page.locator('#marks li[data-kind="detected"]').count()) > 0 ? true : undefined,
    );
    // Revealed once detected.
    await until('the fault revealed', async () => ((await page.content()).includes('surprise') ? true : undefined));
    await page.waitForTimeout(1000);
    await page.locator('#mitigated').click();

    const r = await child;
    expect(r.exitCode, log).toBe(0);
    const dir = /run directory: (\S+)/.exec(log)![1]!;
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as DrillResult;
    const detected = result.marks.find((m) => m.kind === 'detected')!;
    expect(detected).toMatchObject({ source: 'live', operator: 'tester' });
    const markWall = Date.parse(result.started_at) + detected.t_s * 1000;
    expect(Math.abs(markWall - clickWall)).toBeLessThan(200);
    expect(result.marks.find((m) => m.kind === 'mitigated')).toBeDefined();
    const g = result.metrics.game_day!;
    expect(g.detect_s).not.toBeNull();
    expect(g.mitigate_s!).toBeGreaterThan(g.detect_s!);
    expect(result.thresholds.find((t) => t.name === 'detect')).toMatchObject({ verdict: 'pass' });
    expect(result.thresholds.find((t) => t.name === 'mitigate')).toMatchObject({ verdict: 'pass' });
    expect(result.faults[0]).toMatchObject({ id: 'surprise', kind: 'kill', blind: true });
    const report = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(report).toContain('surprise');
    expect(report).toMatch(/detected/);
    const history = readFileSync(join(dir, 'history.jsonl'), 'utf8');
    expect(history).toMatch(/"type":"mark","t":[\d.]+,"kind":"detected"/);
    expect(problems).toEqual([]);
  });
});
