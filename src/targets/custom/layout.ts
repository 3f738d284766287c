// The layout of a custom target: which nodes it has, what each runs, and how they form
// groups. Three ways to say it, one layout:
//
//   cluster.custom    one group of identical nodes n1..nN (the original form)
//   cluster.groups    named groups, each with its own image, command, volumes, node count
//                     and probes; nodes <group>-1..<group>-N (issue 15)
//   cluster.compose   the user's docker-compose.yml: each service's replicas are nodes (the
//                     service name for one replica, <service>-<i> for more), grouped as the
//                     scenario's groups say (services: [...]) or one group per service
//
// One group carries the data (role, write, read, backup and restore probes, the client, where
// writes go); the others are its supporting cast (a consensus store, Sentinels, a proxy).

import path from 'node:path';
import { composeGroups, composeNodeNames, type ComposeModel, type ComposeService } from '../../scenario/compose.js';
import type { CustomTargetSpec } from '../../scenario/custom-schema.js';
import type { GroupSpec } from '../../scenario/groups-schema.js';
import type { AnyProbe } from './probes/run.js';

export type ImageSource = { image: string } | { build: string; dockerfile?: string | undefined };

export interface NodeDef {
  name: string;
  group: string;
  /** Network aliases besides the node name (a Compose service's name and aliases). */
  aliases: string[];
  image: ImageSource;
  command?: string[] | undefined;
  entrypoint?: string[] | undefined;
  env: Record<string, string>;
  /** Whether command, entrypoint and env are templates ({{node.name}}); Compose values are literal. */
  templated: boolean;
  ports: number[];
  /** Container paths with a volume of their own per node. */
  volumes: string[];
  /** Host paths mounted read-only. */
  binds: { source: string; target: string }[];
  user?: string | undefined;
  tmpfs: string[];
  ulimits: Record<string, { soft: number; hard: number }>;
  stopTimeoutMs: number;
  /** The health probe: the group's, else the Compose healthcheck; none: running counts as healthy. */
  health?: AnyProbe | undefined;
}

/** What a group needs at run time besides its nodes: the custom spec's fields it uses. */
export type GroupRuntimeSpec = Omit<CustomTargetSpec, 'probes'> & { probes: Partial<CustomTargetSpec['probes']> };

export interface GroupDef {
  name: string;
  nodes: string[];
  spec: GroupRuntimeSpec;
  dependsOn: { group: string; condition: 'started' | 'healthy' }[];
  data: boolean;
}

/** The data group's spec: a complete custom definition, with its role probe. */
export type DataSpec = Omit<CustomTargetSpec, 'probes'> & {
  probes: CustomTargetSpec['probes'] & { role: NonNullable<CustomTargetSpec['probes']['role']> };
};

export interface Layout {
  nodes: NodeDef[];
  groups: GroupDef[];
  data: GroupDef;
  /** The data group's spec, complete (role, write, read are there or come from a client module). */
  spec: DataSpec;
  /** Whether nodes are named per group (<group>-<i>): template variables gain groups.*. */
  grouped: boolean;
}

const baseDir = (scenarioFile: string | undefined) =>
  scenarioFile !== undefined ? path.dirname(path.resolve(scenarioFile)) : process.cwd();

function imageOf(
  s: { image?: string | undefined; build?: string | undefined; dockerfile?: string | undefined },
  dir: string,
): ImageSource {
  if (s.image !== undefined) return { image: s.image };
  return { build: path.resolve(dir, s.build ?? '.'), dockerfile: s.dockerfile };
}

/** cluster.custom: one group of identical nodes n1..nN. */
export function layoutFromCustom(spec: CustomTargetSpec, nodes: number, scenarioFile?: string): Layout {
  const names = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  const dir = baseDir(scenarioFile);
  const group: GroupDef = { name: spec.name, nodes: names, spec, dependsOn: [], data: true };
  return {
    nodes: names.map((name) => ({
      name,
      group: spec.name,
      aliases: [],
      image: imageOf(spec, dir),
      command: spec.command,
      env: spec.env,
      templated: true,
      ports: spec.ports,
      volumes: spec.volumes,
      binds: [],
      tmpfs: [],
      ulimits: {},
      stopTimeoutMs: spec.stop_timeout,
      health: spec.probes.health,
    })),
    groups: [group],
    data: group,
    spec: spec as DataSpec,
    grouped: false,
  };
}

function runtimeSpec(name: string, g: GroupSpec): GroupRuntimeSpec {
  return { ...g, name, probes: g.probes ?? {} } as GroupRuntimeSpec;
}

function dataSpec(d: GroupDef): DataSpec {
  return { ...d.spec, probes: { ...d.spec.probes } } as DataSpec;
}

function dependsOf(g: GroupSpec): GroupDef['dependsOn'] {
  const d = g.depends_on;
  if (d === undefined) return [];
  if (Array.isArray(d)) return d.map((group) => ({ group, condition: 'started' as const }));
  return Object.entries(d).map(([group, condition]) => ({ group, condition }));
}

const isData = (g: GroupSpec): boolean =>
  g.probes?.write !== undefined || g.probes?.read !== undefined || g.client?.module !== undefined;

