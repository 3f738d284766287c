// The harness's side of a fault agent: HostOps over HTTP (protocol.ts), so a fault on a
// swarm node is applied exactly as on this host. On connecting it checks the agent is this
// run's and of this version, and measures its clock offset (clock-sync.ts); every answer's
// instant comes back on the harness clock. An agent that died comes back as a new task on
// another port: the client finds it again and resends what cannot have reached it (a
// refused connection), or anything that changes nothing on the host.
import type { CorruptedChunk } from '../faults/backup-storage.js';
import http from 'node:http';
import type { Clock } from '../core/clock.js';
import { InfraError } from '../core/errors.js';
import type { Netns, RemoteNetns } from '../docker/netns.js';
import type { BlockDevice, CgroupVersion, Controller } from '../docker/cgroup.js';
import type { ContainerState } from '../docker/resources.js';
import type { ContainerObservation, DiskRef, FillResult, HostOps, HostStateRemoved } from '../faults/host-ops.js';
import type { CgroupRef } from '../faults/resource-ops.js';
import { measureOffset, toHarness, type ClockOffset } from './clock-sync.js';
import { IDEMPOTENT_OPS, PROTOCOL_VERSION, type AgentAnswer, type AgentOp, type Hello } from './protocol.js';
import type { OomEvent } from './resource-side.js';

export interface AgentEndpoint {
  address: string;
  port: number;
}

export interface FaultAgentClientOptions {
  host: string;
  runId: string;
  token: string;
  clock: Clock;
  /** Where the host's agent listens now (it moves when the agent's task is replaced). */
  locate(): Promise<AgentEndpoint>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const SLOW_TIMEOUT_MS = 180_000;
const RELOCATE_FOR_MS = 30_000;
/** How often the agent is asked for OOM kills while a memory fault is in effect. */
const OOM_POLL_MS = 500;
/** Each window reaches back this far: an event the engine logs late is still seen (once). */
const OOM_OVERLAP_MS = 2_000;

class TransportError extends Error {
  constructor(
    message: string,
    /** The request cannot have reached the agent (connection refused). */
    readonly unsent: boolean,
  ) {
    super(message);
  }
}

export class FaultAgentClient implements HostOps {
  readonly host: string;
  offset: ClockOffset | undefined;
  private endpoint: AgentEndpoint | undefined;
  private readonly http = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly namespaces = new Map<number, RemoteNetns>();
  private version: Promise<CgroupVersion | null> | undefined;

  constructor(private readonly o: FaultAgentClientOptions) {
    this.host = o.host;
  }

