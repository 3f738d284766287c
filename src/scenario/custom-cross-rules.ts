// Rules between cluster.custom and the rest of a scenario, on raw data (so the loader can
// run them when zod stopped early): the workload a custom target takes, and steps that need
// a probe the definition lacks.

import { describeValue } from './duration.js';
import { isRec } from './fields.js';
import { isDataGroup } from './node-refs.js';

/**
 * Rules between cluster.custom and the rest of a scenario (raw data): the workload a
 * custom target takes, and steps that need a probe the definition lacks.
 */
export function customCrossIssues(v: unknown): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  if (!isRec(v) || !isRec(v['cluster'])) return out;
  const cluster = v['cluster'];
  const grouped = cluster['groups'] !== undefined || cluster['compose'] !== undefined;
  if (cluster['target'] === 'custom' && cluster['custom'] === undefined && !grouped) {
    out.push({
      path: ['cluster'],
      message: 'target custom needs a custom block: image or build, ports and probes (see docs/custom-targets.md)',
    });
  }
  out.push(...pointIssues(v['steps']));
  if (cluster['target'] !== 'custom') {
    for (const k of ['custom', 'groups', 'compose'] as const) {
      if (cluster[k] !== undefined) out.push({ path: ['cluster', k], message: `${k} applies only to target: custom` });
    }
    if (Array.isArray(v['steps'])) {
      (v['steps'] as unknown[]).forEach((s, i) => {
        if (isRec(s) && s['point'] !== undefined)
          out.push({
            path: ['steps', i, 'point'],
            message:
              "recovery points are made by a custom target's probes.point; graph-agent restores to a log " +
              'position (restore: { position: N } or "backup:<name>")',
          });
      });
    }
    return out;
  }
  const w = v['workload'];
  if (isRec(w)) {
    if (w['kind'] !== undefined && w['kind'] !== 'kv') {
      out.push({
        path: ['workload', 'kind'],
        message: `custom targets take workload kind kv (key/value writes), not ${describeValue(w['kind'])}`,
      });
    }
    if (typeof w['read_share'] === 'number' && w['read_share'] > 0) {
      out.push({
        path: ['workload', 'read_share'],
        message: 'custom targets are read back at the end (probes.read), not during the run: read_share must be 0',
      });
    }
  }
  const custom = isRec(cluster['custom']) ? cluster['custom'] : dataGroupOf(cluster['groups'])?.[1];
  const where = isRec(cluster['custom']) ? 'cluster.custom' : `cluster.groups.${dataGroupOf(cluster['groups'])?.[0]}`;
  const probes = custom && isRec(custom['probes']) ? custom['probes'] : undefined;
  if (Array.isArray(v['steps']) && custom !== undefined) {
    (v['steps'] as unknown[]).forEach((s, i) => {
      if (!isRec(s)) return;
      for (const key of ['backup', 'point', 'restore'] as const) {
        if (s[key] !== undefined && (probes === undefined || probes[key] === undefined)) {
          out.push({
            path: ['steps', i, key],
            message: `a ${key} step needs ${where}.probes.${key}, which this scenario does not define`,
          });
        }
      }
      const f = s['fault'];
      const vols = custom['volumes'];
      // With a Compose file the volumes are its services': checked against it (checkComposeOf).
      const compose = cluster['compose'] !== undefined;
      if (isRec(f) && f['kind'] === 'disk-full' && !compose && !(Array.isArray(vols) && vols.length > 0)) {
        out.push({
          path: ['steps', i, 'fault', 'kind'],
          message: "disk-full fills the node's data volumes: cluster.custom.volumes lists none",
        });
      }
    });
  }
  return out;
}

/** The group that carries the data (write / read probes or a client module), as raw data, with its name. */
function dataGroupOf(groups: unknown): [string, Record<string, unknown>] | undefined {
  if (!isRec(groups)) return undefined;
  return Object.entries(groups).find((e): e is [string, Record<string, unknown>] => isRec(e[1]) && isDataGroup(e[1]));
}

/** A restore to point:<name> needs an earlier point step of that name, made once. */
function pointIssues(steps: unknown): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  if (!Array.isArray(steps)) return out;
  const made = new Map<string, number>();
  (steps as unknown[]).forEach((s, i) => {
    if (!isRec(s)) return;
    if (typeof s['point'] === 'string') {
      const prev = made.get(s['point']);
      if (prev !== undefined)
        out.push({
          path: ['steps', i, 'point'],
          message: `recovery point "${s['point']}" is already made by steps[${prev}]`,
        });
      else made.set(s['point'], i);
    }
    const r = s['restore'];
    const pos = isRec(r) ? r['position'] : undefined;
    if (typeof pos === 'string' && pos.startsWith('point:') && !made.has(pos.slice(6))) {
      out.push({
        path: ['steps', i, 'restore', 'position'],
        message: `no point step named "${pos.slice(6)}" before this restore (${
          made.size > 0 ? `points: ${[...made.keys()].join(', ')}` : 'add a point step while the writes run'
        })`,
      });
    }
  });
  return out;
}
