// Labels on everything the drill creates in Docker (containers, networks, volumes, images).
// They are the only thing cleanup trusts: a resource without `drill.managed=true` is never
// touched, and only containers with `drill.role=sut` are ever chosen as fault targets.

export const LABEL = {
  managed: 'drill.managed',
  run: 'drill.run',
  role: 'drill.role',
  node: 'drill.node',
  kind: 'drill.kind',
} as const;

export type DrillRole = 'sut' | 'helper';

export interface DrillLabelOptions {
  runId: string;
  role: DrillRole;
  /** Node name (`n1`...), for per-node resources. */
  node?: string;
  /** The system under test, e.g. `graph-agent`. */
  kind?: string;
}

/** The label set for one resource of a run. */
export function drillLabels(o: DrillLabelOptions): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.managed]: 'true',
    [LABEL.run]: o.runId,
    [LABEL.role]: o.role,
  };
  if (o.node !== undefined) labels[LABEL.node] = o.node;
  if (o.kind !== undefined) labels[LABEL.kind] = o.kind;
  return labels;
}

/** Docker API `label` filter values selecting drill resources (one run, or every run). */
export function labelFilter(runId?: string): string[] {
  const f = [`${LABEL.managed}=true`];
  if (runId !== undefined) f.push(`${LABEL.run}=${runId}`);
  return f;
}

/** Filters object for list calls (dockerode JSON-encodes it). */
export function drillFilters(runId?: string): { label: string[] } {
  return { label: labelFilter(runId) };
}

type Labels = Record<string, string> | null | undefined;

export function isDrillManaged(labels: Labels): boolean {
  return labels?.[LABEL.managed] === 'true';
}

/** True only for drill-managed containers of the system under test (never helpers). */
export function isFaultTarget(labels: Labels, runId?: string): boolean {
  if (!isDrillManaged(labels)) return false;
  if (labels?.[LABEL.role] !== 'sut') return false;
  return runId === undefined || labels?.[LABEL.run] === runId;
}

const RUN_ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** Run ids become parts of container, network and volume names. */
export function isValidRunId(runId: string): boolean {
  return RUN_ID_RE.test(runId);
}
