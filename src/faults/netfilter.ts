// iptables rules and tc qdiscs for network faults, applied from the HOST inside a node's
// network namespace (`nsenter -t <pid> -n iptables ...`; the node image has no tools).
//
// Every rule carries the comment `drill:<runId>:<faultId>`; healing lists the rules
// (`iptables -S`) and deletes exactly those with our tag, so rules of other faults, other
// runs or anyone else are never touched. A namespace's rules go in (and out) in one
// `iptables-restore --noflush` transaction: one process and one commit per namespace
// instead of one per rule, and never half a fault's rules in place. Our qdiscs carry a fixed handle (dd00:) for the
// same reason. The rule building is pure (unit-tested); only apply/heal touch the kernel.
import { inNetns, splitRule, type Netns } from '../docker/netns.js';

const TAG_RE = /^drill:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/;
/** The root qdisc handle our tc faults install; heal deletes only a root qdisc with it. */
export const QDISC_HANDLE = 'dd00:';

export function faultTag(runId: string, faultId: string): string {
  const tag = `drill:${runId}:${faultId}`;
  if (!TAG_RE.test(tag)) throw new Error(`invalid rule tag ${JSON.stringify(tag)}`);
  return tag;
}

/** One rule: the chain, and the match arguments (without comment and target). */
export interface Rule {
  chain: 'INPUT' | 'OUTPUT';
  match: string[];
}

/** How node `a` reaches node `b`: `b`'s address, and the link proxy's leg if peers go through it. */
export interface PeerPath {
  ip: (node: string) => string;
  /** TCP port nodes serve each other on, when known (port-level one-way cuts). */
  peerPort?: number | undefined;
  /** The link proxy's address and the port of the directed link a -> b, when there is a proxy. */
  link?: ((from: string, to: string) => { ip: string; port: number }) | undefined;
}

/**
 * Rules in node `a`'s namespace that cut every path from `a` to `b` (and back):
 * all packets between the two addresses, and `a`'s leg of the proxied link a -> b.
 * (The proxied link b -> a is cut by the mirror rules in `b`'s namespace.)
 */
export function cutBoth(a: string, b: string, p: PeerPath): Rule[] {
  const rules: Rule[] = [
    { chain: 'INPUT', match: ['-s', p.ip(b)] },
    { chain: 'OUTPUT', match: ['-d', p.ip(b)] },
  ];
  if (p.link) rules.push(...linkLeg(p.link(a, b)));
  return rules;
}

/**
 * Rules in node `a`'s namespace so that `a` cannot reach `b` while `b` still reaches `a`.
 * Over TCP, dropping every packet a -> b would also break b's connections to a (their
 * answers could not leave), so the cut is by connection: `a`'s connections to `b`'s peer
 * port (or to the proxy's a -> b link) carry nothing, in either direction. Without a known
 * peer port it falls back to dropping every packet from a to b.
 */
export function cutOneWay(a: string, b: string, p: PeerPath): Rule[] {
  if (p.link) return linkLeg(p.link(a, b));
  if (p.peerPort !== undefined) {
    const port = String(p.peerPort);
    return [
      { chain: 'OUTPUT', match: ['-d', p.ip(b), '-p', 'tcp', '--dport', port] },
      { chain: 'INPUT', match: ['-s', p.ip(b), '-p', 'tcp', '--sport', port] },
    ];
  }
  return [{ chain: 'OUTPUT', match: ['-d', p.ip(b)] }];
}

function linkLeg(l: { ip: string; port: number }): Rule[] {
  return [
    { chain: 'OUTPUT', match: ['-d', l.ip, '-p', 'tcp', '--dport', String(l.port)] },
    { chain: 'INPUT', match: ['-s', l.ip, '-p', 'tcp', '--sport', String(l.port)] },
  ];
}

/**
 * A partition into groups: rules per node. Symmetric: every pair across groups is cut
 * both ways (rules on both sides). One-way: the first group cannot reach the others.
 */
export function partitionRules(groups: string[][], oneWay: boolean, p: PeerPath): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  const add = (n: string, rs: Rule[]) => out.set(n, [...(out.get(n) ?? []), ...rs]);
  groups.forEach((g, gi) => {
    if (oneWay && gi > 0) return;
    const others = groups.filter((_, j) => j !== gi).flat();
    for (const a of g) for (const b of others) add(a, oneWay ? cutOneWay(a, b, p) : cutBoth(a, b, p));
  });
  return out;
}

/**
 * Random loss of what `node` sends to its peers (iptables statistic match): packets to each
 * peer's address, and with a link proxy, `node`'s requests on its own links and its answers
 * on the links into it (those leave towards the proxy from the peer port).
 */
