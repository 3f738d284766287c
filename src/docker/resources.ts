// A container's resource limits through the Docker API (what `docker update` sets), and its
// OOM events. Limits go through Docker rather than straight into the cgroup so that they
// hold as a real deployment's would: a node restarted while limited is limited again.
//
// Docker reads 0 as "leave unchanged" and refuses -1 for memory, so a limit, once set, can
// only be lifted by setting the exact value the kernel shows for "unlimited"; update() sends
// integers verbatim (bigint), which JSON.stringify cannot.
import type Docker from 'dockerode';
import { docker, errorLine } from './engine.js';
import { watchContainerEvents } from './events.js';

export interface ContainerState {
  pid: number | null;
  running: boolean;
  /** The main process was killed by the kernel's OOM killer (Docker's State.OOMKilled). */
  oomKilled: boolean;
  memory: number;
  memorySwap: number;
  nanoCpus: number;
  cpuQuota: number;
  cpuPeriod: number;
}

/** `d`: the engine of the container's host (a fault agent's own); default this machine's. */
export async function containerState(id: string, d: Docker = docker()): Promise<ContainerState> {
  const i = await d.getContainer(id).inspect();
  return stateOf(i);
}

/** The resource settings of an inspected container. */
export function stateOf(i: Docker.ContainerInspectInfo): ContainerState {
  const h = i.HostConfig;
  return {
    pid: i.State.Running && i.State.Pid > 0 ? i.State.Pid : null,
    running: i.State.Running,
    oomKilled: i.State.OOMKilled,
    memory: h.Memory ?? 0,
    memorySwap: h.MemorySwap ?? 0,
    nanoCpus: h.NanoCpus ?? 0,
    cpuQuota: h.CpuQuota ?? 0,
    cpuPeriod: h.CpuPeriod ?? 0,
  };
}

/** POST /containers/{id}/update with these resource fields (integers sent exactly). */
export async function updateContainer(
  id: string,
  fields: Record<string, number | bigint>,
  d: Docker = docker(),
): Promise<void> {
  const body = JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}` : v)).replace(
    /"\\u0000(-?\d+)"/g,
    '$1',
  );
  await new Promise<void>((resolve, reject) => {
    d.modem.dial(
      {
        path: `/containers/${id}/update`,
        method: 'POST',
        file: Buffer.from(body),
        headers: { 'Content-Type': 'application/json' },
        statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
      },
      (err: unknown) =>
        err ? reject(new Error(`docker update ${body}: ${errorLine(err)}`, { cause: err })) : resolve(),
    );
  });
}

/**
 * Call `onOom` with the container id each time Docker reports an OOM in one of `ids` (any
 * process of the container killed by the OOM killer). Returns the function that stops
 * watching. Events arrive within milliseconds; the caller stamps them on its own clock.
 */
export async function watchOom(ids: readonly string[], onOom: (id: string) => void): Promise<() => void> {
  const w = await watchContainerEvents(ids, ['oom'], (id) => onOom(id));
  return () => w.stop();
}

/** Where a named volume's data lives on the host. */
export async function volumePath(volume: string): Promise<string> {
  const v = await docker().getVolume(volume).inspect();
  if (!v.Mountpoint) throw new Error(`volume ${volume} has no host mountpoint`);
  return v.Mountpoint;
}
