// Loop devices for bounded disks, from a swarm task: a service gets no device access, so the
// agent runs a short-lived helper container on its own host (through the host's Docker
// socket) from its own image, allowed the loop devices only (block major 7 and
// /dev/loop-control), with SYS_ADMIN, no network, labelled with the run. It attaches an
// image file of the run's disk volume (losetup), detaches, or mounts a device briefly to
// delete a balloon while its node is down. A run's loop devices are found by the name of
// their backing file (`<runId>--<key>.img`), which the kernel shows in /sys/block/loopN.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { drillLabels } from '../docker/labels.js';
import { runNames } from './protocol.js';

/** Loop devices whose backing file's name satisfies `pred`, as /dev paths. */
export function loopsBacking(pred: (fileName: string) => boolean, sysBlock = '/sys/block'): string[] {
  const out: string[] = [];
  for (const d of readdirSync(sysBlock).filter((x) => /^loop\d+$/.test(x))) {
    let f: string;
    try {
      f = readFileSync(path.join(sysBlock, d, 'loop', 'backing_file'), 'utf8').trim();
    } catch {
      continue; // not attached
    }
    if (pred(path.basename(f.replace(/ \(deleted\)$/, '')))) out.push(`/dev/${d}`);
  }
  return out;
}

export class LoopHelper {
  constructor(
    private readonly docker: Docker,
    private readonly image: string,
    private readonly runId: string,
    private readonly disksVolume: string,
  ) {}

  /** Run `cmd` in a helper container; its output, or an Error with it. */
  private async run(cmd: string[]): Promise<string> {
    const c = await this.docker.createContainer({
      Image: this.image,
      Entrypoint: [cmd[0]!],
      Cmd: cmd.slice(1),
      Labels: drillLabels({ runId: this.runId, role: 'helper', kind: 'fault-agent-helper' }),
      HostConfig: {
        NetworkMode: 'none',
        Binds: ['/dev:/dev'],
        Mounts: [{ Type: 'volume', Source: this.disksVolume, Target: '/disks' }],
        CapAdd: ['SYS_ADMIN'],
        DeviceCgroupRules: ['b 7:* rwm', 'c 10:237 rwm'],
        SecurityOpt: ['apparmor=unconfined'],
      },
    });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      const raw = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      const out = demuxText(raw);
      if (StatusCode !== 0) throw new Error(`${cmd.join(' ')} exited ${StatusCode}: ${out.trim()}`);
      return out;
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  }

  async attach(file: string): Promise<string> {
    const out = await this.run(['losetup', '--find', '--show', `/disks/${file}`]);
    const dev = out.trim().split('\n').at(-1) ?? '';
    if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup gave no device for ${file}: ${out.trim()}`);
    return dev;
  }

  async detach(file: string): Promise<number> {
    return this.detachAll(loopsBacking((f) => f === file));
  }

  /** Every loop device of this run (any key). */
  async detachRun(): Promise<number> {
    const prefix = runNames(this.runId).diskImagePrefix;
    return this.detachAll(loopsBacking((f) => f.startsWith(prefix)));
  }

  /**
   * Detach each device; one already detached ("No such device or address": another host's
   * cleanup on the same kernel, as in the one-machine swarm fixture, or a detach that raced
   * this one) counts as done.
   */
  private async detachAll(devs: string[]): Promise<number> {
    if (devs.length === 0) return 0;
    const script =
      'rc=0; for d in "$@"; do out=$(losetup -d "$d" 2>&1) || case "$out" in ' +
      '*"No such device or address"*) ;; *) echo "$out" >&2; rc=1 ;; esac; done; exit $rc';
    await this.run(['sh', '-c', script, 'sh', ...devs]);
    return devs.length;
  }

  /**
   * Free bytes and the balloon's size on a disk whose node is down (a node may exit on ENOSPC
   * while its disk is filled, and its volume is unmounted with it): its device mounted
   * read-only in the helper, briefly, and read by the helper's own Node runtime. Null: no
   * device (nothing to read).
   */
  async statOnDevice(file: string, balloon: string): Promise<{ free: number; balloon: number } | null> {
    const [dev] = loopsBacking((f) => f === file);
    if (dev === undefined) return null;
    const read =
      "const fs=require('fs');const s=fs.statfsSync('/mnt');let b=0;" +
      `try{b=fs.statSync('/mnt/${balloon}').size}catch{}` +
      'console.log(JSON.stringify({free:s.bavail*s.bsize,balloon:b}))';
    const out = await this.run([
      'sh',
      '-ec',
      `mount -o ro -t ext4 ${dev} /mnt; ${JSON.stringify(process.execPath)} -e "${read}"; umount /mnt`,
    ]);
    return JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as { free: number; balloon: number };
  }

  /** Delete the balloon on a disk whose node is down: mount its device in the helper, briefly. */
  async removeBalloon(file: string, balloon: string): Promise<void> {
    const [dev] = loopsBacking((f) => f === file);
    if (dev === undefined) return; // no device: nothing mounted it, nothing to free
    await this.run(['sh', '-ec', `mount -t ext4 ${dev} /mnt; rm -f /mnt/${balloon}; umount /mnt`]);
  }
}

/** Docker's multiplexed log frames (8-byte headers) as text. */
export function demuxText(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(parts).toString('utf8');
}
