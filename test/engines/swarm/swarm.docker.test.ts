// `drill run --engine swarm` on a real three-host swarm built on this machine by
// scripts/swarm-fixture.sh (Docker engines in containers): primary-down boots graph-agent
// with one node on each host, kills the primary through the fault agent of its host, and
// passes; the journal and the result name the host of the fault; afterwards no host keeps
// anything of the run (services, secrets, containers, volumes, networks). The other four
// scenarios of the issue (partition, clock skew, disk full, backup and restore) pass there
// too. A custom target (the etcd example: Debian's etcd in an image built FROM scratch)
// runs its primary-down and disk-full unchanged there, a node on each host; PostgreSQL,
// whose image has no libfaketime, gets its clock skewed with the library its host's agent
// supplies; what cannot run on a swarm yet is refused with exit 2. Then a harness
// killed with SIGKILL while its disk-full fault is in effect: `drill cleanup --run <id>
// --engine swarm` leaves nothing on any host either, loop devices behind the bounded disks
// included (the fixture's hosts share this machine's kernel, so its /sys/block shows them).
// The fault-kinds drill limits a replica's memory, CPU and disk I/O through its host's agent
// (an OOM kill there is seen at its instant); a harness killed while they are in effect
// leaves no limited cgroup behind after `drill cleanup` (the fixture's hosts share this
// machine's /sys/fs/cgroup too).
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillResult, FaultRecord as Fault } from '../../../src/core/result.js';
import { loopsBacking } from '../../../src/agent/loop-helper.js';
import { LABEL } from '../../../src/docker/labels.js';
import { until } from '../../targets/graph-agent/support.js';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'bin/drill.js');
const fixture = join(root, 'scripts/swarm-fixture.sh');
// One fixture per person on a shared machine: DRILL_SWARM_FIXTURE_NAME names it (it must not be up yet).
const name = process.env['DRILL_SWARM_FIXTURE_NAME'] ?? `t${process.pid}`;
const out = mkdtempSync(join(tmpdir(), 'drill-swarm-e2e-'));

type Settings = { engine: string; hosts: Record<string, string> };

