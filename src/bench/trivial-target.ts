// A trivial local target for the recording-capacity benchmark: graph-agent's client API
// (POST /vertices, POST /edges, GET /vertices/:id, GET /status) over an in-memory map,
// answering at once. Run as its own process (`node dist/bench/trivial-target.js` prints
// the port it listens on, 127.0.0.1 only) so it never shares the harness's event loop:
// what is measured is the harness's workload driver and history recording.
//
// HTTP/1.1 is spoken straight over TCP (keep-alive, Content-Length bodies, pipelined
// requests answered in order) instead of node:http's server: at 20,000 requests/s node:http
// needs ~40-60 us of CPU per request on this project's machines, enough to saturate its own
// core before the harness does, and then the benchmark would measure the target.
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const REASON: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  411: 'Length Required',
  422: 'Unprocessable Entity',
};

function reply(status: number, obj: unknown): string {
  const body = JSON.stringify(obj);
  return (
    `HTTP/1.1 ${status} ${REASON[status] ?? ''}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

export async function startTrivialTarget(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const vertices = new Set<string>();
  const edges = new Set<string>();
  let index = 0;
  const answer = (method: string, p: string, body: string): string => {
    if (method === 'POST' && (p === '/vertices' || p === '/edges')) {
      let j: { id?: unknown; from?: unknown; to?: unknown };
      try {
        j = JSON.parse(body) as typeof j;
      } catch {
        return reply(400, { error: 'bad_request', message: 'json' });
      }
      if (typeof j.id !== 'string') return reply(400, { error: 'bad_request', message: 'id' });
      if (vertices.has(j.id) || edges.has(j.id)) return reply(409, { error: 'duplicate_id', message: j.id });
      if (p === '/edges') {
        if (!vertices.has(String(j.from)) || !vertices.has(String(j.to)))
          return reply(422, { error: 'missing_vertex', message: '' });
        edges.add(j.id);
      } else vertices.add(j.id);
      return reply(201, { ok: true, id: j.id, index: ++index });
    }
    if (method === 'GET' && p.startsWith('/vertices/')) {
      const id = decodeURIComponent(p.slice('/vertices/'.length));
      return vertices.has(id)
        ? reply(200, { id, label: 'vertex', properties: {} })
        : reply(404, { error: 'not_found', message: '' });
    }
    if (method === 'GET' && p === '/status') return reply(200, { node: 'n1', role: 'leader', term: 1, leader: 'n1' });
    return reply(404, { error: 'not_found', message: p });
  };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf: Buffer | null = null;
    sock.on('data', (chunk: Buffer) => {
      buf = buf ? Buffer.concat([buf, chunk]) : chunk;
      let out = '';
      let close = false;
      while (buf) {
        const end: number = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head: string = buf.toString('latin1', 0, end);
        if (/\r\ntransfer-encoding:/i.test(head)) {
          out += reply(411, { error: 'bad_request', message: 'content-length only' });
          close = true;
          break;
        }
        const len: number = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) break;
        const s1 = head.indexOf(' ');
        const s2 = head.indexOf(' ', s1 + 1);
        const target = head.slice(s1 + 1, s2);
        const q = target.indexOf('?');
        out += answer(
          head.slice(0, s1),
          q < 0 ? target : target.slice(0, q),
          buf.toString('utf8', end + 4, end + 4 + len),
        );
        if (/\r\nconnection: *close/i.test(head)) close = true;
        buf = buf.length === end + 4 + len ? null : buf.subarray(end + 4 + len);
      }
      if (out !== '') sock.write(out);
      if (close) sock.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const s = await startTrivialTarget();
  process.stdout.write(`${s.port}\n`);
}
