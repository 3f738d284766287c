// The backup repository's on-disk format (docs/backup-restore.md):
//
//   repo.json                       {"format":1,"created_at"}
//   chunks/<sha[0:2]>/<sha256>      content-addressed chunks (NDJSON), shared by snapshots
//   manifests/<id>.json             one per finished snapshot, written LAST
//   progress/<id>.json              an unfinished snapshot's cut and the chunks already stored
//
// A manifest is written only after every chunk it lists is durably stored (temp + fsync +
// rename), so a crash mid-backup never leaves a manifest pointing at missing chunks.

import { createHash } from 'node:crypto';
import { canonicalJson } from '../element-json.js';

export type BackupType = 'full' | 'incremental';
export type SnapshotMode = 'consistent' | 'fuzzy';
export type IncrementalMode = 'log' | 'mtime';
export type ChunkKind = 'vertices' | 'edges' | 'log';

export interface ChunkRef {
  sha256: string;
  bytes: number;
  kind: ChunkKind;
  /** Lines (elements or log entries) in the chunk. */
  count: number;
  /** kind log: first and last log index in the chunk. */
  first?: number;
  last?: number;
}

export interface Topology {
  node: string;
  role: string;
  term: number;
  leader: string | null;
  peers: string[];
}

export interface Manifest {
  format: 1;
  id: string;
  type: BackupType;
  /** The snapshot this one is an increment on; null for a full. */
  parent: string | null;
  /** The full snapshot at the root of this chain (itself for a full). */
  base: string;
  /** Incrementals since the full (0 for a full). */
  depth: number;
  /** The log position (applied index) this snapshot is exactly the state at. */
  position: number;
  /** Term and SHA-256 of the log entry at `position`: the lineage of the log this snapshot belongs to. */
  position_term: number;
  position_entry_sha256: string;
  parent_position: number | null;
  /** Wall clock of the backing-up node (may be skewed). */
  created_at: string;
  created_at_ms: number;
  /** Graph checksum (docs/graph-agent.md) of the state a restore of this snapshot yields. */
  checksum: string;
  /** Element counts of that state. */
  vertices: number;
  edges: number;
  topology: Topology;
  /** How the snapshot was taken: flaw switches are recorded, so a flawed backup is visible. */
  method: {
    snapshot: SnapshotMode;
    incremental: IncrementalMode | null;
    chunk_bytes: number;
    /**
     * 'canonical': element lines are the element's canonical JSON (element-json.ts), whose
     * SHA-256 is its hash. Absent in snapshots written before: their lines are JSON of the
     * element in any key order.
     */
    element_json?: 'canonical';
  };
  chunks: ChunkRef[];
  /** Sum of the chunks' sizes. */
  bytes: number;
  /** SHA-256 of the canonical JSON of this manifest without this field. */
  manifest_sha256: string;
}

export interface Progress {
  format: 1;
  id: string;
  /** Everything of the manifest except chunks/bytes/manifest_sha256. */
  manifest: Omit<Manifest, 'chunks' | 'bytes' | 'manifest_sha256'>;
  /** The cut: element counts at `position` (full and mtime incrementals). */
  cut: { vertices: number; edges: number };
  /** mtime incrementals: the cutoff (parent's created_at_ms). */
  mtime_cutoff?: number;
  /** Chunks already stored, in order. */
  chunks: ChunkRef[];
  started_at: string;
  updated_at: string;
  /** Node that last worked on it. */
  node: string;
}

export const chunkKey = (sha: string): string => `chunks/${sha.slice(0, 2)}/${sha}`;
export const manifestKey = (id: string): string => `manifests/${id}.json`;
export const progressKey = (id: string): string => `progress/${id}.json`;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sealManifest(m: Omit<Manifest, 'manifest_sha256'>): Manifest {
  return { ...m, manifest_sha256: sha256(canonicalJson(m)) };
}

/** null when intact, else what is wrong. */
export function manifestProblem(raw: unknown, expectedId: string): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not a JSON object';
  const m = raw as Partial<Manifest> & Record<string, unknown>;
  const { manifest_sha256, ...rest } = m;
  if (typeof manifest_sha256 !== 'string') return 'no manifest_sha256';
  if (sha256(canonicalJson(rest)) !== manifest_sha256)
    return 'manifest checksum mismatch (the manifest was altered or torn)';
  if (m.id !== expectedId) return `manifest id ${JSON.stringify(m.id)} does not match its file name`;
  if (m.format !== 1) return `unknown format ${JSON.stringify(m.format)}`;
  if (!Array.isArray(m.chunks) || typeof m.position !== 'number') return 'missing fields';
  return null;
}

/** Summary as returned by the API. */
export function summary(m: Manifest, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: m.id,
    type: m.type,
    parent: m.parent,
    base: m.base,
    depth: m.depth,
    position: m.position,
    created_at: m.created_at,
    checksum: m.checksum,
    vertices: m.vertices,
    edges: m.edges,
    chunks: m.chunks.length,
    bytes: m.bytes,
    node: m.topology.node,
    method: m.method,
    ...extra,
  };
}
