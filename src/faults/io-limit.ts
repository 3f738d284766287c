// io-limit: throttle the node's block I/O on the device under its data volume to
// `read_rate` / `write_rate` bytes per second, like a failing disk or a cloud volume out of
// burst credits. Written straight into the container's cgroup (blkio.throttle.*_bps_device
// in v1, io.max in v2): Docker's update API cannot change device limits. In effect when the
// limit reads back; the bytes the node read and wrote while it lasted go in the record.
// Heal: the cgroup's previous values (none: 0, "no limit"), read back. The throttle is the
// kernel's, on the whole disk the volume lives on (a partition resolves to its disk); a
// volume on overlay or tmpfs has no block device and the step fails saying so. A node
// restarted while throttled comes back unthrottled (Docker does not know the limit). The
// device, the reads and the writes are the node's host's, through its resource operations
// (resource-ops.ts): this process on one Docker host, the host's fault agent on a swarm.
import { V1_IO_FILES, type CgroupVersion } from '../docker/cgroup.js';
import { size } from '../scenario/fields.js';
import { confirmWithin, defineFault, FaultNotInEffectError, faultParams, mechanismOrThrow } from './fault.js';
import { cgroupMechanism, runningContainers, type NodeContainer } from './containers.js';
import type { HostCaps } from './host-caps.js';

export interface IoLimitParams {
  /** Bytes per second the node may read from / write to its data volume's device. */
  readBps?: number | undefined;
  writeBps?: number | undefined;
}

const V1 = { read: 'blkio.throttle.read_bps_device', write: 'blkio.throttle.write_bps_device' } as const;

function mechanism(caps: HostCaps) {
  const m = cgroupMechanism(
    caps,
    'io',
    'io-limit',
    "blkio throttle on the data volume's block device, written to the container's cgroup",
  );
  if (!m.available || caps.volumeDevice.device !== null) return m;
  return { mechanism: 'none', available: false, why: `io-limit: Docker's volumes: ${caps.volumeDevice.why}` };
}

/** The block I/O limit lines of the node's cgroup, by file (ioThrottles of cgroup.ts, on its host). */
async function throttles(c: NodeContainer, v: CgroupVersion): Promise<Map<string, string[]>> {
  const got = await c.ops.readCgroup(c, 'blkio', v === 2 ? ['io.max'] : V1_IO_FILES);
  const out = new Map<string, string[]>();
  for (const [f, text] of Object.entries(got)) {
    const lines = (text ?? '').split('\n').filter((l) => /^\d+:\d+ /.test(l));
    if (lines.length > 0) out.set(f, lines);
  }
  return out;
}

/** The limit lines of the node's cgroup for device `dev`, per direction ("" when none). */
async function limitsOn(c: NodeContainer, v: CgroupVersion, dev: string): Promise<{ read: string; write: string }> {
  const t = await throttles(c, v);
  const on = (file: string) => (t.get(file) ?? []).find((l) => l.startsWith(`${dev} `)) ?? '';
  if (v === 2) {
    const line = on('io.max');
    return { read: /rbps=(\S+)/.exec(line)?.[1] ?? '', write: /wbps=(\S+)/.exec(line)?.[1] ?? '' };
  }
  return { read: on(V1.read).split(' ')[1] ?? '', write: on(V1.write).split(' ')[1] ?? '' };
}

/** Set (or, with '' / 0, lift) the limits of the node's cgroup on device `dev`. */
async function setLimits(c: NodeContainer, v: CgroupVersion, dev: string, read: string, write: string) {
  if (v === 2) {
    await c.ops.writeCgroup(c, 'blkio', 'io.max', `${dev} rbps=${read || 'max'} wbps=${write || 'max'}`);
    return;
  }
  await c.ops.writeCgroup(c, 'blkio', V1.read, `${dev} ${read || '0'}`);
  await c.ops.writeCgroup(c, 'blkio', V1.write, `${dev} ${write || '0'}`);
}

