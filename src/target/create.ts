// Build the target a scenario asks for. The only place that knows every target kind.

import type { Clock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import type { Scenario } from '../scenario/schema.js';
import { GraphAgentTarget } from './graph-agent/target.js';
import type { Target } from './target.js';

export interface TargetContext {
  runId: string;
  logDir: string;
  clock: Clock;
}

export async function createTarget(scenario: Scenario, ctx: TargetContext): Promise<Target> {
  const c = scenario.cluster;
  switch (c.target) {
    case 'graph-agent': {
      const a = c.agent ?? {};
      return new GraphAgentTarget(
        {
          nodes: c.nodes,
          heartbeatMs: a.heartbeat,
          electionTimeoutMs: a.election_timeout,
          replication: a.replication,
          fsync: a.fsync,
          failover: a.failover,
        },
        ctx.runId,
        ctx.logDir,
      );
    }
    default:
      throw new UsageError(`unknown target ${String((c as { target: unknown }).target)}`);
  }
}
