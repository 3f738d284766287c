import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkProxy, liveLinkProxies, releaseTime } from '../../src/faults/link-proxy.js';

describe('releaseTime', () => {
  it('adds delay +- jitter and never releases before the previous chunk', () => {
    expect(releaseTime(1000, 200, 0, 0, 0.5)).toBe(1200);
    expect(releaseTime(1000, 200, 20, 0, 0)).toBe(1180);
    expect(releaseTime(1000, 200, 20, 0, 1)).toBe(1220);
    expect(releaseTime(1000, 10, 50, 0, 0)).toBe(1000); // never negative
    expect(releaseTime(1000, 200, 20, 1300, 0)).toBe(1300); // order kept
  });
});

describe('LinkProxy on loopback', () => {
  let proxy: LinkProxy | undefined;
  let echo: net.Server | undefined;
  afterEach(async () => {
    await proxy?.close();
    echo?.close();
    expect(liveLinkProxies()).toBe(0);
  });

  async function rtt(port: number): Promise<number> {
    const s = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => s.once('connect', r));
    const t = performance.now();
    s.write('ping');
    await new Promise((r) => s.once('data', r));
    const ms = performance.now() - t;
    s.destroy();
    return ms;
  }

  it('delays one direction per setting, and stops when set back to 0', async () => {
    echo = net.createServer((c) => c.on('data', (d) => c.write(d)));
    await new Promise<void>((r) => echo!.listen(0, '127.0.0.1', () => r()));
    const echoPort = (echo.address() as net.AddressInfo).port;
    proxy = new LinkProxy({ listenIp: '127.0.0.1', upstream: () => ({ host: '127.0.0.1', port: echoPort }) });
    const port = await proxy.addLink('a', 'b');
    expect(proxy.endpoint('a', 'b')).toEqual({ ip: '127.0.0.1', port });
    expect(await rtt(port)).toBeLessThan(50);
    proxy.setDelay('a', 'b', 100, 0);
    const slow = await rtt(port);
    expect(slow).toBeGreaterThanOrEqual(99);
    expect(slow).toBeLessThan(160);
    expect(proxy.delayedChunks('a', 'b', 95)).toBeGreaterThan(0);
    proxy.setDelay('b', 'a', 50, 0);
    expect(await rtt(port)).toBeGreaterThanOrEqual(149);
    proxy.setDelay('a', 'b', 0, 0);
    proxy.setDelay('b', 'a', 0, 0);
    expect(await rtt(port)).toBeLessThan(50);
  });
});
