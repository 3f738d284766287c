// The live page of a game day: self-contained (inline CSS and script, nothing fetched from
// anywhere but this server), a few kB of script. The timeline arrives as server-rendered SVG
// in each snapshot, so the page only swaps it in; the buttons post marks.

const CSS = `
:root{--ok:#2e9e5b;--fail:#d64545;--muted:#5b6470;--line:#e3e6ea;--lost:#7b1fa2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:baseline;padding:12px 20px;background:#fff;
  border-bottom:1px solid var(--line)}
h1{font-size:18px;margin:0}.muted{color:var(--muted)}main{padding:12px 20px}
.bar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0 12px}
button{font:inherit;font-weight:700;padding:10px 18px;border-radius:8px;border:0;cursor:pointer;color:#fff}
#detected{background:#c2410c}#mitigated{background:var(--ok)}#note-btn{background:#1f5fbf}
input{font:inherit;padding:8px 10px;border:1px solid var(--line);border-radius:6px}#note{min-width:280px}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px;margin:8px 0}
#timeline svg{width:100%;height:auto}
#faults span{display:inline-block;margin-right:8px;padding:2px 8px;border-radius:10px;background:#fde8e8;
  color:var(--fail);font-weight:600}
#marks li{margin:2px 0}#verdict{font-weight:800}.pass{color:var(--ok)}.fail{color:var(--fail)}
#conn{font-size:12px}
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const when = (r) => r.fault + ': ' + (r.rto_s === null ? 'not yet' : r.rto_s.toFixed(3) + ' s');
function markItem(m) {
  const who = m.operator ? ' <span class="muted">(' + esc(m.operator) + ')</span>' : '';
  const kind = esc(m.kind || 'note');
  return '<li data-kind="' + kind + '">+' + m.t_s.toFixed(2) + ' s <b>' + kind + '</b> ' + esc(m.label) + who + '</li>';
}
function render(s) {
  $('elapsed').textContent = s.elapsedS.toFixed(1) + ' s';
  $('step').textContent = s.step || s.phase;
  $('faults').innerHTML = s.active.length
    ? s.active.map((f) => '<span>' + esc(f) + '</span>').join('')
    : '<i class="muted">none</i>';
  $('rto').textContent = s.rto.map(when).join(' · ') || '-';
  $('timeline').innerHTML = s.timelineSvg;
  $('marks').innerHTML = s.marks.map(markItem).join('');
  if (s.done) {
    $('verdict').textContent = (s.verdict || 'done').toUpperCase();
    $('verdict').className = s.verdict === 'pass' ? 'pass' : 'fail';
  }
}
async function mark(kind, label) {
  const body = JSON.stringify({ kind, label, operator: $('operator').value });
  const r = await fetch('/mark', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (!r.ok) alert('mark not recorded: ' + (await r.text()));
}
$('detected').onclick = () => mark('detected');
$('mitigated').onclick = () => mark('mitigated');
$('note-btn').onclick = () => {
  const v = $('note').value.trim();
  if (v) { mark('note', v); $('note').value = ''; }
};
$('note').onkeydown = (e) => { if (e.key === 'Enter') $('note-btn').click(); };
const es = new EventSource('/events');
es.onmessage = (e) => { $('conn').textContent = 'live'; render(JSON.parse(e.data)); };
es.onerror = () => { $('conn').textContent = 'disconnected (the drill is over or the harness stopped)'; };
`;

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

export function livePage(operator: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>drill live</title><style>${CSS}</style></head>
<body><header><h1>drill · live</h1><span>t = <b id="elapsed">0.0 s</b></span>
<span id="step" class="muted"></span><span id="verdict"></span><span id="conn" class="muted">connecting…</span>
</header>
<main>
<div class="bar"><button id="detected">Detected</button><button id="mitigated">Mitigated</button>
<input id="note" placeholder="a note for the timeline"><button id="note-btn">Add note</button>
<label class="muted">operator <input id="operator" value="${esc(operator)}" size="12"></label>
</div>
<div class="panel">active faults: <span id="faults"></span> · provisional RTO: <span id="rto">-</span></div>
<div class="panel" id="timeline"></div>
<div class="panel"><b>marks</b><ul id="marks"></ul></div>
<p class="muted">The RTO here counts acknowledged writes; the report's RTO counts only writes that survived
the final read.</p>
</main><script>${SCRIPT}</script></body></html>
`;
}
