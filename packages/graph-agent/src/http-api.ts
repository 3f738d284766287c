// The client API on CLIENT_PORT, exactly per docs/graph-agent.md. Requests are parsed and
// validated first (4xx, nothing written), then executed: locally (health, status, ?local=1
// reads, anything on the leader) or forwarded to the leader over the Raft port.

import http from 'node:http';
import { publicConfig, type AgentConfig } from './config.js';
import type { Command, Kind } from './graph.js';
import type { Logger } from './log.js';
import type { ForwardRequest, ForwardResponse, PeerClient } from './peer-transport.js';
import type { Raft } from './raft.js';
import type { BackupApi } from './backup/api.js';

export const MAX_ID_LENGTH = 1024;

type Op =
  | { kind: 'health' }
  | { kind: 'status' }
  | { kind: 'get'; what: 'vertex' | 'edge'; id: string; local: boolean }
  | { kind: 'count'; local: boolean }
  | { kind: 'checksum'; local: boolean }
  | { kind: 'scan'; what: Kind; after: string | undefined; limit: number; local: boolean }
  | { kind: 'write'; cmd: Command }
  | { kind: 'backup'; path: string; method: string; body: Record<string, unknown> };

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const json = (status: number, body: unknown): ForwardResponse => ({ status, body: JSON.stringify(body) });
const error = (status: number, code: string, message: string): ForwardResponse =>
  json(status, { error: code, message });

const NETWORK_UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EUNKNOWN',
  'ECLOSED',
]);

