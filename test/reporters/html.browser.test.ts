// report.html in a real browser: Debian's headless Chromium (/usr/bin/chromium, driven by
// playwright-core, which never downloads a browser) opens the page rendered from a recorded
// run directory (fixtures/runs/primary-down, from a real drill), with no network.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/core/result.js';
import { writeHtmlReport } from '../../src/reporters/html.js';

const root = resolve(import.meta.dirname, '../..');
const fixture = join(root, 'fixtures/runs/primary-down');
const CHROMIUM = '/usr/bin/chromium';
/** Where the screenshot is kept for a human to look at. */
const SCREENSHOT = join(tmpdir(), 'drill-report-html.png');

/** Distinct colours in a PNG (8-bit RGB/RGBA, non-interlaced, as Chromium writes it). */
function distinctColours(png: Buffer): number {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 6 ? 4 : 3;
      if (data[8] !== 8 || data[12] !== 0) throw new Error('unsupported PNG');
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = Buffer.alloc(stride);
  const cur = Buffer.alloc(stride);
  const colours = new Set<number>();
  for (let y = 0; y < height; y++) {
    const off = y * (stride + 1);
    const filter = raw[off]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[off + 1 + i]!;
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let v = x;
      if (filter === 1) v = x + a;
      else if (filter === 2) v = x + b;
      else if (filter === 3) v = x + ((a + b) >> 1);
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      cur[i] = v & 0xff;
    }
    for (let i = 0; i < stride; i += channels) colours.add((cur[i]! << 16) | (cur[i + 1]! << 8) | cur[i + 2]!);
    cur.copy(prev);
  }
  return colours.size;
}

let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (see .ci/run)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'drill-html-'));
  cpSync(fixture, dir, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  it('renders the recorded run offline, without console errors, with fault bands and the RTO marker', async () => {
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as DrillResult;
    const file = await writeHtmlReport(result, dir);
    const html = readFileSync(file, 'utf8');
    // self-contained: nothing fetched from anywhere
    expect(html).not.toMatch(/<script|<link[^>]+rel="stylesheet"|src="http|href="http|@import|url\(http/i);

    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      offline: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(`file://${file}`, { waitUntil: 'load' });

    expect(await page.locator('svg#timeline').count()).toBe(1);
    expect(await page.locator('svg#timeline .fault-band').count()).toBe(result.faults.length);
    expect(await page.locator('svg#timeline .fault-band[data-fault="primary-kill"] rect').first().isVisible()).toBe(
      true,
    );
    const rto = page.locator('svg#timeline .rto-marker');
    expect(await rto.count()).toBe(1);
    expect(await rto.locator('text.rto-label').textContent()).toMatch(/^RTO 7\.75 s/);
    expect(await page.locator('svg#timeline .rpo-marker text').textContent()).toMatch(/RPO: 0 lost/);
    expect(await page.locator('table.thresholds tbody tr').count()).toBe(result.thresholds.length);
    expect(await page.locator('table.journal tbody tr').count()).toBe(4);
    expect(await page.locator('#verdict').textContent()).toBe('FAIL');
    // the timeline is drawn at a readable size on a laptop screen
    const box = await page.locator('svg#timeline').boundingBox();
    expect(box!.width).toBeGreaterThan(1000);
    expect(box!.height).toBeGreaterThan(400);

    const png = await page.screenshot({ fullPage: true });
    writeFileSync(SCREENSHOT, png);
    const shot = await page.locator('svg#timeline').screenshot();
    writeFileSync(SCREENSHOT.replace('.png', '-timeline.png'), shot);
    expect(distinctColours(png)).toBeGreaterThan(200);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await context.close();
  });
});