  /** Find the agent (waiting until it listens), check it is this run's, measure its clock. */
  async connect(): Promise<void> {
    const deadline = this.o.clock.now() + RELOCATE_FOR_MS;
    let hello: Hello;
    for (;;) {
      try {
        this.endpoint = await this.o.locate();
        hello = (await this.send({ op: 'hello' }, 5000)).value as Hello;
        break;
      } catch (e) {
        // A task that runs may not listen yet (its runtime is starting).
        if (!(e instanceof TransportError) || this.o.clock.now() > deadline)
          throw new InfraError(
            `fault agent on ${this.host} does not answer: ${e instanceof Error ? e.message : String(e)}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (hello.version !== PROTOCOL_VERSION)
      throw new InfraError(`fault agent on ${this.host} speaks version ${hello.version}, not ${PROTOCOL_VERSION}`);
    if (hello.run !== this.o.runId || hello.host !== this.host)
      throw new InfraError(`fault agent at ${this.describe()} is run ${hello.run}'s on ${hello.host}, not this one`);
    this.offset = await measureOffset(
      () => this.o.clock.now(),
      async () => (await this.send({ op: 'clock' }, 5000)).value as number,
    );
  }

  private describe(): string {
    return this.endpoint ? `${this.endpoint.address}:${this.endpoint.port}` : `(${this.host}: not located)`;
  }

  private send(op: AgentOp, timeoutMs: number): Promise<AgentAnswer & { ok: true }> {
    const ep = this.endpoint;
    if (!ep) return Promise.reject(new TransportError(`fault agent on ${this.host} not located`, true));
    const body = JSON.stringify(op);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: ep.address,
          port: ep.port,
          method: 'POST',
          path: '/v1/op',
          agent: this.http,
          headers: {
            authorization: `Bearer ${this.o.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let a: AgentAnswer;
            try {
              a = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AgentAnswer;
            } catch {
              return reject(new InfraError(`fault agent on ${this.host}: ${res.statusCode} with no JSON answer`));
            }
            if (!a.ok) return reject(new InfraError(`fault agent on ${this.host}: ${op.op}: ${a.error}`));
            resolve(a);
          });
          res.on('error', (e) => reject(new TransportError(e.message, false)));
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) =>
        reject(new TransportError(`${this.describe()}: ${e.message}`, e.code === 'ECONNREFUSED')),
      );
      req.end(body);
    });
  }

  /** One operation; its value and its instant on the harness clock. */
  private async call<T>(op: AgentOp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ value: T; at: number }> {
    const deadline = this.o.clock.now() + RELOCATE_FOR_MS;
    for (;;) {
      try {
        if (!this.endpoint || !this.offset) await this.connect();
        const a = await this.send(op, timeoutMs);
        return { value: a.value as T, at: toHarness(a.at, this.offset!) };
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        const again = e.unsent || IDEMPOTENT_OPS.has(op.op);
        if (!again || this.o.clock.now() > deadline)
          throw new InfraError(
            `fault agent on ${this.host}: ${op.op}: ${e.message}`,
            'is its task running? drill cleanup',
          );
        // The agent may have been replaced: find it again.
        this.endpoint = undefined;
        this.offset = undefined;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async kill(container: string, signal: string): Promise<void> {
    await this.call({ op: 'kill', container, signal });
  }
  async stop(container: string, timeoutS: number): Promise<void> {
    await this.call({ op: 'stop', container, timeoutS }, (timeoutS + 30) * 1000);
  }
  async pause(container: string): Promise<void> {
    await this.call({ op: 'pause', container });
  }
  async unpause(container: string): Promise<void> {
    await this.call({ op: 'unpause', container });
  }

  async inspect(container: string): Promise<ContainerObservation> {
    const r = await this.call<Omit<ContainerObservation, 'at'>>({ op: 'inspect', container });
    return { ...r.value, at: r.at };
  }

  netns(pid: number): Netns {
    let ns = this.namespaces.get(pid);
    if (!ns) {
      // One object per pid: callers compare namespaces by identity (is the node still the same?).
      ns = {
        host: this.host,
        pid,
        run: async (cmd, args, input) =>
          (
            await this.call<{ stdout: string; stderr: string }>({
              op: 'netns',
              pid,
              cmd,
              args,
              ...(input !== undefined ? { input } : {}),
            })
          ).value,
      };
      this.namespaces.set(pid, ns);
    }
    return ns;
  }

  async initClocks(_runId: string, nodes: readonly string[]): Promise<void> {
    await this.call({ op: 'init-clocks', nodes: [...nodes] });
  }
  async setClockOffset(_runId: string, node: string, offsetS: number): Promise<void> {
    await this.call({ op: 'clock-offset', node, offsetS });
  }
  async boundedDisk(_runId: string, key: string, sizeMb: number): Promise<string> {
    return (await this.call<string>({ op: 'bounded-disk', key, sizeMb }, SLOW_TIMEOUT_MS)).value;
  }
  async fillDisk(_runId: string, disk: DiskRef): Promise<FillResult> {
    return (await this.call<FillResult>({ op: 'fill-disk', disk }, SLOW_TIMEOUT_MS)).value;
  }
  async unfillDisk(_runId: string, disk: DiskRef): Promise<void> {
    await this.call({ op: 'unfill-disk', disk }, SLOW_TIMEOUT_MS);
  }
  async diskFree(_runId: string, disk: DiskRef): Promise<number | null> {
    return (await this.call<number | null>({ op: 'disk-free', disk })).value;
  }
  async makeRepository(name: string): Promise<void> {
    await this.call({ op: 'make-repository', name });
  }
  async removeRepository(name: string): Promise<void> {
    await this.call({ op: 'remove-repository', name }, SLOW_TIMEOUT_MS);
  }
  /** Not idempotent (a second flip undoes the first): never resent after a lost connection. */
  async corruptRepository(name: string): Promise<CorruptedChunk> {
    return (await this.call<CorruptedChunk>({ op: 'corrupt-repository', name }, SLOW_TIMEOUT_MS)).value;
  }
  async removeRunState(_runId: string): Promise<HostStateRemoved> {
    return (await this.call<HostStateRemoved>({ op: 'remove-run-state' }, SLOW_TIMEOUT_MS)).value;
  }

  // -- the resource faults' operations (src/faults/resource-ops.ts) --

  cgroupVersion(): Promise<CgroupVersion | null> {
    // A host's cgroup hierarchy does not change during a run.
    this.version ??= this.call<CgroupVersion | null>({ op: 'cgroup-version' }).then((r) => r.value);
    this.version.catch(() => (this.version = undefined));
    return this.version;
  }
  async readCgroup(c: CgroupRef, controller: Controller, files: readonly string[]) {
    const op: AgentOp = { op: 'cgroup-read', container: c.id, pid: c.pid, controller, files: [...files] };
    return (await this.call<Record<string, string | null>>(op)).value;
  }
  async writeCgroup(c: CgroupRef, controller: Controller, file: string, value: string): Promise<void> {
    await this.call({ op: 'cgroup-write', container: c.id, pid: c.pid, controller, file, value });
  }
  async containerResources(container: string): Promise<ContainerState> {
    return (await this.call<ContainerState>({ op: 'container-resources', container })).value;
  }
  async updateResources(container: string, fields: Record<string, number | bigint>): Promise<void> {
    const sent = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]));
    await this.call({ op: 'update-resources', container, fields: sent });
  }
  async volumeDevice(container: string, volume: string): Promise<{ device: BlockDevice | null; why: string }> {
    return (await this.call<{ device: BlockDevice | null; why: string }>({ op: 'volume-device', container, volume }))
      .value;
  }

  /**
   * OOM kills, polled from the agent (it reads the engine's event log by time window, so an
   * agent replaced meanwhile still answers): each at its instant on the harness clock. The
   * returned stop asks once more, for what happened since the last poll.
   */
  async watchOom(
    containers: readonly string[],
    onOom: (container: string, at: number | undefined) => void,
  ): Promise<() => Promise<void>> {
    const ids = [...containers];
    const start = (await this.call<number>({ op: 'clock' })).value;
    let next = start;
    const seen = new Set<string>();
    const poll = async () => {
      const since = Math.max(start, next - OOM_OVERLAP_MS);
      const r = await this.call<{ events: OomEvent[]; until: number }>({ op: 'oom-events', containers: ids, since });
      for (const e of r.value.events) {
        if (seen.has(e.key) || e.at < start) continue;
        seen.add(e.key);
        onOom(e.container, this.offset ? toHarness(e.at, this.offset) : undefined);
      }
      next = r.value.until;
    };
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const loop = () => {
      timer = setTimeout(() => {
        // A failed poll is retried by the next one, over the same window.
        running = poll()
          .catch(() => undefined)
          .finally(() => {
            if (!stopped) loop();
          });
      }, OOM_POLL_MS);
    };
    loop();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await poll().catch(() => undefined);
    };
  }

  close(): void {
    this.http.destroy();
  }
}
