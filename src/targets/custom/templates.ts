// Templates in custom-target definitions: `{{ node.name }}`, `{{ id | base64 }}`,
// `{{ 'drill/' | prefix_end | base64 }}`. A template is a string with placeholders; a
// placeholder is a variable (dotted name) or a quoted literal, then zero or more filters.
// Unknown variables and filters are scenario errors, found at load time (templateProblems),
// so a typo never reaches a running drill.

export type TemplateVars = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const VAR_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;
const LITERAL = /^'([^']*)'$|^"([^"]*)"$/;

/** Filters, applied left to right. */
export const FILTERS: Readonly<Record<string, (s: string) => string>> = {
  /** Standard base64 of the UTF-8 bytes (etcd's JSON gateway wants keys and values so). */
  base64: (s) => Buffer.from(s, 'utf8').toString('base64'),
  /** Escape for inside a JSON string literal (no surrounding quotes). */
  json: (s) => JSON.stringify(s).slice(1, -1),
  /** Percent-encode for a URL path segment or query value. */
  url: (s) => encodeURIComponent(s),
  /** The smallest string greater than every string with this prefix (last byte + 1): a range end. */
  prefix_end: (s) => {
    const b = Buffer.from(s, 'utf8');
    for (let i = b.length - 1; i >= 0; i--) {
      if (b[i]! < 0xff) {
        const out = Buffer.from(b.subarray(0, i + 1));
        out[i]!++;
        return out.toString('latin1');
      }
    }
    return '\0';
  },
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
};

interface Placeholder {
  variable?: string;
  literal?: string;
  filters: string[];
}

function parsePlaceholder(inner: string): Placeholder | string {
  const parts = inner.split('|').map((p) => p.trim());
  const head = parts[0] ?? '';
  const filters = parts.slice(1);
  const out: Placeholder = { filters };
  const lit = LITERAL.exec(head);
  if (lit) out.literal = lit[1] ?? lit[2] ?? '';
  else if (VAR_NAME.test(head)) out.variable = head;
  else return `"{{${inner}}}": expected a variable such as node.name or a quoted string, got ${JSON.stringify(head)}`;
  for (const f of filters) {
    if (!(f in FILTERS))
      return `"{{${inner}}}": unknown filter ${JSON.stringify(f)}; filters: ${Object.keys(FILTERS).join(', ')}`;
  }
  return out;
}

/** Whether `variable` is offered: by name, or by a pattern with `*` for one name part (groups.*.peers). */
function offered(variable: string, allowed: readonly string[]): boolean {
  return allowed.some((a) =>
    a.includes('*')
      ? new RegExp(`^${a.replaceAll('.', '\\.').replace('*', '[a-z][a-z0-9_]*')}$`).test(variable)
      : a === variable,
  );
}

