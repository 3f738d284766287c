// Measure network effects between two nodes from inside them: the image has no tools but
// it has node, so probes are small node scripts run with `docker exec`. Traffic stays on
// the run network (node to node, or node to the link proxy on the gateway).
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monotonicClock } from '../../src/core/clock.js';
import { DockerEngine } from '../../src/engines/docker/docker-engine.js';
import { seededRng } from '../../src/core/random.js';
import { FaultManager } from '../../src/faults/fault-manager.js';
import { FaultJournal } from '../../src/faults/journal.js';
import { GraphAgentTarget, type GraphAgentSettings } from '../../src/targets/graph-agent/target.js';
import { testRunId } from '../targets/graph-agent/support.js';

export interface Harness {
  runId: string;
  target: GraphAgentTarget;
  faults: FaultManager;
  journal: FaultJournal;
  container(node: string): string;
  close(): Promise<void>;
}

export async function bootHarness(label: string, settings: Partial<GraphAgentSettings> = {}): Promise<Harness> {
  const runId = testRunId(label);
  const dir = mkdtempSync(path.join(tmpdir(), `drill-${label}-`));
  const clock = monotonicClock();
  const target = new GraphAgentTarget(
    { nodes: 3, ...settings },
    runId,
    path.join(dir, 'logs'),
    new DockerEngine(clock),
  );
  const journal = new FaultJournal(path.join(dir, 'faults.jsonl'));
  const faults = new FaultManager(target, clock, journal, runId, seededRng(7));
  try {
    await target.boot();
  } catch (e) {
    await target.teardown();
    throw e;
  }
  return {
    runId,
    target,
    faults,
    journal,
    container: (n) => `drill-${runId}-${n}`,
    close: async () => {
      await faults.healAll().catch(() => undefined);
      journal.close();
      await target.teardown();
    },
  };
}

async function nodeScript(container: string, script: string, args: string[], timeoutMs = 30_000): Promise<string> {
  const r = await execa('docker', ['exec', container, '/usr/bin/node', '-e', script, ...args], {
    reject: false,
    timeout: timeoutMs,
  });
  if (r.exitCode !== 0) throw new Error(`docker exec ${container}: ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

const TCP_PROBE = `
const net = require('net');
const [host, port, timeout] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
const t = setTimeout(() => { console.log('timeout'); process.exit(0); }, Number(timeout));
s.on('connect', () => { s.write('POST /drill-probe HTTP/1.1\\r\\nhost: x\\r\\ncontent-length: 2\\r\\n\\r\\n{}'); });
s.on('data', () => { clearTimeout(t); console.log('ok'); process.exit(0); });
s.on('error', (e) => { clearTimeout(t); console.log('error ' + e.code); process.exit(0); });
`;

/** Does an HTTP exchange from `from` to host:port complete within timeoutMs? */
export async function tcpReach(
  h: Harness,
  from: string,
  host: string,
  port: number,
  timeoutMs = 1500,
): Promise<boolean> {
  return (await nodeScript(h.container(from), TCP_PROBE, [host, String(port), String(timeoutMs)])) === 'ok';
}

const RTT_PROBE = `
const http = require('http');
const peers = Object.fromEntries(process.env.PEERS.split(',').map((e) => e.split('=')));
const [host, port] = peers[process.argv[1]].split(':');
const n = Number(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const once = () => new Promise((res, rej) => {
  const t = performance.now();
  const headers = { 'content-type': 'application/json', 'content-length': 2 };
  const r = http.request({ host, port, method: 'POST', path: '/drill-probe', agent, headers }, (resp) => {
    resp.resume(); resp.on('end', () => res(performance.now() - t));
  });
  r.on('error', rej); r.setTimeout(5000, () => r.destroy(new Error('timeout'))); r.end('{}');
});
(async () => {
  await once();
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await once());
  xs.sort((a, b) => a - b);
  console.log(JSON.stringify({ median: xs[xs.length >> 1], min: xs[0], max: xs[xs.length - 1] }));
  process.exit(0);
})().catch((e) => { console.log(JSON.stringify({ error: e.message })); process.exit(0); });
`;

/** Round trips (ms) of HTTP exchanges from `from` to peer `to` over `from`'s own peer address. */
export async function peerRtt(
  h: Harness,
  from: string,
  to: string,
  n = 15,
): Promise<{ median: number; min: number; max: number }> {
  const out = JSON.parse(await nodeScript(h.container(from), RTT_PROBE, [to, String(n)])) as {
    median: number;
    min: number;
    max: number;
    error?: string;
  };
  if (out.error) throw new Error(`rtt ${from} -> ${to}: ${out.error}`);
  return out;
}

const UDP_RECV = `
const s = require('dgram').createSocket('udp4');
let n = 0;
s.on('message', () => n++);
s.bind(Number(process.argv[1]), () => console.log('ready'));
setTimeout(() => { console.log('count ' + n); process.exit(0); }, Number(process.argv[2]));
`;
const UDP_SEND = `
const s = require('dgram').createSocket('udp4');
const [host, port, total] = process.argv.slice(1);
let sent = 0;
const buf = Buffer.alloc(64);
function batch() {
  for (let i = 0; i < 50 && sent < Number(total); i++, sent++) s.send(buf, Number(port), host);
  if (sent < Number(total)) setTimeout(batch, 10); else setTimeout(() => process.exit(0), 200);
}
batch();
`;

/** Send `total` UDP datagrams from `from` to `to`'s address; the share that did not arrive. */
export async function udpLoss(h: Harness, from: string, to: string, total = 3000): Promise<number> {
  const ip = await h.target.network.ip(to);
  const port = 9000 + Math.floor(Math.random() * 900);
  const recv = execa(
    'docker',
    ['exec', h.container(to), '/usr/bin/node', '-e', UDP_RECV, String(port), String(Math.ceil(total / 5) + 3000)],
    {
      reject: false,
    },
  );
  await new Promise<void>((resolve, reject) => {
    recv.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    void recv.then(() => reject(new Error('udp receiver ended before ready')));
  });
  await nodeScript(h.container(from), UDP_SEND, [ip, String(port), String(total)]);
  const r = await recv;
  const m = /count (\d+)/.exec(r.stdout);
  if (!m) throw new Error(`udp receiver: ${r.stdout} ${r.stderr}`);
  return 1 - Number(m[1]) / total;
}
