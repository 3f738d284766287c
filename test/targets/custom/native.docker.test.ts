// Stores people run, drilled over their own protocols (issue 14): Redis with Sentinel and a
// PostgreSQL primary through the native clients, and NATS JetStream through a client module
// the project does not ship. PostgreSQL's clock skewed through the host's libfaketime, and
// Redis, whose jemalloc hangs with it, refused at boot with the reason. Each example's image
// is built offline from Debian's packages by its prepare script (FROM scratch, no registry).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, RunTracker } from '../../support/drill-cli.js';

const out = mkdtempSync(join(tmpdir(), 'drill-native-'));
const runs = new RunTracker();

beforeAll(async () => {
  for (const [ex, probe] of [
    ['redis-sentinel', 'rootfs/usr/bin/redis-check-rdb'],
    ['postgres', 'rootfs/usr/lib/postgresql/15/bin/postgres'],
    ['nats', 'rootfs/usr/local/bin/nats-server'],
  ] as const) {
    if (!existsSync(join(root, 'examples', ex, probe))) await execa('bash', [join(root, 'examples', ex, 'prepare.sh')]);
  }
}, 300_000);
afterAll(() => runs.cleanup());

describe('native clients and client modules', () => {
  it('Redis with Sentinel, primary isolated: what the old primary acknowledged is lost, and said', async () => {
    const { code, result, output } = await runs.run('examples/redis-sentinel/isolate-primary.yaml', out);
    expect(code, output).toBe(0); // the expectation (fail: rpo.lost > 0) is met
    expect(result.verdict).toBe('fail');
    expect(result.expect?.met).toBe(true);
    const m = result.metrics;
    expect(m.rpo.lost!).toBeGreaterThan(0);
    expect(m.ops.acked_then_lost).toBe(m.rpo.lost);
    // the isolated primary acknowledged for the whole partition (6 s): the window spans it
    expect(m.rpo.window_s!).toBeGreaterThanOrEqual(5.5);
    // durable availability is below what the store claimed
    expect(m.availability!).toBeLessThan(m.availability_acked!);
    // RTO runs until writes survive: not before the partition healed
    const f = result.faults[0]!;
    expect(m.rto_s!).toBeGreaterThanOrEqual(f.healed_s! - f.confirmed_s! - 0.5);
    expect(m.split_brain?.max_leaders).toBeGreaterThanOrEqual(2);
    // the writes went over the native client, to the node Sentinel named
    expect(result.target.settings).toMatchObject({ probes: { write: 'redis', read: 'redis' } });
  });

  it('Redis with Sentinel, primary killed, writes waiting for a replica: a failover with nothing lost', async () => {
    const { code, result, output } = await runs.run('examples/redis-sentinel/primary-down.yaml', out);
    expect(code, output).toBe(0);
    expect(result.metrics.rpo.lost).toBe(0);
    expect(result.metrics.rto_s).not.toBeNull();
    expect(result.metrics.rto_per_fault[0]!.phases.leader_change_s).not.toBeNull();
  });

  it('PostgreSQL primary killed and restarted: crash recovery, nothing lost, over the SQL client', async () => {
    const { code, result, output } = await runs.run('examples/postgres/primary-restart.yaml', out);
    expect(code, output).toBe(0);
    expect(result.metrics.rpo.lost).toBe(0);
    expect(result.metrics.ops.writes_ok).toBeGreaterThan(1000);
    expect(result.target.settings).toMatchObject({ probes: { write: 'sql' } });
  });

  it("PostgreSQL's clock 300 s ahead (the host's libfaketime preloaded), read back by clock_timestamp()", async () => {
    const { code, result, output } = await runs.run('examples/postgres/clock-skew.yaml', out);
    expect(code, output).toBe(0);
    expect(result.verdict).toBe('pass');
    const [skew] = result.faults;
    expect(skew?.kind).toBe('clock-skew');
    const measured = (skew!.detail as { measured_offset_ms: Record<string, number> }).measured_offset_ms['n1']!;
    expect(Math.abs(measured - 300_000)).toBeLessThanOrEqual(1000);
    expect(skew?.healed_s).not.toBeNull();
    expect(result.metrics.rpo.lost).toBe(0);
  });

  it('Redis (jemalloc) with libfaketime preloaded hangs at start: the boot says why, exit 3', async () => {
    // node.sh is a script, so the binary check cannot see redis-server behind it; the node's log can.
    const text = readFileSync(join(root, 'examples/redis-sentinel/primary-down.yaml'), 'utf8')
      .replace('build: .', `build: ${join(root, 'examples/redis-sentinel')}`)
      .replace('boot_timeout: 60s', 'boot_timeout: 10s')
      .replace(
        /steps:[\s\S]*?thresholds:/,
        'steps:\n  - fault: { name: ahead, kind: clock-skew, target: replica, offset: 300s }\nthresholds:',
      );
    const file = join(out, 'redis-clock-skew.yaml');
    writeFileSync(file, text);
    const { code, result, output } = await runs.run(file, out);
    expect(code, output).toBe(3);
    expect(result.error).toMatch(/hangs with libfaketime preloaded .*known clash with jemalloc/);
  });

  it("NATS JetStream through a client module: writes and the read-back by the user's module", async () => {
    const { code, result, output } = await runs.run('examples/nats/leader-down.yaml', out);
    expect(code, output).toBe(0);
    expect(result.metrics.rpo.lost).toBe(0);
    const history = readFileSync(join(result.run_dir, 'history.jsonl'), 'utf8');
    // kv.create's revision is recorded as the write's index
    expect(history).toMatch(/"type":"ok","process":\d+,"f":"put","id":"k\d+-\d+","node":"n\d","t":[\d.]+,"index":\d+/);
  });
});
