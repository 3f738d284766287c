// The `fault` step of a scenario, assembled from the fault registry (src/faults/registry.ts):
// the common fields (kind, target, node, groups where a kind selects by groups, duration,
// blind, name) and every kind's own fields, each labelled with the kinds it belongs to. One
// refinement names a field used with the wrong kind, a kind's missing required field, and
// the selection rules; each kind adds its own cross-field rules (delay: jitter <= delay).

import { z } from 'zod';
import { FAULT_TARGETS, type AnyFaultKind, type FaultSpec } from '../faults/fault.js';
import { FAULT_KIND_LIST, faultKind } from '../faults/registry.js';
import { describeValue } from './duration.js';
import { always, descriptionOf, duration, isRec, nodeName } from './fields.js';

export { FAULT_TARGETS };
export { SIGNALS, type Signal } from '../faults/kill.js';

export const FAULT_KINDS = FAULT_KIND_LIST.map((k) => k.name) as [string, ...string[]];
export type { FaultKindName as FaultKind, TargetSelector as FaultTarget } from '../faults/fault.js';

const FAULT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The kinds that declare each field, in registry order (a field may be shared: percent). */
const OWNERS = new Map<string, AnyFaultKind[]>();
for (const k of FAULT_KIND_LIST) {
  if (k.selects === 'nodes-or-groups') OWNERS.set('groups', [...(OWNERS.get('groups') ?? []), k]);
  for (const field of Object.keys(k.params.fields)) OWNERS.set(field, [...(OWNERS.get(field) ?? []), k]);
}
const ownerNames = (field: string) => (OWNERS.get(field) ?? []).map((k) => k.name).join(' / ');

/** A kind's field as the fault map has it: optional, labelled with the kinds it belongs to. */
function labelled(field: string, s: z.ZodType): z.ZodType {
  const owners = OWNERS.get(field) ?? [];
  const required = owners.some((k) => k.params.required === field);
  return s.describe(`kind: ${ownerNames(field)} only${required ? ' (required)' : ''}: ${descriptionOf(s)}`).optional();
}

const groupsField = z
  .array(z.array(nodeName()).min(1))
  .min(2)
  .optional()
  .describe(
    `kind: ${ownerNames('groups')} only, instead of target/node: split the cluster into these groups, ` +
      'e.g. [[n1], [n2, n3]].',
  );

/**
 * kind, target, node, every kind's fields in registry order (groups before the first kind that selects by groups,
 * which keeps the field order users see in messages), duration, blind, name.
 */
