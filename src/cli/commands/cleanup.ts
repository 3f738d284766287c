// drill cleanup: remove every container, network and volume any drill left behind (a
// crashed or SIGKILLed run, --keep). Only resources labelled drill.managed=true are
// touched; nothing else on the host.

import type { CommandModule } from 'yargs';
import { removeRunResources } from '../../docker/cleanup.js';
import { assertDockerAvailable } from '../../docker/engine.js';

export const cleanupCommand: CommandModule<object, { run?: string }> = {
  command: 'cleanup',
  describe: 'remove everything any drill left behind (containers, networks, volumes)',
  builder: (y) => y.option('run', { type: 'string', describe: 'only this run id' }) as never,
  handler: async (args) => {
    await assertDockerAvailable();
    const r = await removeRunResources(args.run);
    process.stdout.write(
      `removed ${r.containers} container(s), ${r.networks} network(s), ${r.volumes} volume(s)` +
        (args.run ? ` of run ${args.run}` : ' left by drills') +
        '\n',
    );
  },
};
