// What the fault agent does on its host for the resource faults (memory, cpu, io-limit;
// src/faults/resource-ops.ts): the Docker API's resource update and inspect of a node's
// container, its cgroup files (through the host's /proc at /host/proc and the host's
// /sys/fs/cgroup at /host/cgroup), the engine's OOM events, and the block device under a
// volume of the container (stat through the node's own mount of it, /host/proc/<pid>/root).
//
// Every argument is checked before anything is touched, as the nsenter op checks its
// command: a container must be a full id carrying this run's drill.run label; a pid must be
// a process in that container's cgroup; controllers, files, fields and values come from
// fixed lists (cgroup.ts READABLE / WRITABLE, RESOURCE_FIELDS). The agent keeps no state a
// heal needs: OOM events are read back from the engine's event log by time window.
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import {
  blockDeviceOf,
  cgroupVersion,
  CONTROLLERS,
  IO_LIMIT_LINE,
  READABLE,
  readCgroup,
  WRITABLE,
  writeCgroup,
  type BlockDevice,
  type CgroupRoots,
  type CgroupVersion,
  type Controller,
} from '../docker/cgroup.js';
import { LABEL } from '../docker/labels.js';
import { stateOf, updateContainer, type ContainerState } from '../docker/resources.js';

/** The Docker update fields the resource faults set: nothing else passes. */
export const RESOURCE_FIELDS: readonly string[] = ['Memory', 'MemorySwap', 'NanoCpus', 'CpuPeriod', 'CpuQuota'];

/** An OOM kill as the agent saw it in the engine's log: its instant on the agent's monotonic clock. */
export interface OomEvent {
  container: string;
  at: number;
  /** Unique per event (the engine's own time of it): the harness drops what it saw in an earlier window. */
  key: string;
}

export interface ResourceSideOptions {
  runId: string;
  docker: Docker;
  roots: CgroupRoots;
  now(): number;
  /** The host's wall clock, ms (the engine stamps events with it). */
  wallNow?(): number;
}

const FULL_ID = /^[0-9a-f]{64}$/;

export class ResourceSide {
  /** Containers already seen to carry this run's label (a container's labels never change). */
  private readonly ours = new Set<string>();

  constructor(private readonly o: ResourceSideOptions) {}

  /** Inspect `id`, refusing a container that is not this run's. */
  private async inspectOurs(id: unknown): Promise<Docker.ContainerInspectInfo> {
    if (typeof id !== 'string' || !FULL_ID.test(id)) throw new Error(`container ${JSON.stringify(id)}: not a full id`);
    const info = await this.o.docker.getContainer(id).inspect();
    if (info.Config.Labels?.[LABEL.run] !== this.o.runId)
      throw new Error(`container ${id.slice(0, 12)} is not this run's`);
    this.ours.add(id);
    return info;
  }

