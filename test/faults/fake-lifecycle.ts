// A fake of the two or three lifecycle methods a fault needs (Pumba style): enough to
// test apply/confirm/heal without Docker. The real thing is tested in *.docker.test.ts.
import type { HostCaps } from '../../src/faults/host-caps.js';
import type { NodeLifecycle, NodeState } from '../../src/targets/target.js';

/** A host without netem and with every tool (like this project's machines). */
export const FAKE_CAPS: HostCaps = {
  netem: { ok: false, err: '' },
  tbf: { ok: true, err: '' },
  statistic: { ok: true, err: '' },
  tools: { nsenter: true, iptables: true, tc: true, losetup: true, 'mkfs.ext4': true, chattr: true },
  faketime: null,
  cgroup: { version: 1, memory: true, cpu: true, io: true },
  volumeDevice: { device: '254:0 (vda)', why: '' },
};

export class FakeLifecycle implements NodeLifecycle {
  readonly state = new Map<string, NodeState>();
  readonly calls: string[] = [];
  /** Simulated delay between a request and its observable effect. */
  effectDelayMs = 0;

  constructor(nodes: string[]) {
    for (const n of nodes) this.state.set(n, { running: true, paused: false, pid: 100, exitCode: null });
  }
  private later(f: () => void): void {
    if (this.effectDelayMs === 0) f();
    else setTimeout(f, this.effectDelayMs);
  }
  private s(n: string): NodeState {
    const s = this.state.get(n);
    if (!s) throw new Error(`no such node ${n}`);
    return s;
  }
  async kill(n: string, sig: string) {
    this.calls.push(`kill ${n} ${sig}`);
    this.later(() => Object.assign(this.s(n), { running: false, pid: null, exitCode: 137 }));
  }
  async stop(n: string) {
    this.calls.push(`stop ${n}`);
    this.later(() => Object.assign(this.s(n), { running: false, pid: null, exitCode: 0 }));
  }
  async start(n: string) {
    this.calls.push(`start ${n}`);
    Object.assign(this.s(n), { running: true, pid: 101, exitCode: null });
  }
  async restart(n: string) {
    this.calls.push(`restart ${n}`);
  }
  async pause(n: string) {
    this.calls.push(`pause ${n}`);
    this.later(() => Object.assign(this.s(n), { paused: true }));
  }
  async unpause(n: string) {
    this.calls.push(`unpause ${n}`);
    Object.assign(this.s(n), { paused: false });
  }
  async inspect(n: string) {
    return { ...this.s(n) };
  }
}
