// drill cleanup: remove every container, network and volume any drill left behind (a
// crashed or SIGKILLed run, --keep). Only resources labelled drill.managed=true are
// touched; nothing else on the host.

import type { CommandModule } from 'yargs';
import { removeRunResources } from '../../docker/cleanup.js';
import { assertDockerAvailable } from '../../docker/engine.js';
import { removeRunState, runsWithState } from '../../faults/host-state.js';

export const cleanupCommand: CommandModule<object, { run?: string }> = {
  command: 'cleanup',
  describe: 'remove everything any drill left behind (containers, networks, volumes)',
  builder: (y) => y.option('run', { type: 'string', describe: 'only this run id' }) as never,
  handler: async (args) => {
    await assertDockerAvailable();
    const r = await removeRunResources(args.run);
    // Host-side fault artefacts (libfaketime offset files, loop devices behind bounded data
    // volumes) after the volumes that used them are gone. Link proxies lived in the dead
    // harness process and went with it.
    let loops = 0;
    let dirs = 0;
    for (const id of args.run !== undefined ? [args.run] : runsWithState()) {
      const h = await removeRunState(id);
      loops += h.loops;
      dirs += h.dirs;
      for (const e of h.errors) process.stderr.write(`warning: ${e}\n`);
    }
    for (const e of r.errors) process.stderr.write(`drill cleanup: could not ${e}\n`);
    if (r.errors.length > 0) process.exitCode = 3;
    process.stdout.write(
      `removed ${r.containers} container(s), ${r.networks} network(s), ${r.volumes} volume(s), ${loops} loop ` +
        `device(s), ${dirs} host state dir(s)` +
        (args.run ? ` of run ${args.run}` : ' left by drills') +
        '\n',
    );
  },
};
