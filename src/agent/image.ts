// The fault agent's image, built offline like graph-agent's: FROM scratch, no registry. Its
// root file system is assembled from this machine: the harness's own Node runtime and
// compiled drill (dist/, with the production dependencies it imports), and the host tools
// the faults run, each with the libraries `ldd` lists: nsenter, iptables (xtables-nft-multi
// or -legacy-multi, its links and modules), tc, losetup, mkfs.ext4, debugfs, mount, umount,
// fallocate, sh (for loop helpers), and libfaketime. The tag is content-addressed, so the
// image is built once per drill build and reused.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../core/errors.js';
import { buildImage, imageExists } from '../docker/build.js';
import { assertDockerAvailable, errorLine } from '../docker/engine.js';
import { findHostFaketime } from '../faults/faketime.js';
import { sharedLibs } from '../targets/graph-agent/image.js';

const LAYOUT_VERSION = '1';
export const AGENT_REPO = 'drill/fault-agent';
const TOOLS = ['nsenter', 'tc', 'losetup', 'mkfs.ext4', 'debugfs', 'mount', 'umount', 'fallocate', 'ip', 'rm'] as const;

/** drill's root (the directory with package.json and dist/): two levels above this file. */
function drillRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function which(tool: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) {
    const p = path.join(d, tool);
    if (d !== '' && existsSync(p)) return realpathSync(p);
  }
  throw new InfraError(`fault agent image: ${tool} is missing on this machine`, 'sudo bash scripts/ensure-docker.sh');
}

