// What a custom target asks of the driver of its nodes, whichever places them: the one-host
// driver (cluster.ts: containers on this machine's Docker host, as custom targets always
// ran) or the engine driver (engine-cluster.ts: through src/engines/, e.g. a service per
// node on a Docker Swarm). boot.ts, backups.ts, the probes and the faults see only this.

import type { ExecAnswer } from '../../docker/exec.js';
import type { Netns } from '../../docker/netns.js';
import type { NodeState } from '../target.js';
import type { NodeSpec } from './cluster.js';

export interface CustomNodes {
  /** The run network's name. */
  readonly network: string;
  /** The shared backup volume (or repository) of the run, if the target has one. */
  readonly backupVolume: string | undefined;
  /** The run network and the backup volume. */
  createShared(): Promise<void>;
  /** Create a node's volumes and container (one host) or remember its spec (an engine starts it whole). */
  createNode(name: string, spec: NodeSpec): Promise<void>;
  startNode(name: string): Promise<void>;
  /** Re-read published ports and address; re-attach the log follower after a start. */
  refresh(name: string, reattachLogs?: boolean): Promise<void>;
  baseUrl(name: string, port: number): string | undefined;
  /** Where the harness reaches a container port of a node now, undefined when it is not published. */
  address(name: string, port: number): { host: string; port: number } | undefined;
  publishedPorts(name: string): Record<number, number>;
  volumesOf(name: string): string[];
  /** The node's container id on its host, undefined when it has none. */
  containerId(name: string): string | undefined;
  /** The host a node runs on ('local' on one Docker host), undefined before it is placed. */
  hostOf(name: string): string | undefined;
  kill(name: string, signal: string): Promise<void>;
  stop(name: string, timeoutS: number): Promise<void>;
  start(name: string): Promise<void>;
  restart(name: string, timeoutS: number): Promise<void>;
  pause(name: string): Promise<void>;
  unpause(name: string): Promise<void>;
  inspect(name: string): Promise<NodeState>;
  ip(name: string): Promise<string>;
  /** The node's network namespace, on whichever host it runs (network faults). */
  netns(name: string): Promise<Netns>;
  /** A command in the node's container, on its host (command probes). */
  exec(name: string, argv: string[], timeoutMs: number): Promise<ExecAnswer>;
  /** The last lines a node printed (for error messages). */
  tail(name: string, lines?: number): Promise<string>;
  /** Run `argv` once in a fresh container with the node's volumes (offline restore). */
  runOneOff(
    node: string,
    argv: string[],
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<{ exitCode: number; output: string }>;
  /** Remove nodes' containers and their volumes (never the backup volume). */
  destroyNodes(names: readonly string[]): Promise<void>;
  /** Path of the backup volume on this machine (backup-storage faults). */
  backupHostPath(): Promise<string>;
  /** Remove everything this driver created. Never throws. */
  teardown(): Promise<string[]>;
}
