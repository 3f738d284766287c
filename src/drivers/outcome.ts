// What came of one request to a node, whatever the transport (HTTP, a command in the
// container, a native protocol client). The write client turns it into the history's
// outcome (Jepsen's rule: fail only when the request certainly had no effect; when in
// doubt, info; a timeout is never fail):
//
//   success   answered as expected                                       ok
//   refused   answered with a definite refusal: certainly no effect      fail
//             (Redis -READONLY, PostgreSQL 25006 read-only transaction...)
//   mismatch  answered, but not as expected and not a known refusal      info
//   unsent    nothing reached the node (connection refused, no port)     fail
//   unknown   sent, then timeout or connection lost                      info

export type DriverOutcome =
  | { kind: 'success'; output: string; status?: number; exitCode?: number; rows?: string[] }
  | { kind: 'refused'; output: string; detail: string; status?: number }
  | { kind: 'mismatch'; output: string; status?: number; exitCode?: number; detail: string }
  | { kind: 'unsent'; error: string }
  | { kind: 'unknown'; error: string };

/** Where a node's published port is reachable from the harness (127.0.0.1 and the host port). */
export interface NodeAddress {
  host: string;
  port: number;
}

/** One line describing an outcome, for error messages. */
export function describeDriverOutcome(o: DriverOutcome): string {
  switch (o.kind) {
    case 'success':
      return 'succeeded';
    case 'refused':
    case 'mismatch': {
      const out = o.output.trim().replace(/\s+/g, ' ');
      if (out === '' || o.detail.includes(out)) return o.detail;
      return `${o.detail}: ${out.length > 160 ? `${out.slice(0, 160)}…` : out}`;
    }
    case 'unsent':
      return `not reached (${o.error})`;
    case 'unknown':
      return `no answer (${o.error})`;
  }
}
