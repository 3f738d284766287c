// A trivial local target for the recording-capacity benchmark: graph-agent's client API
// (POST /vertices, POST /edges, GET /vertices/:id, GET /status) over an in-memory map,
// answering at once. Run as its own process (`node dist/bench/trivial-target.js` prints
// the port it listens on, 127.0.0.1 only) so it never shares the harness's event loop:
// what is measured is the harness's workload driver and history recording.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

export async function startTrivialTarget(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const vertices = new Set<string>();
  const edges = new Set<string>();
  let index = 0;
  const send = (res: http.ServerResponse, status: number, obj: unknown): void => {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'POST' && (p === '/vertices' || p === '/edges')) {
        let j: { id?: unknown; from?: unknown; to?: unknown };
        try {
          j = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof j;
        } catch {
          return send(res, 400, { error: 'bad_request', message: 'json' });
        }
        if (typeof j.id !== 'string') return send(res, 400, { error: 'bad_request', message: 'id' });
        if (vertices.has(j.id) || edges.has(j.id)) return send(res, 409, { error: 'duplicate_id', message: j.id });
        if (p === '/edges') {
          if (!vertices.has(String(j.from)) || !vertices.has(String(j.to)))
            return send(res, 422, { error: 'missing_vertex', message: '' });
          edges.add(j.id);
        } else vertices.add(j.id);
        return send(res, 201, { ok: true, id: j.id, index: ++index });
      }
      if (req.method === 'GET' && p.startsWith('/vertices/')) {
        const id = decodeURIComponent(p.slice('/vertices/'.length));
        return vertices.has(id)
          ? send(res, 200, { id, label: 'vertex', properties: {} })
          : send(res, 404, { error: 'not_found', message: '' });
      }
      if (req.method === 'GET' && p === '/status')
        return send(res, 200, { node: 'n1', role: 'leader', term: 1, leader: 'n1' });
      return send(res, 404, { error: 'not_found', message: p });
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
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const s = await startTrivialTarget();
  process.stdout.write(`${s.port}\n`);
}
