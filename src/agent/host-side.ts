// What the fault agent does on its own host: the HostOps operations, seen from a container
// that has the host's /proc (read-only, at /host/proc: a swarm service cannot join the host
// PID namespace, but the host's procfs gives the same pids and their namespaces), the
// host's Docker socket, NET_ADMIN and SYS_ADMIN, the run's offset-file volume (/faketime),
// its disk-image volume (/disks) and, when configured, the directory every host shares
// (/shared). Loop devices need device access a swarm task cannot get: a short-lived helper
// container on the same host does losetup and mount (loop-helper.ts). The resource faults'
// operations (cgroups, resource updates, OOM events) are resource-side.ts's.
//
// The agent keeps nothing it needs to heal: rules carry their tags, offsets and disk images
// are files under the run's names, so a restarted agent (or `drill cleanup`) finds them all.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  rmSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { copyFile, readdir, rename, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { corruptNewestChunk, type CorruptedChunk } from '../faults/backup-storage.js';
import { BALLOON } from '../faults/bounded-disk.js';
import { FAKETIME_LIB_IN_OFFSET_DIR, findHostFaketime } from '../faults/faketime.js';
import { emptyRoot, faketimeSpec } from '../faults/host-state.js';
import type { DiskRef, FillResult, HostStateRemoved } from '../faults/host-ops.js';
import { ExitWatches, procState } from './exit-watch.js';
import { LoopHelper } from './loop-helper.js';
import { runNames } from './protocol.js';
import { ResourceSide } from './resource-side.js';

/** How long a pid seen by inspect is trusted for a kill (its start time is checked too). */
const MAIN_PROCESS_FRESH_MS = 5_000;

export interface HostSideOptions {
  runId: string;
  host: string;
  docker: Docker;
  procRoot: string;
  /** Where the host's cgroup hierarchy (its /sys/fs/cgroup) is mounted. */
  cgroupRoot: string;
  faketimeDir: string;
  disksDir: string;
  sharedDir?: string | undefined;
  /** The agent's own image: its loop helpers run it. */
  image: string;
  now(): number;
}

function fail(what: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`${what}: ${msg.split('\n')[0]}`);
}

export class HostSide {
  private readonly exits: ExitWatches;
  /** Each container's main process as the last inspect saw it (pid, its start time, when). */
  private readonly mainProcess = new Map<string, { pid: number; start: string; at: number }>();
  private readonly loops: LoopHelper;
  private readonly names: ReturnType<typeof runNames>;
  readonly resources: ResourceSide;

  constructor(private readonly o: HostSideOptions) {
    this.exits = new ExitWatches(o.procRoot, o.now);
    this.resources = new ResourceSide({
      runId: o.runId,
      docker: o.docker,
      roots: { proc: o.procRoot, cgroup: o.cgroupRoot },
      now: o.now,
    });
    this.names = runNames(o.runId);
    this.loops = new LoopHelper(o.docker, o.image, o.runId, this.names.disksVolume);
  }

  private c(id: string): Docker.Container {
    return this.o.docker.getContainer(id);
  }

  /**
   * Signal the container; its exit is watched in /proc from before the signal (inspect
   * reports it). The harness inspects a node just before it kills it, so the main process is
   * usually known: then the engine is asked once, not twice (an engine in a container, as on
   * the test fixture, answers in tens of milliseconds under load).
   */
  async kill(container: string, signal: string): Promise<void> {
    const known = this.mainProcess.get(container);
    const fresh = known !== undefined && this.o.now() - known.at < MAIN_PROCESS_FRESH_MS;
    if (!(fresh && this.exits.watch(container, known.pid, known.start))) {
      const info = await this.c(container).inspect();
      if (info.State.Running && info.State.Pid > 0) this.exits.watch(container, info.State.Pid);
    }
    await this.c(container).kill({ signal });
  }

