// Offline image for the bundled graph-agent: no registry, no base image. The build
// context is assembled in a temp dir from the host's own Node runtime (binary + every
// shared library `ldd` lists, at the same paths, loader included), the compiled agent,
// and a few /etc files; the Dockerfile is `FROM scratch` + one COPY. Built through the
// engine API (dockerode buildImage with a tar of the context; no `docker` CLI needed).
//
// The tag is content-addressed: sha256 over the agent's compiled files, the node binary's
// version and size, and this builder's layout version. An existing tag is reused.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { InfraError } from '../../core/errors.js';
import { assertDockerAvailable, errorLine } from '../../docker/engine.js';
import { buildImage, imageExists } from '../../docker/build.js';
import type { ImageBuildListener } from '../target.js';

/** Bump when the image layout changes, so cached tags are rebuilt. */
const LAYOUT_VERSION = '2';
export const GRAPH_AGENT_REPO = 'drill/graph-agent';
/** Where the faketime preload library sits inside the image (clock-skew faults). */
export const FAKETIME_LIB_IN_IMAGE = '/usr/lib/faketime/libfaketimeMT.so.1';
const FAKETIME_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
];

export interface EnsureImageOptions {
  /** Compiled agent directory (default: <repo>/packages/graph-agent/dist). */
  agentDir?: string;
  /** Rebuild even if the tag exists. */
  force?: boolean;
  /** Called with each line of build output. */
  onLog?: (line: string) => void;
  /** Told when a build starts and when it is done (the drill's `build image` phase). */
  onBuild?: ImageBuildListener;
  /** Build every step afresh, as a machine that never built it would (the cold-start benchmark). */
  noCache?: boolean;
}

export interface EnsureImageResult {
  tag: string;
  /** False when an image with this tag already existed. */
  built: boolean;
  ms: number;
  /** Whether libfaketime was found on the host and baked in. */
  faketime: boolean;
}

/**
 * The store package's build output, <repo>/packages/graph-agent/dist: this file is three
 * levels below the repo (or installed package) root, in src/ and in dist/. The harness
 * never imports the store's code; it only ships these files into the image.
 */
export function defaultAgentDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', '..', 'packages', 'graph-agent', 'dist');
}

function findFaketime(): string | undefined {
  return FAKETIME_CANDIDATES.find((p) => existsSync(p));
}

async function listJsFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

/** The tag the current agent build and host runtime map to (does not touch Docker). */
export async function graphAgentImageTag(agentDir = defaultAgentDir()): Promise<{ tag: string; files: string[] }> {
  if (!existsSync(path.join(agentDir, 'main.js'))) {
    throw new InfraError(
      `graph-agent image: step "collect agent": ${path.join(agentDir, 'main.js')} is missing`,
      'run npm run build (it builds packages/graph-agent too)',
    );
  }
  const files = await listJsFiles(agentDir);
  const h = createHash('sha256');
  h.update(`layout ${LAYOUT_VERSION}\n`);
  const nodeSize = (await stat(process.execPath)).size;
  h.update(`node ${process.version} ${process.arch} ${nodeSize}\n`);
  h.update(`faketime ${findFaketime() ?? 'none'}\n`);
  for (const f of files) {
    h.update(`file ${f}\n`);
    h.update(await readFile(path.join(agentDir, f)));
  }
  return { tag: `${GRAPH_AGENT_REPO}:${h.digest('hex').slice(0, 16)}`, files };
}

/** Shared libraries (absolute paths) the dynamic loader resolves for a binary, loader included. */
export async function sharedLibs(binary: string): Promise<string[]> {
  const r = await execa('ldd', [binary], { reject: false });
  if (r.exitCode !== 0) {
    // Static binaries: ldd says "not a dynamic executable" and there is nothing to copy.
    if (/not a dynamic executable|statically linked/.test(`${r.stdout}\n${r.stderr}`)) return [];
    throw new InfraError(`graph-agent image: step "ldd ${binary}" failed: ${errorLine(r.stderr || r.stdout)}`);
  }
  const libs = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1] !== undefined) libs.add(m[1]);
    if (/=>\s*not found/.test(line)) {
      throw new InfraError(`graph-agent image: step "ldd": ${line.trim()}`);
    }
  }
  return [...libs];
}

const DOCKERFILE = `FROM scratch
COPY rootfs/ /
ENV NODE_ENV=production
WORKDIR /app
EXPOSE 8080 7000
ENTRYPOINT ["/usr/bin/node", "/app/dist/agent/main.js"]
`;

