// Rules between cluster.custom and the rest of a scenario, on raw data (so the loader can
// run them when zod stopped early): the workload a custom target takes, and steps that need
// a probe the definition lacks.

import { describeValue } from './duration.js';
import { isRec } from './fields.js';

/**
 * Rules between cluster.custom and the rest of a scenario (raw data): the workload a
 * custom target takes, and steps that need a probe the definition lacks.
 */
export function customCrossIssues(v: unknown): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  if (!isRec(v) || !isRec(v['cluster'])) return out;
  const cluster = v['cluster'];
  if (cluster['target'] === 'custom' && cluster['custom'] === undefined) {
    out.push({
      path: ['cluster'],
      message: 'target custom needs a custom block: image or build, ports and probes (see docs/custom-targets.md)',
    });
  }
  if (cluster['target'] !== 'custom') {
    if (cluster['custom'] !== undefined)
      out.push({ path: ['cluster', 'custom'], message: 'custom applies only to target: custom' });
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
  const custom = isRec(cluster['custom']) ? cluster['custom'] : undefined;
  const probes = custom && isRec(custom['probes']) ? custom['probes'] : undefined;
  if (Array.isArray(v['steps']) && custom !== undefined) {
    (v['steps'] as unknown[]).forEach((s, i) => {
      if (!isRec(s)) return;
      for (const key of ['backup', 'restore'] as const) {
        if (s[key] !== undefined && (probes === undefined || probes[key] === undefined)) {
          out.push({
            path: ['steps', i, key],
            message: `a ${key} step needs cluster.custom.probes.${key}, which this scenario does not define`,
          });
        }
      }
      const f = s['fault'];
      const vols = custom['volumes'];
      if (isRec(f) && f['kind'] === 'disk-full' && !(Array.isArray(vols) && vols.length > 0)) {
        out.push({
          path: ['steps', i, 'fault', 'kind'],
          message: "disk-full fills the node's data volumes: cluster.custom.volumes lists none",
        });
      }
    });
  }
  return out;
}