/** The production packages drill imports, each with its directory (dependencies of dependencies too). */
export function productionPackages(root = drillRoot()): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (fromDir: string, deps: Record<string, string>) => {
    for (const name of Object.keys(deps)) {
      let dir = fromDir;
      let found: string | undefined;
      for (;;) {
        const cand = path.join(dir, 'node_modules', name);
        if (existsSync(path.join(cand, 'package.json'))) {
          found = cand;
          break;
        }
        const up = path.dirname(dir);
        if (up === dir) break;
        dir = up;
      }
      if (found === undefined || out.has(found)) continue;
      out.set(found, name);
      const pj = JSON.parse(readFileSync(path.join(found, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
      };
      visit(found, { ...pj.dependencies, ...pj.optionalDependencies });
    }
  };
  const pj = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  visit(root, pj.dependencies ?? {});
  return out;
}

async function filesUnder(dir: string, keep: (rel: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter(keep)
    .sort();
}

interface Plan {
  tag: string;
  dist: string[];
  packages: Map<string, string>;
  iptables: string;
}

async function plan(root: string): Promise<Plan> {
  const distDir = path.join(root, 'dist');
  if (!existsSync(path.join(distDir, 'agent', 'main.js')))
    throw new InfraError('fault agent image: dist/agent/main.js is missing', 'run npm run build');
  const dist = await filesUnder(distDir, (f) => f.endsWith('.js') && !f.startsWith('bench/'));
  const packages = productionPackages(root);
  const iptables = which('iptables');
  const h = createHash('sha256');
  h.update(`layout ${LAYOUT_VERSION} node ${process.version} ${(await stat(process.execPath)).size}\n`);
  for (const f of dist) h.update(`${f}\n`).update(await readFile(path.join(distDir, f)));
  for (const [dir, name] of [...packages].sort()) {
    const v = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
    h.update(`pkg ${name}@${v} ${path.relative(root, dir)}\n`);
  }
  for (const t of [...TOOLS.map(which), iptables, findHostFaketime() ?? '']) {
    h.update(`tool ${t} ${t ? (await stat(t)).size : 0}\n`);
  }
  return { tag: `${AGENT_REPO}:${h.digest('hex').slice(0, 16)}`, dist, packages, iptables };
}

async function copyInto(rootfs: string, hostPath: string, imagePath = hostPath): Promise<void> {
  const dest = path.join(rootfs, imagePath);
  if (existsSync(dest)) return;
  await mkdir(path.dirname(dest), { recursive: true });
  await copyFile(hostPath, dest);
  await chmod(dest, (await stat(hostPath)).mode & 0o7777);
}

async function withLibs(rootfs: string, bin: string, imagePath = bin): Promise<void> {
  await copyInto(rootfs, bin, imagePath);
  for (const lib of await sharedLibs(bin)) await copyInto(rootfs, lib);
}

async function assemble(root: string, p: Plan): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'drill-fault-agent-'));
  const rootfs = path.join(dir, 'rootfs');
  await withLibs(rootfs, process.execPath, '/usr/bin/node');
  for (const t of TOOLS) await withLibs(rootfs, which(t), `/usr/sbin/${t}`);
  await withLibs(rootfs, which('dash'), '/bin/sh');
  const ipt = path.basename(p.iptables);
  await withLibs(rootfs, p.iptables, `/usr/sbin/${ipt}`);
  for (const link of ['iptables', 'iptables-save', 'iptables-restore']) {
    await symlink(ipt, path.join(rootfs, 'usr/sbin', link));
  }
  for (const d of ['/usr/lib/x86_64-linux-gnu/xtables', '/usr/lib/aarch64-linux-gnu/xtables', '/usr/lib/xtables']) {
    if (!existsSync(d)) continue;
    for (const m of await readdir(d)) if (m.endsWith('.so')) await withLibs(rootfs, path.join(d, m));
  }
  for (const d of ['/usr/lib/x86_64-linux-gnu/tc', '/usr/lib/aarch64-linux-gnu/tc', '/usr/lib/tc']) {
    if (existsSync(d)) for (const f of await readdir(d)) await copyInto(rootfs, path.join(d, f));
  }
  const ft = findHostFaketime();
  if (ft !== undefined) await withLibs(rootfs, ft);
  for (const f of ['/etc/mke2fs.conf', '/etc/protocols', '/etc/services']) if (existsSync(f)) await copyInto(rootfs, f);
  for (const f of p.dist) await copyInto(rootfs, path.join(root, 'dist', f), path.join('/opt/drill/dist', f));
  for (const [pkgDir] of p.packages) {
    const rel = path.relative(root, pkgDir);
    for (const f of await filesUnder(pkgDir, (x) => !x.includes('node_modules/'))) {
      await copyInto(rootfs, path.join(pkgDir, f), path.join('/opt/drill', rel, f));
    }
  }
  await writeFile(path.join(rootfs, 'opt/drill/package.json'), '{ "type": "module", "private": true }\n');
  await mkdir(path.join(rootfs, 'etc'), { recursive: true });
  await writeFile(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\n');
  await writeFile(path.join(rootfs, 'etc/group'), 'root:x:0:\n');
  await writeFile(path.join(rootfs, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  for (const d of ['tmp', 'faketime', 'disks', 'mnt', 'run']) await mkdir(path.join(rootfs, d), { recursive: true });
  await chmod(path.join(rootfs, 'tmp'), 0o1777);
  await writeFile(
    path.join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/sbin:/usr/bin:/sbin:/bin NODE_ENV=production\n' +
      'ENTRYPOINT ["/usr/bin/node", "/opt/drill/dist/agent/main.js"]\nCMD ["serve"]\n',
  );
  return dir;
}

const inflight = new Map<string, Promise<string>>();

/** The fault agent image for this drill build, built on the harness's engine when missing. Its tag. */
export async function ensureAgentImage(root = drillRoot()): Promise<string> {
  await assertDockerAvailable();
  const p = await plan(root);
  if (await imageExists(p.tag, `fault agent image: inspect ${p.tag}`)) return p.tag;
  const running = inflight.get(p.tag);
  if (running) return running;
  const build = (async () => {
    let dir: string | undefined;
    try {
      dir = await assemble(root, p);
      await buildImage({
        dir,
        files: ['Dockerfile', 'rootfs'],
        tag: p.tag,
        kind: 'fault-agent',
        what: 'fault agent image',
      });
    } catch (e) {
      if (e instanceof InfraError) throw e;
      throw new InfraError(`fault agent image: ${errorLine(e)}`);
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
    return p.tag;
  })();
  inflight.set(p.tag, build);
  try {
    return await build;
  } finally {
    inflight.delete(p.tag);
  }
}
