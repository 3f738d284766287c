// (9) Restore RTO: the bundled restore drill, scenarios/backup-restore-full.yaml, through the
// real drill path (runDrill: full backup under load, the whole cluster destroyed, a restore
// into a fresh cluster, verified), its restore RTO (data destroyed -> first verified read and
// write on the restored cluster) and phases. The reference, interleaved in the same run, is
// the plain Docker CLI booting the same 3 nodes to a leader (the overhead benchmark's plain
// path): a restore into a fresh cluster cannot be faster than a fresh cluster's boot, so the
// ratio is what the restore adds to it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDrill, type DrillProgress } from '../run/drill.js';
import { loadScenarioFile } from '../scenario/load.js';
import { ensureGraphAgentImage } from '../targets/graph-agent/image.js';
import type { BenchOptions } from './common.js';
import { plainOnce } from './overhead.js';
import { figure, median, type Figure } from './table.js';

const SCENARIO = fileURLToPath(new URL('../../scenarios/backup-restore-full.yaml', import.meta.url));
const quietProgress: DrillProgress = { update() {}, event() {}, done() {} };

interface Trial {
  rtoS: number | null;
  phases: Record<string, number | null> | null;
  backupBytes: number | null;
  verdict: string;
  error?: string;
}

async function drillOnce(out: string, seed: number, signal: AbortSignal): Promise<Trial> {
  const res = await runDrill({
    file: await loadScenarioFile(SCENARIO),
    outDir: out,
    seed,
    signal,
    progress: quietProgress,
  });
  const r = res.metrics.restore;
  const t: Trial = {
    rtoS: r?.rto_s ?? null,
    phases: r?.phases ?? null,
    backupBytes: typeof r?.backups[0]?.['bytes'] === 'number' ? r.backups[0]['bytes'] : null,
    verdict: res.verdict,
  };
  if (res.error !== undefined) t.error = res.error;
  return t;
}

export async function benchRestoreRto(opts: BenchOptions): Promise<Figure[]> {
  const runs = opts.quick ? 1 : 3;
  const out = await mkdtemp(path.join(tmpdir(), 'drill-bench-restore-'));
  const img = await ensureGraphAgentImage();
  const trials: Trial[] = [];
  const plainMs: number[] = [];
  const signal = opts.signal ?? new AbortController().signal;
  try {
    for (let i = 0; i < runs; i++) {
      trials.push(await drillOnce(out, 7 + i, signal));
      plainMs.push((await plainOnce(img.tag)).bootMs);
      const t = trials.at(-1)!;
      opts.log(
        `restore drill ${i + 1}/${runs}: ${t.verdict}, restore RTO ${t.rtoS === null ? 'unknown' : `${t.rtoS} s`} ` +
          `${JSON.stringify(t.phases)}${t.error ? ` (${t.error})` : ''}; plain boot ${plainMs.at(-1)!.toFixed(0)} ms`,
      );
      if (signal.aborted) break;
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  const rtos = trials.flatMap((t) => (t.rtoS === null ? [] : [t.rtoS * 1000]));
  const known = rtos.length === trials.length && rtos.length > 0;
  return [
    figure({
      bench: 'restore',
      name: 'restore.rto',
      label: `restore RTO of backup-restore-full.yaml (median of ${runs})`,
      value: known ? median(rtos) : null,
      unit: 'ms',
      reference: { what: 'plain docker run of 3 nodes to a leader, same run', value: median(plainMs), unit: 'ms' },
      reason: trials.find((t) => t.rtoS === null)?.error ?? 'a drill measured no restore RTO',
      detail: {
        trials: trials.map((t) => ({
          rto_s: t.rtoS,
          phases: t.phases,
          backup_bytes: t.backupBytes,
          verdict: t.verdict,
          ...(t.error ? { error: t.error } : {}),
        })),
        plain_boot_ms: plainMs.map(Math.round),
      },
    }),
  ];
}