  async stop(container: string, timeoutS: number): Promise<void> {
    const info = await this.c(container).inspect();
    if (!info.State.Running) return;
    if (info.State.Pid > 0) this.exits.watch(container, info.State.Pid);
    await this.c(container).stop({ t: timeoutS });
  }

  async pause(container: string): Promise<void> {
    await this.c(container).pause();
  }

  async unpause(container: string): Promise<void> {
    await this.c(container).unpause();
  }

  /** The engine's view, unless the watched process is already gone (seen before the engine knows). */
  async inspect(container: string): Promise<{ value: Record<string, unknown>; at: number }> {
    const info = await this.c(container).inspect();
    const s = info.State;
    const seen = this.exits.exitedAt(container, s.Running ? s.Pid : 0);
    if (seen !== null) {
      const exitCode = s.Running ? null : s.ExitCode;
      return { value: { running: false, paused: false, pid: null, exitCode }, at: seen };
    }
    const start = s.Running && s.Pid > 0 ? procState(this.o.procRoot, s.Pid)?.start : undefined;
    if (start !== undefined) this.mainProcess.set(container, { pid: s.Pid, start, at: this.o.now() });
    else this.mainProcess.delete(container);
    return {
      value: {
        running: s.Running,
        paused: s.Paused,
        pid: s.Running && s.Pid > 0 ? s.Pid : null,
        exitCode: s.Running ? null : s.ExitCode,
      },
      at: this.o.now(),
    };
  }