/** cluster.groups: named groups of nodes <group>-1..N, each with its own definition. */
export function layoutFromGroups(groups: Record<string, GroupSpec>, scenarioFile?: string): Layout {
  const dir = baseDir(scenarioFile);
  const defs: GroupDef[] = [];
  const nodes: NodeDef[] = [];
  for (const [name, g] of Object.entries(groups)) {
    const names = Array.from({ length: g.nodes ?? 1 }, (_, i) => `${name}-${i + 1}`);
    defs.push({ name, nodes: names, spec: runtimeSpec(name, g), dependsOn: dependsOf(g), data: isData(g) });
    for (const n of names) {
      nodes.push({
        name: n,
        group: name,
        aliases: [],
        image: imageOf(g, dir),
        command: g.command,
        entrypoint: g.entrypoint,
        env: g.env,
        templated: true,
        ports: g.ports,
        volumes: g.volumes ?? [],
        binds: [],
        user: g.user,
        tmpfs: g.tmpfs ?? [],
        ulimits: Object.fromEntries(
          Object.entries(g.ulimits ?? {}).map(([k, u]) => [k, typeof u === 'number' ? { soft: u, hard: u } : u]),
        ),
        stopTimeoutMs: g.stop_timeout,
        health: g.probes?.health,
      });
    }
  }
  const data = defs.find((d) => d.data)!;
  return { nodes, groups: orderByDependencies(defs), data, spec: dataSpec(data), grouped: true };
}

/** cluster.compose (+ groups): the services of the user's Compose file as nodes and groups. */
export function layoutFromCompose(model: ComposeModel, groups: Record<string, GroupSpec>): Layout {
  const claimed = new Map<string, string>();
  const defs: GroupDef[] = [];
  const nodes: NodeDef[] = [];
  for (const { name, services, declared } of composeGroups(model, groups)) {
    const g = declared ? groups[name] : undefined;
    const names: string[] = [];
    for (const s of services) {
      claimed.set(s.name, name);
      for (const n of composeNodeNames(s)) {
        names.push(n);
        nodes.push(composeNode(n, name, s, g));
      }
    }
    // Probes default to the group's first port: the scenario's, else the first its services publish.
    const composePorts = [...new Set(services.flatMap((s) => s.ports))];
    const base = g ?? ({ env: {}, ports: [], volumes: [] } as unknown as GroupSpec);
    const spec = runtimeSpec(name, { ...base, ports: base.ports.length > 0 ? base.ports : composePorts });
    defs.push({ name, nodes: names, spec, dependsOn: [], data: g !== undefined && isData(g) });
  }
  // A group waits for the groups its services depend on (the strongest condition wins).
  for (const d of defs) {
    const conds = new Map<string, 'started' | 'healthy'>();
    for (const s of model.services.filter((x) => claimed.get(x.name) === d.name)) {
      for (const dep of s.dependsOn) {
        const g = claimed.get(dep.service);
        if (g === undefined || g === d.name) continue;
        if (conds.get(g) !== 'healthy') conds.set(g, dep.condition);
      }
    }
    d.dependsOn = [...conds].map(([group, condition]) => ({ group, condition }));
  }
  const data = defs.find((d) => d.data)!;
  return { nodes, groups: orderByDependencies(defs), data, spec: dataSpec(data), grouped: true };
}

function composeNode(name: string, group: string, s: ComposeService, g: GroupSpec | undefined): NodeDef {
  const health: AnyProbe | undefined =
    g?.probes?.health ??
    (s.healthcheck
      ? {
          exec: { command: s.healthcheck.test, expect_exit: 0 },
          ...(s.healthcheck.timeoutMs !== undefined ? { timeout: s.healthcheck.timeoutMs } : {}),
        }
      : undefined);
  return {
    name,
    group,
    aliases: [...new Set([s.name, ...s.aliases].filter((a) => a !== name))],
    image: s.image !== undefined ? { image: s.image } : { build: s.build!.context, dockerfile: s.build!.dockerfile },
    command: s.command,
    entrypoint: s.entrypoint,
    // A drill variant may set environment over the Compose file's (e.g. asynchronous replication).
    env: { ...s.environment, ...(g?.env ?? {}) },
    templated: false,
    // The container ports the harness talks to: the Compose file's, and those the probes name.
    ports: [...new Set([...s.ports, ...(g?.ports ?? [])])],
    volumes: s.volumes.filter((v) => v.type === 'volume').map((v) => v.target),
    binds: s.volumes.filter((v) => v.type === 'bind').map((v) => ({ source: v.source, target: v.target })),
    user: s.user,
    tmpfs: s.tmpfs,
    ulimits: s.ulimits,
    stopTimeoutMs: s.stopGraceMs ?? g?.stop_timeout ?? 10_000,
    health,
  };
}

/** Groups in an order where every group comes after those it depends on (a cycle keeps file order). */
function orderByDependencies(defs: GroupDef[]): GroupDef[] {
  const out: GroupDef[] = [];
  const seen = new Set<string>();
  const visit = (d: GroupDef, stack: Set<string>) => {
    if (seen.has(d.name) || stack.has(d.name)) return;
    stack.add(d.name);
    for (const dep of d.dependsOn) {
      const g = defs.find((x) => x.name === dep.group);
      if (g) visit(g, stack);
    }
    seen.add(d.name);
    out.push(d);
  };
  for (const d of defs) visit(d, new Set());
  return out;
}
