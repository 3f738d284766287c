// libfaketime plumbing shared by the targets that offer the `clocks` capability: where the
// preload library is on the host, and the environment a faked node runs with. The offset
// files themselves live in the run's state dir (host-state.ts), bind-mounted read-only at
// /faketime; the monotonic clock is never faked (FAKETIME_DONT_FAKE_MONOTONIC=1).
import { existsSync } from 'node:fs';

/** Where Debian/Ubuntu's libfaketime package puts the multi-threaded preload library. */
export const FAKETIME_HOST_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1',
];

/** Where the offset directory is mounted in a node's container. */
export const FAKETIME_DIR_IN_CONTAINER = '/faketime';

/**
 * The library's name in a host's offset directory, where a fault agent puts the copy it carries
 * for nodes whose image has none (custom targets on a swarm). Node names start with a letter or
 * digit, so no offset file is ever called this.
 */
export const FAKETIME_LIB_IN_OFFSET_DIR = '.libfaketimeMT.so.1';

/** The host's libfaketimeMT.so.1, or undefined when libfaketime is not installed. */
export function findHostFaketime(): string | undefined {
  return FAKETIME_HOST_CANDIDATES.find((p) => existsSync(p));
}

/** Environment of every faked node: preload `libPath` (a path inside the container). */
export function faketimeEnv(libPath: string): Record<string, string> {
  return { LD_PRELOAD: libPath, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

/** Per-node part: the node's own offset file. */
export function faketimeNodeEnv(node: string): Record<string, string> {
  return { FAKETIME_TIMESTAMP_FILE: `${FAKETIME_DIR_IN_CONTAINER}/${node}` };
}
