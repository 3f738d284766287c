// The host-side pieces of the resource faults that need no container: counters from cgroup
// files, the block device under a path, and sizes in scenario files.
import { describe, expect, it } from 'vitest';
import { blockDeviceOf, counter } from '../../src/docker/cgroup.js';
import { parseSize } from '../../src/scenario/fields.js';

describe('cgroup helpers', () => {
  it('reads a counter from a "key value" file (memory.oom_control, cpu.stat)', () => {
    const oom = 'oom_kill_disable 0\nunder_oom 0\noom_kill 3';
    expect(counter(oom, 'oom_kill')).toBe(3);
    expect(counter(oom, 'oom_kill_disable')).toBe(0);
    expect(counter('nr_periods 10\nnr_throttled 4', 'nr_throttled')).toBe(4);
    expect(counter(null, 'oom_kill')).toBeNull();
    expect(counter('x 1', 'oom_kill')).toBeNull();
  });

  it('finds no block device under a pseudo filesystem, and says so', () => {
    const r = blockDeviceOf('/proc');
    expect(r.device).toBeNull();
    expect(r.why).toMatch(/^\/proc is on device 0:\d+, which is not a block device/);
    expect(blockDeviceOf('/no/such/path').why).toMatch(/cannot stat/);
  });

  it('names the whole disk under a real filesystem (major:minor and its name)', () => {
    const r = blockDeviceOf('/');
    if (r.device !== null) expect(r.device.id).toMatch(/^\d+:\d+$/);
    else expect(r.why).not.toBe(''); // e.g. an overlay root in a container
  });
});

describe('sizes', () => {
  it('reads binary, decimal and Docker-style units, and plain bytes', () => {
    expect(parseSize('64MiB')).toBe(64 * 1024 ** 2);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('512k')).toBe(512 * 1024);
    expect(parseSize('2MB')).toBe(2e6);
    expect(parseSize(4096)).toBe(4096);
    expect(parseSize('64 MiB')).toBe(64 * 1024 ** 2);
    expect(parseSize('lots')).toBeUndefined();
    expect(parseSize(-1)).toBeUndefined();
  });
});
