// The fault agent's resource operations refuse what is not theirs to touch before touching
// anything: containers of other runs, pids outside the container, controllers, files,
// fields and values off their fixed lists. What passes reads and writes the container's own
// cgroup files (a hand-made /proc and cgroup v1 tree here) and reaches the engine with exact
// integers; OOM events come back on the harness clock, each once. The engine is a stand-in
// answering inspect, update and events as Docker does (the real one is tested on the swarm
// fixture: test/engines/swarm/swarm.docker.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultAgentClient } from '../../src/agent/client.js';
import type { HostSide } from '../../src/agent/host-side.js';
import { resourceFields, ResourceSide } from '../../src/agent/resource-side.js';
import { startAgentServer } from '../../src/agent/server.js';
import { monotonicClock } from '../../src/core/clock.js';

const RUN = 'run-resource-test';
const OURS = 'a'.repeat(64);
const THEIRS = 'b'.repeat(64);
const PID = 4242;
const OTHER_PID = 4343;

const root = mkdtempSync(join(tmpdir(), 'drill-resource-side-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const proc = join(root, 'proc');
const cgroup = join(root, 'cgroup');
// cgroup v1: a container's memory and blkio cgroups under the engine's parent, named by its id.
for (const c of ['memory', 'cpu', 'blkio']) mkdirSync(join(cgroup, c, 'parent', OURS), { recursive: true });
writeFileSync(join(cgroup, 'memory', 'parent', OURS, 'memory.limit_in_bytes'), '9223372036854771712\n');
writeFileSync(join(cgroup, 'blkio', 'parent', OURS, 'blkio.throttle.write_bps_device'), '');
writeFileSync(join(cgroup, 'memory', 'parent', OURS, 'cgroup.procs'), `${PID}\n`);
mkdirSync(join(proc, String(PID)), { recursive: true });
writeFileSync(
  join(proc, String(PID), 'cgroup'),
  `9:blkio:/parent/${OURS}\n4:memory:/parent/${OURS}\n2:cpu:/parent/${OURS}\n`,
);
mkdirSync(join(proc, String(OTHER_PID)), { recursive: true });
writeFileSync(join(proc, String(OTHER_PID), 'cgroup'), `4:memory:/parent/${THEIRS}\n`);

interface Engine {
  updates: string[];
  events: string;
}

/** Docker's answers for two containers: ours (this run's label, running PID, a volume at /data) and another run's. */
function engine(e: Engine): Docker {
  const inspect = (id: string) => {
    if (id !== OURS && id !== THEIRS) return Promise.reject(new Error(`no such container: ${id}`));
    return Promise.resolve({
      Config: { Labels: { 'drill.managed': 'true', 'drill.run': id === OURS ? RUN : 'another-run' } },
      State: { Running: true, Pid: id === OURS ? PID : OTHER_PID, OOMKilled: false },
      HostConfig: { Memory: 0, MemorySwap: 0, NanoCpus: 0, CpuQuota: 0, CpuPeriod: 0 },
      Mounts: [{ Type: 'volume', Name: 'drill-x-n1', Destination: '/data' }],
    });
  };
  return {
    getContainer: (id: string) => ({ inspect: () => inspect(id) }),
    getEvents: () => Promise.resolve(Readable.from([Buffer.from(e.events)])),
    modem: {
      dial: (o: { file: Buffer }, cb: (err: unknown) => void) => {
        e.updates.push(o.file.toString());
        cb(null);
      },
    },
  } as unknown as Docker;
}

function side(e: Engine = { updates: [], events: '' }, now = () => 1000, wallNow = () => 1_700_000_000_000) {
  return new ResourceSide({ runId: RUN, docker: engine(e), roots: { proc, cgroup }, now, wallNow });
}

describe('the fault agent refuses what is not its run', () => {
  it("reads only this run's containers, by full id, through a pid inside them", async () => {
    const s = side();
    await expect(s.readCgroup(OURS, PID, 'memory', ['memory.limit_in_bytes'])).resolves.toEqual({
      'memory.limit_in_bytes': '9223372036854771712',
    });
    await expect(s.readCgroup(THEIRS, OTHER_PID, 'memory', ['memory.limit_in_bytes'])).rejects.toThrow(
      /is not this run's/,
    );
    await expect(s.readCgroup(OURS.slice(0, 12), PID, 'memory', ['memory.limit_in_bytes'])).rejects.toThrow(
      /not a full id/,
    );
    // A pid of another container (or none at all) does not lead into ours, nor out of it.
    await expect(s.readCgroup(OURS, OTHER_PID, 'memory', ['memory.limit_in_bytes'])).rejects.toThrow(
      /is not in container/,
    );
    await expect(s.readCgroup(OURS, 99999, 'memory', ['memory.limit_in_bytes'])).rejects.toThrow(/no such process/);
    await expect(s.readCgroup(OURS, -1, 'memory', ['memory.limit_in_bytes'])).rejects.toThrow(/invalid pid/);
    await expect(s.readCgroup(OURS, '1' as never, 'memory', ['memory.limit_in_bytes'])).rejects.toThrow(/invalid pid/);
  });

  it('reads and writes only the files the resource faults use, and writes only limit lines', async () => {
    const s = side();
    await expect(s.readCgroup(OURS, PID, 'devices', ['devices.list'])).rejects.toThrow(/controller "devices"/);
    await expect(s.readCgroup(OURS, PID, 'memory', ['cgroup.procs'])).rejects.toThrow(/not among the memory files/);
    await expect(s.readCgroup(OURS, PID, 'memory', ['../../../etc/passwd'])).rejects.toThrow(/not among/);
    await expect(s.readCgroup(OURS, PID, 'memory', 'memory.stat')).rejects.toThrow(/not among/);
    await expect(s.writeCgroup(OURS, PID, 'memory', 'memory.limit_in_bytes', '1')).rejects.toThrow(
      /not a memory file the resource faults write/,
    );
    await expect(s.writeCgroup(OURS, PID, 'blkio', 'cgroup.procs', '1')).rejects.toThrow(/not a blkio file/);
    for (const bad of ['65536', '8:0 65536\n8:16 1', '8:0 -1', '8:0 rbps=1 foo=2', 'max'])
      await expect(s.writeCgroup(OURS, PID, 'blkio', 'blkio.throttle.write_bps_device', bad)).rejects.toThrow(
        /not a block I\/O limit line/,
      );
    await expect(
      s.writeCgroup(THEIRS, OTHER_PID, 'blkio', 'blkio.throttle.write_bps_device', '8:0 65536'),
    ).rejects.toThrow(/is not this run's/);
    await s.writeCgroup(OURS, PID, 'blkio', 'blkio.throttle.write_bps_device', '8:0 65536');
    expect(readFileSync(join(cgroup, 'blkio', 'parent', OURS, 'blkio.throttle.write_bps_device'), 'utf8')).toBe(
      '8:0 65536',
    );
  });

  it('updates only resource fields of its own containers, integers only', async () => {
    const e: Engine = { updates: [], events: '' };
    const s = side(e);
    expect(() => resourceFields({ Privileged: true })).toThrow(/field Privileged is not allowed/);
    expect(() => resourceFields({ Binds: ['/:/host'] })).toThrow(/not allowed/);
    expect(() => resourceFields({ Memory: 1.5 })).toThrow(/not an integer/);
    expect(() => resourceFields({ Memory: '1e9' })).toThrow(/not an integer/);
    expect(() => resourceFields({})).toThrow(/no fields/);
    expect(() => resourceFields(['Memory'])).toThrow(/no fields/);
    expect(resourceFields({ Memory: '9223372036854771712', CpuQuota: -1 })).toEqual({
      Memory: 9223372036854771712n,
      CpuQuota: -1,
    });
    await expect(s.updateResources(THEIRS, { Memory: 8388608 })).rejects.toThrow(/is not this run's/);
    await expect(s.updateResources(OURS, { Memory: 8388608, Privileged: true })).rejects.toThrow(/not allowed/);
    expect(e.updates).toEqual([]);
  });

  it("finds a volume's device only through its own container's mount of it", async () => {
    const s = side();
    await expect(s.volumeDevice(OURS, 'drill-other-volume')).rejects.toThrow(/is not mounted in container/);
    await expect(s.volumeDevice(THEIRS, 'drill-x-n1')).rejects.toThrow(/is not this run's/);
    // Ours is mounted at /data in the container; the hand-made /proc has no root for it.
    expect((await s.volumeDevice(OURS, 'drill-x-n1')).why).toMatch(/cannot stat .*\/4242\/root\/data/);
  });

  it("reads OOM events of its own containers only, on the agent's monotonic clock", async () => {
    // The engine's clock is the host's wall clock: 1_700_000_000_000 ms when the agent's reads 1000.
    const e: Engine = {
      updates: [],
      events: `${JSON.stringify({ id: OURS, Action: 'oom', timeNano: (1_700_000_000_000 - 250) * 1e6 })}\n`,
    };
    const s = side(e);
    await expect(s.oomEvents([], 0)).rejects.toThrow(/no containers/);
    await expect(s.oomEvents([OURS], Number.NaN)).rejects.toThrow(/invalid since/);
    await expect(s.oomEvents([OURS, THEIRS], 0)).rejects.toThrow(/is not this run's/);
    const r = await s.oomEvents([OURS], 0);
    expect(r).toEqual({
      events: [{ container: OURS, at: expect.any(Number), key: `${OURS}@${(1_700_000_000_000 - 250) * 1e6}` }],
      until: 1000,
    });
    // The engine's nanoseconds, parsed as a double, are good to a microsecond.
    expect(r.events[0]!.at).toBeCloseTo(750, 2);
  });
});

describe('the resource operations over the wire', () => {
  const servers: http.Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  it("sends Docker's unlimited memory exactly, and delivers each OOM kill once, on the harness clock", async () => {
    const clock = monotonicClock();
    const agentNow = () => clock.now() + 5000;
    const e: Engine = { updates: [], events: '' };
    const wall = () => 1_700_000_000_000 + clock.now();
    const rs = side(e, agentNow, wall);
    const server = await startAgentServer(
      { host: 'h1', runId: RUN, token: 't'.repeat(64), side: { resources: rs } as unknown as HostSide, now: agentNow },
      0,
    );
    servers.push(server);
    const c = new FaultAgentClient({
      host: 'h1',
      runId: RUN,
      token: 't'.repeat(64),
      clock,
      locate: () => Promise.resolve({ address: '127.0.0.1', port: (server.address() as AddressInfo).port }),
    });
    await c.updateResources(OURS, { Memory: 9223372036854771712n, MemorySwap: -1 });
    expect(e.updates).toEqual(['{"Memory":9223372036854771712,"MemorySwap":-1}']);
    await expect(c.updateResources(THEIRS, { Memory: 1 })).rejects.toThrow(/is not this run's/);

    const seen: { container: string; at: number | undefined }[] = [];
    const stop = await c.watchOom([OURS], (container, at) => seen.push({ container, at }));
    const killedAt = clock.now();
    // Every window the engine answers with the same kill (windows overlap): it is delivered once.
    e.events = `${JSON.stringify({ id: OURS, Action: 'oom', timeNano: wall() * 1e6 })}\n`;
    await new Promise((r) => setTimeout(r, 1200));
    await stop();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.container).toBe(OURS);
    // The engine's wall-clock stamp, through the agent's monotonic clock, back on the harness clock.
    expect(Math.abs(seen[0]!.at! - killedAt)).toBeLessThanOrEqual(c.offset!.errorMs + 5);
    c.close();
  });
});
