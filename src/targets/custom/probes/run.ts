// Running one probe of a custom target against one node: render its templates, send the
// HTTP request or run the command, and say what came of it.
//
//   success   answered, status (or exit code) as expected, output matches `match`
//   mismatch  answered, but not as expected (the status, exit code and output are kept)
//   unsent    nothing reached the node: no published port, connection refused, container
//             stopped or paused (the engine refuses the exec): certainly no effect
//   unknown   sent, then timeout or connection lost: it may have had an effect

import type http from 'node:http';
import type { ProbeSpec } from '../../../scenario/custom-schema.js';
import { render, type TemplateVars } from '../templates.js';
import { ExecError, execInContainer } from '../../../docker/exec.js';
import { HttpExchangeError, httpExchange, newAgent } from '../../../client/http-exchange.js';

export type ProbeOutcome =
  | { kind: 'success'; output: string; status?: number; exitCode?: number }
  | { kind: 'mismatch'; output: string; status?: number; exitCode?: number; detail: string }
  | { kind: 'unsent'; error: string }
  | { kind: 'unknown'; error: string };

/** Where a node can be reached right now (both change when a container starts again). */
export interface ProbeHost {
  /** http://127.0.0.1:<host port> for a container port of a node; undefined when not published now. */
  baseUrl(node: string, containerPort: number): string | undefined;
  containerId(node: string): string | undefined;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 2000;

/** Any probe shape: the output of the probe schemas all share http / exec / timeout. */
export type AnyProbe = Pick<ProbeSpec, 'http' | 'exec' | 'timeout'>;

export class ProbeRunner {
  private readonly agent: http.Agent = newAgent();

  constructor(
    private readonly host: ProbeHost,
    /** The first of cluster.custom.ports: the port of an http probe that names none. */
    private readonly defaultPort: number,
  ) {}

  async run(probe: AnyProbe, node: string, vars: TemplateVars, timeoutMs?: number): Promise<ProbeOutcome> {
    const t = timeoutMs ?? probe.timeout ?? DEFAULT_PROBE_TIMEOUT_MS;
    if (probe.http) {
      const h = probe.http;
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
          h.expect_status === undefined
            ? a.status >= 200 && a.status < 300
            : [h.expect_status].flat().includes(a.status);
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
    if (probe.exec) {
      const x = probe.exec;
      const id = this.host.containerId(node);
      if (id === undefined) return { kind: 'unsent', error: 'node has no container' };
      try {
        const a = await execInContainer(
          id,
          x.command.map((arg) => render(arg, vars)),
          t,
        );
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
    return { kind: 'unsent', error: 'probe has neither http nor exec' };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One line describing an outcome, for error messages. */
export function describeOutcome(o: ProbeOutcome): string {
  switch (o.kind) {
    case 'success':
      return 'succeeded';
    case 'mismatch': {
      const out = o.output.trim().replace(/\s+/g, ' ');
      return `${o.detail}${out !== '' ? `: ${out.length > 160 ? `${out.slice(0, 160)}…` : out}` : ''}`;
    }
    case 'unsent':
      return `not reached (${o.error})`;
    case 'unknown':
      return `no answer (${o.error})`;
  }
}