/** Problems of a template against the variables its context offers (empty: fine). */
export function templateProblems(template: string, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const p = parsePlaceholder(m[1] ?? '');
    if (typeof p === 'string') problems.push(p);
    else if (p.variable !== undefined && !offered(p.variable, allowed)) {
      problems.push(`unknown variable {{${p.variable}}} here; available: ${allowed.join(', ')}`);
    }
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{')) problems.push('unclosed "{{" (placeholders look like {{ node.name }})');
  return problems;
}

/** Variables used by a template. */
export function templateVariables(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const p = parsePlaceholder(m[1] ?? '');
    if (typeof p !== 'string' && p.variable !== undefined) out.push(p.variable);
  }
  return out;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Render a template. Throws TemplateError for an unknown variable (validated templates never do). */
export function render(template: string, vars: TemplateVars): string {
  return template.replace(PLACEHOLDER, (_all, inner: string) => {
    const p = parsePlaceholder(inner);
    if (typeof p === 'string') throw new TemplateError(p);
    let v: string;
    if (p.literal !== undefined) v = p.literal;
    else {
      const got = vars[p.variable!];
      if (got === undefined) throw new TemplateError(`unknown variable {{${p.variable}}}`);
      v = got;
    }
    for (const f of p.filters) v = FILTERS[f]!(v);
    return v;
  });
}

// ---------------------------------------------------------------------------------------
// The variables each place offers.

/** Everywhere (command, env, every probe): the node the thing runs for, and the cluster. */
export const NODE_VARS = [
  'node.name',
  'node.index',
  'node.host',
  'peers',
  'cluster.nodes',
  'cluster.peers',
  'cluster.peer_urls',
  'peer_urls',
  'cluster.size',
  'cluster.state',
  'run.id',
  // Node groups (cluster.groups, Compose): the other groups' nodes, e.g. {{groups.etcd.peer_urls}}.
  'groups.*.nodes',
  'groups.*.hosts',
  'groups.*.peers',
  'groups.*.peer_urls',
  'groups.*.size',
  'node.group',
] as const;
/** The write probe adds the op's unique id (the key) and its value (the id again). */
export const WRITE_VARS = [...NODE_VARS, 'id', 'value'] as const;
/** Backup and restore probes add the backup's id and type. */
export const BACKUP_VARS = [...NODE_VARS, 'backup.id', 'backup.type'] as const;
/** A restore also names the recovery point it goes to (empty for a restore of the whole backup). */
export const RESTORE_VARS = [...BACKUP_VARS, 'restore.point'] as const;
/** The point step names the recovery point to make. */
export const POINT_VARS = [...NODE_VARS, 'point.name'] as const;
/** peer_url: one peer. */
export const PEER_VARS = ['peer.name', 'peer.host', 'peer.port'] as const;

/** How another group of the cluster is written in templates (groups.<name>.*). */
export interface GroupLayout {
  names: readonly string[];
  peerPort: number | undefined;
  peerUrl: string | undefined;
}

export interface ClusterLayout {
  runId: string;
  names: readonly string[];
  /** The group of these nodes and every group of the cluster (node groups); absent: one group. */
  group?: string | undefined;
  groups?: Readonly<Record<string, GroupLayout>> | undefined;
  peerPort: number | undefined;
  /** How one peer is written in {{peers}} / {{cluster.peers}}; default `{{peer.host}}:{{peer.port}}`. */
  peerUrl: string | undefined;
  /** new: the first boot; existing: a node that starts from data it already has (after a restore). */
  state: 'new' | 'existing';
}

function peerUrl(layout: Pick<ClusterLayout, 'peerUrl' | 'peerPort'>, name: string): string {
  const tpl = layout.peerUrl ?? (layout.peerPort !== undefined ? '{{peer.host}}:{{peer.port}}' : '{{peer.host}}');
  return render(tpl, { 'peer.name': name, 'peer.host': name, 'peer.port': String(layout.peerPort ?? '') });
}

function peerEntry(layout: Pick<ClusterLayout, 'peerUrl' | 'peerPort'>, name: string): string {
  return `${name}=${peerUrl(layout, name)}`;
}

/** The node variables for `node` in a cluster laid out as `layout`. */
export function nodeVars(layout: ClusterLayout, node: string): Record<string, string> {
  const idx = layout.names.indexOf(node);
  return {
    'node.name': node,
    'node.index': String(idx + 1),
    'node.host': node,
    peers: layout.names
      .filter((n) => n !== node)
      .map((n) => peerEntry(layout, n))
      .join(','),
    'cluster.nodes': layout.names.join(','),
    'cluster.peers': layout.names.map((n) => peerEntry(layout, n)).join(','),
    // Plain lists, without the names (NATS routes, Kafka-style bootstrap lists...).
    'cluster.peer_urls': layout.names.map((n) => peerUrl(layout, n)).join(','),
    peer_urls: layout.names
      .filter((n) => n !== node)
      .map((n) => peerUrl(layout, n))
      .join(','),
    'cluster.size': String(layout.names.length),
    'cluster.state': layout.state,
    'run.id': layout.runId,
    'node.group': layout.group ?? '',
    ...groupVars(layout.groups ?? {}),
  };
}

/** groups.<name>.nodes / hosts / peers / peer_urls / size for every group of the cluster. */
function groupVars(groups: Readonly<Record<string, GroupLayout>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [g, l] of Object.entries(groups)) {
    out[`groups.${g}.nodes`] = l.names.join(',');
    out[`groups.${g}.hosts`] = l.names.join(',');
    out[`groups.${g}.peers`] = l.names.map((n) => peerEntry(l, n)).join(',');
    out[`groups.${g}.peer_urls`] = l.names.map((n) => peerUrl(l, n)).join(',');
    out[`groups.${g}.size`] = String(l.names.length);
  }
  return out;
}