  async netns(pid: number, cmd: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`nsenter: invalid pid ${pid}`);
    if (!['iptables', 'iptables-restore', 'tc', 'ip'].includes(cmd)) throw new Error(`nsenter: ${cmd} is not allowed`);
    const r = await execa('nsenter', [`--net=${this.o.procRoot}/${pid}/ns/net`, cmd, ...args], {
      reject: false,
      timeout: 10_000,
      ...(input !== undefined ? { input } : {}),
    });
    if (r.exitCode !== 0)
      throw new Error(`nsenter (pid ${pid}) ${cmd} ${args.join(' ')} failed: ${String(r.stderr || r.stdout).trim()}`);
    return { stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * The offset files, each "+0", and beside them the libfaketime this agent carries (this
   * machine's, copied into its image): a custom node's image has none, so it preloads this
   * one from its read-only mount of the directory. Written to a temporary name, then renamed:
   * a node never maps a half-written library.
   */
  async initClocks(nodes: readonly string[]): Promise<void> {
    for (const n of nodes) await writeFile(path.join(this.o.faketimeDir, safe(n)), '+0\n');
    const lib = findHostFaketime();
    const dest = path.join(this.o.faketimeDir, FAKETIME_LIB_IN_OFFSET_DIR);
    if (lib !== undefined && !existsSync(dest)) {
      await copyFile(lib, `${dest}.tmp`);
      await rename(`${dest}.tmp`, dest);
    }
  }

  async setClockOffset(node: string, offsetS: number): Promise<void> {
    await writeFile(path.join(this.o.faketimeDir, safe(node)), `${faketimeSpec(offsetS)}\n`);
  }

  /** A sparse ext4 image in the run's disk volume, behind a fresh loop device. */
  async boundedDisk(key: string, sizeMb: number): Promise<string> {
    const file = path.join(this.o.disksDir, this.names.diskImage(safe(key)));
    await this.loops.detach(path.basename(file)).catch(() => undefined);
    await writeFile(file, '');
    await truncate(file, sizeMb * 1024 * 1024);
    const mk = await execa('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=0,lazy_journal_init=0', file], {
      reject: false,
      timeout: 60_000,
    });
    if (mk.exitCode !== 0) throw new Error(`mkfs.ext4 ${file}: ${String(mk.stderr).trim()}`);
    await emptyRoot(file);
    return this.loops.attach(path.basename(file));
  }

  /** The volume as the node's own mount of it (through its root in /proc), or null when the node is down. */
  private mounted(disk: DiskRef): string | null {
    if (disk.pid === null) return null;
    const dir = `${this.o.procRoot}/${disk.pid}/root${disk.path}`;
    return existsSync(dir) ? dir : null;
  }

  async fillDisk(disk: DiskRef): Promise<FillResult> {
    const dir = this.mounted(disk);
    if (dir === null) throw new Error(`disk-full: ${disk.volume} is not mounted (is ${disk.key} running?)`);
    const balloon = path.join(dir, BALLOON);
    const s = statfsSync(dir);
    const first = Math.max(0, s.bavail * s.bsize - 1024 * 1024);
    if (first > 0) {
      const r = await execa('fallocate', ['-l', String(first), balloon], { reject: false });
      if (r.exitCode !== 0) throw new Error(`disk-full: fallocate on ${disk.volume}: ${String(r.stderr).trim()}`);
    }
    // Top up with real writes until the filesystem refuses.
    const fd = openSync(balloon, 'a');
    const zeros = Buffer.alloc(4096);
    try {
      for (let i = 0; i < 1_000_000; i++) writeSync(fd, zeros);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw fail('disk-full: top up', e);
    } finally {
      closeSync(fd);
    }
    try {
      const after = statfsSync(dir);
      return {
        freeBytes: after.bavail * after.bsize,
        balloonBytes: existsSync(balloon) ? statSync(balloon).size : 0,
        volume: disk.volume,
      };
    } catch (e) {
      // The node exited on ENOSPC meanwhile (etcd does), and its volume went with it: read the device.
      const st = await this.loops.statOnDevice(this.names.diskImage(safe(disk.key)), BALLOON);
      if (st === null) throw fail(`disk-full: ${disk.volume} after the fill`, e);
      return { freeBytes: st.free, balloonBytes: st.balloon, volume: disk.volume };
    }
  }

  async unfillDisk(disk: DiskRef): Promise<void> {
    const dir = this.mounted(disk);
    if (dir !== null) {
      if (existsSync(path.join(dir, BALLOON))) unlinkSync(path.join(dir, BALLOON));
      return;
    }
    await this.loops.removeBalloon(this.names.diskImage(safe(disk.key)), BALLOON);
  }

  async diskFree(disk: DiskRef): Promise<number | null> {
    const dir = this.mounted(disk);
    if (dir === null) return null;
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  }

  private repo(name: string): string {
    if (this.o.sharedDir === undefined) throw new Error('no shared directory is mounted in this agent');
    if (!name.startsWith(`drill-${this.o.runId}`) || safe(name) !== name)
      throw new Error(`repository ${name} is not this run's`);
    return path.join(this.o.sharedDir, name);
  }

  async makeRepository(name: string): Promise<void> {
    mkdirSync(this.repo(name), { recursive: true });
  }

  async removeRepository(name: string): Promise<void> {
    rmSync(this.repo(name), { recursive: true, force: true });
  }

  /** backup-storage corrupt, on this host's view of the shared repository (one of this run's). */
  async corruptRepository(name: string): Promise<CorruptedChunk> {
    return corruptNewestChunk(this.repo(name));
  }

  /** Detach the run's loop devices, delete its disk images and offset files. */
  async removeRunState(): Promise<HostStateRemoved> {
    const out: HostStateRemoved = { loops: 0, dirs: 0, errors: [] };
    const prefix = this.names.diskImagePrefix;
    try {
      out.loops = await this.loops.detachRun();
    } catch (e) {
      out.errors.push(`${this.o.host}: ${fail('detach loop devices', e).message}`);
    }
    for (const dir of [this.o.disksDir, this.o.faketimeDir]) {
      for (const f of await readdir(dir).catch(() => [] as string[])) {
        if (dir === this.o.disksDir && !f.startsWith(prefix)) continue;
        rmSync(path.join(dir, f), { force: true });
      }
    }
    return out;
  }
}

/** A name safe as one path component (node names, keys, run ids are already this). */
function safe(s: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s)) throw new Error(`bad name ${JSON.stringify(s)}`);
  return s;
}
