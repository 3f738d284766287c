// disk-full: fill the node's data volume (a size-bounded loop-mounted ext4 volume, never
// the host filesystem) with a balloon file. In effect when the volume's free space is
// (nearly) zero. Heal: delete the balloon; a node that stopped meanwhile (graph-agent
// fail-stops when its WAL cannot be written) is started again, as a supervisor would.
import { defineFault, FaultNotInEffectError, noParams } from './fault.js';
import { missingTool, type HostCaps } from './host-caps.js';
import { startAll } from './kill.js';

/** "Full": less than this many bytes free. */
export const FULL_BELOW_BYTES = 64 * 1024;

function mechanism(caps: HostCaps) {
  const missing = missingTool(caps, ['losetup', 'mkfs.ext4']);
  return missing !== null
    ? { mechanism: 'none', available: false, why: `disk-full: ${missing}` }
    : { mechanism: 'balloon file on a size-bounded ext4 volume (loop device) per node', available: true };
}

export const diskFull = defineFault({
  name: 'disk-full',
  summary: 'fill its data volume',
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: ['disk'],
  params: noParams,
  mechanism,
  bootNeeds: () => ['bounded-disk'],
  async apply(_spec, nodes, ctx) {
    const disk = ctx.disk;
    const heal = async () => {
      await Promise.all(nodes.map((n) => disk.freeDisk(n)));
      await startAll(ctx.lifecycle, nodes);
    };
    const filled: Record<string, { free_bytes: number; balloon_bytes: number; volume: string }> = {};
    try {
      for (const n of nodes) {
        const r = await disk.fillDisk(n);
        filled[n] = { free_bytes: r.freeBytes, balloon_bytes: r.balloonBytes, volume: r.volume };
        if (r.freeBytes >= FULL_BELOW_BYTES) {
          throw new FaultNotInEffectError(`${n}: ${r.freeBytes} bytes still free on ${r.volume} after filling`);
        }
      }
    } catch (e) {
      await heal().catch(() => undefined);
      throw e;
    }
    const summary = Object.entries(filled)
      .map(([n, f]) => `${n}: ${(f.balloon_bytes / 1048576).toFixed(1)} MiB balloon, ${f.free_bytes} B free`)
      .join('; ');
    return {
      confirmedT: ctx.clock.now(),
      mechanism:
        `balloon file on the node's size-bounded ext4 data volume (loop device); statfs shows it full ` +
        `(${summary})`,
      detail: { filled, via: 'balloon on a loop-backed ext4 volume' },
      heal,
    };
  },
});
