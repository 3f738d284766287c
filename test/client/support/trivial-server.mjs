// A trivial in-memory stand-in for graph-agent's client API, for the client unit tests.
// Same status codes as docs/graph-agent.md for POST /vertices, POST /edges,
// GET /vertices/:id, plus /scan, /checksum, /status, and switches for faults.
// Plain JS so that it can also run as a separate process (capacity test):
//   node trivial-server.mjs   -> prints the port on stdout.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/**
 * @param {{ port?: number, node?: string }} [opts]
 */
export async function startTrivialServer(opts = {}) {
  const vertices = new Map();
  const edges = new Map();
  let index = 0;
  /** @type {'normal'|'hang'|'503-no-leader'|'503-not-leader'|'500'|'reset'|'slow'} */
  let mode = 'normal';
  let applyInFault = false;
  let slowMs = 0;
  const sockets = new Set();
  const hung = new Set();
  const stats = { requests: 0, writesApplied: 0 };

  const send = (res, status, obj) => {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const apply = (path, j) => {
    if (path === '/vertices') {
      if (typeof j?.id !== 'string' || typeof j?.label !== 'string')
        return [400, { error: 'bad_request', message: 'id and label' }];
      if (vertices.has(j.id) || edges.has(j.id)) return [409, { error: 'duplicate_id', message: j.id }];
      vertices.set(j.id, { id: j.id, label: j.label, properties: j.properties ?? {} });
    } else {
      if (
        typeof j?.id !== 'string' ||
        typeof j?.from !== 'string' ||
        typeof j?.to !== 'string' ||
        typeof j?.type !== 'string'
      )
        return [400, { error: 'bad_request', message: 'id, from, to, type' }];
      if (vertices.has(j.id) || edges.has(j.id)) return [409, { error: 'duplicate_id', message: j.id }];
      if (!vertices.has(j.from) || !vertices.has(j.to))
        return [422, { error: 'missing_vertex', message: `${j.from} ${j.to}` }];
      edges.set(j.id, { id: j.id, from: j.from, to: j.to, type: j.type });
    }
    index++;
    stats.writesApplied++;
    return [201, { ok: true, id: j.id, index }];
  };

  const checksum = () => {
    const acc = Buffer.alloc(32);
    for (const el of [...vertices.values(), ...edges.values()]) {
      const h = createHash('sha256').update(JSON.stringify(el)).digest();
      for (let i = 0; i < 32; i++) acc[i] ^= h[i];
    }
    return acc.toString('hex');
  };

  const handle = (req, res, raw) => {
    stats.requests++;
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    if (req.method === 'POST' && (p === '/vertices' || p === '/edges')) {
      if (raw.length > 1_000_000) return send(res, 413, { error: 'too_large', message: '' });
      let j;
      try {
        j = JSON.parse(raw);
      } catch {
        return send(res, 400, { error: 'bad_request', message: 'json' });
      }
      if (mode !== 'normal' && mode !== 'slow') {
        if (applyInFault) apply(p, j);
        return fault(req, res);
      }
      const [s, body] = apply(p, j);
      if (mode === 'slow') return void setTimeout(() => send(res, s, body), slowMs);
      return send(res, s, body);
    }
    if (req.method === 'GET' && p.startsWith('/vertices/')) {
      if (mode !== 'normal' && mode !== 'slow') return fault(req, res);
      const v = vertices.get(decodeURIComponent(p.slice('/vertices/'.length)));
      return v ? send(res, 200, v) : send(res, 404, { error: 'not_found', message: '' });
    }
    if (req.method === 'GET' && p === '/scan') {
      const kind = url.searchParams.get('kind');
      const after = url.searchParams.get('after');
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      const all = [...(kind === 'edges' ? edges : vertices).values()].sort((a, b) =>
        a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
      );
      const from = after === null ? all : all.filter((x) => x.id > after);
      const items = from.slice(0, limit);
      return send(res, 200, { items, next: from.length > limit ? items[items.length - 1].id : null });
    }
    if (req.method === 'GET' && p === '/checksum')
      return send(res, 200, { checksum: checksum(), vertices: vertices.size, edges: edges.size, index });
    if (req.method === 'GET' && p === '/status')
      return send(res, 200, { node: opts.node ?? 'n1', role: 'leader', term: 1, leader: opts.node ?? 'n1' });
    return send(res, 404, { error: 'not_found', message: p });
  };

  const fault = (req, res) => {
    switch (mode) {
      case 'hang':
        hung.add(res);
        return;
      case '503-no-leader':
        return send(res, 503, { error: 'no_leader', message: '' });
      case '503-not-leader':
        return send(res, 503, { error: 'not_leader', message: '' });
      case '500':
        return send(res, 500, { error: 'internal', message: '' });
      case 'reset':
        return req.socket.destroy();
    }
  };

  const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(server.address().port);
      });
    });
  let port = await listen(opts.port ?? 0);
  let listening = true;

  const closeAll = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    hung.clear();
    await closed;
  };

  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    vertices,
    edges,
    stats,
    /** @param {'normal'|'hang'|'503-no-leader'|'503-not-leader'|'500'|'reset'|'slow'} m */
    setMode(m, o = {}) {
      mode = m;
      applyInFault = o.apply ?? false;
      slowMs = o.slowMs ?? 0;
      if (m === 'normal') {
        for (const res of hung) res.destroy();
        hung.clear();
      }
    },
    /** Stop listening and cut every connection: requests get ECONNREFUSED. */
    refuse: closeAll,
    /** Listen again on the same port. */
    async resume() {
      if (listening) return;
      port = await listen(port);
      listening = true;
    },
    close: closeAll,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const s = await startTrivialServer();
  process.stdout.write(`${s.port}\n`);
}
