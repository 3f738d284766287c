// The fault agent's entry point, inside its image (src/agent/image.ts), one per host:
//
//   node dist/agent/main.js serve     the run's agent (a task of the global service drill
//                                     deploys): answers the harness on DRILL_AGENT_PORT
//   node dist/agent/main.js cleanup   once, in a helper container `drill cleanup` starts on
//                                     a host: undo the run's host-side state and exit
//
// Environment: DRILL_RUN (the run id), DRILL_AGENT_HOST (the swarm node's hostname),
// DRILL_AGENT_IMAGE (this image, for loop helpers), DRILL_AGENT_PORT, DRILL_AGENT_SHARED
// (where the shared directory is mounted, if it is). The token is the swarm secret at
// /run/secrets/drill-agent-token.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { isValidRunId } from '../docker/labels.js';
import { HostSide } from './host-side.js';
import { AGENT_PORT, TOKEN_FILE } from './protocol.js';
import { startAgentServer } from './server.js';

const now = () => Number(process.hrtime.bigint()) / 1e6;

function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
}

async function main(argv: string[]): Promise<void> {
  const mode = argv[0] ?? 'serve';
  const runId = env('DRILL_RUN');
  if (!isValidRunId(runId)) throw new Error(`DRILL_RUN: invalid run id ${JSON.stringify(runId)}`);
  const host = env('DRILL_AGENT_HOST', hostname());
  const shared = process.env['DRILL_AGENT_SHARED'];
  const side = new HostSide({
    runId,
    host,
    docker: new Docker({ socketPath: '/var/run/docker.sock' }),
    procRoot: existsSync('/host/proc/1') ? '/host/proc' : '/proc',
    cgroupRoot: existsSync('/host/cgroup') ? '/host/cgroup' : '/sys/fs/cgroup',
    faketimeDir: '/faketime',
    disksDir: '/disks',
    sharedDir: shared,
    image: env('DRILL_AGENT_IMAGE'),
    now,
  });
  if (mode === 'cleanup') {
    const r = await side.removeRunState();
    let repos = 0;
    if (shared !== undefined && existsSync(shared)) {
      for (const f of readdirSync(shared).filter((x) => x.startsWith(`drill-${runId}-`))) {
        rmSync(path.join(shared, f), { recursive: true, force: true });
        repos++;
      }
    }
    process.stdout.write(`${JSON.stringify({ host, ...r, repositories: repos })}\n`);
    return;
  }
  if (mode !== 'serve') throw new Error(`unknown mode ${mode} (serve, cleanup)`);
  const token = readFileSync(TOKEN_FILE, 'utf8').trim();
  if (token.length < 32) throw new Error(`${TOKEN_FILE}: the token is too short`);
  const port = Number(env('DRILL_AGENT_PORT', String(AGENT_PORT)));
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const server = await startAgentServer({ host, runId, token, side, now, log }, port);
  process.stdout.write(`drill fault agent: run ${runId}, host ${host}, port ${port}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`drill fault agent: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
