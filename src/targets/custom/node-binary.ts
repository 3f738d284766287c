// Whether libfaketime (LD_PRELOAD) can reach a custom node's binary, decided before the nodes
// are created by looking at the binary in the image: a static binary or a Go program reads
// the wall clock without libc, and an image lacking the library's own dependencies (libm...)
// would not even start the node with it preloaded. Used by faults.ts (clock-skew).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { InfraError } from '../../core/errors.js';
import { docker, errorLine } from '../../docker/engine.js';
import { drillLabels } from '../../docker/labels.js';
import { hasInterpreter } from '../../faults/elf.js';

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
/** jemalloc linked dynamically (its soname in the dynamic string table) or built in (its message prefix). */
const JEMALLOC_NEEDED = Buffer.from('libjemalloc.so');
const JEMALLOC_BUILT_IN = Buffer.from('<jemalloc>: ');
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
      const bytes = readFileSync(b.file);
      if (bytes.includes(JEMALLOC_NEEDED) || bytes.includes(JEMALLOC_BUILT_IN)) {
        return (
          `the node binary ${b.path} uses jemalloc, which hangs with libfaketime preloaded ` +
          `(github.com/wolfcw/libfaketime/issues/130)`
        );
      }
      if (bytes.includes(GO_BUILDINFO)) {
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
