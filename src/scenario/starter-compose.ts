// The starter for `drill init --compose docker-compose.yml`: the user's Compose file is the
// cluster (cluster.compose); one service carries the data and gets the probes to fill in,
// every other service is a group of its own that drill boots in depends_on order.

import { dirname, relative, resolve } from 'node:path';
import type { ComposeModel } from './compose.js';
import { commented, header, TIMELINE, type StarterOptions } from './starter.js';

export interface ComposeStarterSource {
  kind: 'compose';
  /** The Compose file as read (readCompose: checked, every problem already refused). */
  model: ComposeModel;
  /** The service whose nodes take the writes. */
  data: string;
}

/** A group name for a service name (groups are lower-case letters, digits and _). */
export const groupNameOf = (service: string): string => {
  const g = service.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[a-z]/.test(g) ? g : `g_${g}`;
};

export function composeStarter(o: StarterOptions, s: ComposeStarterSource, file: string): string {
  const svc = s.model.services.find((x) => x.name === s.data)!;
  const others = s.model.services.filter((x) => x !== svc).map((x) => x.name);
  const rel = relative(dirname(resolve(file)), s.model.file) || s.model.file;
  const port = svc.ports[0];
  const portLine =
    port === undefined ? [commented('      ports: [8080]', 'TODO: the port your service answers on')] : [];
  const probePort = port === undefined ? ', port: 8080' : '';
  const health = svc.healthcheck
    ? ['        # health: the Compose healthcheck is used; a probe here replaces it']
    : [
        '        health:                 # TODO: succeeds while the node serves',
        `          http: { path: /health${probePort} }`,
      ];
  const group = groupNameOf(s.data);
  const probesLine = commented('      probes:', 'http (on the first port by default), exec, redis or sql');
  const about = `A drill of your Compose stack (${rel}), written by drill init. Replace every TODO.`;
  return `${header(o, about)}\
description: Kill the primary of ${s.data} under load; it recovers within 5 s and no acknowledged write is lost.
tags: [compose, failover, kill]
cluster:
  target: custom
${commented(`  compose: ${JSON.stringify(rel)}`, 'drill creates the containers itself (docs/compose.md)')}
  groups:
${commented(`    ${group}:`, 'the group that takes the writes')}
      services: [${s.data}]
${portLine.map((l) => `${l}\n`).join('')}${probesLine}
${health.join('\n')}
        role:                   # TODO: succeeds on the primary / leader only
          http: { path: /role, match: leader${probePort} }
        write:                  # TODO: stores the key {{id}}; success = acknowledged
          http: { method: PUT, path: '/kv/{{id | url}}', body: '{{value}}'${probePort} }
        read:                   # TODO: lists every key present (JSON array of strings, or one per line)
          http: { path: /kv${probePort} }
          ids: { match: '^(k\\d+-\\d+)$' }
${othersNote(others)}workload:
  kind: kv
  rate: 100                     # writes per second, all workers together
  concurrency: 4
  timeout: 1s                   # a write unanswered after this is "unknown" (info), never "failed"
${TIMELINE.replace('node: n2', `node: <a node>`)}`;
}

function othersNote(others: string[]): string {
  if (others.length === 0) return '';
  return (
    `    # Every other service (${others.join(', ')}) is a group of its own, booted in depends_on order;\n` +
    `    # faults reach them with group: <name>, e.g. { kind: kill, group: ${groupNameOf(others[0]!)}, ` +
    'target: random }.\n'
  );
}
