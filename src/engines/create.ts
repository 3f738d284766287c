// Build the engine a run places its nodes with: the scenario's `cluster.engine`, unless the
// command line says otherwise (`drill run --engine swarm`). The only place that knows every
// engine kind.
import type { Clock } from '../core/clock.js';
import { DockerEngine } from './docker/docker-engine.js';
import type { Engine, EngineKind } from './engine.js';
import { swarmConfigFromEnv } from './swarm/config.js';
import { SwarmEngine } from './swarm/swarm-engine.js';

export interface EngineContext {
  runId: string;
  clock: Clock;
  /** Where the run's logs go (a swarm's fault agents leave theirs there: agent-<host>.log). */
  logDir?: string | undefined;
}

export function createEngine(kind: EngineKind, ctx: EngineContext): Engine {
  switch (kind) {
    case 'docker':
      return new DockerEngine(ctx.clock);
    case 'swarm':
      return new SwarmEngine(swarmConfigFromEnv(), ctx.runId, ctx.clock, ctx.logDir);
  }
}
