// SUT-level invariants on the final read: every edge has both its vertices, and every node
// holds the same data (same checksum).
import type { FinalRead } from '../client/history.js';
import type { DrillMetrics } from '../core/result.js';

export type IntegrityMeasurement = DrillMetrics['integrity'];

export function checkIntegrity(
  final: Pick<FinalRead, 'edges' | 'vertices' | 'checksums'> | null,
): IntegrityMeasurement {
  if (final === null) return { ok: null, dangling_edges: [], checksum_mismatch: [], reason: 'no final read' };
  const vertices = new Set(final.vertices);
  const dangling = final.edges.filter((e) => !vertices.has(e.from) || !vertices.has(e.to)).map((e) => e.id);

  // The reference value is the one most nodes agree on; a node that did not answer cannot
  // vouch for its data and is listed too. With a tie there is no reference: every node is
  // suspect.
  const counts = new Map<string, number>();
  for (const c of Object.values(final.checksums)) if (c !== null) counts.set(c, (counts.get(c) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const tie = ranked.length > 1 && ranked[0]![1] === ranked[1]![1];
  const majority = tie ? undefined : ranked[0]?.[0];
  const mismatch = Object.entries(final.checksums)
    .filter(([, c]) => c === null || c !== majority)
    .map(([node]) => node)
    .sort();

  const reasons: string[] = [];
  if (dangling.length > 0) reasons.push(`${dangling.length} dangling edge(s): ${dangling.slice(0, 5).join(', ')}`);
  if (tie) reasons.push('no majority checksum among nodes');
  if (mismatch.length > 0) reasons.push(`checksum differs on ${mismatch.join(', ')}`);
  const result: IntegrityMeasurement = {
    ok: dangling.length === 0 && mismatch.length === 0,
    dangling_edges: dangling,
    checksum_mismatch: mismatch,
  };
  if (reasons.length > 0) result.reason = reasons.join('; ');
  return result;
}
