import { describe, expect, it } from 'vitest';
import { tbfArgs, parseRate } from '../../src/faults/bandwidth.js';
import { hasInterpreter } from '../../src/faults/elf.js';
import { faketimeSpec } from '../../src/faults/host-state.js';
import type { HostCaps } from '../../src/faults/host-caps.js';
import { faultKinds } from '../../src/faults/registry.js';
import {
  faultTag,
  insertArgs,
  isOurQdisc,
  lossRules,
  partitionRules,
  restoreInput,
  taggedRules,
  type PeerPath,
} from '../../src/faults/netfilter.js';

const ips: Record<string, string> = { n1: '10.0.0.1', n2: '10.0.0.2', n3: '10.0.0.3' };
const direct: PeerPath = { ip: (n) => ips[n]!, peerPort: 7000 };
const proxied: PeerPath = {
  ...direct,
  link: (a, b) => ({ ip: '10.0.0.254', port: 40000 + Number(a[1]) * 10 + Number(b[1]) }),
};
const show = (m: Map<string, { chain: string; match: string[] }[]>) =>
  Object.fromEntries([...m].map(([n, rs]) => [n, rs.map((r) => `${r.chain} ${r.match.join(' ')}`)]));

describe('partition rules', () => {
  it('isolating n1 cuts both ways, with rules on both sides', () => {
    expect(show(partitionRules([['n1'], ['n2', 'n3']], false, direct))).toEqual({
      n1: ['INPUT -s 10.0.0.2', 'OUTPUT -d 10.0.0.2', 'INPUT -s 10.0.0.3', 'OUTPUT -d 10.0.0.3'],
      n2: ['INPUT -s 10.0.0.1', 'OUTPUT -d 10.0.0.1'],
      n3: ['INPUT -s 10.0.0.1', 'OUTPUT -d 10.0.0.1'],
    });
  });

  it("one way cuts only the first group's connections, by peer port", () => {
    expect(show(partitionRules([['n1'], ['n2']], true, direct))).toEqual({
      n1: ['OUTPUT -d 10.0.0.2 -p tcp --dport 7000', 'INPUT -s 10.0.0.2 -p tcp --sport 7000'],
    });
  });

  it('with the link proxy, each side also cuts its own leg of the proxied link', () => {
    const r = show(partitionRules([['n1'], ['n2']], false, proxied));
    expect(r['n1']).toContain('OUTPUT -d 10.0.0.254 -p tcp --dport 40012');
    expect(r['n2']).toContain('INPUT -s 10.0.0.254 -p tcp --sport 40021');
    expect(show(partitionRules([['n1'], ['n2']], true, proxied))).toEqual({
      n1: ['OUTPUT -d 10.0.0.254 -p tcp --dport 40012', 'INPUT -s 10.0.0.254 -p tcp --sport 40012'],
    });
  });
});