  /** Refuse a container that is not this run's, or a pid that is not one of its processes. */
  private async checkProcess(id: unknown, pid: unknown): Promise<{ id: string; pid: number }> {
    if (typeof id !== 'string' || !this.ours.has(id)) await this.inspectOurs(id);
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) throw new Error(`invalid pid ${String(pid)}`);
    let text: string;
    try {
      text = readFileSync(`${this.o.roots.proc}/${pid}/cgroup`, 'utf8');
    } catch {
      throw new Error(`pid ${pid}: no such process (is the node running?)`);
    }
    // Docker names a container's cgroup after its id, whatever the driver and parent.
    if (!text.includes(id as string)) throw new Error(`pid ${pid} is not in container ${(id as string).slice(0, 12)}`);
    return { id: id as string, pid };
  }

  async cgroupVersion(): Promise<CgroupVersion | null> {
    return cgroupVersion(this.o.roots.cgroup);
  }

  async readCgroup(
    id: unknown,
    pid: unknown,
    controller: unknown,
    files: unknown,
  ): Promise<Record<string, string | null>> {
    const c = controllerOf(controller);
    if (!Array.isArray(files) || files.some((f) => !READABLE[c].includes(f as string)))
      throw new Error(`cgroup files ${JSON.stringify(files)}: not among the ${c} files the resource faults read`);
    const p = await this.checkProcess(id, pid);
    return Object.fromEntries((files as string[]).map((f) => [f, readCgroup(p.pid, c, f, this.o.roots)]));
  }

  async writeCgroup(id: unknown, pid: unknown, controller: unknown, file: unknown, value: unknown): Promise<void> {
    const c = controllerOf(controller);
    if (typeof file !== 'string' || !(WRITABLE[c] ?? []).includes(file))
      throw new Error(`cgroup file ${JSON.stringify(file)}: not a ${c} file the resource faults write`);
    if (typeof value !== 'string' || !IO_LIMIT_LINE.test(value))
      throw new Error(`cgroup value ${JSON.stringify(value)}: not a block I/O limit line`);
    const p = await this.checkProcess(id, pid);
    writeCgroup(p.pid, c, file, value, this.o.roots);
  }

  async containerResources(id: unknown): Promise<ContainerState> {
    return stateOf(await this.inspectOurs(id));
  }

  async updateResources(id: unknown, fields: unknown): Promise<void> {
    const parsed = resourceFields(fields);
    await this.inspectOurs(id);
    await updateContainer(id as string, parsed, this.o.docker);
  }

  /**
   * The OOM kills of `ids` the engine logged between `since` (agent monotonic ms) and now,
   * each at its instant on the agent's monotonic clock; `until` is where the window ended.
   */
  async oomEvents(ids: unknown, since: unknown): Promise<{ events: OomEvent[]; until: number }> {
    if (!Array.isArray(ids) || ids.length === 0) throw new Error('oom-events: no containers');
    if (typeof since !== 'number' || !Number.isFinite(since)) throw new Error(`oom-events: invalid since ${since}`);
    for (const id of ids) if (!this.ours.has(id as string)) await this.inspectOurs(id);
    const mono = this.o.now();
    const wall = this.o.wallNow?.() ?? Date.now();
    const toWall = (m: number) => ((wall - (mono - m)) / 1000).toFixed(3);
    const stream = (await this.o.docker.getEvents({
      since: toWall(Math.min(since, mono)),
      until: toWall(mono),
      filters: { type: ['container'], event: ['oom'], container: ids as string[] },
    } as never)) as unknown as NodeJS.ReadableStream;
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stream.on('error', reject);
    });
    const events: OomEvent[] = [];
    for (const line of text.split('\n')) {
      let e: { id?: string; Actor?: { ID?: string }; timeNano?: number };
      try {
        e = JSON.parse(line) as typeof e;
      } catch {
        continue;
      }
      const id = e.id ?? e.Actor?.ID;
      if (id === undefined || e.timeNano === undefined) continue;
      events.push({ container: id, at: mono - (wall - e.timeNano / 1e6), key: `${id}@${e.timeNano}` });
    }
    return { events, until: mono };
  }

  async volumeDevice(id: unknown, volume: unknown): Promise<{ device: BlockDevice | null; why: string }> {
    if (typeof volume !== 'string' || volume === '') throw new Error(`volume ${JSON.stringify(volume)}: invalid`);
    const info = await this.inspectOurs(id);
    const m = (info.Mounts ?? []).find((x) => x.Type === 'volume' && x.Name === volume);
    if (m === undefined) throw new Error(`volume ${volume} is not mounted in container ${(id as string).slice(0, 12)}`);
    if (!info.State.Running || info.State.Pid <= 0) return { device: null, why: `its container is not running` };
    // The node's own mount of it: the device its filesystem lives on, as the node sees it.
    return blockDeviceOf(`${this.o.roots.proc}/${info.State.Pid}/root${m.Destination}`);
  }
}

function controllerOf(c: unknown): Controller {
  if (!CONTROLLERS.includes(c as Controller)) throw new Error(`cgroup controller ${JSON.stringify(c)}: not allowed`);
  return c as Controller;
}

/** The update's fields as sent (integers; big ones as decimal strings), or why not. */
export function resourceFields(fields: unknown): Record<string, number | bigint> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Error('update: no fields');
  const out: Record<string, number | bigint> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!RESOURCE_FIELDS.includes(k)) throw new Error(`update: field ${k} is not allowed`);
    if (typeof v === 'number' && Number.isSafeInteger(v)) out[k] = v;
    else if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) out[k] = BigInt(v);
    else throw new Error(`update: ${k} ${JSON.stringify(v)} is not an integer`);
  }
  if (Object.keys(out).length === 0) throw new Error('update: no fields');
  return out;
}
