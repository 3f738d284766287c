// Running one probe of a custom target against one node: render its templates, send the
// HTTP request, run the command, or send the Redis command / SQL statement over a native
// client (src/drivers/), and say what came of it (src/drivers/outcome.ts):
//
//   success   answered, status (or exit code) as expected, output matches `match`
//   refused   answered with a definite refusal (Redis -READONLY, SQLSTATE 25006...)
//   mismatch  answered, but not as expected (the status, exit code and output are kept)
//   unsent    nothing reached the node: no published port, connection refused, container
//             stopped or paused (the engine refuses the exec): certainly no effect
//   unknown   sent, then timeout or connection lost: it may have had an effect
//
// Native clients keep one connection per (node, lane): a workload worker is a lane of its
// own, so each worker holds its own connection; status probes share the `probe` lane.

import type http from 'node:http';
import type { ProbeSpec } from '../../../scenario/custom-schema.js';
import type { CustomTargetSpec } from '../../../scenario/custom-schema.js';
import { render, type TemplateVars } from '../templates.js';
import { ExecError, execInContainer, type ExecAnswer } from '../../../docker/exec.js';
import { HttpExchangeError, httpExchange, newAgent } from '../../../client/http-exchange.js';
import { describeDriverOutcome, type DriverOutcome, type NodeAddress } from '../../../drivers/outcome.js';
import { RedisDriver } from '../../../drivers/redis.js';
import { SqlDriver } from '../../../drivers/sql.js';

export type ProbeOutcome = DriverOutcome;

/** Where a node can be reached right now (all change when a container starts again). */
export interface ProbeHost {
  /** http://127.0.0.1:<host port> for a container port of a node; undefined when not published now. */
  baseUrl(node: string, containerPort: number): string | undefined;
  /** 127.0.0.1 and the host port of a container port; undefined when not published now. */
  address(node: string, containerPort: number): NodeAddress | undefined;
  containerId(node: string): string | undefined;
  /**
   * Run a command in the node's container where it runs (a swarm: through the engine of its
   * host); default: docker exec on this machine's engine by containerId.
   */
  exec?(node: string, argv: string[], timeoutMs: number): Promise<ExecAnswer>;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 2000;

/** Any probe shape: the output of the probe schemas all share the transports and timeout. */
export type AnyProbe = Pick<ProbeSpec, 'http' | 'exec' | 'redis' | 'sql' | 'timeout'>;

export type ClientSettings = NonNullable<CustomTargetSpec['client']>;

const fromEnv = (name: string | undefined, given: string | undefined): string | undefined =>
  name !== undefined ? process.env[name] : given;

export class ProbeRunner {
  private readonly agent: http.Agent = newAgent();
  private readonly redis = new Map<number, RedisDriver>();
  private readonly sql = new Map<number, SqlDriver>();

  constructor(
    private readonly host: ProbeHost,
    /** The first of cluster.custom.ports: the port of a probe that names none. */
    private readonly defaultPort: number,
    private readonly client: ClientSettings | undefined = undefined,
  ) {}

  async run(
    probe: AnyProbe,
    node: string,
    vars: TemplateVars,
    timeoutMs?: number,
    lane = 'probe',
  ): Promise<ProbeOutcome> {
    const t = timeoutMs ?? probe.timeout ?? DEFAULT_PROBE_TIMEOUT_MS;
    if (probe.http) return this.http(probe.http, node, vars, t);
    if (probe.exec) return this.exec(probe.exec, node, vars, t);
    if (probe.redis) return this.runRedis(probe.redis, node, vars, t, lane);
    if (probe.sql) {
      const q = probe.sql;
      const driver = this.sqlDriver(q.port ?? this.defaultPort);
      if (!driver) return { kind: 'unsent', error: 'no cluster.custom.client.sql settings' };
      const req = {
        statement: q.statement,
        params: q.params.map((p) => render(p, vars)),
        column: q.column,
        match: q.match,
      };
      return driver.run(req, node, lane, t);
    }
    return { kind: 'unsent', error: 'probe has no transport (http, exec, redis or sql)' };
  }

  private async runRedis(
    r: NonNullable<AnyProbe['redis']>,
    node: string,
    vars: TemplateVars,
    t: number,
    lane: string,
  ): Promise<ProbeOutcome> {
    const driver = this.redisDriver(r.port ?? this.defaultPort);
    const out = await driver.run({ command: r.command.map((a) => render(a, vars)), match: r.match }, node, lane, t);
    if (out.kind !== 'success' || !r.wait) return out;
    // The write is on the primary; with too few replicas in time it may not survive a failover.
    const w = await driver.run({ command: ['WAIT', String(r.wait.replicas), String(r.wait.timeout)] }, node, lane, t);
    if (w.kind !== 'success') return w.kind === 'unsent' ? { kind: 'unknown', error: `WAIT: ${w.error}` } : w;
    const n = Number(w.output);
    if (!(n >= r.wait.replicas)) {
      return { kind: 'mismatch', output: w.output, detail: `WAIT: ${n} of ${r.wait.replicas} replicas in time` };
    }
    return out;
  }

