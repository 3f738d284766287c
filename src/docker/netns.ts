// Network faults from the host side: enter a container's network namespace with
// `nsenter -t <pid> -n` and run the HOST's iptables there (the image has none). Every rule
// we add carries the comment `drill:<runId>`, and healing removes only rules with that
// comment, so rules anyone else added are never touched.
import { execa } from 'execa';
import { InfraError } from '../core/errors.js';
import { errorLine } from './engine.js';

const TAG_RE = /^drill:[A-Za-z0-9_.-]+$/;
const NSENTER_HINT =
  'partitions need root, nsenter (util-linux) and iptables on the Docker host: sudo bash scripts/ensure-docker.sh';

export function ruleTag(runId: string): string {
  const tag = `drill:${runId}`;
  if (!TAG_RE.test(tag)) throw new InfraError(`invalid rule tag ${JSON.stringify(tag)}`);
  return tag;
}

/** Run a host command inside the network namespace of process `pid`. Throws InfraError on failure. */
export async function inNetns(pid: number, cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  if (!Number.isInteger(pid) || pid <= 0)
    throw new InfraError(`nsenter: invalid pid ${pid} (is the container running?)`);
  const r = await execa('nsenter', ['-t', String(pid), '-n', cmd, ...args], { reject: false, timeout: 10_000 });
  if (r.exitCode !== 0) {
    throw new InfraError(
      `nsenter -t ${pid} -n ${cmd} ${args.join(' ')} failed: ${errorLine(r.stderr || r.stdout || r.message)}`,
      NSENTER_HINT,
    );
  }
  return { stdout: r.stdout, stderr: r.stderr };
}

/** Split an `iptables -S` line into arguments (handles double-quoted comments). */
export function splitRule(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  return out;
}

/**
 * Drop all traffic between the namespace of `pid` and each of `peerIps` (INPUT from them,
 * OUTPUT to them), tagged `drill:<runId>`. Established connections are cut too: the rules
 * do not match on connection state.
 */
export async function blockPeers(pid: number, peerIps: string[], runId: string): Promise<void> {
  const tag = ruleTag(runId);
  for (const ip of peerIps) {
    await inNetns(pid, 'iptables', ['-w', '-I', 'INPUT', '-s', ip, '-m', 'comment', '--comment', tag, '-j', 'DROP']);
    await inNetns(pid, 'iptables', ['-w', '-I', 'OUTPUT', '-d', ip, '-m', 'comment', '--comment', tag, '-j', 'DROP']);
  }
}

/** Our tagged rules in the namespace of `pid`, as `iptables -S` argument lists (table filter). */
export async function listTaggedRules(pid: number, runId: string): Promise<string[][]> {
  const tag = ruleTag(runId);
  const { stdout } = await inNetns(pid, 'iptables', ['-w', '-S']);
  return stdout
    .split('\n')
    .map(splitRule)
    .filter((a) => a[0] === '-A' && a.some((t, i) => t === tag && a[i - 1] === '--comment'));
}

/** Remove every rule tagged `drill:<runId>` in the namespace of `pid`. Returns how many. */
export async function healNetns(pid: number, runId: string): Promise<number> {
  const rules = await listTaggedRules(pid, runId);
  for (const r of rules) await inNetns(pid, 'iptables', ['-w', '-D', ...r.slice(1)]);
  return rules.length;
}
