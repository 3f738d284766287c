// The page's style sheet, inline (the page has no external asset); its colours are the
// timeline's, so the legend, the cards and the drawing agree.

import { COLORS } from './timeline-svg.js';

export const CSS = [
  '',
  `:root{--ok:${COLORS.ok};--fail:${COLORS.fail};--info:${COLORS.info};--text:${COLORS.text};` +
    '--muted:#5b6470;--line:#e3e6ea;--bg:#f6f7f9}',
  '*{box-sizing:border-box}',
  'body{margin:0;background:var(--bg);color:var(--text);' +
    'font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
  'main{max-width:1320px;margin:0 auto;padding:20px 24px 48px}',
  'header{display:flex;align-items:center;gap:18px;flex-wrap:wrap}',
  'h1{font-size:22px;margin:0}',
  'h2{font-size:16px;margin:28px 0 10px}',
  '.sub{color:var(--muted);margin:4px 0 0}',
  '.verdict{font-weight:800;font-size:18px;padding:6px 16px;border-radius:6px;color:#fff;letter-spacing:.04em}',
  '.verdict.pass{background:var(--ok);color:#fff}' +
    '.verdict.fail{background:var(--fail);color:#fff}.verdict.unknown{background:#8a6d1f;color:#fff}',
  '.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-top:18px}',
  '.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}',
  '.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}',
  '.card .v{font-size:22px;font-weight:700;margin-top:2px}',
  '.card .d{color:var(--muted);font-size:12px}',
  '.card.bad{border-color:var(--fail);box-shadow:inset 4px 0 0 var(--fail)}',
  '.card.good{box-shadow:inset 4px 0 0 var(--ok)}',
  '.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}',
  '.legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:12px;color:var(--muted);margin:0 0 6px}',
  '.legend span{display:inline-flex;align-items:center;gap:6px}',
  '.sw{display:inline-block;width:14px;height:10px;border-radius:2px}',
  '.sw.line{height:3px}',
  '.note{color:var(--muted);font-size:12px;margin:6px 0 0}',
  'table{border-collapse:collapse;width:100%;background:#fff;' +
    'border:1px solid var(--line);border-radius:8px;overflow:hidden}',
  'th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}',
  'th{background:#eef1f4;font-weight:600;font-size:12px;' +
    'text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}',
  'td.num{font-variant-numeric:tabular-nums;white-space:nowrap}',
  '.pass{color:var(--ok);font-weight:700}.fail{color:var(--fail);font-weight:700}',
  'tr.failed td{background:#fdf1f1}',
  'details{background:#fff;border:1px solid var(--line);border-radius:8px;margin:6px 0}',
  'summary{cursor:pointer;padding:6px 10px;font-weight:600}',
  'pre{margin:0;padding:8px 10px;overflow-x:auto;' +
    'font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border-top:1px solid var(--line)}',
  'pre .t{color:var(--muted)}',
  'pre .hl{background:#fff4d6}',
  'footer{color:var(--muted);font-size:12px;margin-top:32px}',
  'code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}',
  '',
].join('\n');
