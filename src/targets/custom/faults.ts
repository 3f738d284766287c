// What a custom target carries so that clock-skew and disk-full faults work on it
// (docs/custom-targets.md, "Faults on custom targets"). Set up at boot, only in runs whose
// scenario has such a fault:
//
// - clock (clock-skew): the host's libfaketimeMT.so.1 is bind-mounted read-only at
//   FAKETIME_LIB_IN_CONTAINER and preloaded (LD_PRELOAD) with the same environment as
//   graph-agent's; each node reads its offset from /faketime/<node>, a host file under the
//   run's state dir ("+0" until a fault writes another). The node's clock is read back
//   through the optional probes.clock. When libfaketime cannot reach the node binary (static,
//   a Go program, or an image lacking the library's own dependencies) nothing is preloaded
//   and the fault fails with "skew not in effect" instead of pretending.
// - disk (disk-full): every per-node volume (cluster.custom.volumes) is a size-bounded
//   ext4 on a loop device (src/faults/bounded-disk.ts); filling a node fills all of them.
//
// Host artefacts (offset files, disk images, loop devices) live under the run's state dir
// and go with teardown (or `drill cleanup`).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { InfraError } from '../../core/errors.js';
import type { NodeDisk } from '../target.js';
import { docker, errorLine } from '../../docker/engine.js';
import { drillLabels } from '../../docker/labels.js';
import { BoundedDisks } from '../../faults/bounded-disk.js';
import { hasInterpreter } from '../../faults/elf.js';
import { FAKETIME_DIR_IN_CONTAINER, faketimeEnv, faketimeNodeEnv, findHostFaketime } from '../../faults/faketime.js';
import { faketimeDir, initFaketime, removeRunState, writeOffset } from '../../faults/host-state.js';

/** Where the host's preload library is mounted in a custom node's container. */
export const FAKETIME_LIB_IN_CONTAINER = '/usr/lib/drill-faketime/libfaketimeMT.so.1';

export interface CustomFaultOptions {
  runId: string;
  nodes: readonly string[];
  /** Preload libfaketime (the scenario has a clock-skew fault). */
  faketime: boolean;
  /** Size-bound every per-node volume to this many MiB (the scenario has a disk-full fault). */
  diskLimitMb?: number | undefined;
}

export class CustomFaultPlumbing {
  readonly disks: BoundedDisks | undefined;
  /** The host's libfaketime, when preloading was asked for and it is installed. */
  private readonly hostLib: string | undefined;
  /** Set by prepare(): preload into the nodes, or why not. */
  private preload = false;
  private blocker: string | null;

  constructor(private readonly o: CustomFaultOptions) {
    this.hostLib = o.faketime ? findHostFaketime() : undefined;
    this.blocker = !o.faketime
      ? 'libfaketime is preloaded only in runs whose scenario has a clock-skew fault'
      : this.hostLib === undefined
        ? 'libfaketime is not installed on the host (apt-get install libfaketime), so it cannot be preloaded'
        : 'the cluster is not started';
    this.disks = o.diskLimitMb !== undefined ? new BoundedDisks(o.runId, o.diskLimitMb) : undefined;
  }

  /**
   * Before the nodes are created: look at the node binary in the image and decide whether
   * libfaketime can reach it. Preloading into a process it cannot serve is pointless, and
   * into an image that lacks the library's own dependencies (libm...) it stops the node
   * from starting, so in both cases the nodes run unpreloaded and skewBlocker() says why.
   */
  async prepare(image: string, command: string[] | undefined, kind: string): Promise<void> {
    if (this.hostLib === undefined) return;
    const found = await inspectNodeBinary(image, command, this.hostLib, { runId: this.o.runId, kind });
    this.blocker = found;
    this.preload = found === null;
    if (this.preload) initFaketime(this.o.runId, this.o.nodes);
  }

  get preloading(): boolean {
    return this.preload;
  }

  /** Environment added to a node's (faketime). */
  env(node: string): Record<string, string> {
    return this.preload ? { ...faketimeEnv(FAKETIME_LIB_IN_CONTAINER), ...faketimeNodeEnv(node) } : {};
  }

  mounts(): Docker.MountSettings[] {
    if (!this.preload || this.hostLib === undefined) return [];
    return [
      { Type: 'bind', Source: this.hostLib, Target: FAKETIME_LIB_IN_CONTAINER, ReadOnly: true },
      { Type: 'bind', Source: faketimeDir(this.o.runId), Target: FAKETIME_DIR_IN_CONTAINER, ReadOnly: true },
    ];
  }

