// A tiny typed client for the graph-agent client API (docs/graph-agent.md), over the
// runtime's fetch (keep-alive). HTTP errors from the agent come back as values
// (`{ ok: false, status, error, message }`); failing to get any answer (refused, reset,
// timeout) throws AgentUnreachableError, whose outcome for a write is unknown.

export type Role = 'leader' | 'follower' | 'candidate';

export interface AgentStatus {
  node: string;
  role: Role;
  term: number;
  leader: string | null;
  commit_index: number;
  last_applied: number;
  last_log_index: number;
  clock_ms: number;
  config: Record<string, unknown>;
}

export interface AgentHealth {
  ok: boolean;
  node: string;
  role: Role;
}

export interface Vertex {
  id: string;
  label: string;
  properties?: Record<string, unknown>;
}

export interface Edge {
  id: string;
  from: string;
  to: string;
  type: string;
  properties?: Record<string, unknown>;
}

export interface WriteAck {
  ok: true;
  id: string;
  index: number;
}

export interface Count {
  vertices: number;
  edges: number;
  index: number;
}

export interface Checksum extends Count {
  checksum: string;
}

export interface ScanPage<T> {
  items: T[];
  next: string | null;
}

export type AgentResult<T> =
  { ok: true; status: number; body: T } | { ok: false; status: number; error: string; message: string };

export class AgentUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly timedOut: boolean,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
    super(`${url}: ${timedOut ? 'timed out' : 'no answer'} (${why})`, { cause });
    this.name = 'AgentUnreachableError';
  }
}

/** An HTTP error answer where a success was required (status/health/checksum...). */
export class AgentHttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(`${url}: ${status} ${error}: ${message}`);
    this.name = 'AgentHttpError';
  }
}

export interface ReadOptions {
  /** Read this node's own applied state without forwarding to the leader. */
  local?: boolean;
  timeoutMs?: number;
}

export interface AgentClientOptions {
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
}

export class AgentClient {
  readonly timeoutMs: number;

  constructor(
    public baseUrl: string,
    opts: AgentClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** Raw request: any answer with a JSON (or empty) body; throws AgentUnreachableError if none. */
  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    pathAndQuery: string,
    body?: unknown,
    timeoutMs = this.timeoutMs,
    rawBody?: string,
  ): Promise<AgentResult<T>> {
    const url = this.baseUrl.replace(/\/$/, '') + pathAndQuery;
    let res: Response;
    let text: string;
    // A ref'd timer, not AbortSignal.timeout(): that one is unref'd, and a request stuck
    // in connect (e.g. docker-proxy while a container's network comes up) would then let
    // a standalone process exit with its promise unsettled.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new DOMException('request timed out', 'TimeoutError')), timeoutMs);
    try {
      const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      const init: RequestInit = { method, signal: ac.signal };
      if (payload !== undefined) {
        init.body = payload;
        init.headers = { 'content-type': 'application/json' };
      }
      res = await fetch(url, init);
      text = await res.text();
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new AgentUnreachableError(`${method} ${url}`, timedOut || ac.signal.aborted, e);
    } finally {
      clearTimeout(timer);
    }
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: 'bad_response', message: text.slice(0, 200) };
      }
    }
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, body: parsed as T };
    const err = (parsed ?? {}) as { error?: unknown; message?: unknown };
    return {
      ok: false,
      status: res.status,
      error: typeof err.error === 'string' ? err.error : `http_${res.status}`,
      message: typeof err.message === 'string' ? err.message : '',
    };
  }

  private async must<T>(pathAndQuery: string, timeoutMs?: number): Promise<T> {
    const r = await this.request<T>('GET', pathAndQuery, undefined, timeoutMs);
    if (!r.ok) throw new AgentHttpError(this.baseUrl + pathAndQuery, r.status, r.error, r.message);
    return r.body;
  }

  status(timeoutMs?: number): Promise<AgentStatus> {
    return this.must<AgentStatus>('/status', timeoutMs);
  }

  health(timeoutMs?: number): Promise<AgentResult<AgentHealth>> {
    return this.request<AgentHealth>('GET', '/health', undefined, timeoutMs);
  }

  /** True when the node answers /health with 200 in time. Never throws. */
  async healthy(timeoutMs = 1000): Promise<boolean> {
    try {
      return (await this.health(timeoutMs)).ok;
    } catch {
      return false;
    }
  }

  addVertex(v: Vertex, timeoutMs?: number): Promise<AgentResult<WriteAck>> {
    return this.request<WriteAck>('POST', '/vertices', v, timeoutMs);
  }

  addEdge(e: Edge, timeoutMs?: number): Promise<AgentResult<WriteAck>> {
    return this.request<WriteAck>('POST', '/edges', e, timeoutMs);
  }

  getVertex(id: string, o: ReadOptions = {}): Promise<AgentResult<Vertex>> {
    return this.request<Vertex>('GET', `/vertices/${encodeURIComponent(id)}${q(o)}`, undefined, o.timeoutMs);
  }

  getEdge(id: string, o: ReadOptions = {}): Promise<AgentResult<Edge>> {
    return this.request<Edge>('GET', `/edges/${encodeURIComponent(id)}${q(o)}`, undefined, o.timeoutMs);
  }

  count(o: ReadOptions = {}): Promise<Count> {
    return this.must<Count>(`/count${q(o)}`, o.timeoutMs);
  }

  checksum(o: ReadOptions = {}): Promise<Checksum> {
    return this.must<Checksum>(`/checksum${q(o)}`, o.timeoutMs);
  }

  scan<K extends 'vertices' | 'edges'>(
    kind: K,
    o: ReadOptions & { after?: string; limit?: number } = {},
  ): Promise<ScanPage<K extends 'vertices' ? Vertex : Edge>> {
    const params = new URLSearchParams({ kind });
    if (o.after !== undefined) params.set('after', o.after);
    if (o.limit !== undefined) params.set('limit', String(o.limit));
    if (o.local) params.set('local', '1');
    return this.must(`/scan?${params.toString()}`, o.timeoutMs);
  }

  /** Every element of one kind, following `next` pages. */
  async scanAll<K extends 'vertices' | 'edges'>(
    kind: K,
    o: ReadOptions & { limit?: number } = {},
  ): Promise<Array<K extends 'vertices' ? Vertex : Edge>> {
    const out: Array<K extends 'vertices' ? Vertex : Edge> = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.scan(kind, { ...o, limit: o.limit ?? 10_000, ...(after !== undefined ? { after } : {}) });
      out.push(...page.items);
      if (page.next === null || page.items.length === 0) return out;
      after = page.next;
    }
  }
}

function q(o: ReadOptions): string {
  return o.local ? '?local=1' : '';
}
