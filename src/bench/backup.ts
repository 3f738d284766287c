// Backup/restore benchmark (in process, no Docker): a graph of `elements` (default 1M) built
// through the agent's own Graph and log, its WAL written to a data directory; then, in the same
// run, `tar -c <datadir> | sha256sum` as the baseline, a full backup, a restore (verify every
// chunk + rebuild the state + bulk-load batches), and incremental backups after small and large
// changes. Exported for src/bench/main.ts; `node dist/bench/backup.js [elements]` runs it alone.

import { execSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BackupEngine,
  DEFAULT_BACKUP_SETTINGS,
  encodeRecord,
  FsStorage,
  Graph,
  loadBatches,
  planRestore,
  Repository,
  type BackupSource,
  type Command,
} from '@drill/graph-agent';

export interface BackupBenchResult {
  elements: number;
  data_dir_bytes: number;
  tar_sha256_s: number;
  tar_sha256_mb_s: number;
  full_backup_s: number;
  full_backup_mb_s: number;
  snapshot_bytes: number;
  restore_s: number;
  restore_mb_s: number;
  /** One node applying the restore's load batches (after the restore figure, not in it). */
  apply_s: number;
  /**
   * CPU seconds of each (every thread of this process; tar and sha256sum as children): the
   * work itself, which a loaded machine does not inflate as it does the wall times.
   */
  cpu: { tar_sha256_s: number | null; full_backup_s: number; restore_s: number };
  incremental: { changed: number; seconds: number; bytes: number }[];
}

/** CPU seconds of this process's waited-for children (/proc/self/stat cutime + cstime), null off Linux. */
function childrenCpuS(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of stat(5), counted from the state (field 3) here; in clock ticks (USER_HZ 100).
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return null;
  }
}

const cpuS = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return Math.round((c.user + c.system) / 1000) / 1000;
};

class BenchNode implements BackupSource {
  readonly nodeId = 'bench';
  readonly peers: string[] = [];
  readonly g = new Graph();
  readonly log: { term: number; json: string; cmd: Command }[] = [];
  graph() {
    return this.g;
  }
  lastApplied() {
    return this.log.length;
  }
  entryAt(i: number) {
    return this.log[i - 1];
  }
  role() {
    return 'leader';
  }
  term() {
    return 1;
  }
  leaderId() {
    return 'bench';
  }
  write(cmd: Command): void {
    const json = JSON.stringify({ term: 1, cmd });
    this.log.push({ term: 1, json, cmd });
    this.g.apply(cmd);
  }
}

const mb = (b: number, s: number): number => Math.round((b / 1e6 / s) * 10) / 10;
const secs = (t0: number): number => Math.round(performance.now() - t0) / 1000;

export async function benchBackup(
  elements = 1_000_000,
  log: (l: string) => void = console.log,
): Promise<BackupBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'drill-bench-backup-'));
  try {
    const node = new BenchNode();
    const dataDir = join(root, 'data');
    execSync(`mkdir -p ${dataDir}`);
    const fd = openSync(join(dataDir, 'wal.log'), 'w');
    const nv = Math.floor(elements * 0.7);
    let pending: Buffer[] = [];
    const flush = (): void => {
      if (pending.length) writeSync(fd, Buffer.concat(pending));
      pending = [];
    };
    const add = (cmd: Command): void => {
      node.write(cmd);
      pending.push(encodeRecord(node.log[node.log.length - 1]!.json));
      if (pending.length >= 10_000) flush();
    };
    for (let i = 0; i < nv; i++)
      add({ op: 'vertex', id: `v${i}`, label: 'person', properties: { w: i % 16, name: `n-${i}` } });
    for (let i = 0; i < elements - nv; i++)
      add({ op: 'edge', id: `e${i}`, from: `v${i % nv}`, to: `v${(i * 7919) % nv}`, type: 'knows', properties: {} });
    flush();
    closeSync(fd);
    const dataBytes = statSync(join(dataDir, 'wal.log')).size;
    log(`graph: ${elements} elements, data dir ${(dataBytes / 1e6).toFixed(1)} MB`);

    const child0 = childrenCpuS();
    let t0 = performance.now();
    execSync(`tar -c -C ${root} data | sha256sum > /dev/null`, { shell: '/bin/bash' });
    const tarS = secs(t0);
    const child1 = childrenCpuS();
    const tarCpu = child0 === null || child1 === null ? null : Math.round((child1 - child0) * 1000) / 1000;

    const storage = new FsStorage(join(root, 'repo'));
    const engine = new BackupEngine(storage, node, DEFAULT_BACKUP_SETTINGS);
    let c0 = process.cpuUsage();
    t0 = performance.now();
    const full = await engine.backup({ type: 'full' });
    const fullS = secs(t0);
    const fullCpu = cpuS(c0);

    c0 = process.cpuUsage();
    t0 = performance.now();
    const plan = await planRestore(new Repository(storage), {});
    let batches = 0;
    for (const _ of loadBatches(plan.state, 2000)) batches++;
    const restoreS = secs(t0);
    const restoreCpu = cpuS(c0);
    if (plan.checksum !== node.g.checksum()) throw new Error('bench: restored checksum differs');
    // Not part of the figure: what each node of the restored cluster then does with the batches
    // (index and hash every element as it applies them), shown beside it.
    t0 = performance.now();
    const applied = new Graph();
    for (const cmd of loadBatches(plan.state, 2000)) applied.apply(cmd);
    const applyS = secs(t0);
    if (applied.checksum() !== plan.checksum) throw new Error('bench: applied checksum differs');

    const incremental: BackupBenchResult['incremental'] = [];
    let next = 0;
    for (const changed of [1_000, 10_000, 100_000]) {
      for (let i = 0; i < changed; i++) node.write({ op: 'vertex', id: `x${next++}`, label: 'new', properties: { i } });
      t0 = performance.now();
      const inc = await engine.backup({ type: 'incremental' });
      incremental.push({ changed, seconds: secs(t0), bytes: inc.manifest.bytes });
    }
    const r: BackupBenchResult = {
      elements,
      data_dir_bytes: dataBytes,
      tar_sha256_s: tarS,
      tar_sha256_mb_s: mb(dataBytes, tarS),
      full_backup_s: fullS,
      full_backup_mb_s: mb(full.manifest.bytes, fullS),
      snapshot_bytes: full.manifest.bytes,
      restore_s: restoreS,
      restore_mb_s: mb(full.manifest.bytes, restoreS),
      apply_s: applyS,
      cpu: { tar_sha256_s: tarCpu, full_backup_s: fullCpu, restore_s: restoreCpu },
      incremental,
    };
    log(
      `tar|sha256sum ${tarS}s (${r.tar_sha256_mb_s} MB/s); ` +
        `full backup ${fullS}s (${r.full_backup_mb_s} MB/s, ${(full.manifest.bytes / 1e6).toFixed(1)} MB, ` +
        `${full.manifest.chunks.length} chunks); ` +
        `restore (verify + rebuild + ${batches} load batches) ${restoreS}s (${r.restore_mb_s} MB/s); ` +
        `one node applying them ${applyS}s; ` +
        `CPU: tar|sha256sum ${tarCpu ?? 'unknown'}s, full backup ${fullCpu}s, restore ${restoreCpu}s`,
    );
    for (const i of incremental)
      log(`incremental after ${i.changed} new elements: ${i.seconds}s, ${(i.bytes / 1e6).toFixed(2)} MB`);
    return r;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && /bench[/\\]backup\.js$/.test(process.argv[1])) {
  void benchBackup(Number(process.argv[2] ?? 1_000_000)).then((r) => console.log(JSON.stringify(r)));
}