  volumeDevice(node: string, index: number): Promise<string | undefined> {
    return this.disks ? this.disks.device(volumeKey(node, index)) : Promise.resolve(undefined);
  }

  setClockOffset(node: string, offsetS: number): void {
    if (!this.preload)
      throw new InfraError(
        `clock skew: libfaketime is not preloaded in this run (${this.blocker ?? 'unknown reason'})`,
      );
    writeOffset(this.o.runId, node, offsetS);
  }

  /** Why a skew cannot take effect (no libfaketime, static or Go node binary...), or null. */
  skewBlocker(): string | null {
    return this.blocker;
  }

  /**
   * The `disk` capability over the node's volumes (`volumesOf`), when they are size-bounded:
   * filling a node fills every one of its volumes.
   */
  nodeDisk(volumesOf: (node: string) => string[], kind: string): NodeDisk | undefined {
    const disks = this.disks;
    if (disks === undefined) return undefined;
    const vols = (n: string) => {
      const v = volumesOf(n);
      if (v.length === 0) throw new InfraError(`disk-full: ${kind} has no per-node volumes (cluster.custom.volumes)`);
      return v;
    };
    return {
      fillDisk: async (n) => {
        let freeBytes = 0;
        let balloonBytes = 0;
        const names: string[] = [];
        for (const [i, v] of vols(n).entries()) {
          const r = await disks.fill(volumeKey(n, i), v, n);
          freeBytes = Math.max(freeBytes, r.freeBytes);
          balloonBytes += r.balloonBytes;
          names.push(v);
        }
        return { freeBytes, balloonBytes, volume: names.join(', ') };
      },
      freeDisk: async (n) => {
        for (const [i, v] of vols(n).entries()) await disks.unfill(volumeKey(n, i), v);
      },
      diskFree: async (n) => {
        const free = await Promise.all(vols(n).map((v) => disks.free(v)));
        const known = free.filter((f): f is number => f !== null);
        return known.length === 0 ? null : Math.min(...known);
      },
    };
  }

  settings(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.o.faketime)
      out['clock'] = this.preload
        ? `libfaketime preloaded from the host (${this.hostLib}), offset +0 until a clock-skew fault`
        : `libfaketime not preloaded: ${this.blocker}`;
    if (this.disks) out['data_volume'] = `ext4 on a loop device, ${this.disks.sizeMb} MiB per volume`;
    return Object.keys(out).length > 0 ? { faults: out } : {};
  }

  /** After the containers and volumes are gone: detach loops, delete the run's host files. */
  async close(): Promise<void> {
    if (this.o.faketime || this.disks) await removeRunState(this.o.runId);
  }
}

export function volumeKey(node: string, index: number): string {
  return `${node}-v${index + 1}`;
}

// -- the node binary ------------------------------------------------------------------------

