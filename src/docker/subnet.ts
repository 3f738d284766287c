// A private /24 per run network, so that every node gets a fixed address that the others
// can be told at create time (PEERS=n2=10.213.7.12:7000). Why not container names: a name
// is resolved through Docker's embedded DNS, which forwards names it does not know (a
// killed peer's, for instance) to the host's resolvers. In a container that blocks the
// resolving thread for seconds, starves Node's small thread pool, and delayed elections
// by several seconds in our drills; it also sends queries off the machine. Fixed
// addresses need no DNS at all.

import { readFileSync } from 'node:fs';

/** Candidate /24s inside 10.213.0.0/16, in a pseudo-random order per run. */
export function candidateSubnets(seed: string, count = 32): string[] {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const out: string[] = [];
  for (let i = 0; out.length < count && i < 256; i++) {
    const x = ((h + i * 97) % 254) + 1;
    const s = `10.213.${x}.0/24`;
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
}

/** Host routes (from /proc/net/route) as [network, mask] pairs, to avoid shadowing a real network. */
export function hostRoutes(text?: string): [number, number][] {
  let t = text;
  if (t === undefined) {
    try {
      t = readFileSync('/proc/net/route', 'utf8');
    } catch {
      return [];
    }
  }
  const le = (hex: string) => {
    const n = parseInt(hex, 16) >>> 0;
    // /proc/net/route prints addresses in host (little-endian) byte order
    return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | ((n >>> 24) & 0xff)) >>> 0;
  };
  return t
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[1] !== '00000000')
    .map((f) => [le(f[1]!), le(f[7]!)] as [number, number]);
}

export function overlapsRoute(subnet: string, routes: [number, number][]): boolean {
  const [base] = subnet.split('/');
  const net = ipToInt(base!);
  const mask = 0xffffff00;
  return routes.some(([rn, rm]) => {
    const m = (rm & mask) >>> 0;
    return (rn & m) >>> 0 === (net & m) >>> 0;
  });
}

/** Address `host` (1..254) inside a /24 like 10.213.7.0/24. */
export function addressIn(subnet: string, host: number): string {
  const [base] = subnet.split('/');
  const parts = base!.split('.');
  return `${parts[0]}.${parts[1]}.${parts[2]}.${host}`;
}
