// Running the real CLI from Docker tests: a drill to its result, and cleanup of exactly the
// runs a test file started (other drills may share the engine).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import type { DrillResult } from '../../src/core/result.js';

export const root = resolve(import.meta.dirname, '../..');
export const bin = join(root, 'bin/drill.js');

export interface DrillRun {
  code: number;
  result: DrillResult;
  /** stdout + stderr */
  output: string;
}

/** A set of run ids to clean up after a test file. */
export class RunTracker {
  readonly ids: string[] = [];

  /** `drill run <file> --out <out> --quiet`, then its result.json. */
  async run(file: string, out: string, timeout = 170_000): Promise<DrillRun> {
    const r = await execa('node', [bin, 'run', file, '--out', out, '--quiet'], {
      cwd: root,
      reject: false,
      timeout,
      env: { FORCE_COLOR: '0' },
    });
    const dir = /run directory: (.+)/.exec(r.stdout)?.[1]?.trim();
    expect(dir, r.stdout + r.stderr).toBeDefined();
    const result = JSON.parse(readFileSync(join(dir!, 'result.json'), 'utf8')) as DrillResult;
    this.ids.push(result.run_id);
    return { code: r.exitCode ?? -1, result, output: r.stdout + r.stderr };
  }

  async cleanup(): Promise<void> {
    for (const id of this.ids) await execa('node', [bin, 'cleanup', '--run', id], { reject: false });
  }
}