/** Parse a tar stream's entries (name, type, link target, content). Enough for `docker cp`. */
function tarEntries(buf: Buffer): { name: string; type: string; link: string; data: Buffer }[] {
  const out: { name: string; type: string; link: string; data: Buffer }[] = [];
  const str = (b: Buffer) => b.toString('utf8').replace(/\0.*$/s, '');
  let i = 0;
  while (i + 512 <= buf.length) {
    const h = buf.subarray(i, i + 512);
    if (h.every((x) => x === 0)) break;
    const size = parseInt(str(h.subarray(124, 136)).trim() || '0', 8);
    out.push({
      name: str(h.subarray(0, 100)),
      type: String.fromCharCode(h[156] || 48),
      link: str(h.subarray(157, 257)),
      data: buf.subarray(i + 512, i + 512 + size),
    });
    i += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

async function archiveOf(container: Docker.Container, file: string): Promise<Buffer | null> {
  try {
    const stream = (await container.getArchive({ path: file })) as unknown as NodeJS.ReadableStream;
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
    return Buffer.concat(chunks);
  } catch {
    return null;
  }
}

/**
 * Copy the node binary out of a container (following symlinks) into a temp file. `argv0`
 * is the command's first argument; a bare name is looked up on the image's PATH.
 */
export async function copyOutBinary(
  containerId: string,
  argv0: string,
  pathEnv: string,
): Promise<{ path: string; file: string | null; cleanup: () => void }> {
  const c = docker().getContainer(containerId);
  const candidates = argv0.includes('/')
    ? [argv0]
    : pathEnv
        .split(':')
        .filter(Boolean)
        .map((d) => path.posix.join(d, argv0));
  for (const start of candidates) {
    let p = path.posix.resolve('/', start);
    for (let hop = 0; hop < 8; hop++) {
      const tar = await archiveOf(c, p);
      const e = tar ? tarEntries(tar).find((x) => x.type !== 'x' && x.type !== 'g') : undefined; // skip pax headers
      if (!e) break;
      if (e.type === '2') {
        p = path.posix.resolve(path.posix.dirname(p), e.link);
        continue;
      }
      if (e.type !== '0' && e.type !== '7') break;
      const dir = mkdtempSync(path.join(tmpdir(), 'drill-bin-'));
      const file = path.join(dir, 'bin');
      writeFileSync(file, e.data);
      return { path: p, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    }
  }
  return { path: argv0, file: null, cleanup: () => undefined };
}

/** Go's runtime reads the wall clock through the vDSO, never through libc. */
const GO_BUILDINFO = Buffer.from('\xff Go buildinf:', 'latin1');
const LIB_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib64',
  '/lib',
  '/usr/lib',
];

/** The shared libraries a host library needs (its DT_NEEDED, as ldd resolves them). */
async function neededLibs(lib: string): Promise<string[]> {
  const r = await execa('ldd', [lib], { reject: false, timeout: 10_000 });
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => /^\s*(\S+\.so[^\s]*) =>/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined && !x.startsWith('linux-vdso'));
}

/**
 * Why libfaketime cannot reach the node binary of `image`, or null when it can (or when the
 * binary cannot be found: then the skew is applied and only a clock probe can tell).
 * Looks at the binary in a created, never started, helper container, removed after.
 */
export async function inspectNodeBinary(
  image: string,
  command: string[] | undefined,
  hostLib: string,
  l: { runId: string; kind: string },
): Promise<string | null> {
  const d = docker();
  let info: Docker.ImageInspectInfo;
  try {
    info = await d.getImage(image).inspect();
  } catch (e) {
    throw new InfraError(`inspect image ${image}: ${errorLine(e)}`);
  }
  const cfg = info.Config;
  const ep = (cfg.Entrypoint as string[] | string | null | undefined) ?? [];
  const argv0 = [...(Array.isArray(ep) ? ep : [ep]), ...(command ?? cfg.Cmd ?? [])][0];
  if (argv0 === undefined) return null;
  const pathEnv =
    (cfg.Env ?? []).find((e) => e.startsWith('PATH='))?.slice(5) ??
    '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  let c: Docker.Container;
  try {
    c = await d.createContainer({
      name: `drill-${l.runId}-inspect-${Date.now().toString(36)}`,
      Image: image,
      Cmd: ['/drill-never-started'],
      Entrypoint: [],
      Labels: drillLabels({ runId: l.runId, role: 'helper', kind: l.kind }),
      HostConfig: { NetworkMode: 'none' },
    });
  } catch (e) {
    throw new InfraError(`inspect the node binary of ${image}: ${errorLine(e)}`);
  }
  try {
    const b = await copyOutBinary(c.id, argv0, pathEnv);
    try {
      if (b.file === null) return null;
      const dyn = hasInterpreter(b.file);
      if (dyn === false)
        return `the node binary ${b.path} is statically linked; libfaketime (LD_PRELOAD) cannot reach it`;
      if (dyn === null) return null;
      if (readFileSync(b.file).includes(GO_BUILDINFO)) {
        return (
          `the node binary ${b.path} is a Go program, whose runtime reads the wall clock through the vDSO, ` +
          `not libc; libfaketime (LD_PRELOAD) cannot reach it`
        );
      }
    } finally {
      b.cleanup();
    }
    for (const lib of await neededLibs(hostLib)) {
      let present = false;
      for (const dir of LIB_DIRS) {
        if ((await archiveOf(c, path.posix.join(dir, lib))) !== null) {
          present = true;
          break;
        }
      }
      if (!present)
        return `the image lacks ${lib}, which libfaketime needs (add it to the image to preload libfaketime)`;
    }
    return null;
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}
