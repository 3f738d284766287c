// A node on one Docker host: a container. Docker assigns a NEW random host port when a
// container starts again (checked on engine 20.10), so refresh() re-reads the port and the
// address after every start.
import type Docker from 'dockerode';
import { InfraError } from '../../core/errors.js';
import { dockerTimeToSince } from '../../docker/build.js';
import { docker, dockerStatus, errorLine, isNotFound } from '../../docker/engine.js';
import { execInContainer, type ExecAnswer } from '../../docker/exec.js';
import type { HostOps } from '../../faults/host-ops.js';
import type { NodeState } from '../../targets/target.js';
import type { EngineNode, NodeAddress } from '../engine.js';

export class DockerNode implements EngineNode {
  readonly host = 'local';

  constructor(
    readonly name: string,
    readonly resourceName: string,
    private readonly id: string,
    private readonly network: string,
    private readonly ports: readonly number[],
    private readonly ops: HostOps,
  ) {}

  containerId(): string {
    return this.id;
  }

  private async op(what: string, fn: (c: Docker.Container) => Promise<unknown>, ok: number[] = []): Promise<void> {
    try {
      await fn(docker().getContainer(this.id));
    } catch (e) {
      const s = dockerStatus(e);
      if (s !== undefined && ok.includes(s)) return;
      throw new InfraError(`${what} ${this.resourceName}: ${errorLine(e)}`);
    }
  }

  kill(signal: string): Promise<void> {
    return this.ops.kill(this.id, signal);
  }
  stop(timeoutS: number): Promise<void> {
    return this.ops.stop(this.id, timeoutS);
  }
  start(): Promise<void> {
    return this.op('start', (c) => c.start(), [304]);
  }
  restart(timeoutS: number): Promise<void> {
    return this.op('restart', (c) => c.restart({ t: timeoutS }));
  }
  pause(): Promise<void> {
    return this.ops.pause(this.id);
  }
  unpause(): Promise<void> {
    return this.ops.unpause(this.id);
  }

  async inspect(): Promise<NodeState> {
    const { at: _at, ...state } = await this.ops.inspect(this.id);
    return state;
  }

  async refresh(): Promise<NodeAddress> {
    const info = await docker().getContainer(this.id).inspect();
    const ports = new Map<number, { host: string; port: number }>();
    for (const p of this.ports) {
      const b = info.NetworkSettings.Ports?.[`${p}/tcp`]?.find((x) => x.HostIp === '127.0.0.1');
      if (b?.HostPort) ports.set(p, { host: '127.0.0.1', port: Number(b.HostPort) });
    }
    return { ip: info.NetworkSettings.Networks?.[this.network]?.IPAddress ?? '', ports };
  }

  async logsSince(): Promise<string | undefined> {
    const info = await docker().getContainer(this.id).inspect();
    // From where the previous run of this container ended; a container that has already
    // exited again (a crash at startup) is read from this run's start, so its last words
    // (a bad-config line, say) are not lost.
    return dockerTimeToSince(info.State.Running ? info.State.FinishedAt : info.State.StartedAt);
  }

  async followLogs(out: NodeJS.WritableStream, since?: string): Promise<(() => void) | null> {
    try {
      const opts = { follow: true as const, stdout: true, stderr: true, ...(since !== undefined ? { since } : {}) };
      // `since` is passed through as a string: the engine accepts "<sec>.<nanos>".
      const stream = (await docker()
        .getContainer(this.id)
        .logs(opts as unknown as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream;
      docker().modem.demuxStream(stream, out, out);
      stream.on('error', () => {});
      return () => (stream as unknown as { destroy?: () => void }).destroy?.();
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  exec(argv: string[], timeoutMs: number): Promise<ExecAnswer> {
    return execInContainer(this.id, argv, timeoutMs);
  }

  async remove(): Promise<void> {
    try {
      await docker().getContainer(this.resourceName).remove({ force: true });
    } catch (e) {
      if (!isNotFound(e)) throw new InfraError(`remove container ${this.resourceName}: ${errorLine(e)}`);
    }
  }
}
