// Find and remove what drills left in Docker. Selection is by label only, and every
// candidate is re-checked client-side for `drill.managed=true` before removal: nothing
// without that label is ever touched.
import { clearIoThrottles } from './cgroup.js';
import { docker, errorLine, isNotFound } from './engine.js';
import { LABEL, drillFilters, isDrillManaged } from './labels.js';

export interface DrillContainerInfo {
  id: string;
  name: string;
  runId: string | undefined;
  role: string | undefined;
  node: string | undefined;
  state: string;
}

export interface DrillNamedInfo {
  id: string;
  name: string;
  runId: string | undefined;
}

export interface DrillResources {
  containers: DrillContainerInfo[];
  networks: DrillNamedInfo[];
  volumes: DrillNamedInfo[];
}

export interface RemovedCounts {
  containers: number;
  networks: number;
  volumes: number;
  /** One line per resource that could not be removed (already-gone ones are not errors). */
  errors: string[];
}

/** Drill-labelled containers, networks and volumes: of one run, or of every run. */
export async function listDrillResources(runId?: string): Promise<DrillResources> {
  const d = docker();
  const filters = drillFilters(runId);
  const [cs, ns, vs] = await Promise.all([
    d.listContainers({ all: true, filters }),
    d.listNetworks({ filters }),
    d.listVolumes({ filters }),
  ]);
  const sameRun = (labels: Record<string, string> | null | undefined) =>
    isDrillManaged(labels) && (runId === undefined || labels?.[LABEL.run] === runId);
  return {
    containers: cs
      .filter((c) => sameRun(c.Labels))
      .map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        runId: c.Labels[LABEL.run],
        role: c.Labels[LABEL.role],
        node: c.Labels[LABEL.node],
        state: c.State,
      })),
    networks: ns
      .filter((n) => sameRun(n.Labels))
      .map((n) => ({ id: n.Id, name: n.Name, runId: n.Labels?.[LABEL.run] })),
    volumes: (vs.Volumes ?? [])
      .filter((v) => sameRun(v.Labels))
      .map((v) => ({ id: v.Name, name: v.Name, runId: v.Labels?.[LABEL.run] })),
  };
}

/**
 * Remove drill resources (containers forcibly, then networks, then volumes) of one run,
 * or of all runs when no id is given. Returns what was removed; never throws for
 * resources that are already gone, and reports other failures in `errors`.
 */
export async function removeRunResources(runId?: string): Promise<RemovedCounts> {
  const d = docker();
  const res = await listDrillResources(runId);
  const out: RemovedCounts = { containers: 0, networks: 0, volumes: 0, errors: [] };
  const attempt = async (what: string, fn: () => Promise<unknown>, count: () => void) => {
    try {
      await fn();
      count();
    } catch (e) {
      if (!isNotFound(e)) out.errors.push(`remove ${what}: ${errorLine(e)}`);
    }
  };
  await Promise.all(
    res.containers.map((c) =>
      attempt(
        `container ${c.name}`,
        async () => {
          await liftIoThrottles(c.id);
          await d.getContainer(c.id).remove({ force: true, v: false });
        },
        () => out.containers++,
      ),
    ),
  );
  await Promise.all(
    res.networks.map((n) =>
      attempt(
        `network ${n.name}`,
        () => d.getNetwork(n.id).remove(),
        () => out.networks++,
      ),
    ),
  );
  await Promise.all(
    res.volumes.map((v) =>
      attempt(
        `volume ${v.name}`,
        async () => {
          // A harness killed during a read-only repository fault leaves the volume's files
          // immutable (chattr +i), which the engine cannot delete: lift it first. Only our
          // own labelled volumes get here.
          await makeMutable(v.name);
          await d.getVolume(v.name).remove();
        },
        () => out.volumes++,
      ),
    ),
  );
  return out;
}

async function makeMutable(volume: string): Promise<void> {
  const info = (await docker()
    .getVolume(volume)
    .inspect()
    .catch(() => null)) as { Mountpoint?: string } | null;
  const mp = info?.Mountpoint;
  if (!mp) return;
  const { execa } = await import('execa');
  await execa('chattr', ['-R', '-i', mp], { reject: false });
}

/**
 * A harness killed during an io-limit fault leaves the container's block I/O throttled, and a
 * process waiting on throttled I/O may not die when the engine kills it: lift the limits
 * first. Only our own labelled containers get here.
 */
async function liftIoThrottles(id: string): Promise<void> {
  const info = await docker()
    .getContainer(id)
    .inspect()
    .catch(() => null);
  const pid = info?.State.Running ? info.State.Pid : 0;
  if (pid > 0) {
    try {
      clearIoThrottles(pid);
    } catch {
      // best effort: the removal below is what matters
    }
  }
}
