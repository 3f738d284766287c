// The generic clients of a custom target: the workload's WriteClient and the final read's
// FinalReadSource, over the scenario's probes (HTTP, exec, or a native Redis / SQL client),
// producing the same history as graph-agent's client.
//
// Classification of a write (Jepsen: fail only when it certainly did not happen; when in
// doubt, info; a timeout is never fail):
//
//   probe succeeded (status / exit code as expected, output matches)    ok
//   http answer 4xx (not an expected status)                            fail  the node refused it
//   a native client's definite refusal (-READONLY, SQLSTATE 25006...)   fail  see src/drivers/
//   http answer otherwise not as expected (5xx, 2xx not matching)       info  it may have been applied
//   exec exited otherwise than expected, or output did not match        info  a command cannot tell us
//                                                                             whether it wrote
//   not reached: no published port, connection refused, container      fail  nothing was sent
//     stopped or paused (the engine refuses the exec)
//   sent, then timeout / connection lost                                info
//
// No retries, ever (a retried write makes its outcome ambiguous).
//
// Where a write goes (cluster.custom.write_to): `any` keeps the workload's choice (a node
// that answers, for stores that forward writes); otherwise a router names the node now: the
// primary by the role probe, a fixed endpoint, or the node a discovery probe names. The
// history records the node each write was actually sent to.

import { createHash } from 'node:crypto';
import type { FinalReadSource, ScanResult } from '../../client/final-read.js';
import type { OpRequest, OpResult, WriteClient } from '../../client/write-client.js';
import type { ReadProbeSpec, WriteProbeSpec } from '../../scenario/custom-schema.js';
import { capture, parseIds, parsePosition } from './probes/parse.js';
import { describeOutcome, type ProbeOutcome, type ProbeRunner } from './probes/run.js';
import type { TemplateVars } from './templates.js';

/** Names the node a write must go to now (writes that follow the primary). */
export interface WriteRouter {
  route(suggested: string): Promise<string>;
  /** A write to `node` failed: the router may look again. */
  failed(node: string): void;
}

/** The history's outcome of a write probe's outcome (the table above). */
export function writeOutcome(o: ProbeOutcome, indexCapture?: string): OpResult {
  switch (o.kind) {
    case 'success': {
      const r: OpResult = { outcome: 'ok' };
      if (indexCapture !== undefined) {
        const i = parsePosition(capture(o.output, indexCapture));
        if (Number.isFinite(i)) r.index = i;
      }
      return r;
    }
    case 'refused':
      return { outcome: 'fail', error: o.detail, nodeTrouble: true };
    case 'mismatch':
      if (o.status !== undefined && o.status >= 400 && o.status < 500)
        return { outcome: 'fail', error: String(o.status), nodeTrouble: false };
      return { outcome: 'info', error: o.status !== undefined ? String(o.status) : o.detail, nodeTrouble: true };
    case 'unsent':
      return { outcome: 'fail', error: o.error, nodeTrouble: true };
    case 'unknown':
      return { outcome: 'info', error: o.error, nodeTrouble: true };
  }
}

export class CustomWriteClient implements WriteClient {
  constructor(
    private readonly names: string[],
    private readonly runner: ProbeRunner,
    private readonly probe: WriteProbeSpec,
    private readonly varsOf: (node: string) => TemplateVars,
    private readonly router?: WriteRouter,
  ) {}

  nodes(): string[] {
    return this.names;
  }

  route(suggested: string): Promise<string> {
    return this.router ? this.router.route(suggested) : Promise.resolve(suggested);
  }

  async perform(node: string, op: OpRequest, timeoutMs: number, lane?: number): Promise<OpResult> {
    if (op.f !== 'put')
      return {
        outcome: 'fail',
        error: `unsupported op ${op.f} (custom targets take workload kind kv)`,
        nodeTrouble: false,
      };
    const vars = { ...this.varsOf(node), id: op.id, value: op.id };
    const o = await this.runner.run(this.probe, node, vars, timeoutMs, `w${lane ?? 0}`);
    const r = writeOutcome(o, this.probe.index);
    if (r.outcome !== 'ok') this.router?.failed(node);
    return r;
  }

  async close(): Promise<void> {}
}

/** The final read over the read-back probe: ids from the leader; a node's "checksum" is a hash of the ids it lists. */
export class CustomFinalReadSource implements FinalReadSource {
  constructor(
    private readonly names: string[],
    private readonly runner: ProbeRunner,
    private readonly probe: ReadProbeSpec,
    private readonly varsOf: (node: string) => TemplateVars,
    private readonly leaderOf: () => Promise<string | null>,
    private readonly timeoutMs = 10_000,
  ) {}

  nodes(): string[] {
    return this.names;
  }

  leader(): Promise<string | null> {
    return this.leaderOf();
  }

  async readIds(node: string): Promise<string[]> {
    const o = await this.runner.run(this.probe, node, this.varsOf(node), this.probe.timeout ?? this.timeoutMs);
    if (o.kind !== 'success') throw new Error(`${node}: read probe ${describeOutcome(o)}`);
    return parseIds(o.output, this.probe.ids, o.rows);
  }

  async scanAll(node: string): Promise<ScanResult> {
    return { vertices: await this.readIds(node), edges: [] };
  }

  async checksum(node: string): Promise<string | null> {
    try {
      return idsChecksum(await this.readIds(node));
    } catch {
      return null;
    }
  }
}

/** A node's "checksum" for a custom target: a hash of the ids it lists. */
export function idsChecksum(ids: readonly string[]): string {
  return createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex');
}