/** Bytes the cgroup read and wrote on `dev` so far, or null when it cannot tell. */
async function ioBytes(c: NodeContainer, v: CgroupVersion, dev: string) {
  const file = v === 2 ? 'io.stat' : 'blkio.throttle.io_service_bytes';
  const text = (await c.ops.readCgroup(c, 'blkio', [file]))[file] ?? null;
  if (v === 2) {
    const line = (text ?? '').split('\n').find((l) => l.startsWith(`${dev} `));
    if (!line) return null;
    return { read: Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0), write: Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0) };
  }
  if (text === null) return null;
  const get = (op: string) => Number(new RegExp(`^${dev} ${op} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { read: get('Read'), write: get('Write') };
}

export const ioLimit = defineFault({
  name: 'io-limit',
  summary: 'throttle the block I/O of its data volume (read_rate, write_rate)',
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: ['resources'],
  params: faultParams(
    {
      read_rate: size("bytes per second the node may read from its data volume's device, e.g. 1MiB.", 1024),
      write_rate: size("bytes per second the node may write to its data volume's device, e.g. 64KiB.", 1024),
    },
    {
      refine(f, issue) {
        if (f['kind'] === 'io-limit' && f['read_rate'] === undefined && f['write_rate'] === undefined)
          issue('', 'missing write_rate: kind io-limit needs write_rate or read_rate (or both)');
      },
      toSpec: (p): IoLimitParams => ({ readBps: p.read_rate, writeBps: p.write_rate }),
    },
  ),
  mechanism,
  async apply(spec, nodes, ctx) {
    mechanismOrThrow(mechanism(await ctx.caps()), 'io-limit');
    const read = spec.readBps !== undefined ? String(spec.readBps) : '';
    const write = spec.writeBps !== undefined ? String(spec.writeBps) : '';
    const cs = await runningContainers(ctx, nodes, 'io-limit');
    const devices = new Map<string, string[]>();
    for (const c of cs) {
      const volumes = ctx.resources.dataVolumes(c.node);
      if (volumes.length === 0) throw new FaultNotInEffectError(`io-limit: ${c.node} has no data volume`);
      const ids = new Set<string>();
      for (const v of volumes) {
        const { device, why } = await c.ops.volumeDevice(c.id, v);
        if (device === null) throw new FaultNotInEffectError(`io-limit: ${c.node}'s data volume: ${why}`);
        ids.add(device.id);
      }
      devices.set(c.node, [...ids]);
    }
    const versionOf = async (c: NodeContainer): Promise<CgroupVersion> => ((await c.ops.cgroupVersion()) === 2 ? 2 : 1);
    const each = async (fn: (c: NodeContainer, v: CgroupVersion, dev: string) => Promise<void>) => {
      for (const c of cs) {
        const v = await versionOf(c);
        for (const dev of devices.get(c.node)!) await fn(c, v, dev);
      }
    };
    const before = new Map<string, { read: string; write: string }>();
    const bytes0 = new Map<string, { read: number; write: number } | null>();
    await each(async (c, v, dev) => {
      before.set(`${c.node} ${dev}`, await limitsOn(c, v, dev));
      bytes0.set(`${c.node} ${dev}`, await ioBytes(c, v, dev));
    });
    const detail: Record<string, unknown> = {
      ...(spec.readBps !== undefined ? { read_bps: spec.readBps } : {}),
      ...(spec.writeBps !== undefined ? { write_bps: spec.writeBps } : {}),
      devices: Object.fromEntries(devices),
      via: 'cgroup blkio throttle',
    };
    let healed = false;
    const heal = async () => {
      if (healed) return;
      // A restarted node has a fresh cgroup without our limit; setting the old values is harmless.
      const live = await runningContainers(ctx, nodes, 'io-limit').catch(() => [] as NodeContainer[]);
      const moved: Record<string, { read: number; write: number }> = {};
      for (const c of live) {
        const v = await versionOf(c);
        for (const dev of devices.get(c.node) ?? []) {
          const b = before.get(`${c.node} ${dev}`)!;
          const b0 = bytes0.get(`${c.node} ${dev}`);
          const b1 = await ioBytes(c, v, dev);
          if (b0 && b1 && c.pid === cs.find((x) => x.node === c.node)?.pid)
            moved[`${c.node} ${dev}`] = { read: b1.read - b0.read, write: b1.write - b0.write };
          await setLimits(c, v, dev, b.read, b.write);
          const now = await limitsOn(c, v, dev);
          if (now.read !== b.read || now.write !== b.write)
            throw new Error(`io-limit: ${c.node}'s limits on ${dev} read ${JSON.stringify(now)} after heal`);
        }
      }
      detail['bytes_during'] = moved;
      healed = true;
    };
    let confirmedT: number;
    try {
      await each(async (c, v, dev) => {
        const b = before.get(`${c.node} ${dev}`)!;
        await setLimits(c, v, dev, read || b.read, write || b.write);
      });
      confirmedT = await confirmWithin(ctx, `block I/O limits on ${nodes.join(', ')}`, async () => {
        let held = true;
        await each(async (c, v, dev) => {
          const now = await limitsOn(c, v, dev);
          if (!((read === '' || now.read === read) && (write === '' || now.write === write))) held = false;
        });
        return held;
      });
    } catch (e) {
      await heal().catch(() => undefined);
      throw new FaultNotInEffectError(`io-limit: not in effect: ${(e as Error).message}`);
    }
    const rates = [read && `read ${read} B/s`, write && `write ${write} B/s`].filter(Boolean).join(', ');
    const on = [...devices].map(([n, d]) => `${n} on ${d.join(', ')}`).join('; ');
    return {
      confirmedT,
      mechanism: `cgroup block I/O throttle (${rates}) on the data volume's device (${on}); the limit reads back`,
      detail,
      heal,
    };
  },
});
