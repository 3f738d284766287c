// The client module API (docs/client-modules.md): how a user drills a system drill ships no
// client for. A small ES module, written against the store's own JavaScript client, in the
// shape of Jepsen's client protocol:
//
//   export async function open(node) { ... return client }   one per workload worker and node
//   client.write(op)  -> ok() | fail('why') | info('why')       one unique write
//   client.read()     -> string[]                              every id present (final read)
//   client.close()
//
// A write that throws is `info` (it may have happened): only say `fail` when the write
// certainly had no effect (refused before it was applied). Published as `drill/client`:
//
//   import { ok, fail, info } from 'drill/client';

/** The node a client connects to: its name and where its published ports are. */
export interface NodeInfo {
  /** Node name (n1, n2... or <group>-<i>). */
  name: string;
  /** 127.0.0.1: ports are published on loopback only. */
  host: string;
  /** Container port -> host port, for every published port of the node. */
  ports: Record<number, number>;
  /** The first published port's host port (the usual client port). */
  port: number;
  /** Values from the scenario's `client.settings` (connection strings, credentials...). */
  settings: Record<string, string>;
}

/** One write: a unique id (the element written) and its value. */
export interface WriteOp {
  id: string;
  value: string;
  /** The timeout the harness applies to this write, ms: give up before it if you can. */
  timeoutMs: number;
}

export type Outcome =
  { outcome: 'ok'; index?: number } | { outcome: 'fail'; error: string } | { outcome: 'info'; error: string };

/** It happened (acknowledged). `index`: the store's log position of the write, if it has one. */
export function ok(index?: number): Outcome {
  return index === undefined ? { outcome: 'ok' } : { outcome: 'ok', index };
}

/** It certainly did not happen (refused before any effect). */
export function fail(error: string): Outcome {
  return { outcome: 'fail', error };
}

/** Unknown: it may have happened (timeout, connection lost after sending). */
export function info(error: string): Outcome {
  return { outcome: 'info', error };
}

export interface Client {
  write(op: WriteOp): Promise<Outcome> | Outcome;
  /** Every id present, from this node (the final read and checksums). */
  read(): Promise<string[]> | string[];
  close?(): Promise<void> | void;
}

export interface ClientModule {
  open(node: NodeInfo): Promise<Client> | Client;
}
