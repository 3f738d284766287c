// The user's own Compose stack, drilled (issue 15): PostgreSQL with Patroni and a three-member
// etcd from examples/postgres-patroni/docker-compose.yml, one image built offline from
// Debian's packages (FROM scratch). drill creates the containers itself from the Compose
// file: its labels, its network, its cleanup; nothing of a run is left afterwards.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, root, RunTracker } from '../../support/drill-cli.js';

const out = mkdtempSync(join(tmpdir(), 'drill-compose-'));
const runs = new RunTracker();
const ex = join(root, 'examples/postgres-patroni');

beforeAll(async () => {
  if (!existsSync(join(ex, 'rootfs/usr/bin/patroni'))) await execa('bash', [join(ex, 'prepare.sh')]);
}, 300_000);
afterAll(() => runs.cleanup());

/** Every container, network and volume labelled with the run. */
async function leftovers(runId: string): Promise<string[]> {
  const f = `label=drill.run=${runId}`;
  const ls = async (fmt: string, ...args: string[]) =>
    (await execa('docker', [...args, '--filter', f, '--format', fmt])).stdout.split('\n').filter(Boolean);
  return [
    ...(await ls('{{.Names}}', 'ps', '-a')),
    ...(await ls('{{.Name}}', 'network', 'ls')),
    ...(await ls('{{.Name}}', 'volume', 'ls')),
  ];
}

describe('a Compose stack: PostgreSQL with Patroni and etcd', () => {
  it('a Compose key drill does not support is refused with file:line before anything starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-compose-bad-'));
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      'services:\n  badsvc:\n    image: drill-never-pulled:1\n    privileged: true\n',
    );
    writeFileSync(
      join(dir, 's.yaml'),
      'name: bad-compose\ncluster:\n  target: custom\n  compose: docker-compose.yml\n  groups:\n    db:\n' +
        '      services: [badsvc]\n      probes:\n        health: { exec: { command: ["true"] } }\n' +
        '        role: { exec: { command: ["true"] } }\n' +
        "        write: { exec: { command: [sh, -c, 'echo {{id}}'] } }\n" +
        '        read: { exec: { command: ["true"] } }\nsteps:\n  - wait: 1s\n',
    );
    const r = await execa('node', [bin, 'run', join(dir, 's.yaml'), '--out', out], { reject: false });
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/docker-compose\.yml:4:5: services\.badsvc\.privileged: not supported/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const names = (await execa('docker', ['ps', '-a', '--format', '{{.Names}}'])).stdout;
    expect(names).not.toMatch(/badsvc/);
  });

  it('kill the primary (then an etcd member): Patroni fails over, nothing acknowledged is lost', async () => {
    const { code, result, output } = await runs.run('examples/postgres-patroni/kill-primary.yaml', out, 400_000);
    expect(code, output).toBe(0);
    expect(result.verdict).toBe('pass');
    const m = result.metrics;
    expect(m.rpo.lost).toBe(0);
    expect(m.ops.writes_ok).toBeGreaterThan(1000);
    // the primary was a pg node, never an etcd member; the etcd kill picked an etcd member
    const [primary, member] = result.faults;
    expect(primary!.nodes[0]).toMatch(/^pg\d$/);
    expect(member!.nodes[0]).toMatch(/^etcd\d$/);
    // a failover: the leader changed, and the RTO was measured through it
    expect(m.rto_per_fault[0]!.phases.leader_change_s).not.toBeNull();
    expect(m.rto_s).not.toBeNull();
    expect([...result.target.nodes].sort()).toEqual(['etcd1', 'etcd2', 'etcd3', 'pg1', 'pg2', 'pg3']);
    expect(await leftovers(result.run_id)).toEqual([]);
  }, 420_000);

  it('isolate a synchronous primary: the new primary has every acknowledged write', async () => {
    const { code, result, output } = await runs.run('examples/postgres-patroni/isolate-primary.yaml', out, 400_000);
    expect(code, output).toBe(0);
    expect(result.metrics.rpo.lost).toBe(0);
    expect(result.metrics.rto_s).not.toBeNull();
    expect(await leftovers(result.run_id)).toEqual([]);
  }, 420_000);

  it('isolate an asynchronous primary: what it acknowledged alone is lost when it rejoins, and said', async () => {
    const { code, result, output } = await runs.run(
      'examples/postgres-patroni/isolate-primary-async.yaml',
      out,
      400_000,
    );
    expect(code, output).toBe(0); // the expectation (fail: rpo.lost > 0) is met
    expect(result.verdict).toBe('fail');
    expect(result.expect?.met).toBe(true);
    const m = result.metrics;
    expect(m.rpo.lost!).toBeGreaterThan(0);
    expect(m.ops.acked_then_lost).toBe(m.rpo.lost);
    expect(m.rpo.window_s!).toBeGreaterThan(0);
    expect(m.availability!).toBeLessThan(m.availability_acked!);
    expect(await leftovers(result.run_id)).toEqual([]);
  }, 420_000);
});
