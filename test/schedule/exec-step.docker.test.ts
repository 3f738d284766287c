// exec steps against the real engine: on the host with the run's identity, inside the
// primary's container, and an expected non-zero exit; a wrong exit code fails the step.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/core/result.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/drill.js');
const out = mkdtempSync(join(tmpdir(), 'drill-exec-'));
const runIds: string[] = [];
afterAll(async () => {
  for (const id of runIds) await execa('node', [bin, 'cleanup', '--run', id], { reject: false });
});

async function run(file: string): Promise<{ code: number; result: DrillResult }> {
  const r = await execa('node', [bin, 'run', file, '--out', out, '--quiet'], {
    cwd: root,
    reject: false,
    env: { FORCE_COLOR: '0' },
  });
  const dir = /run directory: (.+)/.exec(r.stdout)![1]!.trim();
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as DrillResult;
  runIds.push(result.run_id);
  return { code: r.exitCode ?? -1, result };
}

describe('exec steps', () => {
  it('run on the host with DRILL_* set and inside the primary; output goes to exec-<step>.log', async () => {
    const { code, result } = await run('fixtures/scenarios/exec-steps.yaml');
    expect(code, JSON.stringify(result.steps)).toBe(0);
    const host = readFileSync(join(result.run_dir, 'exec-2.log'), 'utf8');
    expect(host).toContain(`run=${result.run_id} nodes=n1,n2,n3 leader=n`);
    const inside = readFileSync(join(result.run_dir, 'exec-3.log'), 'utf8');
    expect(inside).toMatch(/\[n\d\] \/usr\/bin\/node/);
    expect(inside).toContain('wal true');
    expect(readFileSync(join(result.run_dir, 'exec-4.log'), 'utf8')).toContain('[drill] exit 3');
  });

  it('an unexpected exit code fails the step (and the drill) with the reason', async () => {
    const f = join(out, 'exec-fails.yaml');
    writeFileSync(
      f,
      readFileSync(join(root, 'fixtures/scenarios/exec-steps.yaml'), 'utf8')
        .replace('expect_exit: 3', 'expect_exit: 0')
        .replace('name: exec-steps', 'name: exec-fails'),
    );
    const { code, result } = await run(f);
    expect(code).toBe(1);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/step 4 \(exec on the host: sh -c exit 3\) failed: exited 3, expected 0/);
  });
});
