// Build an image from a context directory through the engine API (no registry is ever
// contacted: pull is off), following the build's progress and turning a failed step into
// an InfraError that says which build failed.
//
// The context goes to the engine as a plain tar stream, packed here: dockerode's own
// packing gzips it, and gzipping the ~100 MB graph-agent context took 3-4 s of the
// harness's CPU before the engine saw a byte (a build took 5.6 s where `docker build`
// took 1.4 s); over the local socket compression buys nothing. A custom target's context
// comes packed already (build-context.ts: empty directories, .dockerignore).

import tar from 'tar-fs';
import { InfraError } from '../core/errors.js';
import { docker, errorLine, isNotFound } from './engine.js';
import { LABEL } from './labels.js';

export interface BuildRequest {
  /** The context directory and the files (relative to it) to send... */
  dir: string;
  files: string[];
  /** ...or the whole context as a tar stream (build-context.ts: empty directories, .dockerignore). */
  tar?: () => NodeJS.ReadableStream;
  tag: string;
  dockerfile?: string;
  /** drill.kind of the image (it is always labelled drill.managed=true). */
  kind: string;
  /** Prefix of every error, e.g. `graph-agent image: step "docker build"`. */
  what: string;
  hint?: string;
  onLog?: (line: string) => void;
  /** Build every step afresh, as on a machine that never built it (the cold-start benchmark). */
  noCache?: boolean;
}

export async function buildImage(r: BuildRequest): Promise<void> {
  const d = docker();
  const fail = (e: unknown): InfraError => new InfraError(`${r.what} failed: ${errorLine(e)}`, r.hint);
  let stream: NodeJS.ReadableStream;
  try {
    // A plain tar (no gzip) unless the caller packs the context itself.
    stream = await d.buildImage(r.tar ? r.tar() : tar.pack(r.dir, { entries: r.files }), {
      t: r.tag,
      ...(r.dockerfile !== undefined ? { dockerfile: r.dockerfile } : {}),
      labels: { [LABEL.managed]: 'true', [LABEL.kind]: r.kind },
      rm: true,
      forcerm: true,
      pull: false,
      ...(r.noCache ? { nocache: true } : {}),
    });
  } catch (e) {
    throw fail(e);
  }
  const output = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
    d.modem.followProgress(
      stream,
      (err: Error | null, out: Array<Record<string, unknown>>) => (err ? reject(err) : resolve(out)),
      (ev: Record<string, unknown>) => {
        if (typeof ev['stream'] === 'string' && r.onLog) r.onLog(ev['stream'].trimEnd());
      },
    );
  }).catch((e: unknown) => {
    throw fail(e);
  });
  const failed = output.find((ev) => ev['error'] !== undefined || ev['errorDetail'] !== undefined);
  if (failed) throw fail(String(failed['error']));
}

/** Docker's RFC 3339 time (nanoseconds) as the "<sec>.<nanos>" a logs `since` takes; undefined for the zero time. */
export function dockerTimeToSince(t: string | undefined): string | undefined {
  if (t === undefined || t.startsWith('0001-')) return undefined;
  const m = /^(.*?T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return undefined;
  const secs = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  if (!Number.isFinite(secs)) return undefined;
  return `${secs}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}`;
}

/** Whether the engine has the image; a failure other than "not found" is an InfraError naming `what`. */
export async function imageExists(tag: string, what = `inspect image ${tag}`): Promise<boolean> {
  try {
    await docker().getImage(tag).inspect();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw new InfraError(`${what}: ${errorLine(e)}`);
  }
}
