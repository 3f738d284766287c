// Network faults from the host side: enter a container's network namespace with
// `nsenter -t <pid> -n` and run the HOST's iptables or tc there (the image has none). The
// rules themselves, tagged so that only ours are ever removed, are in src/faults/netfilter.ts.
import { execa } from 'execa';
import { InfraError } from '../core/errors.js';
import { errorLine } from './engine.js';

const NSENTER_HINT =
  'partitions need root, nsenter (util-linux) and iptables on the Docker host: sudo bash scripts/ensure-docker.sh';

/**
 * A node's network namespace: process `pid` of this host (entered with nsenter here), or a
 * process of another host whose fault agent runs the command there (src/agent/).
 */
export type Netns = number | RemoteNetns;

export interface RemoteNetns {
  readonly host: string;
  readonly pid: number;
  run(cmd: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
}

/**
 * Run a host command inside the network namespace `pid`, with `input` on its stdin if given
 * (iptables-restore). Throws InfraError on failure.
 */
export async function inNetns(
  pid: Netns,
  cmd: string,
  args: string[],
  input?: string,
): Promise<{ stdout: string; stderr: string }> {
  if (typeof pid !== 'number') return pid.run(cmd, args, input);
  if (!Number.isInteger(pid) || pid <= 0)
    throw new InfraError(`nsenter: invalid pid ${pid} (is the container running?)`);
  const r = await execa('nsenter', ['-t', String(pid), '-n', cmd, ...args], {
    reject: false,
    timeout: 10_000,
    ...(input !== undefined ? { input } : {}),
  });
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
