// drill doctor: can drills run here, and with which mechanism will each fault be applied?
// Checks Docker, the graph-agent image, and the host tools that faults rely on. Each probe
// that needs the kernel runs in a throwaway network namespace (unshare -n), never on the
// host's own interfaces.

import chalk from 'chalk';
import type { CommandModule } from 'yargs';
import { assertDockerAvailable, docker } from '../../docker/engine.js';
import { HOST_TOOLS, probeHostCaps, type HostCaps, type HostTool } from '../../faults/host-caps.js';
import { FAULT_KIND_LIST } from '../../faults/registry.js';
import type { AnyFaultKind } from '../../faults/fault.js';
import { ensureGraphAgentImage } from '../../targets/graph-agent/image.js';
import { containerReport, type ContainerReport } from './doctor-container.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export const doctorCommand: CommandModule = {
  command: 'doctor',
  describe: 'check Docker, the image and which fault mechanisms this host supports',
  handler: async () => {
    const checks: Check[] = [];
    let dockerOk = false;
    try {
      await assertDockerAvailable();
      const v = await docker().version();
      checks.push({ name: 'Docker engine', ok: true, detail: `${v.Version} (API ${v.ApiVersion})` });
      dockerOk = true;
    } catch (e) {
      checks.push({ name: 'Docker engine', ok: false, detail: e instanceof Error ? e.message : String(e) });
    }
    if (dockerOk) {
      try {
        const img = await ensureGraphAgentImage();
        checks.push({
          name: 'graph-agent image',
          ok: true,
          detail: `${img.tag} (${img.built ? `built in ${(img.ms / 1000).toFixed(1)} s` : 'cached'})`,
        });
      } catch (e) {
        checks.push({ name: 'graph-agent image', ok: false, detail: e instanceof Error ? e.message : String(e) });
      }
    }
    // In the drill image: how the container was started decides what the faults can reach.
    const box = dockerOk ? await containerReport() : undefined;
    if (box) checks.push(...box.checks);
    // The same probes and the same decision the faults make at run time (each kind's mechanism()).
    const caps = await probeHostCaps();
    const PURPOSE: Record<HostTool, string> = {
      nsenter: 'enters container network namespaces',
      iptables: 'partition, loss',
      tc: 'netem, tbf',
      losetup: 'size-bounded volumes (disk-full)',
      'mkfs.ext4': 'size-bounded volumes (disk-full)',
      chattr: 'backup-storage',
    };
    for (const t of HOST_TOOLS) {
      checks.push({ name: t, ok: caps.tools[t], detail: caps.tools[t] ? PURPOSE[t] : `missing (${PURPOSE[t]})` });
    }
    const { netem, tbf, statistic } = caps;
    const faults: [string, string, boolean][] = FAULT_KIND_LIST.map((k) => {
      const m = k.mechanism(caps);
      const blocked = box ? blockedInContainer(k, box, caps) : null;
      if (blocked !== null) return [k.name, `unavailable: ${blocked}`, false];
      // The row names the fault already; a reason written for run errors starts with it too.
      const why = (m.why ?? '').replace(`${k.name}: `, '');
      return [k.name, m.available ? m.mechanism : `unavailable: ${why}`, m.available && dockerOk];
    });

    const mark = (ok: boolean) => (ok ? chalk.green('ok  ') : chalk.red('FAIL'));
    // A missing kernel feature is not an error: drill falls back (see the fault table).
    const have = (ok: boolean) => (ok ? chalk.green('yes ') : chalk.yellow('no  '));
    process.stdout.write('Environment\n');
    for (const c of checks) process.stdout.write(`  ${mark(c.ok)} ${c.name.padEnd(20)} ${c.detail}\n`);
    process.stdout.write('Kernel features (network ones probed in a scratch network namespace)\n');
    process.stdout.write(
      `  ${have(netem.ok)} ${'tc netem'.padEnd(20)} ${netem.ok ? 'available' : `unavailable (${netem.err})`}\n`,
    );
    process.stdout.write(
      `  ${have(tbf.ok)} ${'tc tbf'.padEnd(20)} ${tbf.ok ? 'available' : `unavailable (${tbf.err})`}\n`,
    );
    process.stdout.write(
      `  ${have(statistic.ok)} ${'iptables statistic'.padEnd(20)} ` +
        `${statistic.ok ? 'available' : `unavailable (${statistic.err})`}\n`,
    );
    const cg = caps.cgroup;
    const controllers = (['memory', 'cpu', 'io'] as const).filter((c) => cg[c]).join(', ') || 'no controller';
    const cgText = cg.version === null ? 'not found under /sys/fs/cgroup' : `v${cg.version}: ${controllers}`;
    process.stdout.write(`  ${have(cg.version !== null)} ${'cgroups'.padEnd(20)} ${cgText}\n`);
    const vd = caps.volumeDevice;
    process.stdout.write(`  ${have(vd.device !== null)} ${'volume device'.padEnd(20)} ${vd.device ?? vd.why}\n`);
    process.stdout.write('Faults: mechanism used on this host (every fault marked ok can be used in scenarios)\n');
    for (const [name, how, ok] of faults)
      process.stdout.write(`  ${ok ? mark(ok) : have(ok)} ${name.padEnd(22)} ${how}\n`);
    const fatal = ['Docker engine', 'graph-agent image', 'host network'];
    if (checks.some((c) => !c.ok && fatal.includes(c.name))) {
      const how = box
        ? 'docs/install.md has the docker run line for the drill image'
        : 'sudo bash scripts/ensure-docker.sh starts Docker';
      process.stdout.write(`\nDrills cannot run here until the failures above are fixed (${how}).\n`);
      process.exitCode = 3;
    }
  },
};

/**
 * Why a kind cannot work when drill runs in a container (the drill image), or null: network
 * and resource faults enter the nodes through host pids; clock and disk faults bind files
 * from the state dir, which must be at the same path on the host.
 */
function blockedInContainer(k: AnyFaultKind, box: ContainerReport, caps: HostCaps): string | null {
  const needs: readonly string[] = k.needs;
  if (!box.netFaults && (needs.includes('network') || needs.includes('resources')))
    return 'see host PID namespace / capabilities above';
  const boot = k.bootNeeds?.(caps) ?? [];
  if (!box.stateDir && (needs.includes('clocks') || needs.includes('disk') || boot.includes('faketime')))
    return 'state dir not shared with the host (see above)';
  return null;
}
