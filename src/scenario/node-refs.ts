// Node names and node groups a scenario's steps refer to, checked against the cluster they
// run on: n1..nN for a cluster of identical nodes, <group>-<i> for cluster.groups, the
// services (or <service>-<i> with replicas) of a Compose file. A misspelt node is a user
// mistake found at validation, not a fault that fails mid-drill.

import { isRec, MAX_NODES, NODE_PATTERN, type Rec } from './fields.js';

export interface KnownNodes {
  /** Every node of the cluster, in order. */
  names: string[];
  /** Node groups and their nodes; absent for a cluster of identical nodes. */
  groups?: Record<string, string[]>;
  /** The group whose nodes carry the data (and the primary). */
  dataGroup?: string;
  /** Where the names come from, for messages: "cluster.nodes is 3 (n1..n3)", "cluster.groups", a Compose file. */
  from: string;
}

export interface NodeRefIssue {
  path: (string | number)[];
  message: string;
}

const ROLES = new Set(['primary', 'replica']);
/** Selectors that need the primary: only the data group has one. */
const ROLE_TARGETS = new Set(['primary', 'replica', 'minority', 'majority']);

/** Which group carries the data: the one with write / read probes or a client module (raw data). */
export function isDataGroup(g: unknown): boolean {
  if (!isRec(g)) return false;
  const probes = isRec(g['probes']) ? g['probes'] : {};
  const client = isRec(g['client']) ? g['client'] : {};
  return probes['write'] !== undefined || probes['read'] !== undefined || client['module'] !== undefined;
}

/** Nodes of a cluster block (raw data) without a Compose file; undefined when they cannot be known here. */
export function knownNodesOf(cluster: unknown): KnownNodes | undefined {
  if (!isRec(cluster) || cluster['compose'] !== undefined) return undefined;
  const groups = cluster['groups'];
  if (cluster['target'] === 'custom' && isRec(groups)) {
    const out: Record<string, string[]> = {};
    let data: string | undefined;
    for (const [name, g] of Object.entries(groups)) {
      const n = isRec(g) && typeof g['nodes'] === 'number' && Number.isInteger(g['nodes']) ? g['nodes'] : 1;
      if (n < 1 || n > MAX_NODES) return undefined;
      out[name] = Array.from({ length: n }, (_, i) => `${name}-${i + 1}`);
      if (data === undefined && isDataGroup(g)) data = name;
    }
    return {
      names: Object.values(out).flat(),
      groups: out,
      ...(data !== undefined ? { dataGroup: data } : {}),
      from: 'cluster.groups',
    };
  }
  const raw = cluster['nodes'];
  const nodes =
    raw === undefined ? 3 : typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= MAX_NODES ? raw : 0;
  if (nodes === 0) return undefined;
  return {
    names: Array.from({ length: nodes }, (_, i) => `n${i + 1}`),
    from: `cluster.nodes is ${nodes} (${nodes === 1 ? 'n1' : `n1..n${nodes}`})`,
  };
}

function listOf(names: string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')}, ...`;
}

/** Every node name and group a step refers to that the cluster does not have. */
export function nodeRefIssues(steps: unknown, known: KnownNodes): NodeRefIssue[] {
  const out: NodeRefIssue[] = [];
  if (!Array.isArray(steps)) return out;
  const unknownNode = (path: (string | number)[], n: unknown) => {
    if (typeof n !== 'string' || !NODE_PATTERN.test(n) || ROLES.has(n) || known.names.includes(n)) return;
    const where = known.groups === undefined ? `: ${known.from}` : ` in ${known.from} (nodes: ${listOf(known.names)})`;
    out.push({ path, message: `node "${n}" does not exist${where}` });
  };
  (steps as unknown[]).forEach((s, i) => {
    if (!isRec(s)) return;
    const f = s['fault'];
    if (isRec(f)) {
      unknownNode(['steps', i, 'fault', 'node'], f['node']);
      if (Array.isArray(f['groups'])) {
        f['groups'].forEach((g, gi) => {
          if (Array.isArray(g)) g.forEach((n, ni) => unknownNode(['steps', i, 'fault', 'groups', gi, ni], n));
        });
      }
      groupRef(f, ['steps', i, 'fault'], known, out);
    }
    for (const [key, field] of [
      ['destroy', 'node'],
      ['backup', 'node'],
      ['exec', 'in'],
    ] as const) {
      const step = s[key];
      if (isRec(step)) unknownNode(['steps', i, key, field], step[field]);
    }
  });
  return out;
}

/** A fault's `group:`: a group of this cluster, and a selector that makes sense in it. */
function groupRef(f: Rec, at: (string | number)[], known: KnownNodes, out: NodeRefIssue[]): void {
  const g = f['group'];
  if (typeof g !== 'string') return;
  const path = [...at, 'group'];
  if (known.groups === undefined) {
    out.push({ path, message: 'group applies to clusters with node groups (cluster.groups or cluster.compose)' });
    return;
  }
  if (!(g in known.groups)) {
    out.push({ path, message: `no group "${g}" in ${known.from} (groups: ${Object.keys(known.groups).join(', ')})` });
    return;
  }
  if (f['node'] !== undefined || f['groups'] !== undefined) {
    out.push({ path, message: 'group narrows target; with node or groups, name the nodes alone' });
    return;
  }
  const t = f['target'];
  if (g !== known.dataGroup && typeof t === 'string' && ROLE_TARGETS.has(t)) {
    out.push({
      path: [...at, 'target'],
      message:
        `target ${t} needs a primary, and only the data group (${known.dataGroup ?? 'none'}) has one: ` +
        `use random or all in group ${g}`,
    });
  }
}
