import { execa } from 'execa';

// Docker tests must run against a real engine. If none answers, fail the whole
// layer loudly instead of skipping: `bash scripts/ensure-docker.sh` starts one.
export default async function setup(): Promise<void> {
  const r = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false });
  if (r.exitCode !== 0) {
    throw new Error(
      `Docker tests need a running engine and none answers (${r.stderr.split('\n')[0]}). ` +
        'Run `bash scripts/ensure-docker.sh` (as root) and retry.',
    );
  }
}