function faultShape(): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {
    kind: z
      .enum(FAULT_KINDS)
      .describe(`${FAULT_KIND_LIST.map((k) => `${k.name}: ${k.summary}.`).join(' ')} See docs/faults.md.`),
    target: z
      .enum(FAULT_TARGETS)
      .optional()
      .describe(
        'Which node(s), chosen by role when the fault starts: primary, replica, random, all, minority (the largest ' +
          'minority, with the primary), majority (the smallest majority, with the primary). Exactly one of target ' +
          '/ node.',
      ),
    node: nodeName()
      .optional()
      .describe(
        'A node by name: n1..nN, or <group>-<i> / a Compose service with node groups. Exactly one of target / node.',
      ),
    group: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, {
        error: (iss) => `expected a group name of cluster.groups, got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe(
        "With node groups: choose target among this group's nodes (default: the data group). primary, replica, " +
          'minority and majority exist in the data group only.',
      ),
  };
  for (const k of FAULT_KIND_LIST) {
    if (k.selects === 'nodes-or-groups') shape['groups'] ??= groupsField;
    for (const [field, s] of Object.entries(k.params.fields)) shape[field] ??= labelled(field, s);
  }
  shape['duration'] = duration('Heal automatically after this long. Not allowed for restart.').optional();
  shape['blind'] = z
    .boolean()
    .optional()
    .describe(
      'Game days: hide the fault (kind, name, target) from the live page until the team marks it detected; ' +
        'the report reveals it.',
    );
  shape['name'] = z
    .string()
    .regex(FAULT_NAME_PATTERN, {
      error: (iss) => `expected a fault name (letters, digits, ".", "_", "-"), got ${describeValue(iss.input)}`,
    })
    .optional()
    .describe('Id used by heal. Default: f1, f2, ... by order of the faults in the file.');
  return shape;
}

type Issue = { code: 'custom'; path: string[]; message: string };

/** Rules across the fault map's fields; `f` may be partial (this runs even when fields are invalid). */
function faultIssues(f: Record<string, unknown>): Issue[] {
  const out: Issue[] = [];
  const issue = (path: string, message: string) =>
    out.push({ code: 'custom', path: path === '' ? [] : [path], message });
  const has = (k: string) => f[k] !== undefined;
  const name = typeof f['kind'] === 'string' ? f['kind'] : undefined;
  const kind = name === undefined ? undefined : faultKind(name);
  for (const field of OWNERS.keys()) {
    const owners = OWNERS.get(field) ?? [];
    if (!has(field) || name === undefined || owners.some((k) => k.name === name)) continue;
    issue(field, `${field} applies only to kind: ${ownerNames(field)}, not ${name}`);
  }
  const required = kind?.params.required;
  if (required !== undefined && !has(required)) issue('', `missing ${required}: kind ${name} needs it`);
  // A kind's rules hold for its fields wherever they appear (the misplaced field is named above).
  for (const k of FAULT_KIND_LIST) k.params.refine?.(f, issue);
  if (Array.isArray(f['groups'])) {
    const seen = new Set<unknown>();
    for (const g of f['groups']) {
      for (const n of Array.isArray(g) ? g : []) {
        if (seen.has(n)) issue('groups', `node ${String(n)} is in more than one group`);
        seen.add(n);
      }
    }
  }
  if (has('groups') && (has('target') || has('node'))) {
    issue('groups', 'use either groups or target / node, not both');
  } else if (has('groups')) {
    // groups select the nodes
  } else if (has('target') && has('node')) {
    issue('node', 'use either target or node, not both');
  } else if (!has('target') && !has('node') && kind?.selects !== 'repository') {
    issue('', `missing target: set target (${FAULT_TARGETS.join(' | ')}) or node (a node name)`);
  }
  if (has('duration') && kind !== undefined && !kind.lasting) {
    issue('duration', `duration is not allowed for kind: ${name}`);
  }
  if (f['name'] === 'all') issue('name', '"all" is reserved (heal: all heals every fault)');
  return out;
}

/** JSON Schema `if kind is K then ...`: K's required field, and exactly one of its selectors. */
function editorRules(k: AnyFaultKind): Record<string, unknown> {
  const selectors =
    k.selects === 'nodes' ? ['target', 'node'] : k.selects === 'nodes-or-groups' ? ['target', 'node', 'groups'] : [];
  const then: Record<string, unknown> = {};
  if (k.params.required !== undefined) then['required'] = [k.params.required];
  if (selectors.length > 0) then['oneOf'] = selectors.map((f) => ({ required: [f] }));
  return { if: { properties: { kind: { const: k.name } }, required: ['kind'] }, then };
}

export const faultSchema = z
  .strictObject(faultShape())
  .superRefine((parsed, ctx) => {
    const f: unknown = parsed;
    if (!isRec(f)) return;
    for (const i of faultIssues(f)) ctx.addIssue(i);
  }, always)
  // Per kind, for editors: its required field and how it selects (the refinement gives the messages).
  .meta({ allOf: FAULT_KIND_LIST.map(editorRules) })
  .describe('Inject a fault.');

/** A validated fault map as the runner's FaultSpec: common fields, then the kind's own (its toSpec). */
export function toFaultSpec(f: Record<string, unknown>, name: string): FaultSpec {
  const kind = faultKind(String(f['kind']));
  if (kind === undefined) throw new Error(`unreachable: a validated fault has a known kind (${String(f['kind'])})`);
  const spec: Record<string, unknown> = { name, kind: kind.name };
  for (const k of ['target', 'node', 'group', 'duration', 'groups']) if (f[k] !== undefined) spec[k] = f[k];
  if (f['blind'] === true) spec['blind'] = true;
  const own = Object.fromEntries(
    Object.keys(kind.params.fields).flatMap((k) => (f[k] !== undefined ? [[k, f[k]]] : [])),
  );
  for (const [k, v] of Object.entries(kind.params.toSpec(own))) if (v !== undefined) spec[k] = v;
  return spec as unknown as FaultSpec;
}
