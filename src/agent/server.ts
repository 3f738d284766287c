// The fault agent's HTTP server: POST /v1/op with the run's token as a bearer token, one
// operation per request (protocol.ts), answered with its value and the agent's monotonic
// instant. A wrong or missing token gets 401 and nothing else; the server never runs a
// command it was not built to run (HostSide allows iptables, iptables-restore, tc and ip in a
// namespace, and nothing else).
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { HostSide } from './host-side.js';
import { PROTOCOL_VERSION, type AgentAnswer, type AgentOp, type Hello } from './protocol.js';

const MAX_BODY = 1024 * 1024;

export interface AgentServerOptions {
  host: string;
  runId: string;
  token: string;
  side: HostSide;
  now(): number;
  log?(line: string): void;
}

/** Polled while a fault is confirmed: not worth a log line each. */
const QUIET_OPS = new Set(['hello', 'clock', 'inspect', 'disk-free', 'cgroup-version', 'cgroup-read', 'oom-events']);

function describe(op: AgentOp): string {
  const { op: _name, ...rest } = op;
  return JSON.stringify(rest).slice(0, 200);
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function dispatch(o: AgentServerOptions, req: AgentOp): Promise<{ value: unknown; at?: number }> {
  const s = o.side;
  switch (req.op) {
    case 'hello': {
      const hello: Hello = { version: PROTOCOL_VERSION, host: o.host, run: o.runId, mono: o.now() };
      return { value: hello };
    }
    case 'clock':
      return { value: o.now() };
    case 'kill':
      return { value: await s.kill(req.container, req.signal) };
    case 'stop':
      return { value: await s.stop(req.container, req.timeoutS) };
    case 'pause':
      return { value: await s.pause(req.container) };
    case 'unpause':
      return { value: await s.unpause(req.container) };
    case 'inspect':
      return s.inspect(req.container);
    case 'netns':
      return { value: await s.netns(req.pid, req.cmd, req.args, req.input) };
    case 'init-clocks':
      return { value: await s.initClocks(req.nodes) };
    case 'clock-offset':
      return { value: await s.setClockOffset(req.node, req.offsetS) };
    case 'bounded-disk':
      return { value: await s.boundedDisk(req.key, req.sizeMb) };
    case 'fill-disk':
      return { value: await s.fillDisk(req.disk) };
    case 'unfill-disk':
      return { value: await s.unfillDisk(req.disk) };
    case 'disk-free':
      return { value: await s.diskFree(req.disk) };
    case 'make-repository':
      return { value: await s.makeRepository(req.name) };
    case 'remove-repository':
      return { value: await s.removeRepository(req.name) };
    case 'corrupt-repository':
      return { value: await s.corruptRepository(req.name) };
    case 'remove-run-state':
      return { value: await s.removeRunState() };
    case 'cgroup-version':
      return { value: await s.resources.cgroupVersion() };
    case 'cgroup-read':
      return { value: await s.resources.readCgroup(req.container, req.pid, req.controller, req.files) };
    case 'cgroup-write':
      return { value: await s.resources.writeCgroup(req.container, req.pid, req.controller, req.file, req.value) };
    case 'container-resources':
      return { value: await s.resources.containerResources(req.container) };
    case 'update-resources':
      return { value: await s.resources.updateResources(req.container, req.fields) };
    case 'oom-events':
      return { value: await s.resources.oomEvents(req.containers, req.since) };
    case 'volume-device':
      return { value: await s.resources.volumeDevice(req.container, req.volume) };
    default:
      throw new Error(`unknown op ${JSON.stringify((req as { op?: unknown }).op)}`);
  }
}

export function startAgentServer(o: AgentServerOptions, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: AgentAnswer) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameToken(auth.slice(7), o.token)) {
      return answer(401, { ok: false, error: 'unauthorized', at: o.now() });
    }
    if (req.method !== 'POST' || req.url !== '/v1/op')
      return answer(404, { ok: false, error: 'no such op', at: o.now() });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let op: AgentOp;
      try {
        op = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AgentOp;
      } catch {
        return answer(400, { ok: false, error: 'bad JSON', at: o.now() });
      }
      const t0 = o.now();
      // One line per operation that changes something, for `docker logs` on the host.
      const note = (outcome: string) => {
        if (!QUIET_OPS.has(op.op)) o.log?.(`${op.op} ${describe(op)}: ${outcome} (${(o.now() - t0).toFixed(1)} ms)`);
      };
      dispatch(o, op).then(
        (r) => {
          note('ok');
          answer(200, { ok: true, value: r.value ?? null, at: r.at ?? o.now() });
        },
        (e: unknown) => {
          const error = e instanceof Error ? e.message : String(e);
          note(`failed: ${error}`);
          answer(200, { ok: false, error, at: o.now() });
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}
