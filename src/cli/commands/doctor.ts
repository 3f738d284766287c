// drill doctor: can drills run here, and with which mechanism will each fault be applied?
// Checks Docker, the graph-agent image, and the host tools that faults rely on. Each probe
// that needs the kernel runs in a throwaway network namespace (unshare -n), never on the
// host's own interfaces.

import { existsSync } from 'node:fs';
import chalk from 'chalk';
import { execa } from 'execa';
import type { CommandModule } from 'yargs';
import { assertDockerAvailable, docker } from '../../docker/engine.js';
import { mechanismFor, type NetFaultKind } from '../../faults/host-caps.js';
import { ensureGraphAgentImage } from '../../targets/graph-agent/image.js';
import { containerReport } from './doctor-container.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function has(cmd: string): Promise<boolean> {
  const r = await execa('sh', ['-c', `command -v ${cmd}`], { reject: false });
  return r.exitCode === 0;
}

async function inScratchNetns(script: string): Promise<{ ok: boolean; err: string }> {
  const r = await execa('unshare', ['-n', 'sh', '-c', script], { reject: false });
  return { ok: r.exitCode === 0, err: (r.stderr || r.stdout).split('\n')[0] ?? '' };
}

export const LIBFAKETIME_PATHS = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1',
];

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
    const nsenter = await has('nsenter');
    const iptables = await has('iptables');
    const tc = await has('tc');
    const unshare = await has('unshare');
    const losetup = (await has('losetup')) && (await has('mkfs.ext4'));
    checks.push({
      name: 'nsenter',
      ok: nsenter,
      detail: nsenter ? 'enters container network namespaces' : 'missing: apt-get install util-linux',
    });
    checks.push({ name: 'iptables', ok: iptables, detail: iptables ? 'present' : 'missing: apt-get install iptables' });
    checks.push({ name: 'tc', ok: tc, detail: tc ? 'present' : 'missing: apt-get install iproute2' });
    let netem = { ok: false, err: 'not checked' };
    let tbf = { ok: false, err: 'not checked' };
    let statistic = { ok: false, err: 'not checked' };
    if (unshare && tc) {
      netem = await inScratchNetns('ip link set lo up && tc qdisc add dev lo root netem delay 1ms');
      tbf = await inScratchNetns(
        'ip link set lo up && tc qdisc add dev lo root tbf rate 1mbit burst 32kbit latency 400ms',
      );
    }
    if (unshare && iptables) {
      statistic = await inScratchNetns('iptables -A INPUT -m statistic --mode random --probability 0.5 -j DROP');
    }
    const faketime = box?.stateDir === false ? undefined : LIBFAKETIME_PATHS.find((p) => existsSync(p));

    // The same decision the faults make at run time (src/faults/host-caps.ts).
    const caps = { netem, tbf, statistic };
    const net = (k: NetFaultKind): [string, boolean] => {
      const m = mechanismFor(k, caps);
      if (box && !box.netFaults) return ['unavailable: see host PID namespace / capabilities above', false];
      return [m.available ? m.mechanism : `unavailable: ${m.why ?? ''}`, m.available && nsenter];
    };
    const faults: [string, string, boolean][] = [
      ['kill / stop / restart', 'Docker API (signal, stop, start)', dockerOk],
      ['pause', 'Docker API (cgroup freezer)', dockerOk],
      ['partition', ...net('partition')],
      ['delay / jitter', ...net('delay')],
      ['loss', ...net('loss')],
      ['duplicate', ...net('duplicate')],
      ['bandwidth', ...net('bandwidth')],
      [
        'clock-skew',
        faketime
          ? `libfaketime offset file per node, LD_PRELOAD (${faketime}); monotonic clock untouched`
          : box?.stateDir === false
            ? 'unavailable: state dir not shared with the host (see above)'
            : 'unavailable: apt-get install libfaketime',
        Boolean(faketime),
      ],
      [
        'disk-full',
        losetup
          ? 'balloon file on a size-bounded ext4 volume (loop device) per node'
          : 'unavailable: losetup (util-linux) missing',
        losetup,
      ],
    ];

    const mark = (ok: boolean) => (ok ? chalk.green('ok  ') : chalk.red('FAIL'));
    // A missing kernel feature is not an error: drill falls back (see the fault table).
    const have = (ok: boolean) => (ok ? chalk.green('yes ') : chalk.yellow('no  '));
    process.stdout.write('Environment\n');
    for (const c of checks) process.stdout.write(`  ${mark(c.ok)} ${c.name.padEnd(20)} ${c.detail}\n`);
    process.stdout.write('Kernel features (probed in a scratch network namespace)\n');
    process.stdout.write(
      `  ${have(netem.ok)} ${'tc netem'.padEnd(20)} ${netem.ok ? 'available' : `unavailable (${netem.err})`}\n`,
    );
    process.stdout.write(
      `  ${have(tbf.ok)} ${'tc tbf'.padEnd(20)} ${tbf.ok ? 'available' : `unavailable (${tbf.err})`}\n`,
    );
    process.stdout.write(
      `  ${have(statistic.ok)} ${'iptables statistic'.padEnd(20)} ${statistic.ok ? 'available' : `unavailable (${statistic.err})`}\n`,
    );
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