/** The DRILL_SWARM_* lines the fixture prints, as an environment. */
function parseEnv(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => /^DRILL_SWARM_[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** What each host still has of run `runId`. */
async function leftOnHosts(env: Record<string, string>, runId: string): Promise<string[]> {
  const found: string[] = [];
  const filters = { label: [`${LABEL.run}=${runId}`] };
  const manager = new Docker({ socketPath: env['DRILL_SWARM_MANAGER']!.replace('unix://', '') });
  for (const s of await manager.listServices({ filters })) found.push(`service ${s.Spec?.Name}`);
  for (const s of await manager.listSecrets({ filters })) found.push(`secret ${s.Spec?.Name}`);
  for (const url of env['DRILL_SWARM_HOSTS']!.split(',')) {
    const d = new Docker({ socketPath: url.replace('unix://', '') });
    for (const c of await d.listContainers({ all: true, filters })) found.push(`${url}: container ${c.Names[0]}`);
    for (const v of (await d.listVolumes({ filters })).Volumes ?? []) found.push(`${url}: volume ${v.Name}`);
    for (const n of await d.listNetworks({ filters })) found.push(`${url}: network ${n.Name}`);
  }
  return found;
}

/** Loop devices backed by one of the run's disk images (`<runId>--<key>.img`, src/agent/protocol.ts). */
function runLoops(runId: string): string[] {
  return loopsBacking((f) => f.startsWith(`${runId}--`));
}

/** The blkio cgroup directories of run `runId`'s containers on every host (this machine's: the hosts share it). */
async function runCgroups(env: Record<string, string>, runId: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const [i, url] of env['DRILL_SWARM_HOSTS']!.split(',').entries()) {
    const d = new Docker({ socketPath: url.replace('unix://', '') });
    for (const c of await d.listContainers({ filters: { label: [`${LABEL.run}=${runId}`] } }))
      dirs.push(`/sys/fs/cgroup/blkio/drill-fx-${name}-h${i + 1}/${c.Id}`);
  }
  return dirs;
}

/** Whether a blkio cgroup directory has a block I/O limit. */
function throttled(dir: string): boolean {
  return ['read', 'write'].some((op) => {
    const f = join(dir, `blkio.throttle.${op}_bps_device`);
    return existsSync(f) && readFileSync(f, 'utf8').trim() !== '';
  });
}

describe('swarm engine (docker, three hosts on one machine)', () => {
  let env: Record<string, string> = {};

  beforeAll(async () => {
    const up = await execa('bash', [fixture, 'up', name, '3'], { reject: false });
    if (up.exitCode !== 0) throw new Error(`swarm fixture did not come up: ${up.stderr}`);
    env = parseEnv(up.stdout);
  }, 300_000);

  afterAll(async () => {
    const down = await execa('bash', [fixture, 'down', name], { reject: false });
    expect(down.exitCode, down.stderr).toBe(0);
  }, 120_000);

  /** Run a library scenario on the swarm: it passes, a node on each host, nothing left on any host. */
  async function runOnSwarm(scenario: string, file = `scenarios/${scenario}.yaml`) {
    const r = await execa('node', [bin, 'run', file, '--engine', 'swarm', '--out', out], {
      cwd: root,
      reject: false,
      timeout: 500_000,
      env: { ...env, FORCE_COLOR: '0' },
    });
    const dir = join(out, scenario);
    const runDir = join(dir, readdirSync(dir).sort().at(-1)!);
    const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as DrillResult;
    expect({ exit: r.exitCode, verdict: result.verdict, error: result.error }, r.stderr).toEqual({
      exit: 0,
      verdict: 'pass',
      error: undefined,
    });
    const settings = result.target.settings as Settings;
    expect(settings.engine).toBe('swarm');
    expect(new Set(Object.values(settings.hosts))).toEqual(new Set(['h1', 'h2', 'h3']));
    expect(await leftOnHosts(env, result.run_id)).toEqual([]);
    return { result, runDir } as { result: DrillResult; runDir: string };
  }

  it('primary-down: a node on each host, the primary killed through its host agent, nothing left', async () => {
    const { result, runDir } = await runOnSwarm('primary-down');
    const settings = result.target.settings as { hosts: Record<string, string> };

    const [kill] = result.faults;
    expect(kill?.kind).toBe('kill');
    expect(kill?.confirmed_s).not.toBeNull();
    const node = kill!.nodes[0]!;
    expect(kill!.hosts).toEqual({ [node]: settings.hosts[node] });
    const journal = readFileSync(join(runDir, 'faults.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { event: string; hosts?: Record<string, string> });
    expect(journal.find((e) => e.event === 'apply')?.hosts).toEqual(kill!.hosts);
  }, 600_000);

  // Namespace rules, libfaketime offsets, loop-backed disks and a repository on the hosts'
  // shared directory, each through the fault agent of the node's host; corrupt-backup flips
  // a byte of the shared repository through the first host's agent, and the restore refuses it.
  it.each(['partition-primary', 'clock-skew', 'disk-full', 'backup-restore-full', 'corrupt-backup'])(
    '%s passes on the swarm as on one host',
    async (scenario) => {
      await runOnSwarm(scenario);
    },
    600_000,
  );

  it('bandwidth, loss, pause, restart, memory, cpu and io-limit of a replica through its host agent', async () => {
    const file = join(out, 'swarm-fault-kinds.yaml');
    // In each node: a process that grows to 400 MB and ends; in the memory-limited one the kernel kills it.
    const greedy = (node: string) =>
      `  - exec: { in: ${node}, command: [/usr/bin/node, -e, "require('child_process').spawnSync(process.execPath, ` +
      `['-e', 'const a = []; const t = setInterval(() => { a.push(Buffer.alloc(4e6, 1)); ` +
      `if (a.length === 100) clearInterval(t); }, 5)'])"] }`;
    writeFileSync(
      file,
      [
        'name: swarm-fault-kinds',
        'description: Network, process and resource faults of a replica through its host agent; nothing lost.',
        'cluster: { target: graph-agent, nodes: 3 }',
        'workload: { kind: graph, rate: 100, concurrency: 4, timeout: 1s }',
        'steps:',
        '  - wait: 2s',
        '  - fault: { name: slow-link, kind: bandwidth, target: replica, rate: 1mbit }',
        '  - wait: 2s',
        '  - heal: slow-link',
        '  - fault: { name: lossy, kind: loss, target: replica, percent: 30 }',
        '  - wait: 2s',
        '  - heal: lossy',
        '  - fault: { name: frozen, kind: pause, target: replica }',
        '  - wait: 2s',
        '  - heal: frozen',
        '  - fault: { name: bounce, kind: restart, target: replica }',
        '  - await: { condition: healthy, timeout: 60s }',
        '  - fault: { name: squeeze, kind: memory, target: replica, headroom: 128MiB }',
        ...['n1', 'n2', 'n3'].map(greedy),
        '  - heal: squeeze',
        '  - fault: { name: starve, kind: cpu, target: replica, cpus: 0.2 }',
        '  - wait: 1s',
        '  - heal: starve',
        '  - fault: { name: slow, kind: io-limit, target: replica, write_rate: 64KiB }',
        '  - wait: 1s',
        '  - heal: slow',
        '  - wait: 1s',
        'thresholds: { rpo: { lost: 0 }, integrity: true }',
        '',
      ].join('\n'),
    );
    const { result } = await runOnSwarm('swarm-fault-kinds', file);
    expect(result.faults.map((f) => [f.kind, f.confirmed_s !== null, f.healed_s !== null])).toEqual([
      ['bandwidth', true, true],
      ['loss', true, true],
      ['pause', true, true],
      ['restart', true, true],
      ['memory', true, true],
      ['cpu', true, true],
      ['io-limit', true, true],
    ]);
    for (const f of result.faults) expect(Object.keys(f.hosts ?? {})).toEqual(f.nodes);
    // Each resource fault read its limit back in the node's cgroup on the node's host (the
    // step is confirmed only then), and heal read back the limits it had before.
    const [memory, cpu, io] = result.faults.slice(4) as [Fault, Fault, Fault];
    const limited = memory.nodes[0]!;
    const m = memory.detail as { oom_kills: number; oom_events: { node: string; t_s: number }[]; via: string };
    expect(m.via).toBe('docker update');
    // The greedy process in the limited node was OOM-killed there, seen by its host's agent,
    // at an instant of the harness clock while the limit was in effect; the others' were not.
    expect(m.oom_kills).toBeGreaterThanOrEqual(1);
    for (const e of m.oom_events) {
      expect(e.node).toBe(limited);
      expect(e.t_s).toBeGreaterThan(memory.confirmed_s!);
      expect(e.t_s).toBeLessThan(memory.healed_s!);
    }
    const node = cpu.nodes[0]!;
    // Counted on its host at heal (how often depends on the load: a count, not a figure to assert).
    expect(
      (cpu.detail as { periods_throttled: Record<string, number> }).periods_throttled[node],
    ).toBeGreaterThanOrEqual(0);
    const d = io.detail as { devices: Record<string, string[]>; bytes_during: Record<string, unknown> };
    const [dev] = d.devices[io.nodes[0]!]!;
    expect(dev).toMatch(/^\d+:\d+$/);
    expect(Object.keys(d.bytes_during)).toEqual([`${io.nodes[0]} ${dev}`]);
  }, 600_000);

  it('a custom target (etcd) passes primary-down with a node on each host; drill cleanup leaves nothing', async () => {
    const etcd = join(root, 'examples/etcd');
    if (!existsSync(join(etcd, 'rootfs/usr/local/bin/etcd'))) await execa('bash', [join(etcd, 'prepare.sh')]);
    const { result } = await runOnSwarm('etcd-primary-down', join(etcd, 'primary-down.yaml'));
    const settings = result.target.settings as { hosts: Record<string, string> };
    const [kill] = result.faults;
    expect(kill?.kind).toBe('kill');
    expect(kill?.confirmed_s).not.toBeNull();
    expect(kill!.hosts).toEqual({ [kill!.nodes[0]!]: settings.hosts[kill!.nodes[0]!] });
    const c = await execa('node', [bin, 'cleanup', '--run', result.run_id, '--engine', 'swarm'], {
      cwd: root,
      reject: false,
      env: { ...env, FORCE_COLOR: '0' },
    });
    expect({ exit: c.exitCode, stderr: c.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(await leftOnHosts(env, result.run_id)).toEqual([]);

    // Size-bounded volumes on the nodes' hosts: a follower's filled by its host's agent.
    const full = await runOnSwarm('etcd-disk-full', join(etcd, 'disk-full.yaml'));
    const [fill] = full.result.faults;
    expect(fill?.kind).toBe('disk-full');
    expect(fill?.confirmed_s).not.toBeNull();
    const filled = (fill!.detail as { filled: Record<string, { free_bytes: number }> }).filled;
    expect(Object.values(filled).every((f) => f.free_bytes < 1024 * 1024)).toBe(true);
    expect(fill!.hosts).toEqual({
      [fill!.nodes[0]!]: (full.result.target.settings as Settings).hosts[fill!.nodes[0]!],
    });
    expect(runLoops(full.result.run_id)).toEqual([]);

    // What a swarm cannot do (chattr on the repository's files on this machine) is refused before anything starts.
    const refused = await execa(
      'node',
      [bin, 'run', 'scenarios/backup-repository-faults.yaml', '--engine', 'swarm', '--out', join(out, 'refused')],
      {
        cwd: root,
        reject: false,
        env: { ...env, FORCE_COLOR: '0' },
      },
    );
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/steps\[\d+\]\.fault\.kind: backup-storage: /);
  }, 600_000);

  it('custom node without libfaketime in its image (PostgreSQL): its host agent supplies it', async () => {
    const pg = join(root, 'examples/postgres');
    if (!existsSync(join(pg, 'rootfs/usr/lib/postgresql'))) await execa('bash', [join(pg, 'prepare.sh')]);
    const r = await execa('node', [bin, 'run', join(pg, 'clock-skew.yaml'), '--engine', 'swarm', '--out', out], {
      cwd: root,
      reject: false,
      timeout: 500_000,
      env: { ...env, FORCE_COLOR: '0' },
    });
    const dir = join(out, 'postgres-clock-skew');
    const result = JSON.parse(
      readFileSync(join(dir, readdirSync(dir).sort().at(-1)!, 'result.json'), 'utf8'),
    ) as DrillResult;
    expect({ exit: r.exitCode, verdict: result.verdict, error: result.error }, r.stderr).toEqual({
      exit: 0,
      verdict: 'pass',
      error: undefined,
    });
    const settings = result.target.settings as Settings & { faults: { clock: string } };
    expect(settings.engine).toBe('swarm');
    expect(settings.faults.clock).toMatch(/^libfaketime preloaded from each host's fault agent/);
    const [skew] = result.faults;
    expect(skew?.kind).toBe('clock-skew');
    expect(skew?.confirmed_s).not.toBeNull();
    // Read back through PostgreSQL's clock_timestamp(), on the node's host: 300 s +- 1 s.
    const measured = (skew!.detail as { measured_offset_ms: Record<string, number> }).measured_offset_ms['n1']!;
    expect(Math.abs(measured - 300_000)).toBeLessThanOrEqual(1000);
    expect(skew!.hosts).toEqual({ n1: settings.hosts['n1'] });
    expect(await leftOnHosts(env, result.run_id)).toEqual([]);
  }, 600_000);

  it('SIGKILL of the harness mid-fault: drill cleanup --engine swarm leaves nothing on any host', async () => {
    const killedOut = join(out, 'killed');
    // The primary's disk full, and a replica's disk I/O, CPU and memory limited, when the harness dies.
    const file = join(out, 'swarm-killed.yaml');
    writeFileSync(
      file,
      [
        'name: swarm-killed',
        'description: Disk full on the primary, resource limits on a replica; the harness is killed meanwhile.',
        'cluster: { target: graph-agent, nodes: 3 }',
        'workload: { kind: graph, rate: 100, concurrency: 4, timeout: 1s }',
        'steps:',
        '  - wait: 2s',
        '  - fault: { name: slow, kind: io-limit, target: replica, write_rate: 1KiB, read_rate: 1KiB }',
        '  - fault: { name: starve, kind: cpu, target: replica, cpus: 0.05 }',
        '  - fault: { name: squeeze, kind: memory, target: replica, headroom: 64MiB }',
        // Last: a primary whose disk is full may stop, and then there is a new primary.
        '  - fault: { name: full, kind: disk-full, target: primary }',
        '  - wait: 300s',
        'thresholds: { rpo: { lost: 0 }, integrity: true }',
        '',
      ].join('\n'),
    );
    const child = execa('node', [bin, 'run', file, '--engine', 'swarm', '--out', killedOut], {
      cwd: root,
      reject: false,
      env: { ...env, FORCE_COLOR: '0' },
    });
    const journal = await until(
      'the last fault journaled as confirmed',
      400_000,
      async () => {
        const base = join(killedOut, 'swarm-killed');
        if (!existsSync(base)) return false;
        const d = readdirSync(base).sort().at(-1);
        const f = d && join(base, d, 'faults.jsonl');
        return f && existsSync(f) && /"event":"confirmed","id":"full"/.test(readFileSync(f, 'utf8')) ? f : false;
      },
      200,
    );
    child.kill('SIGKILL');
    await child;
    const runId = (JSON.parse(readFileSync(journal, 'utf8').split('\n')[0]!) as { run_id: string }).run_id;
    expect((await leftOnHosts(env, runId)).length).toBeGreaterThan(0); // the nodes and agents are still there
    expect(runLoops(runId).length).toBeGreaterThan(0); // the bounded disks' loop devices too
    const cgroups = await runCgroups(env, runId);
    // The fixture's hosts share this machine's cgroups: the replica's block I/O is still throttled there.
    expect(cgroups.some((dir) => throttled(dir))).toBe(true);
    const c = await execa('node', [bin, 'cleanup', '--run', runId, '--engine', 'swarm'], {
      cwd: root,
      reject: false,
      env: { ...env, FORCE_COLOR: '0' },
    });
    expect(c.stderr).toBe(''); // before the exit code: a failure then shows what could not be removed, in full
    expect(c.exitCode).toBe(0);
    expect(c.stdout).toMatch(/[1-9]\d* loop device\(s\)/);
    expect(await leftOnHosts(env, runId)).toEqual([]);
    expect(runLoops(runId)).toEqual([]);
    // Nothing limited outlives the run: its containers' cgroups went with them.
    expect(cgroups.filter((dir) => existsSync(dir))).toEqual([]);
  }, 600_000);
});
