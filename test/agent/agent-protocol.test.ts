// The fault agent's protocol between a real server and a real client, in process, with a
// recording host side: the token is checked, the agent's instants come back on the harness
// clock within the measured error, and an agent that died comes back on another port, where
// the client finds it and resends only what cannot have been applied twice.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultAgentClient } from '../../src/agent/client.js';
import { offsetFrom, toHarness } from '../../src/agent/clock-sync.js';
import type { HostSide } from '../../src/agent/host-side.js';
import { startAgentServer } from '../../src/agent/server.js';
import { monotonicClock } from '../../src/core/clock.js';
import { InfraError } from '../../src/core/errors.js';

const TOKEN = 'a'.repeat(64);
const RUN = 'run-agent-test';
const clock = monotonicClock();
/** The agent's monotonic clock: the harness's plus 5 s (another process, another origin). */
const agentNow = () => clock.now() + 5000;

interface Side {
  calls: string[];
  /** Make the next kill hang (the agent dies while it runs). */
  hangKill: boolean;
}

function fakeSide(s: Side): HostSide {
  return {
    kill: (container: string) => {
      s.calls.push(`kill ${container}`);
      return s.hangKill ? new Promise(() => undefined) : Promise.resolve();
    },
    inspect: (container: string) => {
      s.calls.push(`inspect ${container}`);
      return Promise.resolve({ value: { running: false, paused: false, pid: null, exitCode: 137 }, at: agentNow() });
    },
  } as unknown as HostSide;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r)).catch(() => undefined);
});

async function agent(side: Side, token = TOKEN): Promise<{ server: http.Server; port: number }> {
  const server = await startAgentServer({ host: 'h1', runId: RUN, token, side: fakeSide(side), now: agentNow }, 0);
  servers.push(server);
  return { server, port: (server.address() as AddressInfo).port };
}

function client(port: () => number, token = TOKEN): FaultAgentClient {
  return new FaultAgentClient({
    host: 'h1',
    runId: RUN,
    token,
    clock,
    locate: () => Promise.resolve({ address: '127.0.0.1', port: port() }),
  });
}

describe('clock offset', () => {
  it('takes the sample with the shortest round trip; the agent reading lies mid-way, within half of it', () => {
    const o = offsetFrom([
      { t0: 100, agent: 5108, t1: 120 },
      { t0: 200, agent: 5201, t1: 204 },
      { t0: 300, agent: 5330, t1: 340 },
    ]);
    expect(o).toEqual({ offsetMs: 4999, errorMs: 2, rttMs: 4 });
    expect(toHarness(6000, o)).toBe(1001);
    expect(() => offsetFrom([])).toThrow();
  });
});

describe('fault agent client and server', () => {
  it('refuses a client with the wrong token', async () => {
    const { port } = await agent({ calls: [], hangKill: false });
    const c = client(() => port, 'b'.repeat(64));
    await expect(c.connect()).rejects.toThrow(/unauthorized/);
    c.close();
  });

  it("answers on the harness clock: the agent's instant converted within the measured error", async () => {
    const side: Side = { calls: [], hangKill: false };
    const { port } = await agent(side);
    const c = client(() => port);
    const before = clock.now();
    const seen = await c.inspect('c1');
    const after = clock.now();
    expect(seen.exitCode).toBe(137);
    const err = c.offset!.errorMs;
    expect(Math.abs(c.offset!.offsetMs - 5000)).toBeLessThanOrEqual(err + 0.01);
    expect(seen.at).toBeGreaterThanOrEqual(before - err);
    expect(seen.at).toBeLessThanOrEqual(after + err);
    c.close();
  });

  it('finds an agent that came back on another port and resends what cannot have reached the old one', async () => {
    const first: Side = { calls: [], hangKill: false };
    const a = await agent(first);
    let port = a.port;
    const c = client(() => port);
    await c.kill('c1', 'SIGKILL');
    // The agent's task dies; the swarm starts a new one, which listens on another port.
    await new Promise((r) => {
      a.server.close(r);
      a.server.closeAllConnections();
    });
    // The swarm restarts a task after 500 ms at the earliest: the client has seen the old
    // connections close by then.
    await new Promise((r) => setTimeout(r, 100));
    const second: Side = { calls: [], hangKill: false };
    const b = await agent(second);
    port = b.port;
    await c.kill('c2', 'SIGKILL');
    expect(first.calls).toEqual(['kill c1']);
    expect(second.calls).toEqual(['kill c2']);
    c.close();
  });

  it('does not send a kill again when the agent died while it ran: it may have been applied', async () => {
    const side: Side = { calls: [], hangKill: true };
    const a = await agent(side);
    const c = client(() => a.port);
    await c.inspect('c1');
    const killing = c.kill('c1', 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    a.server.closeAllConnections();
    const err = await killing.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect(String(err)).toMatch(/kill/);
    expect(side.calls.filter((x) => x.startsWith('kill'))).toEqual(['kill c1']);
    c.close();
  });
});
