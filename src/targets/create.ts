// Build the target a scenario asks for. The only place that knows every target kind.

import type { Clock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import type { Scenario } from '../scenario/schema.js';
import type { BootNeed } from '../faults/fault.js';
import { hostCaps } from '../faults/host-caps.js';
import { faultKind } from '../faults/registry.js';
import { CustomTarget } from './custom/target.js';
import { layoutFromCompose, layoutFromCustom, layoutFromGroups, type Layout } from './custom/layout.js';
import { assertEngineSupports } from '../engines/limits.js';
import { readCompose } from '../scenario/compose.js';
import path from 'node:path';
import { GraphAgentTarget } from './graph-agent/target.js';
import type { ImageBuildListener, Target } from './target.js';
import { createEngine } from '../engines/create.js';
import type { EngineKind } from '../engines/engine.js';

export interface TargetContext {
  runId: string;
  logDir: string;
  clock: Clock;
  /** The scenario file: custom targets resolve their build context against it. */
  scenarioFile?: string | undefined;
  /** Told when the boot builds the target's image (the drill's `build image` phase). */
  onImageBuild?: ImageBuildListener | undefined;
  /** Where the nodes run, when the command line says (`--engine`); default: the scenario's `cluster.engine`. */
  engine?: EngineKind | undefined;
}

/** Size of each node's bounded data volume in disk-full scenarios (sparse on the host). */
const DISK_LIMIT_MB = 64;
/** The same for custom targets: larger, since real systems preallocate (etcd: 64 MB WAL segments). */
const CUSTOM_DISK_LIMIT_MB = 256;

/** What the scenario's faults need the cluster to be booted with, on this host. */
async function bootNeeds(scenario: Scenario): Promise<Set<BootNeed>> {
  const kinds = scenario.steps.flatMap((s) => (s.kind === 'fault' ? [faultKind(s.fault.kind)] : []));
  const withNeeds = kinds.filter((k) => k?.bootNeeds !== undefined);
  if (withNeeds.length === 0) return new Set();
  const caps = await hostCaps();
  return new Set(withNeeds.flatMap((k) => k?.bootNeeds?.(caps) ?? []));
}

export async function createTarget(scenario: Scenario, ctx: TargetContext): Promise<Target> {
  const c = scenario.cluster;
  const needs = await bootNeeds(scenario);
  const engineKind = ctx.engine ?? c.engine ?? 'docker';
  await assertEngineSupports(scenario, engineKind, ctx.scenarioFile);
  switch (c.target) {
    case 'graph-agent': {
      const a = c.agent ?? {};
      const linkProxy = needs.has('link-proxy');
      return new GraphAgentTarget(
        {
          nodes: c.nodes,
          heartbeatMs: a.heartbeat,
          electionTimeoutMs: a.election_timeout,
          replication: a.replication,
          replicationLagMs: a.replication_lag,
          fsync: a.fsync,
          flushLagMs: a.flush_lag,
          failover: a.failover,
          backup: a.backup,
          linkProxy,
          diskLimitMb: needs.has('bounded-disk') ? DISK_LIMIT_MB : undefined,
          placement: c.placement,
        },
        ctx.runId,
        ctx.logDir,
        createEngine(engineKind, { runId: ctx.runId, clock: ctx.clock, logDir: ctx.logDir }),
        ctx.onImageBuild,
      );
    }
    case 'custom': {
      const layout = customLayout(scenario, ctx.scenarioFile);
      return new CustomTarget({
        layout,
        ...(engineKind !== 'docker'
          ? {
              engine: createEngine(engineKind, { runId: ctx.runId, clock: ctx.clock, logDir: ctx.logDir }),
              placement: c.placement,
            }
          : {}),
        runId: ctx.runId,
        logDir: ctx.logDir,
        scenarioFile: ctx.scenarioFile,
        faketime: needs.has('faketime'),
        diskLimitMb: needs.has('bounded-disk') ? CUSTOM_DISK_LIMIT_MB : undefined,
        onImageBuild: ctx.onImageBuild,
      });
    }
    default:
      throw new UsageError(`unknown target ${String((c as { target: unknown }).target)}`);
  }
}

/** The layout of a custom target: one group (custom), named groups, or the user's Compose file. */
function customLayout(scenario: Scenario, scenarioFile: string | undefined): Layout {
  const c = scenario.cluster;
  if (c.compose !== undefined) {
    const base = scenarioFile !== undefined ? path.dirname(path.resolve(scenarioFile)) : process.cwd();
    return layoutFromCompose(readCompose(path.resolve(base, c.compose)), c.groups ?? {});
  }
  if (c.groups !== undefined) return layoutFromGroups(c.groups, scenarioFile);
  if (c.custom === undefined) throw new UsageError('target custom needs a custom block (docs/custom-targets.md)');
  return layoutFromCustom(c.custom, c.nodes, scenarioFile);
}
