// After every fault test: nothing of ours may be left. For the given run ids: no
// containers, networks or volumes; no loop devices or state files (skew offsets) on the
// host; no link proxy listening in this process. For every drill-managed container still
// running (other runs may be live on a shared engine): no iptables rule tagged drill:<run>
// of ours, no qdisc but the default, not paused, no memory / cpu / block I/O limit. Only
// drill-labelled containers are inspected.
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ioThrottles } from '../../src/docker/cgroup.js';
import { listDrillResources } from '../../src/docker/cleanup.js';
import { docker } from '../../src/docker/engine.js';
import { drillFilters } from '../../src/docker/labels.js';
import { loopDevicesUnder, runStateDir } from '../../src/faults/host-state.js';
import { liveLinkProxies } from '../../src/faults/link-proxy.js';

export interface AuditFinding {
  what: string;
  detail: string;
}

async function nsenter(pid: number, cmd: string[]): Promise<string> {
  const r = await execa('nsenter', ['-t', String(pid), '-n', ...cmd], { reject: false });
  return r.stdout;
}

/** Findings inside running drill containers of these runs (rules, qdiscs, paused). */
export async function auditContainers(runIds: string[]): Promise<AuditFinding[]> {
  const out: AuditFinding[] = [];
  const cs = await docker().listContainers({ all: true, filters: drillFilters() });
  for (const c of cs) {
    const info = await docker()
      .getContainer(c.Id)
      .inspect()
      .catch(() => null);
    if (!info) continue;
    const name = info.Name.replace(/^\//, '');
    const run = c.Labels['drill.run'] ?? '';
    if (!runIds.includes(run)) continue;
    if (info.State.Paused) out.push({ what: 'paused container', detail: name });
    const h = info.HostConfig;
    // A healed memory limit is Docker's "unlimited" value (2^63 - 4096), never 0 again.
    const limited = [
      (h.Memory ?? 0) > 0 && (h.Memory ?? 0) < 2 ** 62 ? `memory ${h.Memory}` : '',
      (h.CpuQuota ?? 0) > 0 ? `cpu quota ${h.CpuQuota}/${h.CpuPeriod}` : '',
      (h.NanoCpus ?? 0) > 0 ? `cpus ${(h.NanoCpus ?? 0) / 1e9}` : '',
    ].filter((x) => x !== '');
    if (limited.length > 0) out.push({ what: 'throttled container', detail: `${name}: ${limited.join(', ')}` });
    if (!info.State.Running || info.State.Pid <= 0) continue;
    for (const [file, lines] of ioThrottles(info.State.Pid))
      out.push({ what: 'throttled container', detail: `${name}: ${file} ${lines.join('; ')}` });
    const rules = (await nsenter(info.State.Pid, ['iptables', '-w', '-S']))
      .split('\n')
      .filter((l) => l.includes('drill:'));
    for (const r of rules) out.push({ what: 'iptables rule', detail: `${name}: ${r}` });
    const qd = (await nsenter(info.State.Pid, ['tc', 'qdisc', 'show', 'dev', 'eth0']))
      .split('\n')
      .filter((l) => l && !/^qdisc noqueue /.test(l));
    for (const q of qd) out.push({ what: 'qdisc', detail: `${name}: ${q}` });
  }
  return out;
}

/** Everything the audit asks for; [] when clean. */
export async function audit(runIds: string[]): Promise<AuditFinding[]> {
  const out = await auditContainers(runIds);
  for (const id of runIds) {
    const r = await listDrillResources(id);
    for (const c of r.containers) out.push({ what: 'container', detail: c.name });
    for (const n of r.networks) out.push({ what: 'network', detail: n.name });
    for (const v of r.volumes) out.push({ what: 'volume', detail: v.name });
    const dir = runStateDir(id);
    for (const l of await loopDevicesUnder(dir)) out.push({ what: 'loop device', detail: l });
    const ft = path.join(dir, 'faketime');
    if (existsSync(ft)) {
      for (const f of readdirSync(ft)) {
        const v = readFileSync(path.join(ft, f), 'utf8').trim();
        if (v !== '+0') out.push({ what: 'skew setting', detail: `${f}: ${v}` });
      }
    }
    if (existsSync(dir)) out.push({ what: 'state dir', detail: dir });
  }
  if (liveLinkProxies() > 0) out.push({ what: 'link proxy', detail: `${liveLinkProxies()} still listening` });
  return out;
}
