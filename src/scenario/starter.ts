// Starter scenarios for `drill init`: a commented YAML file that validates as written, for
// the bundled graph-agent or for a custom target given its image and port. Each starter
// is plain text (comments are the point: they teach the format), checked by parsing it
// with the real loader before it is written.
//
// Where starters come from is a tagged union: the bundled store, an image and port, or the
// user's Compose file (starter-compose.ts: its services become the cluster).

import { checkComposeOf, parseScenario } from './load.js';
import { composeStarter, type ComposeStarterSource } from './starter-compose.js';

export type StarterSource =
  | { kind: 'graph-agent' }
  | { kind: 'image'; image: string; port: number; nodes: number; appName: string }
  | ComposeStarterSource;

export interface StarterOptions {
  name: string;
  /** `# yaml-language-server: $schema=...` line for editors (a path relative to the file), if any. */
  schemaRef?: string;
}

const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

/** A scenario name from a file name: "My Drill.yaml" -> "my-drill". */
export function nameFromFile(file: string): string {
  const base = file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '');
  const n = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return NAME_RE.test(n) ? n : 'my-drill';
}

export function header(o: StarterOptions, about: string): string {
  const schema = o.schemaRef ? `# yaml-language-server: $schema=${o.schemaRef}\n` : '';
  return `${schema}# ${about}
# Check it with \`drill validate <this file>\`, run it with \`drill run <this file>\`.
# Format: docs/scenario-format.md (also in the installed package).
name: ${o.name}
`;
}

// The timeline and thresholds both starters share: kill the primary under load, wait for
// recovery, bring the node back, and judge RTO, RPO and integrity.
export const TIMELINE = `steps:
  - wait: 3s                    # steady load first: the baseline the recovery is judged against
  - mark: killing the primary   # a note on the report's timeline
  - fault:
      name: primary-kill
      kind: kill                # also: pause, stop, restart, partition, loss, bandwidth, delay,
      target: primary           #   clock-skew, disk-full (docs/faults.md); targets: primary,
      signal: SIGKILL           #   replica, random, minority, majority, all, node: n2
  - await:
      condition: recovered      # a sustained run of acknowledged writes again
      timeout: 15s
  - wait: 2s
  - heal: primary-kill          # start the killed node again
  - await:
      condition: healthy
      timeout: 15s
  - wait: 2s
thresholds:                     # what decides the exit code (0 all met, 1 one breached)
  rto: 5s                       # fault confirmed -> first write of a sustained run of successes
  rpo:
    lost: 0                     # acknowledged writes missing after recovery
  integrity: true
# expect: { verdict: fail, reason: rpo.lost > 0 }   # for a drill that must catch a flaw
`;

function graphAgent(o: StarterOptions): string {
  return `${header(o, 'A drill of the bundled graph-agent (a Raft-replicated graph store), written by drill init.')}\
description: Kill the primary under write load; a new leader takes over within 5 s and no acknowledged write is lost.
tags: [failover, kill]
cluster:
  target: graph-agent
  nodes: 3                      # odd sizes keep a majority through one failure
  # settings:                   # flaw switches that make this drill fail (docs/graph-agent.md)
  #   replication: async
workload:
  kind: graph                   # vertices and edges; every write has a unique id
  rate: 200                     # writes per second, all workers together
  concurrency: 8
  edge_share: 0.3
  timeout: 1s                   # a write unanswered after this is "unknown" (info), never "failed"
${TIMELINE}`;
}

/** `line` followed by `comment`, aligned with the starters' other comments (column 32). */
export function commented(line: string, comment: string): string {
  return `${line}${' '.repeat(Math.max(1, 32 - line.length))}# ${comment}`;
}

function image(o: StarterOptions, s: Extract<StarterSource, { kind: 'image' }>): string {
  return `${header(o, `A drill of ${s.image}, written by drill init. Replace every TODO with your service's API.`)}\
description: Kill the primary of ${s.appName} under load; it recovers within 5 s and no acknowledged write is lost.
tags: [${s.appName}, failover, kill]
cluster:
  target: custom                # any image, driven by the probes below (docs/custom-targets.md)
  nodes: ${s.nodes}
  custom:
    name: ${s.appName}
${commented(`    image: ${JSON.stringify(s.image)}`, 'must be in the local engine: nothing is pulled')}
    # command: [/app/server, --name={{node.name}}, --peers={{cluster.peers}}]   # argv, templated
    # env: { LOG_LEVEL: warn }
${commented(`    ports: [${s.port}]`, 'published on 127.0.0.1 for the probes and the workload')}
    # peer_port: 7000           # the port nodes talk to each other on (port-level network faults)
    # volumes: [/data]          # a volume per node: data survives kill and restart
    boot_timeout: 60s
    probes:                     # http (on the first port by default) or exec (in the container)
      health:                   # TODO: succeeds while the node serves
        http: { path: /health }
      role:                     # TODO: succeeds on the primary / leader only
        http: { path: /role, match: leader }
      write:                    # TODO: stores the key {{id}}; success = acknowledged
        http: { method: PUT, path: '/kv/{{id | url}}', body: '{{value}}' }
      read:                     # TODO: lists every key present (JSON array of strings, or one per line)
        http: { path: /kv }
        ids: { match: '^(k\\d+-\\d+)$' }
workload:
  kind: kv
  rate: 100                     # writes per second, all workers together
  concurrency: 4
  timeout: 1s                   # a write unanswered after this is "unknown" (info), never "failed"
${TIMELINE}`;
}

/**
 * The starter's text; throws if it would not validate (a bug in a template, never the user's). `file` is where it
 * will be written: a Compose starter names its Compose file relative to it, and is checked against that file.
 */
export function renderStarter(source: StarterSource, o: StarterOptions, file?: string): string {
  if (source.kind === 'compose') {
    const where = file ?? 'drill.yaml';
    const text = composeStarter(o, source, where);
    checkComposeOf(text, where, parseScenario(text, where));
    return text;
  }
  const text = source.kind === 'graph-agent' ? graphAgent(o) : image(o, source);
  parseScenario(text, `drill init (${source.kind})`);
  return text;
}