  private redisDriver(port: number): RedisDriver {
    let d = this.redis.get(port);
    if (!d) {
      const c = this.client?.redis;
      d = new RedisDriver((n) => this.host.address(n, port), {
        username: c?.username,
        password: fromEnv(c?.password_env, c?.password),
        db: c?.db,
      });
      this.redis.set(port, d);
    }
    return d;
  }

  private sqlDriver(port: number): SqlDriver | undefined {
    const c = this.client?.sql;
    if (!c) return undefined;
    let d = this.sql.get(port);
    if (!d) {
      d = new SqlDriver((n) => this.host.address(n, port), {
        driver: c.driver,
        user: c.user,
        password: fromEnv(c.password_env, c.password),
        database: c.database,
      });
      this.sql.set(port, d);
    }
    return d;
  }

  private async http(
    h: NonNullable<AnyProbe['http']>,
    node: string,
    vars: TemplateVars,
    t: number,
  ): Promise<ProbeOutcome> {
    const base = this.host.baseUrl(node, h.port ?? this.defaultPort);
    if (base === undefined) return { kind: 'unsent', error: 'node has no published port (not running)' };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(h.headers ?? {})) headers[k] = render(v, vars);
    try {
      const a = await httpExchange(
        this.agent,
        {
          url: base + render(h.path, vars),
          method: h.method,
          body: h.body === undefined ? undefined : render(h.body, vars),
          headers,
        },
        t,
      );
      const statusOk =
        h.expect_status === undefined ? a.status >= 200 && a.status < 300 : [h.expect_status].flat().includes(a.status);
      if (!statusOk) return { kind: 'mismatch', output: a.body, status: a.status, detail: `status ${a.status}` };
      if (h.match !== undefined && !new RegExp(h.match).test(a.body)) {
        return { kind: 'mismatch', output: a.body, status: a.status, detail: `answer does not match /${h.match}/` };
      }
      return { kind: 'success', output: a.body, status: a.status };
    } catch (e) {
      if (e instanceof HttpExchangeError)
        return e.sent ? { kind: 'unknown', error: e.code } : { kind: 'unsent', error: e.code };
      return { kind: 'unknown', error: (e as Error).message };
    }
  }

  private async exec(
    x: NonNullable<AnyProbe['exec']>,
    node: string,
    vars: TemplateVars,
    t: number,
  ): Promise<ProbeOutcome> {
    const id = this.host.containerId(node);
    if (id === undefined) return { kind: 'unsent', error: 'node has no container' };
    try {
      const argv = x.command.map((arg) => render(arg, vars));
      const a = this.host.exec ? await this.host.exec(node, argv, t) : await execInContainer(id, argv, t);
      const output = a.stdout + (a.stderr !== '' ? (a.stdout !== '' ? '\n' : '') + a.stderr : '');
      if (a.exitCode !== x.expect_exit) {
        return { kind: 'mismatch', output, exitCode: a.exitCode, detail: `exit code ${a.exitCode}` };
      }
      if (x.match !== undefined && !new RegExp(x.match).test(output)) {
        return { kind: 'mismatch', output, exitCode: a.exitCode, detail: `output does not match /${x.match}/` };
      }
      return { kind: 'success', output: a.stdout, exitCode: a.exitCode };
    } catch (e) {
      if (e instanceof ExecError)
        return e.started ? { kind: 'unknown', error: e.message } : { kind: 'unsent', error: e.message };
      return { kind: 'unknown', error: (e as Error).message };
    }
  }

  /** A node was restarted, destroyed or restored: its native connections are stale. */
  forget(node: string): void {
    for (const d of this.redis.values()) d.forget(node);
    for (const d of this.sql.values()) d.forget(node);
  }

  close(): void {
    this.agent.destroy();
    for (const d of this.redis.values()) d.close();
    for (const d of this.sql.values()) d.close();
  }
}

/** One line describing an outcome, for error messages. */
export function describeOutcome(o: ProbeOutcome): string {
  return describeDriverOutcome(o);
}

/** The transport a probe uses, for reports. */
export function transportOf(p: AnyProbe): string {
  return p.http ? 'http' : p.exec ? 'exec' : p.redis ? 'redis' : p.sql ? 'sql' : 'none';
}