export function lossRules(node: string, peers: string[], probability: number, p: PeerPath): Rule[] {
  const stat = ['-m', 'statistic', '--mode', 'random', '--probability', probability.toFixed(4)];
  const rules: Rule[] = peers.map((b) => ({ chain: 'OUTPUT', match: ['-d', p.ip(b), ...stat] }));
  if (p.link) {
    for (const b of peers) {
      const l = p.link(node, b);
      rules.push({ chain: 'OUTPUT', match: ['-d', l.ip, '-p', 'tcp', '--dport', String(l.port), ...stat] });
    }
    if (p.peerPort !== undefined && peers.length > 0) {
      const l = p.link(peers[0]!, node);
      rules.push({ chain: 'OUTPUT', match: ['-d', l.ip, '-p', 'tcp', '--sport', String(p.peerPort), ...stat] });
    }
  }
  return rules;
}

/** The iptables arguments that insert `rule` with our tag and DROP. */
export function insertArgs(rule: Rule, tag: string): string[] {
  return ['-w', '-I', rule.chain, ...rule.match, '-m', 'comment', '--comment', tag, '-j', 'DROP'];
}

/** `iptables -S` lines carrying a comment that satisfies `pred`, as argument lists. */
export function taggedRules(iptablesS: string, pred: (comment: string) => boolean): string[][] {
  return iptablesS
    .split('\n')
    .map(splitRule)
    .filter((a) => a[0] === '-A' && a.some((t, i) => a[i - 1] === '--comment' && pred(t)));
}

/** An argument as iptables-restore reads it: quoted when it is not a plain word. */
function restoreWord(a: string): string {
  return /^[A-Za-z0-9_.:/,=+-]+$/.test(a) ? a : `"${a.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The iptables-restore input that runs these commands (e.g. -I ..., -D ...) on the filter table. */
export function restoreInput(commands: string[][]): string {
  return `*filter\n${commands.map((c) => c.map(restoreWord).join(' ')).join('\n')}\nCOMMIT\n`;
}

/** Run these filter-table commands in the namespace of `pid` as one transaction. */
async function restore(pid: Netns, commands: string[][]): Promise<void> {
  if (commands.length === 0) return;
  await inNetns(pid, 'iptables-restore', ['-w', '--noflush'], restoreInput(commands));
}

/** Insert the rules, tagged, in the namespace of `pid` (one transaction). */
export async function applyRules(pid: Netns, rules: Rule[], tag: string): Promise<void> {
  await restore(
    pid,
    rules.map((r) => insertArgs(r, tag).slice(1)),
  );
}

/** Rules tagged exactly `tag` in the namespace of `pid`. */
export async function countTagged(pid: Netns, tag: string): Promise<number> {
  const { stdout } = await inNetns(pid, 'iptables', ['-w', '-S']);
  return taggedRules(stdout, (c) => c === tag).length;
}

/** Delete every rule tagged exactly `tag` in the namespace of `pid`. Returns how many. */
export async function removeTagged(pid: Netns, tag: string): Promise<number> {
  const { stdout } = await inNetns(pid, 'iptables', ['-w', '-S']);
  const rules = taggedRules(stdout, (c) => c === tag);
  await restore(
    pid,
    rules.map((r) => ['-D', ...r.slice(1)]),
  );
  return rules.length;
}

/** The root qdisc line of eth0 in the namespace of `pid`. */
export async function rootQdisc(pid: Netns, dev = 'eth0'): Promise<string> {
  const { stdout } = await inNetns(pid, 'tc', ['qdisc', 'show', 'dev', dev, 'root']);
  return stdout.split('\n')[0] ?? '';
}

/** Install our root qdisc (`tc qdisc add dev eth0 root handle dd00: <spec>`). */
export async function addRootQdisc(pid: Netns, spec: string[], dev = 'eth0'): Promise<void> {
  await inNetns(pid, 'tc', ['qdisc', 'add', 'dev', dev, 'root', 'handle', QDISC_HANDLE, ...spec]);
}

/** Remove the root qdisc if it is ours (handle dd00:). Returns whether one was removed. */
export async function removeRootQdisc(pid: Netns, dev = 'eth0'): Promise<boolean> {
  if (!isOurQdisc(await rootQdisc(pid, dev))) return false;
  await inNetns(pid, 'tc', ['qdisc', 'del', 'dev', dev, 'root', 'handle', QDISC_HANDLE]);
  return true;
}

export function isOurQdisc(line: string): boolean {
  return new RegExp(`^qdisc \\S+ ${QDISC_HANDLE} root`).test(line);
}
