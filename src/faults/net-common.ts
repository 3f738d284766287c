// Shared by the network faults: resolve the nodes' addresses once, apply tagged rules per
// node and count them back (the fault is in effect when every rule is listed), and heal by
// tag on every node that still runs (a node that was restarted has a fresh namespace).
// Nodes are handled in parallel: each namespace is its own, so the fault takes as long as
// the slowest node, not the sum.
import { z } from 'zod';
import type { Netns } from '../docker/netns.js';
import type { NodeNetwork } from '../targets/target.js';
import { FaultNotInEffectError } from './fault.js';
import { applyRules, countTagged, removeTagged, type PeerPath, type Rule } from './netfilter.js';

/** The `percent` field of loss and duplicate: percent of packets, (0, 100]. */
export const percentField = z.number().gt(0).max(100).describe('percent of packets, (0, 100].');

export async function peerPath(net: NodeNetwork, nodes: readonly string[]): Promise<PeerPath> {
  const ips = new Map<string, string>();
  await Promise.all(nodes.map(async (n) => ips.set(n, await net.ip(n))));
  for (const [n, ip] of ips)
    if (ip === '') throw new FaultNotInEffectError(`node ${n} has no address on the run network (not running?)`);
  const links = net.links;
  return {
    ip: (n) => ips.get(n) ?? '',
    peerPort: net.peerPort,
    link: links ? (a, b) => links.endpoint(a, b) : undefined,
  };
}

/**
 * The nodes' pids, looked up at once (to overlap with peerPath). A node without one is
 * left out: installing its rules then asks again and fails with the target's own error.
 */
export async function nodePids(net: NodeNetwork, nodes: readonly string[]): Promise<Map<string, Netns>> {
  const pids = new Map<string, Netns>();
  await Promise.all(
    nodes.map((n) =>
      net.pid(n).then(
        (p) => pids.set(n, p),
        () => undefined,
      ),
    ),
  );
  return pids;
}

/**
 * Install the rules per node, then confirm every one of them is listed: every namespace at
 * once, each with one rules transaction and one listing. Returns the rule count.
 */
export async function installRules(
  net: NodeNetwork,
  perNode: Map<string, Rule[]>,
  tag: string,
  pids: ReadonlyMap<string, Netns> = new Map(),
): Promise<number> {
  // Settled, not raced: a failed node's heal must not run while another node still installs.
  const results = await Promise.allSettled(
    [...perNode].map(async ([node, rules]) => {
      const pid = pids.get(node) ?? (await net.pid(node));
      await applyRules(pid, rules, tag);
      const listed = await countTagged(pid, tag);
      if (listed !== rules.length) {
        throw new FaultNotInEffectError(
          `${node}: ${rules.length} rule(s) inserted but ${listed} listed with tag ${tag}`,
        );
      }
      return listed;
    }),
  );
  let total = 0;
  for (const r of results) {
    if (r.status === 'rejected') throw r.reason;
    total += r.value;
  }
  return total;
}

/**
 * Install tagged rules (see installRules) and return how many, with the heal that removes
 * them; a failed install removes whatever part of it went in before rethrowing.
 */
export async function applyTaggedRules(
  net: NodeNetwork,
  perNode: Map<string, Rule[]>,
  nodes: Iterable<string>,
  tag: string,
  pids?: ReadonlyMap<string, Netns>,
): Promise<{ rules: number; heal: () => Promise<void> }> {
  const all = [...nodes];
  const heal = async () => {
    await removeRules(net, all, tag);
  };
  try {
    return { rules: await installRules(net, perNode, tag, pids), heal };
  } catch (e) {
    await heal().catch(() => undefined);
    throw e;
  }
}

/** Remove our tagged rules on every node that still runs (all at once). Idempotent. */
export async function removeRules(net: NodeNetwork, nodes: Iterable<string>, tag: string): Promise<number> {
  const counts = await Promise.all(
    [...nodes].map(async (node) => {
      let pid: Netns;
      try {
        pid = await net.pid(node);
      } catch {
        return 0; // not running: its namespace, and our rules in it, are gone
      }
      try {
        return await removeTagged(pid, tag);
      } catch (e) {
        // The node stopped under us: its namespace went with it. Anything else is a failure.
        const still = await net.pid(node).catch(() => null);
        if (still === pid) throw e;
        return 0;
      }
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
