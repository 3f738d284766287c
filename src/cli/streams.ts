// The process's standard streams as a command-line tool's should behave.
//
// A closed pipe (`drill list | head -1`, `drill run ... | head`): Node ignores SIGPIPE and
// reports EPIPE as an 'error' event, which, unhandled, kills the process with a stack trace.
// Here the stream goes quiet instead and the command carries on to its own exit code: a
// drill whose reader went away must still heal its faults and tear its cluster down, and
// its verdict is in the run directory. EIO is the same story for a terminal that closed.
//
// Colour: chalk follows FORCE_COLOR but not NO_COLOR (https://no-color.org); a non-empty
// NO_COLOR turns colour off unless FORCE_COLOR asks for it, as Node's own tty does.
import chalk from 'chalk';

const GONE = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED']);

export function quietWhenClosed(stream: NodeJS.WriteStream): void {
  let closed = false;
  const original = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = ((...args: unknown[]): boolean => {
    if (!closed) return original(...args);
    const cb = args.find((a) => typeof a === 'function') as ((e?: Error | null) => void) | undefined;
    if (cb) process.nextTick(cb);
    return true;
  }) as typeof stream.write;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== undefined && GONE.has(e.code)) {
      closed = true;
      return;
    }
    throw e;
  });
}

export function applyColorEnv(env: NodeJS.ProcessEnv = process.env): void {
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  if (noColor && env['FORCE_COLOR'] === undefined) chalk.level = 0;
}
