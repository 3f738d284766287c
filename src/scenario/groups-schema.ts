// cluster.groups and cluster.compose (issue 15): a custom target made of several groups of
// nodes, each its own service (a database and its failover manager's consensus store, Redis
// and separate Sentinels, an application in front of a database). Each group has its own
// image or build, command, environment, volumes, node count and probes; nodes are named
// <group>-<i>; one group carries the data (role, write and read probes, or a client module),
// and boot follows depends_on.
//
// With `compose`, the groups' containers come from the user's own docker-compose.yml
// (src/scenario/compose.ts); `groups` then only adds what Compose cannot say: probes,
// native clients, where writes go, and which services form a group (`services`).

import { z } from 'zod';
import { isDataGroup } from './node-refs.js';
import { NODE_VARS } from '../targets/custom/templates.js';
import { port, template } from './custom-fields.js';
import { checkCustom, customShape } from './custom-schema.js';
import { probesSchema } from './custom-probes-schema.js';
import { describeValue } from './duration.js';
import { isRec, MAX_NODES } from './fields.js';

export const GROUP_NAME = /^[a-z][a-z0-9_]*$/;

const groupName = z.string().regex(GROUP_NAME, {
  error: (iss) => `expected a group name of lower-case letters, digits and _, got ${describeValue(iss.input)}`,
});

const { name: _name, ports: _ports, probes: _probes, volumes, ...shared } = customShape;

export const groupSchema = z
  .strictObject({
    ...shared,
    ports: z
      .array(port)
      .default([])
      .describe("Container ports published on 127.0.0.1 for the harness's probes and clients."),
    // health is required unless the Compose file's healthcheck gives it (checked with the file: load.ts).
    probes: probesSchema
      .partial({ health: true })
      .describe(probesSchema.description ?? '')
      .optional(),
    volumes: volumes
      .unwrap()
      .optional()
      .describe(volumes.description ?? ''),
    nodes: z
      .int()
      .min(1)
      .max(MAX_NODES)
      .optional()
      .describe(`Nodes in this group, 1..${MAX_NODES}, named <group>-1 .. <group>-N. Default 1.`),
    services: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'With compose: the services of the Compose file this group is made of (default: the service of its name).',
      ),
    depends_on: z
      .union([z.array(groupName), z.record(groupName, z.enum(['started', 'healthy']))])
      .optional()
      .describe('Groups to start first; healthy: wait until their health probe succeeds on every node.'),
    entrypoint: z
      .array(template(NODE_VARS, 'One argument.'))
      .min(1)
      .optional()
      .describe("The image's entrypoint, replaced."),
    user: z.string().min(1).optional().describe('The user the node runs as (name or uid[:gid]).'),
    tmpfs: z.array(z.string().regex(/^\//)).optional().describe('Container paths mounted as tmpfs.'),
    ulimits: z
      .record(z.string(), z.union([z.int(), z.strictObject({ soft: z.int(), hard: z.int() })]))
      .optional()
      .describe('Resource limits, e.g. nofile: { soft: 65536, hard: 65536 }.'),
  })
  .describe('One group of nodes of a custom target.');

export type GroupSpec = z.output<typeof groupSchema>;

export const groupsSchema = z
  .record(groupName, groupSchema)
  .describe('Node groups of a custom target (instead of custom). docs/custom-targets.md#node-groups.');

/** Rules across the groups (on raw data): one data group, known dependencies, per-group checks. */
export function checkGroups(groups: unknown, compose: boolean, ctx: z.RefinementCtx): void {
  if (!isRec(groups)) return;
  const names = Object.keys(groups);
  const data = names.filter((n) => isDataGroup(groups[n]));
  if (data.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['groups'],
      message: 'no group carries the data: give one group write and read probes (or client.module) and a role probe',
    });
  } else if (data.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['groups', data[1]!],
      message: `only one group carries the data, but ${data.join(' and ')} both have write/read probes`,
    });
  }
  for (const n of names) {
    const g = groups[n];
    if (!isRec(g)) continue;
    const sub: z.RefinementCtx = {
      ...ctx,
      addIssue: (i) =>
        ctx.addIssue(
          typeof i === 'string' ? i : { ...i, path: ['groups', n, ...((i as { path?: PropertyKey[] }).path ?? [])] },
        ),
    } as z.RefinementCtx;
    checkCustom(g, sub, { data: data.includes(n), image: !compose, where: `cluster.groups.${n}` });
    if (!compose && (g['probes'] === undefined || !isRec(g['probes']) || g['probes']['health'] === undefined)) {
      sub.addIssue({ code: 'custom', path: ['probes', 'health'], message: 'missing required field health' });
    }
    if (compose) {
      for (const k of ['image', 'build', 'dockerfile', 'command', 'entrypoint', 'volumes', 'nodes', 'user']) {
        if (g[k] !== undefined) {
          sub.addIssue({
            code: 'custom',
            path: [k],
            message: `${k} comes from the Compose file with compose: set it there (groups add probes, clients and env)`,
          });
        }
      }
    } else if (g['services'] !== undefined) {
      sub.addIssue({ code: 'custom', path: ['services'], message: 'services applies only with compose' });
    }
    const deps = g['depends_on'];
    const depNames = Array.isArray(deps) ? deps : isRec(deps) ? Object.keys(deps) : [];
    for (const d of depNames) {
      if (typeof d === 'string' && !names.includes(d) && !compose) {
        sub.addIssue({
          code: 'custom',
          path: ['depends_on'],
          message: `unknown group ${d} (groups: ${names.join(', ')})`,
        });
      }
    }
  }
  // {{groups.<name>.*}} must name a group.
  const text = JSON.stringify(groups);
  for (const m of text.matchAll(/\{\{\s*groups\.([a-z][a-z0-9_]*)\./g)) {
    if (!names.includes(m[1]!) && !compose) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups'],
        message: `a template names group ${m[1]}, which is not defined (groups: ${names.join(', ')})`,
      });
    }
  }
}