function parseJsonObject(body: string | null): Record<string, unknown> {
  if (body === null || body.trim() === '') throw new ApiError(400, 'bad_request', 'a JSON object body is required');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new ApiError(400, 'bad_request', `malformed JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'bad_request', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function checkFields(obj: Record<string, unknown>, required: string[], optional: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key))
      throw new ApiError(400, 'bad_request', `unknown field ${JSON.stringify(key)}`);
  }
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(obj, key))
      throw new ApiError(400, 'bad_request', `missing field ${JSON.stringify(key)}`);
  }
}

function str(obj: Record<string, unknown>, key: string, nonEmpty: boolean): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new ApiError(400, 'bad_request', `field ${JSON.stringify(key)} must be a string`);
  if (nonEmpty && v.length === 0)
    throw new ApiError(400, 'bad_request', `field ${JSON.stringify(key)} must not be empty`);
  if (v.length > MAX_ID_LENGTH)
    throw new ApiError(400, 'bad_request', `field ${JSON.stringify(key)} is longer than ${MAX_ID_LENGTH} characters`);
  return v;
}

function props(obj: Record<string, unknown>): Record<string, unknown> {
  if (!Object.prototype.hasOwnProperty.call(obj, 'properties')) return {};
  const v = obj['properties'];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ApiError(400, 'bad_request', 'field "properties" must be a JSON object');
  }
  return v as Record<string, unknown>;
}

function parseLocal(q: URLSearchParams): boolean {
  const v = q.get('local');
  if (v === null) return false;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new ApiError(400, 'bad_request', 'local must be 1 or 0');
}

function decodeId(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, 'bad_request', 'bad percent-encoding in id');
  }
  if (id === '') throw new ApiError(400, 'bad_request', 'empty id');
  return id;
}

export function parseOp(method: string, rawUrl: string, body: string | null): Op {
  let url: URL;
  try {
    url = new URL(rawUrl, 'http://agent');
  } catch {
    throw new ApiError(400, 'bad_request', 'bad URL');
  }
  const path = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  const q = url.searchParams;
  const expect = (m: string): void => {
    if (method !== m) throw new ApiError(405, 'method_not_allowed', `${method} ${path}: use ${m}`);
  };

  const elem = /^\/(vertices|edges)\/(.+)$/.exec(path);
  if (elem) {
    expect('GET');
    if ((elem[2] as string).includes('/')) throw new ApiError(404, 'not_found', `no route ${path}`);
    return {
      kind: 'get',
      what: elem[1] === 'vertices' ? 'vertex' : 'edge',
      id: decodeId(elem[2] as string),
      local: parseLocal(q),
    };
  }
  switch (path) {
    case '/backup':
    case '/backups/verify':
    case '/restore':
      expect('POST');
      return { kind: 'backup', path, method, body: body === null || body.trim() === '' ? {} : parseJsonObject(body) };
    case '/backups':
      expect('GET');
      return { kind: 'backup', path, method, body: {} };
    case '/health':
      expect('GET');
      return { kind: 'health' };
    case '/status':
      expect('GET');
      return { kind: 'status' };
    case '/count':
      expect('GET');
      return { kind: 'count', local: parseLocal(q) };
    case '/checksum':
      expect('GET');
      return { kind: 'checksum', local: parseLocal(q) };
    case '/scan': {
      expect('GET');
      const kind = q.get('kind') ?? 'vertices';
      if (kind !== 'vertices' && kind !== 'edges')
        throw new ApiError(400, 'bad_request', 'kind must be vertices or edges');
      const rawLimit = q.get('limit');
      let limit = 1000;
      if (rawLimit !== null) {
        if (!/^\d+$/.test(rawLimit)) throw new ApiError(400, 'bad_request', 'limit must be an integer from 1 to 10000');
        limit = Number(rawLimit);
        if (limit < 1 || limit > 10000)
          throw new ApiError(400, 'bad_request', 'limit must be an integer from 1 to 10000');
      }
      const after = q.get('after') ?? undefined;
      return { kind: 'scan', what: kind, after, limit, local: parseLocal(q) };
    }
    case '/vertices': {
      expect('POST');
      const obj = parseJsonObject(body);
      checkFields(obj, ['id', 'label'], ['properties']);
      return {
        kind: 'write',
        cmd: { op: 'vertex', id: str(obj, 'id', true), label: str(obj, 'label', false), properties: props(obj) },
      };
    }
    case '/edges': {
      expect('POST');
      const obj = parseJsonObject(body);
      checkFields(obj, ['id', 'from', 'to', 'type'], ['properties']);
      return {
        kind: 'write',
        cmd: {
          op: 'edge',
          id: str(obj, 'id', true),
          from: str(obj, 'from', true),
          to: str(obj, 'to', true),
          type: str(obj, 'type', false),
          properties: props(obj),
        },
      };
    }
    default:
      throw new ApiError(404, 'not_found', `no route ${method} ${path}`);
  }
}

export class ClientApi {
  private readonly forwardTimeoutMs: number;
  /** Backup/restore endpoints (docs/backup-restore.md); undefined: 503 backups_disabled. */
  backupApi: BackupApi | undefined;

  constructor(
    private readonly raft: Raft,
    private readonly config: AgentConfig,
    private readonly peers: PeerClient,
    private readonly log: Logger,
  ) {
    this.forwardTimeoutMs = Math.max(5_000, 5 * config.electionTimeoutMs);
  }

  /** Handle one client request; `forwarded`: it came from a follower, never forward again. */
  async handle(req: ForwardRequest, forwarded: boolean): Promise<ForwardResponse> {
    let op: Op;
    try {
      op = parseOp(req.method, req.url, req.body);
    } catch (err) {
      if (err instanceof ApiError) return error(err.status, err.code, err.message);
      throw err;
    }
    try {
      return await this.execute(op, req, forwarded);
    } catch (err) {
      if (err instanceof ApiError) return error(err.status, err.code, err.message);
      this.log('internal-error', { message: (err as Error).message });
      return error(500, 'internal', (err as Error).message);
    }
  }

  private async execute(op: Op, req: ForwardRequest, forwarded: boolean): Promise<ForwardResponse> {
    const raft = this.raft;
    if (op.kind === 'health') return json(200, { ok: true, node: this.config.nodeId, role: raft.role });
    if (op.kind === 'status') return json(200, this.status());
    if (op.kind === 'backup') {
      if (!this.backupApi) return error(503, 'backups_disabled', 'this node has no backup repository configured');
      const a = await this.backupApi.handle(op.method, op.path, op.body);
      return json(a.status, a.body);
    }
    if (op.kind !== 'write' && op.local) return this.read(op);

    if (!raft.isLeader()) {
      if (forwarded) return error(503, 'not_leader', `${this.config.nodeId} is not the leader`);
      const leader = raft.leaderId;
      if (leader === null || leader === this.config.nodeId) return error(503, 'no_leader', 'no leader is known');
      try {
        return await this.peers.forward(
          leader,
          { method: req.method, url: req.url, body: req.body },
          this.forwardTimeoutMs,
        );
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (NETWORK_UNREACHABLE.has(code))
          return error(503, 'no_leader', `leader ${leader} unreachable: ${(err as Error).message}`);
        return error(
          503,
          'not_leader',
          `forwarding to leader ${leader} failed, outcome unknown: ${(err as Error).message}`,
        );
      }
    }

    if (op.kind === 'write') {
      const pre = raft.graph.check(op.cmd);
      // A duplicate id is final; a missing vertex only once this leader has applied its predecessors' entries.
      if (pre && (pre.error === 'duplicate_id' || raft.leaderCaughtUp()))
        return error(pre.status, pre.error, pre.message);
      const res = await raft.propose(op.cmd);
      if (res.ok) return json(201, { ok: true, id: (op.cmd as { id: string }).id, index: res.index });
      return error(res.status, res.error, res.message);
    }
    if (!(await raft.readBarrier()))
      return error(503, 'not_leader', 'leadership could not be confirmed for a linearizable read');
    return this.read(op);
  }

  private read(op: Exclude<Op, { kind: 'write' | 'health' | 'status' | 'backup' }>): ForwardResponse {
    const g = this.raft.graph;
    const index = this.raft.lastApplied;
    switch (op.kind) {
      case 'get': {
        const el = g.elementJson(op.what === 'vertex' ? 'vertices' : 'edges', op.id);
        if (el === undefined) return error(404, 'not_found', `${op.what} ${JSON.stringify(op.id)} not found`);
        return { status: 200, body: el };
      }
      case 'count':
        return json(200, { ...g.count(), index });
      case 'checksum':
        return json(200, { checksum: g.checksum(), ...g.count(), index });
      case 'scan': {
        // The items are stored as JSON already: spliced in, not parsed and serialised again.
        const page = g.scanJson(op.what, op.after, op.limit);
        return { status: 200, body: `{"items":[${page.items.join(',')}],"next":${JSON.stringify(page.next)}}` };
      }
    }
  }

  status(): Record<string, unknown> {
    const r = this.raft;
    return {
      node: this.config.nodeId,
      role: r.role,
      term: r.currentTerm,
      leader: r.leaderId,
      commit_index: r.commitIndex,
      last_applied: r.lastApplied,
      last_log_index: r.lastLogIndex,
      clock_ms: Date.now(),
      config: publicConfig(this.config),
    };
  }

  createServer(): http.Server {
    const max = this.config.maxBodyBytes;
    const server = http.createServer((req, res) => {
      const send = (r: ForwardResponse, close = false): void => {
        if (res.headersSent || res.destroyed) return;
        const headers: http.OutgoingHttpHeaders = {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(r.body),
        };
        if (close) headers['connection'] = 'close';
        res.writeHead(r.status, headers);
        res.end(r.body);
      };
      const tooLarge = (): void => {
        send(error(413, 'body_too_large', `request body exceeds ${max} bytes`), true);
      };
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > max) {
        tooLarge();
        req.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (c: Buffer) => {
        if (over) return;
        size += c.length;
        if (size > max) {
          over = true;
          chunks.length = 0;
          tooLarge();
          return;
        }
        chunks.push(c);
      });
      req.on('error', () => {});
      req.on('end', () => {
        if (over) return;
        const body = size > 0 ? Buffer.concat(chunks).toString('utf8') : null;
        this.handle({ method: req.method ?? 'GET', url: req.url ?? '/', body }, false).then(
          (r) => send(r),
          (err: Error) => send(error(500, 'internal', err.message)),
        );
      });
    });
    server.keepAliveTimeout = 60_000;
    server.headersTimeout = 65_000;
    server.requestTimeout = 0;
    return server;
  }
}
