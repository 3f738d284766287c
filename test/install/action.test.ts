// action.yml is a composite action whose steps GitHub can run: every run step names its
// shell, inputs reach scripts through the environment only, and every input it refers to
// is declared.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');

interface Step {
  name?: string;
  id?: string;
  shell?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  name: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const text = readFileSync(join(root, 'action.yml'), 'utf8');
const action = parse(text) as Action;

describe('action.yml', () => {
  it('is a composite action; run steps name their shell and call the tested script', () => {
    expect(action.runs.using).toBe('composite');
    const runs = action.runs.steps.filter((s) => s.run !== undefined);
    for (const s of runs) expect(s.shell, s.name).toBe('bash');
    expect(runs.map((s) => s.run).filter((r) => r!.includes('github-action.sh'))).toEqual([
      'bash "$GITHUB_ACTION_PATH/scripts/github-action.sh" setup',
      'bash "$GITHUB_ACTION_PATH/scripts/github-action.sh" run',
    ]);
  });

  it('never pastes an input into a script (only env and with)', () => {
    for (const s of action.runs.steps) expect(s.run ?? '', s.name).not.toMatch(/\$\{\{/);
  });

  it('declares every input it uses, uploads the run directories and exposes the exit code', () => {
    const used = [...text.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]!);
    for (const u of used) expect(Object.keys(action.inputs)).toContain(u);
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.['path']).toBe('${{ inputs.out }}');
    expect(upload?.if).toContain('always()');
    expect(action.outputs['exit-code']?.value).toBe('${{ steps.run.outputs.exit-code }}');
  });

  it('the nightly workflow uses it on a matrix of shards and gates on their merge', () => {
    const text = readFileSync(join(root, '.github/workflows/nightly.yml'), 'utf8');
    expect(text).toMatch(/uses: \.\/\n/);
    type Job = { needs?: string; if?: string; strategy?: { matrix?: { shard?: number[] } }; steps: Step[] };
    const { jobs } = parse(text) as { jobs: Record<string, Job> };
    const shards = jobs['drills']!.strategy!.matrix!.shard!;
    const action = jobs['drills']!.steps.find((s) => s.uses === './')!;
    // Every shard of the split in the matrix, each with a distinct artifact the merge downloads.
    expect(action.with!['args']).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    expect(action.with!['artifact-name']).toContain('${{ matrix.shard }}');
    const merge = jobs['merge']!;
    expect(merge.needs).toBe('drills');
    expect(merge.if).toBe('always()');
    expect(merge.steps.find((s) => s.id === 'merge')!.run).toContain('bin/drill.js merge shards/');
    expect(text).toContain('test "${{ steps.merge.outputs.exit-code }}" = 0');
  });
});
