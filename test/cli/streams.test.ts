// A closed pipe ends the command quietly with its usual exit code (no EPIPE trace), and
// NO_COLOR / FORCE_COLOR decide colour.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import chalk from 'chalk';
import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { applyColorEnv } from '../../src/cli/streams.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/drill.js');
const dir = mkdtempSync(join(tmpdir(), 'drill-streams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `drill <args> | <reader>` in a shell; the exit codes of both sides of the pipe. */
async function piped(args: string, reader: string, env: Record<string, string> = {}) {
  const r = await execa('bash', ['-c', `node ${bin} ${args} | ${reader}; echo "codes \${PIPESTATUS[*]}" >&2`], {
    cwd: root,
    reject: false,
    env,
  });
  const codes = /codes (\d+) (\d+)/.exec(r.stderr);
  return { stdout: r.stdout, stderr: r.stderr.replace(/codes .*\n?$/, ''), drill: Number(codes?.[1]) };
}

describe('a closed pipe', () => {
  // `true` exits before drill writes a byte, so every write of drill's meets a closed pipe.
  it('drill list | true: exit 0, nothing on stderr', async () => {
    const r = await piped('list', 'true');
    expect(r.stderr).toBe('');
    expect(r.drill).toBe(0);
  });

  it('drill list | head -1: the first line, exit 0', async () => {
    const r = await piped('list', 'head -1');
    expect(r.stdout).toMatch(/^NAME\s+TAGS\s+DESCRIPTION\s+FILE$/);
    expect(r.stderr).toBe('');
    expect(r.drill).toBe(0);
  });

  it('keeps the exit code of the command (a usage error is still 2) and its stderr', async () => {
    const r = await piped('validate no-such-scenario', 'true');
    expect(r.drill).toBe(2);
    expect(r.stderr).toMatch(/^drill: no-such-scenario: no such file/);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });

  it('drill --help | true', async () => {
    const r = await piped('--help', 'true');
    expect(r.stderr).toBe('');
    expect(r.drill).toBe(0);
  });
});

describe('colour', () => {
  const level = chalk.level;
  afterEach(() => {
    chalk.level = level;
  });

  it('NO_COLOR (non-empty) turns chalk off unless FORCE_COLOR is set', () => {
    chalk.level = 2;
    applyColorEnv({ NO_COLOR: '' });
    expect(chalk.level).toBe(2);
    applyColorEnv({ NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(chalk.level).toBe(2);
    applyColorEnv({ NO_COLOR: '1' });
    expect(chalk.level).toBe(0);
  });

  it('FORCE_COLOR=1 colours the summary even into a pipe; FORCE_COLOR=0 and NO_COLOR do not', async () => {
    // drill report re-renders a recorded run (no Docker); its summary is the run's.
    const run = join(dir, 'run');
    cpSync(join(root, 'fixtures/runs/primary-down'), run, { recursive: true });
    const report = (env: Record<string, string>) =>
      execa('node', [bin, 'report', run], { reject: false, env: { ...env, FORCE_COLOR: env['FORCE_COLOR'] } });
    // eslint-disable-next-line no-control-regex
    const ansi = /\x1b\[[0-9;]*m/;
    const forced = await report({ FORCE_COLOR: '1' });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(ansi);
    expect((await report({ FORCE_COLOR: '0' })).stdout).not.toMatch(ansi);
    expect((await report({ NO_COLOR: '1' })).stdout).not.toMatch(ansi);
  });
});
