// A client module (docs/client-modules.md): the user's own small ES module, written against
// their store's JavaScript client, carries the writes and the read-back of a custom target.
// It exports open(node) -> client; the client does write(op), read() and close(). drill
// opens one client per (node, lane), so each workload worker holds its own connection, and
// opens it again after a write that did not succeed (the connection may be broken).
//
//   open() throws (could not connect)      fail  nothing was sent
//   write() returns ok / fail / info       as returned (drill/client's ok(), fail(), info())
//   write() throws, or returns nothing     info  it may have happened
//   write() outlasts the timeout           info  (the harness stops waiting)

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FinalReadSource, ScanResult } from '../../client/final-read.js';
import type { OpRequest, OpResult, WriteClient } from '../../client/write-client.js';
import { InfraError } from '../../core/errors.js';
import type { Client, ClientModule, NodeInfo, Outcome } from '../../drivers/module-api.js';
import { idsChecksum, type WriteRouter } from './client.js';

export interface ModuleHost {
  nodeNames: readonly string[];
  /** The node's published ports (container port -> host port), empty when not running. */
  ports(node: string): Record<number, number>;
  /** The first of cluster.custom.ports. */
  mainPort: number;
  settings: Record<string, string>;
  leader(): Promise<string | null>;
}

/** Load a client module once; a missing or malformed module is an infrastructure error (exit 3). */
export async function loadClientModule(file: string, scenarioFile: string | undefined): Promise<ClientModule> {
  const abs = path.resolve(scenarioFile ? path.dirname(scenarioFile) : process.cwd(), file);
  let mod: Partial<ClientModule>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Partial<ClientModule>;
  } catch (e) {
    throw new InfraError(
      `client module ${abs} could not be loaded: ${e instanceof Error ? e.message : String(e)}`,
      'check cluster.custom.client.module (a path relative to the scenario) and its imports',
    );
  }
  if (typeof mod.open !== 'function') {
    throw new InfraError(`client module ${abs} exports no open(node) function`, 'see docs/client-modules.md');
  }
  return mod as ClientModule;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), ms);
    }),
  ]);
};

function asResult(o: Outcome | undefined): OpResult {
  if (!o || typeof o !== 'object') return { outcome: 'info', error: 'write() returned no outcome', nodeTrouble: true };
  if (o.outcome === 'ok') return o.index !== undefined ? { outcome: 'ok', index: o.index } : { outcome: 'ok' };
  if (o.outcome === 'fail') return { outcome: 'fail', error: String(o.error ?? 'refused'), nodeTrouble: true };
  return { outcome: 'info', error: String((o as { error?: unknown }).error ?? 'unknown'), nodeTrouble: true };
}

export class ModuleClients implements WriteClient, FinalReadSource {
  private readonly open = new Map<string, Promise<Client>>();

  constructor(
    private readonly mod: ClientModule,
    private readonly host: ModuleHost,
    private readonly router?: WriteRouter,
  ) {}

  private info(node: string): NodeInfo {
    const ports = this.host.ports(node);
    return { name: node, host: '127.0.0.1', ports, port: ports[this.host.mainPort] ?? 0, settings: this.host.settings };
  }

  private client(node: string, lane: string): Promise<Client> {
    const key = `${node}\u0000${lane}`;
    let c = this.open.get(key);
    if (!c) {
      if (Object.keys(this.host.ports(node)).length === 0) return Promise.reject(new Error('node not running'));
      c = Promise.resolve(this.mod.open(this.info(node)));
      this.open.set(key, c);
      c.catch(() => this.open.delete(key));
    }
    return c;
  }

  private drop(node: string, lane: string): void {
    const key = `${node}\u0000${lane}`;
    const c = this.open.get(key);
    this.open.delete(key);
    void c?.then((x) => x.close?.()).catch(() => undefined);
  }

  nodes(): string[] {
    return [...this.host.nodeNames];
  }

  route(suggested: string): Promise<string> {
    return this.router ? this.router.route(suggested) : Promise.resolve(suggested);
  }

  async perform(node: string, op: OpRequest, timeoutMs: number, lane?: number): Promise<OpResult> {
    const l = `w${lane ?? 0}`;
    let c: Client;
    try {
      const got = await withTimeout(this.client(node, l), timeoutMs);
      if (got === 'timeout') {
        this.drop(node, l);
        return { outcome: 'fail', error: 'open timed out', nodeTrouble: true };
      }
      c = got;
    } catch (e) {
      this.router?.failed(node);
      return { outcome: 'fail', error: `open: ${e instanceof Error ? e.message : String(e)}`, nodeTrouble: true };
    }
    let r: OpResult;
    try {
      const out = await withTimeout(Promise.resolve(c.write({ id: op.id, value: op.id, timeoutMs })), timeoutMs);
      r = out === 'timeout' ? { outcome: 'info', error: 'timeout', nodeTrouble: true } : asResult(out);
    } catch (e) {
      r = { outcome: 'info', error: e instanceof Error ? e.message : String(e), nodeTrouble: true };
    }
    if (r.outcome !== 'ok') {
      this.drop(node, l);
      this.router?.failed(node);
    }
    return r;
  }

  leader(): Promise<string | null> {
    return this.host.leader();
  }

  async readIds(node: string): Promise<string[]> {
    const c = await this.client(node, 'read');
    try {
      return (await c.read()).map(String);
    } catch (e) {
      this.drop(node, 'read');
      throw e;
    }
  }

  async scanAll(node: string): Promise<ScanResult> {
    return { vertices: await this.readIds(node), edges: [] };
  }

  async checksum(node: string): Promise<string | null> {
    try {
      return idsChecksum(await this.readIds(node));
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((c) => c.then((x) => x.close?.()).catch(() => undefined)));
  }
}
