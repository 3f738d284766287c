// Host-side artefacts of the clock and disk faults, all under one findable directory per
// run: <state root>/<runId>/ (default /tmp/drill-state, DRILL_STATE_DIR overrides):
//
//   faketime/<node>   libfaketime offset file per node ("+0" = no skew), bind-mounted at
//                     /faketime in the node's container (read-only)
//   disk/<node>.img   sparse ext4 image behind a loop device, the node's size-bounded
//                     data volume (disk-full scenarios only)
//
// Teardown and `drill cleanup` detach the loop devices whose backing file lies under the
// run's directory, then delete it; nothing else on the host is touched.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { InfraError } from '../core/errors.js';

export function stateRoot(): string {
  return process.env['DRILL_STATE_DIR'] ?? path.join(tmpdir(), 'drill-state');
}

export function runStateDir(runId: string): string {
  return path.join(stateRoot(), runId);
}

export function faketimeDir(runId: string): string {
  return path.join(runStateDir(runId), 'faketime');
}

/** libfaketime's offset syntax: "+120", "-300", "+0". */
export function faketimeSpec(offsetS: number): string {
  const r = Math.round(offsetS * 1000) / 1000;
  return r >= 0 ? `+${r}` : `${r}`;
}

/** Create the run's offset files, each "+0" (no skew until a fault says so). */
export function initFaketime(runId: string, nodes: readonly string[]): string {
  const dir = faketimeDir(runId);
  mkdirSync(dir, { recursive: true });
  for (const n of nodes) writeFileSync(path.join(dir, n), '+0\n');
  return dir;
}

/** Write a node's offset; libfaketime (FAKETIME_NO_CACHE=1) reads it on every clock call. */
export function writeOffset(runId: string, node: string, offsetS: number): void {
  writeFileSync(path.join(faketimeDir(runId), node), `${faketimeSpec(offsetS)}\n`);
}

async function run(cmd: string, args: string[]): Promise<string> {
  const r = await execa(cmd, args, { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0)
    throw new InfraError(`${cmd} ${args.join(' ')} failed: ${String(r.stderr || r.stdout).split('\n')[0]}`);
  return r.stdout;
}

/**
 * An empty root on a fresh ext4 image (mkfs makes lost+found), so that Docker copies the
 * image's content and the ownership of the mount point into the volume on first use, as it
 * does for any empty named volume: without it, a node that runs as another user than root
 * (PostgreSQL as postgres) finds its data directory owned by root. Best effort: without
 * debugfs (e2fsprogs, beside mkfs.ext4) the volume keeps lost+found and a root-owned root.
 */
export async function emptyRoot(image: string): Promise<void> {
  await execa('debugfs', ['-w', '-R', 'rmdir lost+found', image], { reject: false, timeout: 30_000 }).catch(
    () => undefined,
  );
}

/**
 * A sparse ext4 image of `sizeMb` behind a fresh loop device, for a size-bounded volume
 * (Docker's local driver mounts a block device, but cannot set one up: `o=loop` fails).
 * No reserved blocks, so the node (root) and the balloon see the same free space.
 */
export async function createLoopDisk(
  runId: string,
  node: string,
  sizeMb: number,
): Promise<{ image: string; device: string }> {
  const dir = path.join(runStateDir(runId), 'disk');
  mkdirSync(dir, { recursive: true });
  const image = path.join(dir, `${node}.img`);
  await run('truncate', ['-s', `${sizeMb}M`, image]);
  await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image]);
  await emptyRoot(image);
  const device = (await run('losetup', ['--find', '--show', image])).trim();
  return { image, device };
}

/** Loop devices backed by a file under `dir` (`losetup -a` lists "/dev/loopN: []: (/path)"). */
export async function loopDevicesUnder(dir: string): Promise<string[]> {
  const r = await execa('losetup', ['-a'], { reject: false });
  if (r.exitCode !== 0) return [];
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^(\/dev\/loop\d+):.*\((.*?)(?: \(deleted\))?\)\s*$/.exec(line);
    if (m && (m[2] === dir || m[2]!.startsWith(dir + path.sep))) out.push(m[1]!);
  }
  return out;
}

/**
 * Undo a run's host artefacts: detach its loop devices, delete its directory. Call after
 * its containers and volumes are gone (a mounted volume keeps its loop device busy).
 * Returns what was removed; errors are collected, never thrown.
 */
export async function removeRunState(runId: string): Promise<{ loops: number; dirs: number; errors: string[] }> {
  const dir = runStateDir(runId);
  const out = { loops: 0, dirs: 0, errors: [] as string[] };
  for (const dev of await loopDevicesUnder(dir)) {
    const r = await execa('losetup', ['-d', dev], { reject: false });
    if (r.exitCode === 0) out.loops++;
    else out.errors.push(`losetup -d ${dev}: ${String(r.stderr).split('\n')[0]}`);
  }
  if (existsSync(dir)) {
    try {
      rmSync(dir, { recursive: true, force: true });
      out.dirs++;
    } catch (e) {
      out.errors.push(`remove ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}

/** Run ids with a state directory on this host. */
export function runsWithState(): string[] {
  const root = stateRoot();
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
}
