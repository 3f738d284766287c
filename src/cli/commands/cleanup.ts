// drill cleanup: remove every container, network and volume any drill left behind (a
// crashed or SIGKILLed run, --keep), and with --images the images drill built that are no
// longer used. Only resources labelled drill.managed=true are touched; nothing else on the host.

import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { removeRunResources } from '../../docker/cleanup.js';
import { pruneDrillImages } from '../../docker/prune-images.js';
import { assertDockerAvailable } from '../../docker/engine.js';
import { ENGINE_KINDS, type EngineKind } from '../../engines/engine.js';
import { removeSwarmRun } from '../../engines/swarm/cleanup.js';
import { swarmConfigFromEnv } from '../../engines/swarm/config.js';
import { removeRunState, runsWithState } from '../../faults/host-state.js';

/** A swarm run: its services, secrets and, on every host, its containers and volumes (docs/swarm.md). */
async function cleanupSwarm(runId: string | undefined): Promise<void> {
  if (runId === undefined) throw new UsageError('drill cleanup --engine swarm needs --run <id>');
  const r = await removeSwarmRun(swarmConfigFromEnv(), runId);
  for (const e of r.errors) process.stderr.write(`drill cleanup: could not ${e}\n`);
  if (r.errors.length > 0) process.exitCode = 3;
  process.stdout.write(
    `removed ${r.services} service(s), ${r.secrets} secret(s), ${r.containers} container(s), ${r.networks} ` +
      `network(s), ${r.volumes} volume(s), ${r.loops} loop device(s), ${r.repositories} backup ` +
      `repositor${r.repositories === 1 ? 'y' : 'ies'} of run ${runId} on the swarm\n`,
  );
}

/** --images: drill's own images no container uses, but the newest of each repository. */
async function pruneImages(): Promise<void> {
  const p = await pruneDrillImages();
  for (const e of p.errors) process.stderr.write(`drill cleanup: could not ${e}\n`);
  if (p.errors.length > 0) process.exitCode = 3;
  process.stdout.write(
    `removed ${p.removed.length} image(s) drill built (${Math.round(p.bytes / 1e6)} MB), kept ${p.kept} ` +
      '(in use, or the newest of their name)\n',
  );
}

export const cleanupCommand: CommandModule<object, { run?: string; engine?: EngineKind; images: boolean }> = {
  command: 'cleanup',
  describe: 'remove everything any drill left behind (containers, networks, volumes)',
  builder: (y) =>
    y
      .option('run', { type: 'string', describe: 'only this run id' })
      .option('engine', {
        type: 'string',
        choices: ENGINE_KINDS,
        describe: 'swarm: clean the run on every host of the swarm (DRILL_SWARM_MANAGER, DRILL_SWARM_HOSTS)',
      })
      .option('images', {
        type: 'boolean',
        default: false,
        describe:
          'also remove the images drill built (graph-agent, fault agent, custom builds) that no container uses, ' +
          'keeping the newest of each name',
      }) as never,
  handler: async (args) => {
    if (args.engine === 'swarm') {
      if (args.images) throw new UsageError('--images cleans this Docker host only: run it without --engine swarm');
      return cleanupSwarm(args.run);
    }
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
    if (args.images) await pruneImages();
  },
};
