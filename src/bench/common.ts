// Shared by the benchmarks: options, run ids (labelled as drill runs so `drill cleanup`
// finds anything a crashed benchmark left), and the harness clock.
import { randomBytes } from 'node:crypto';

export interface BenchOptions {
  /** The CI variant: fewer samples, fewer sizes, shorter runs. */
  quick: boolean;
  /** Progress lines (stderr). */
  log: (line: string) => void;
  /** Aborted on Ctrl-C (drills heal and tear down). */
  signal?: AbortSignal;
}

/** Every run id handed out in this process, so an interrupt can remove what they left. */
export const issuedRunIds = new Set<string>();

export function benchRunId(what: string): string {
  const id = `bench-${what}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  issuedRunIds.add(id);
  return id;
}
