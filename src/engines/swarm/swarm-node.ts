// A node on a swarm: a service with one task pinned to its host (restart condition none: a
// killed node stays down until a step starts it). Signals, pause and inspect go to the
// fault agent of that host, which sees the container's process exit in the host's /proc;
// starting a node again is a new task of its service (`service update --force`): a task
// that ended cannot be started again (its network attachment is released), so the node
// comes back as a new container on the same host, from the same volumes, with a new
// address and a new published port, which refresh() reads.
import type Docker from 'dockerode';
import { InfraError } from '../../core/errors.js';
import { dockerTimeToSince } from '../../docker/build.js';
import { errorLine, isNotFound } from '../../docker/engine.js';
import { execInContainer, type ExecAnswer } from '../../docker/exec.js';
import type { HostOps } from '../../faults/host-ops.js';
import type { NodeState } from '../../targets/target.js';
import type { EngineNode, NodeAddress } from '../engine.js';
import type { SwarmHost } from './hosts.js';
import {
  forceUpdate,
  removeContainersNow,
  removeService,
  serviceTasks,
  waitNoContainers,
  waitRunningTasks,
  type TaskView,
} from './tasks.js';

export class SwarmNode implements EngineNode {
  readonly host: string;
  private task: TaskView | undefined;
  private followed = '';

  constructor(
    readonly name: string,
    readonly resourceName: string,
    private readonly serviceId: string,
    private readonly where: SwarmHost,
    private readonly network: string,
    private readonly manager: Docker,
    private readonly ops: HostOps,
  ) {
    this.host = where.hostname;
  }

  /** Wait for the service's (next) task to run. */
  async awaitTask(ignore: ReadonlySet<string> = new Set()): Promise<void> {
    const [t] = await waitRunningTasks(this.manager, this.serviceId, `node ${this.name} on ${this.host}`, {
      ignore,
      failFast: true,
    });
    this.task = t;
  }

  containerId(): string {
    return this.task?.containerId ?? '';
  }

  private cid(what: string): string {
    const id = this.containerId();
    if (id === '') throw new InfraError(`${what} ${this.resourceName}: the node has no task`);
    return id;
  }

  kill(signal: string): Promise<void> {
    return this.ops.kill(this.cid('kill'), signal);
  }
  stop(timeoutS: number): Promise<void> {
    return this.ops.stop(this.cid('stop'), timeoutS);
  }
  pause(): Promise<void> {
    return this.ops.pause(this.cid('pause'));
  }
  unpause(): Promise<void> {
    return this.ops.unpause(this.cid('unpause'));
  }

  async inspect(): Promise<NodeState> {
    if (this.containerId() === '') return { running: false, paused: false, pid: null, exitCode: null };
    try {
      const { at, ...state } = await this.ops.inspect(this.containerId());
      return { ...state, observedT: at };
    } catch (e) {
      // The task's container was removed by the swarm (task history): the node is down.
      if (/no such container/i.test(errorLine(e))) return { running: false, paused: false, pid: null, exitCode: null };
      throw e;
    }
  }

  async start(): Promise<void> {
    if ((await this.inspect()).running) return;
    const before = new Set((await serviceTasks(this.manager, this.serviceId)).map((t) => t.id));
    try {
      await forceUpdate(this.manager, this.serviceId);
    } catch (e) {
      throw new InfraError(`start ${this.resourceName}: ${errorLine(e)}`);
    }
    await this.awaitTask(before);
  }

  async restart(timeoutS: number): Promise<void> {
    await this.stop(timeoutS);
    await this.start();
  }

  async refresh(): Promise<NodeAddress> {
    const t = (await serviceTasks(this.manager, this.serviceId)).find(
      (x) => x.desired === 'running' && x.state === 'running',
    );
    if (t) this.task = t;
    const ports = new Map<number, { host: string; port: number }>();
    for (const [target, published] of t?.ports ?? []) ports.set(target, { host: this.where.address, port: published });
    return { ip: t?.addresses.get(this.network) ?? '', ports };
  }

  async logsSince(): Promise<string | undefined> {
    const id = this.containerId();
    // A new task is a new container: all of its output is new.
    if (id === '' || id !== this.followed) return undefined;
    const info = await this.where.docker.getContainer(id).inspect();
    return dockerTimeToSince(info.State.Running ? info.State.FinishedAt : info.State.StartedAt);
  }

  async followLogs(out: NodeJS.WritableStream, since?: string): Promise<(() => void) | null> {
    const id = this.containerId();
    if (id === '') return null;
    try {
      const opts = { follow: true as const, stdout: true, stderr: true, ...(since !== undefined ? { since } : {}) };
      const stream = (await this.where.docker
        .getContainer(id)
        .logs(opts as unknown as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream;
      this.where.docker.modem.demuxStream(stream, out, out);
      stream.on('error', () => {});
      this.followed = id;
      return () => (stream as unknown as { destroy?: () => void }).destroy?.();
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  exec(argv: string[], timeoutMs: number): Promise<ExecAnswer> {
    return execInContainer(this.cid('exec in'), argv, timeoutMs, this.where.docker);
  }

  /** Remove the service and its task's container on its host, and wait until it is gone (its volumes can go then). */
  async remove(): Promise<void> {
    const labels = [`com.docker.swarm.service.id=${this.serviceId}`];
    await removeService(this.manager, this.serviceId);
    await removeContainersNow(this.where.docker, labels);
    await waitNoContainers(this.where.docker, labels);
    this.task = undefined;
  }
}