async function copyInto(root: string, hostPath: string, imagePath = hostPath): Promise<void> {
  const dest = path.join(root, imagePath);
  await mkdir(path.dirname(dest), { recursive: true });
  await copyFile(hostPath, dest); // follows symlinks: the image gets real files
  await chmod(dest, (await stat(hostPath)).mode & 0o7777);
}

/** Assemble the build context (Dockerfile + rootfs/) in a fresh temp dir. */
async function assembleContext(agentDir: string, files: string[]): Promise<{ dir: string; faketime: boolean }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'drill-graph-agent-'));
  const root = path.join(dir, 'rootfs');
  const step = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      if (e instanceof InfraError) throw e;
      throw new InfraError(`graph-agent image: step "${name}" failed: ${errorLine(e)}`);
    }
  };
  await step('node runtime', async () => {
    await copyInto(root, process.execPath, '/usr/bin/node');
    for (const lib of await sharedLibs(process.execPath)) await copyInto(root, lib);
  });
  let faketime = false;
  await step('libfaketime', async () => {
    const ft = findFaketime();
    if (ft === undefined) return;
    await copyInto(root, ft, FAKETIME_LIB_IN_IMAGE);
    for (const lib of await sharedLibs(ft)) {
      if (!existsSync(path.join(root, lib))) await copyInto(root, lib);
    }
    faketime = true;
  });
  await step('agent files', async () => {
    for (const f of files) await copyInto(root, path.join(agentDir, f), path.posix.join('/app/dist/agent', f));
    await writeFile(path.join(root, 'app/package.json'), JSON.stringify({ type: 'module', private: true }) + '\n');
  });
  await step('etc and dirs', async () => {
    await mkdir(path.join(root, 'etc'), { recursive: true });
    // /etc/hosts, /etc/hostname and /etc/resolv.conf are injected by Docker (embedded DNS at
    // 127.0.0.11 on user-defined networks), so container names resolve through libc's
    // built-in files/dns NSS modules.
    await writeFile(
      path.join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n',
    );
    await writeFile(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    await writeFile(path.join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
    for (const d of ['data', 'tmp', 'root']) await mkdir(path.join(root, d), { recursive: true });
    await chmod(path.join(root, 'tmp'), 0o1777);
    await writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
  });
  return { dir, faketime };
}

/**
 * The build context of the current agent (Dockerfile + rootfs/) in a fresh temp dir, for a
 * plain `docker build` to compare against (the cold-start benchmark). The caller removes it.
 */
export async function graphAgentBuildContext(agentDir = defaultAgentDir()): Promise<{ dir: string; tag: string }> {
  const { tag, files } = await graphAgentImageTag(agentDir);
  return { dir: (await assembleContext(agentDir, files)).dir, tag };
}

function build(dir: string, tag: string, opts: EnsureImageOptions): Promise<void> {
  return buildImage({
    dir,
    files: ['Dockerfile', 'rootfs'],
    tag,
    kind: 'graph-agent',
    what: 'graph-agent image: step "docker build"',
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
    ...(opts.noCache ? { noCache: true } : {}),
  });
}

const inflight = new Map<string, Promise<EnsureImageResult>>();

/**
 * Make sure the graph-agent image for the current compiled agent exists; build it offline
 * if not. Concurrent calls for the same tag share one build.
 */
export async function ensureGraphAgentImage(opts: EnsureImageOptions = {}): Promise<EnsureImageResult> {
  const t0 = performance.now();
  const agentDir = opts.agentDir ?? defaultAgentDir();
  const { tag, files } = await graphAgentImageTag(agentDir);
  await assertDockerAvailable();
  if (!opts.force && (await imageExists(tag, `graph-agent image: step "inspect ${tag}" failed`))) {
    return { tag, built: false, ms: performance.now() - t0, faketime: findFaketime() !== undefined };
  }
  const running = inflight.get(tag);
  if (running) return running;
  const p = (async () => {
    const b0 = performance.now();
    opts.onBuild?.({ phase: 'start', tag });
    const { dir, faketime } = await assembleContext(agentDir, files);
    try {
      await build(dir, tag, opts);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    opts.onBuild?.({ phase: 'done', tag, ms: performance.now() - b0 });
    return { tag, built: true, ms: performance.now() - t0, faketime };
  })();
  inflight.set(tag, p);
  try {
    return await p;
  } finally {
    inflight.delete(tag);
  }
}
