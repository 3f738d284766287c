// Swarm services and their tasks as drill uses them: one task per node service (or one per
// host for the agent), read from the manager. A task's container, its address on a network
// and its published ports (host mode: on the task's own host) are what the harness needs.
import type Docker from 'dockerode';
import { sleep } from '../../core/clock.js';
import { InfraError } from '../../core/errors.js';
import { errorLine, isNotFound } from '../../docker/engine.js';

export interface TaskView {
  id: string;
  nodeId: string;
  state: string;
  desired: string;
  err: string;
  containerId: string;
  /** Network name or id -> the task's address on it. */
  addresses: Map<string, string>;
  /** Container port -> published port on the task's host. */
  ports: Map<number, number>;
  createdAt: string;
}

interface RawTask {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Status?: {
    State?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string };
    PortStatus?: { Ports?: Array<{ TargetPort?: number; PublishedPort?: number }> };
  };
  NetworksAttachments?: Array<{ Network?: { ID?: string; Spec?: { Name?: string } }; Addresses?: string[] }>;
}

function view(t: RawTask): TaskView {
  const addresses = new Map<string, string>();
  for (const a of t.NetworksAttachments ?? []) {
    const ip = (a.Addresses?.[0] ?? '').replace(/\/\d+$/, '');
    if (a.Network?.Spec?.Name) addresses.set(a.Network.Spec.Name, ip);
    if (a.Network?.ID) addresses.set(a.Network.ID, ip);
  }
  const ports = new Map<number, number>();
  for (const p of t.Status?.PortStatus?.Ports ?? []) {
    if (p.TargetPort !== undefined && p.PublishedPort) ports.set(p.TargetPort, p.PublishedPort);
  }
  return {
    id: t.ID,
    nodeId: t.NodeID ?? '',
    state: t.Status?.State ?? '',
    desired: t.DesiredState ?? '',
    err: t.Status?.Err ?? '',
    containerId: t.Status?.ContainerStatus?.ContainerID ?? '',
    addresses,
    ports,
    createdAt: t.CreatedAt ?? '',
  };
}

export async function serviceTasks(manager: Docker, serviceId: string): Promise<TaskView[]> {
  const ts = (await manager.listTasks({ filters: { service: [serviceId] } })) as RawTask[];
  return ts.map(view).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface WaitOptions {
  /** How many running tasks (a global service: one per host). Default 1. */
  count?: number;
  /** Tasks that were there before (a replaced task): not the one waited for. */
  ignore?: ReadonlySet<string>;
  /** A task that failed (or was rejected) is the end: the service does not restart it. */
  failFast?: boolean;
  timeoutMs?: number;
}

/** The service's running tasks (desired and actual), newest first, once there are enough of them. */
export async function waitRunningTasks(
  manager: Docker,
  serviceId: string,
  what: string,
  o: WaitOptions = {},
): Promise<TaskView[]> {
  const timeoutMs = o.timeoutMs ?? 90_000;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const all = (await serviceTasks(manager, serviceId)).filter((t) => !o.ignore?.has(t.id));
    const running = all.filter((t) => t.desired === 'running' && t.state === 'running' && t.containerId !== '');
    if (running.length >= (o.count ?? 1)) return running;
    const failed = all.find((t) => ['failed', 'rejected'].includes(t.state));
    if (failed && o.failFast) throw new InfraError(`${what}: task ${failed.state}: ${failed.err || 'no reason given'}`);
    if (performance.now() > deadline) {
      const states = all.map((t) => `${t.state}${t.err ? ` (${t.err})` : ''}`).join(', ') || 'no task';
      throw new InfraError(`${what}: not running within ${timeoutMs} ms (${states})`);
    }
    await sleep(100);
  }
}

/** Replace the service's task with a new one (`docker service update --force`). */
export async function forceUpdate(manager: Docker, serviceId: string): Promise<void> {
  const svc = manager.getService(serviceId);
  const info = (await svc.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
  const spec = info.Spec as { TaskTemplate: { ForceUpdate?: number } };
  spec.TaskTemplate.ForceUpdate = (spec.TaskTemplate.ForceUpdate ?? 0) + 1;
  await svc.update({ version: info.Version.Index, ...info.Spec } as unknown as Docker.ServiceSpec);
}

export async function removeService(manager: Docker, idOrName: string): Promise<boolean> {
  try {
    await manager.getService(idOrName).remove();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw new InfraError(`remove service ${idOrName}: ${errorLine(e)}`);
  }
}

/**
 * Remove, now, the containers with these labels on a host (a removed service's task): the
 * swarm would stop it gracefully, then reap it seconds later (6-7 s per node on the test
 * fixture); a teardown needs neither, as one host's `docker rm -f` does not. Errors (gone
 * already, removal in progress) are left to waitNoContainers to settle.
 */
export async function removeContainersNow(d: Docker, labels: string[]): Promise<void> {
  const cs = await d.listContainers({ all: true, filters: { label: labels } }).catch(() => []);
  await Promise.all(
    cs.map((c) =>
      d
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** Wait until the host has no container with these labels (a removed service's task is gone). */
export async function waitNoContainers(d: Docker, labels: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const cs = await d.listContainers({ all: true, filters: { label: labels } });
    if (cs.length === 0) return;
    if (performance.now() > deadline) {
      // Not gone by itself (a stuck stop): remove it, as `docker rm -f` would.
      await Promise.all(
        cs.map((c) =>
          d
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
      return;
    }
    await sleep(100);
  }
}
