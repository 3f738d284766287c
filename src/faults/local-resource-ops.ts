// The resource faults' host-side operations done by this process, on the Docker host it runs
// on (one-host drills): this machine's Docker API and its /proc and /sys/fs/cgroup. Exactly
// what memory, cpu and io-limit did before they went through ResourceOps.
import { blockDeviceOf, cgroupVersion, readCgroup, writeCgroup } from '../docker/cgroup.js';
import { containerState, updateContainer, volumePath, watchOom } from '../docker/resources.js';
import type { ResourceOps } from './resource-ops.js';

export const localResourceOps: ResourceOps = {
  cgroupVersion: async () => cgroupVersion(),
  readCgroup: async (c, controller, files) =>
    Object.fromEntries(files.map((f) => [f, readCgroup(c.pid, controller, f)])),
  writeCgroup: async (c, controller, file, value) => writeCgroup(c.pid, controller, file, value),
  containerResources: (container) => containerState(container),
  updateResources: (container, fields) => updateContainer(container, fields),
  async watchOom(containers, onOom) {
    const stop = await watchOom(containers, (id) => onOom(id, undefined));
    return async () => stop();
  },
  volumeDevice: async (_container, volume) => blockDeviceOf(await volumePath(volume)),
};
