// The `exec` step: a command of the user's on the timeline. On the harness host it runs
// with the run's identity in its environment (DRILL_RUN_ID, DRILL_RUN_DIR, DRILL_NODES,
// DRILL_LEADER); with `in:` it runs inside a node's container through the engine (an
// argument list: FROM-scratch images have no shell). Its output goes to
// exec-<step>.log in the run directory; an exit code other than the expected one, or the
// timeout, fails the step with the last line of output.

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { dataNodesOf, type Target } from '../targets/target.js';
import type { ExecStep } from './steps.js';

export interface ExecContext {
  target: Target;
  runId: string;
  runDir: string;
  stepIndex: number;
  signal: AbortSignal;
}

export async function runExecStep(step: ExecStep, ctx: ExecContext): Promise<string> {
  const log = join(ctx.runDir, `exec-${ctx.stepIndex + 1}.log`);
  const where = step.in !== undefined ? await resolveNode(step.in, ctx.target) : undefined;
  appendFileSync(log, `$ ${where ? `[${where}] ` : ''}${step.command.join(' ')}\n`);
  let exitCode: number;
  let output: string;
  if (where !== undefined) {
    if (!ctx.target.exec) throw new Error(`target ${ctx.target.kind} cannot run commands in its nodes`);
    const r = await ctx.target.exec(where, step.command, step.timeoutMs);
    exitCode = r.exitCode;
    output = r.stdout + r.stderr;
  } else {
    const r = await execa(step.command[0]!, step.command.slice(1), {
      reject: false,
      all: true,
      timeout: step.timeoutMs,
      cancelSignal: ctx.signal,
      env: {
        DRILL_RUN_ID: ctx.runId,
        DRILL_RUN_DIR: ctx.runDir,
        DRILL_NODES: ctx.target.nodeNames.join(','),
        DRILL_LEADER: (await ctx.target.leader().catch(() => null)) ?? '',
      },
    });
    if (r.timedOut) {
      appendFileSync(log, `${r.all ?? ''}\n[drill] timed out after ${step.timeoutMs} ms\n`);
      throw new Error(`timed out after ${step.timeoutMs} ms (output in ${log})`);
    }
    if (r.failed && r.exitCode === undefined) {
      appendFileSync(log, `[drill] ${r.shortMessage}\n`);
      throw new Error(`${r.shortMessage} (output in ${log})`);
    }
    exitCode = r.exitCode ?? -1;
    output = r.all ?? '';
  }
  appendFileSync(log, `${output}${output.endsWith('\n') || output === '' ? '' : '\n'}[drill] exit ${exitCode}\n`);
  const last = output.trim().split('\n').at(-1) ?? '';
  if (exitCode !== step.expectExit) {
    throw new Error(`exited ${exitCode}, expected ${step.expectExit}${last ? `: ${last}` : ''} (output in ${log})`);
  }
  return `exec exited ${exitCode}${last ? `: ${last.slice(0, 120)}` : ''}`;
}

async function resolveNode(sel: string, target: Target): Promise<string> {
  if (sel === 'primary' || sel === 'replica') {
    const l = await target.leader();
    if (l === null) throw new Error(`no ${sel} to run in: the cluster has no leader right now`);
    if (sel === 'primary') return l;
    const r = dataNodesOf(target).find((n) => n !== l);
    if (r === undefined) throw new Error('no replica to run in');
    return r;
  }
  if (!target.nodeNames.includes(sel))
    throw new Error(`node ${sel} is not in the cluster (${target.nodeNames.join(', ')})`);
  return sel;
}