describe('loss rules and tags', () => {
  it('drop towards each peer with the statistic match', () => {
    expect(lossRules('n1', ['n2', 'n3'], 0.3, direct).map((r) => r.match.join(' '))).toEqual([
      '-d 10.0.0.2 -m statistic --mode random --probability 0.3000',
      '-d 10.0.0.3 -m statistic --mode random --probability 0.3000',
    ]);
  });

  it('tags every rule and finds exactly ours back in iptables -S output', () => {
    const tag = faultTag('run-1', 'p1');
    expect(tag).toBe('drill:run-1:p1');
    expect(insertArgs({ chain: 'INPUT', match: ['-s', '1.2.3.4'] }, tag)).toEqual([
      '-w',
      '-I',
      'INPUT',
      '-s',
      '1.2.3.4',
      '-m',
      'comment',
      '--comment',
      'drill:run-1:p1',
      '-j',
      'DROP',
    ]);
    const s = [
      '-P INPUT ACCEPT',
      '-A INPUT -s 1.2.3.4/32 -m comment --comment drill:run-1:p1 -j DROP',
      '-A INPUT -s 1.2.3.5/32 -m comment --comment drill:run-1:p10 -j DROP',
      '-A OUTPUT -d 1.2.3.4/32 -m comment --comment "someone else" -j DROP',
    ].join('\n');
    expect(taggedRules(s, (c) => c === tag)).toEqual([
      ['-A', 'INPUT', '-s', '1.2.3.4/32', '-m', 'comment', '--comment', 'drill:run-1:p1', '-j', 'DROP'],
    ]);
    expect(() => faultTag('run 1', 'p1')).toThrow();
  });

  it('writes one iptables-restore transaction, quoting only what is not a plain word', () => {
    const tag = faultTag('run-1', 'p1');
    const ins = insertArgs({ chain: 'OUTPUT', match: ['-d', '10.0.0.2', '-p', 'tcp', '--dport', '7000'] }, tag);
    expect(
      restoreInput([ins.slice(1), ['-D', 'INPUT', '-m', 'comment', '--comment', 'some "one" else', '-j', 'DROP']]),
    ).toBe(
      '*filter\n' +
        '-I OUTPUT -d 10.0.0.2 -p tcp --dport 7000 -m comment --comment drill:run-1:p1 -j DROP\n' +
        '-D INPUT -m comment --comment "some \\"one\\" else" -j DROP\n' +
        'COMMIT\n',
    );
  });

  it('recognises only our qdisc', () => {
    expect(isOurQdisc('qdisc tbf dd00: root refcnt 2 rate 1Mbit burst 16000b lat 400ms')).toBe(true);
    expect(isOurQdisc('qdisc noqueue 0: root refcnt 2')).toBe(false);
  });
});

describe('mechanisms, rates, offsets, ELF', () => {
  const noNetem: HostCaps = {
    netem: { ok: false, err: 'Error: Specified qdisc kind is unknown.' },
    tbf: { ok: true, err: '' },
    statistic: { ok: true, err: '' },
    tools: { nsenter: true, iptables: true, tc: true, losetup: true, 'mkfs.ext4': true, chattr: true },
    faketime: null,
    cgroup: { version: 1, memory: true, cpu: true, io: true },
    volumeDevice: { device: null, why: '' },
  };
  it('falls back where netem is missing, and says why duplicate cannot', () => {
    expect(faultKinds.delay.mechanism(noNetem).mechanism).toMatch(/link proxy/);
    expect(faultKinds.loss.mechanism(noNetem).mechanism).toMatch(/statistic/);
    expect(faultKinds.duplicate.mechanism(noNetem)).toMatchObject({
      available: false,
      why: 'duplicate needs tc netem, which this kernel lacks',
    });
    expect(faultKinds.delay.mechanism({ ...noNetem, netem: { ok: true, err: '' } }).mechanism).toMatch(/netem/);
  });
  it('names the missing host tool instead of failing on it later', () => {
    const noNsenter = { ...noNetem, tools: { ...noNetem.tools, nsenter: false } };
    expect(faultKinds.partition.mechanism(noNsenter)).toMatchObject({
      available: false,
      why: 'partition: nsenter is missing on this host (apt-get install util-linux)',
    });
    expect(faultKinds['clock-skew'].mechanism(noNetem)).toMatchObject({ available: false });
  });
  it('parses rates and sizes the tbf bucket', () => {
    expect(parseRate('1mbit')).toBe(1e6);
    expect(parseRate('1.5gbit')).toBe(1.5e9);
    expect(parseRate('fast')).toBeUndefined();
    expect(tbfArgs('1gbit')).toEqual(['tbf', 'rate', '1gbit', 'burst', '1250000', 'latency', '400ms']);
  });
  it('writes libfaketime offsets', () => {
    expect(faketimeSpec(120)).toBe('+120');
    expect(faketimeSpec(-300)).toBe('-300');
    expect(faketimeSpec(0)).toBe('+0');
  });
  it('tells a dynamic binary from a static one', () => {
    expect(hasInterpreter(process.execPath)).toBe(true);
    expect(hasInterpreter('/sbin/ldconfig')).toBe(false);
    expect(hasInterpreter('/etc/hostname')).toBe(null);
  });
});
