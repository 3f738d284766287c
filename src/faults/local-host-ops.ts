// The host-side operations done by this process, on the Docker host it runs on (one-host
// drills): the engine's API for containers, nsenter for namespaces, the run's state dir for
// offset files and disk images (host-state.ts), loop devices for bounded disks
// (bounded-disk.ts). A swarm's fault agent implements the same interface on its own host
// (src/agent/agent-host-ops.ts).
import type Docker from 'dockerode';
import type { Clock } from '../core/clock.js';
import { InfraError } from '../core/errors.js';
import { docker, dockerStatus, errorLine } from '../docker/engine.js';
import type { Netns } from '../docker/netns.js';
import { BoundedDisks } from './bounded-disk.js';
import { initFaketime, removeRunState, writeOffset } from './host-state.js';
import type { ContainerObservation, DiskRef, FillResult, HostOps, HostStateRemoved } from './host-ops.js';
import { localResourceOps } from './local-resource-ops.js';
import type { ResourceOps } from './resource-ops.js';

export class LocalHostOps implements HostOps {
  readonly host = 'local';
  private readonly disks = new Map<string, BoundedDisks>();

  constructor(
    private readonly clock: Clock,
    private readonly client: () => Docker = docker,
  ) {}

  private async op(what: string, id: string, fn: (c: Docker.Container) => Promise<unknown>, ok: number[] = []) {
    try {
      await fn(this.client().getContainer(id));
    } catch (e) {
      const s = dockerStatus(e);
      if (s !== undefined && ok.includes(s)) return;
      throw new InfraError(`${what} ${id.slice(0, 12)}: ${errorLine(e)}`);
    }
  }

  kill(container: string, signal: string): Promise<void> {
    return this.op('kill', container, (c) => c.kill({ signal }));
  }
  stop(container: string, timeoutS: number): Promise<void> {
    return this.op('stop', container, (c) => c.stop({ t: timeoutS }), [304]);
  }
  pause(container: string): Promise<void> {
    return this.op('pause', container, (c) => c.pause());
  }
  unpause(container: string): Promise<void> {
    return this.op('unpause', container, (c) => c.unpause());
  }

  async inspect(container: string): Promise<ContainerObservation> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.client().getContainer(container).inspect();
    } catch (e) {
      throw new InfraError(`inspect ${container.slice(0, 12)}: ${errorLine(e)}`);
    }
    const s = info.State;
    return {
      running: s.Running,
      paused: s.Paused,
      pid: s.Running && s.Pid > 0 ? s.Pid : null,
      exitCode: s.Running ? null : s.ExitCode,
      at: this.clock.now(),
    };
  }

  netns(pid: number): Netns {
    return pid;
  }

  async initClocks(runId: string, nodes: readonly string[]): Promise<void> {
    initFaketime(runId, nodes);
  }

  async setClockOffset(runId: string, node: string, offsetS: number): Promise<void> {
    writeOffset(runId, node, offsetS);
  }

  private bounded(runId: string, sizeMb?: number): BoundedDisks {
    let d = this.disks.get(runId);
    if (!d) {
      if (sizeMb === undefined) throw new InfraError('disk-full: the data volumes are not size-bounded');
      d = new BoundedDisks(runId, sizeMb);
      this.disks.set(runId, d);
    }
    return d;
  }

  boundedDisk(runId: string, key: string, sizeMb: number): Promise<string> {
    return this.bounded(runId, sizeMb).device(key);
  }

  fillDisk(runId: string, disk: DiskRef): Promise<FillResult> {
    return this.bounded(runId).fill(disk.key, disk.volume);
  }

  async unfillDisk(runId: string, disk: DiskRef): Promise<void> {
    await this.disks.get(runId)?.unfill(disk.key, disk.volume);
  }

  diskFree(runId: string, disk: DiskRef): Promise<number | null> {
    return this.bounded(runId).free(disk.volume);
  }

  async removeRunState(runId: string): Promise<HostStateRemoved> {
    this.disks.delete(runId);
    return removeRunState(runId);
  }

  // The resource faults' operations: the same on every local host (local-resource-ops.ts).
  readonly cgroupVersion = localResourceOps.cgroupVersion;
  readonly readCgroup = localResourceOps.readCgroup;
  readonly writeCgroup = localResourceOps.writeCgroup;
  readonly containerResources = localResourceOps.containerResources;
  readonly updateResources = localResourceOps.updateResources;
  readonly watchOom: ResourceOps['watchOom'] = (c, on) => localResourceOps.watchOom(c, on);
  readonly volumeDevice = localResourceOps.volumeDevice;
}
