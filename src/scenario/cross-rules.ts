// Rules across fields of a scenario: fault names (defaults f1, f2, ..., no duplicates),
// heal of a fault defined earlier, node names and groups the cluster has, and the custom
// target's own cross rules.

import { customCrossIssues } from './custom-schema.js';
import { isRec } from './fields.js';
import { knownNodesOf, nodeRefIssues } from './node-refs.js';

function faultNames(steps: unknown[]): { index: number; name: string; isDefault: boolean }[] {
  const out: { index: number; name: string; isDefault: boolean }[] = [];
  steps.forEach((s, index) => {
    if (!isRec(s) || !isRec(s['fault'])) return;
    const given = s['fault']['name'];
    if (typeof given === 'string') out.push({ index, name: given, isDefault: false });
    else out.push({ index, name: `f${out.length + 1}`, isDefault: true });
  });
  return out;
}

export interface CrossIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Rules across fields: fault names (defaults f1, f2, ..., no duplicates), heal of a fault
 * defined earlier, node names within cluster.nodes. Works on raw or partially parsed data
 * (only string fields and cluster.nodes are read), so the loader can also run it when zod
 * stopped early.
 */
export function scenarioCrossIssues(v: unknown): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const ctx = { addIssue: (i: CrossIssue & { code: 'custom' }) => issues.push({ path: i.path, message: i.message }) };
  if (!isRec(v) || !Array.isArray(v['steps'])) return issues;
  const steps = v['steps'] as unknown[];
  const cluster = v['cluster'];

  const faults = faultNames(steps);
  const firstByName = new Map<string, { index: number; isDefault: boolean }>();
  for (const f of faults) {
    const prev = firstByName.get(f.name);
    if (prev === undefined) {
      firstByName.set(f.name, f);
      continue;
    }
    const where = `steps[${prev.index}]${prev.isDefault ? ' (its default name)' : ''}`;
    ctx.addIssue({
      code: 'custom',
      path: f.isDefault ? ['steps', f.index, 'fault'] : ['steps', f.index, 'fault', 'name'],
      message: f.isDefault
        ? `this fault's default name "${f.name}" is already used by ${where}; give it a name`
        : `duplicate fault name "${f.name}", already used by ${where}`,
    });
  }

  steps.forEach((s, i) => {
    if (!isRec(s)) return;
    const heal = s['heal'];
    if (typeof heal === 'string' && heal !== 'all' && heal !== '') {
      const earlier = faults.filter((f) => f.index < i).map((f) => f.name);
      if (!earlier.includes(heal)) {
        const later = faults.find((f) => f.index > i && f.name === heal);
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'heal'],
          message:
            later !== undefined
              ? `fault "${heal}" is defined later, at steps[${later.index}]; heal must come after its fault`
              : `unknown fault "${heal}"; ${
                  earlier.length === 0
                    ? 'no fault is defined before this step'
                    : `faults defined before this step: ${earlier.join(', ')}`
                } (or use "all")`,
        });
      }
    }
  });
  const known = knownNodesOf(cluster);
  if (known !== undefined) for (const i of nodeRefIssues(steps, known)) ctx.addIssue({ code: 'custom', ...i });
  for (const i of customCrossIssues(v)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  return issues;
}
