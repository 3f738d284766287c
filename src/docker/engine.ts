// The one dockerode client, and the check that an engine answers before anything else runs.
import Docker from 'dockerode';
import { DockerUnavailableError } from '../core/errors.js';

export const ENSURE_DOCKER_HINT = 'start Docker: sudo bash scripts/ensure-docker.sh';

let client: Docker | undefined;

/** Where the client connects: DOCKER_HOST, or the default unix socket. */
export function dockerEndpoint(): string {
  const host = process.env['DOCKER_HOST'];
  if (host !== undefined && host !== '') return host;
  return 'unix:///var/run/docker.sock';
}

/** The shared dockerode client (honours DOCKER_HOST like the CLI does). */
export function docker(): Docker {
  client ??= new Docker();
  return client;
}

/** Ping the engine; DockerUnavailableError naming the endpoint and the fix if it does not answer. */
export async function assertDockerAvailable(timeoutMs = 3000): Promise<void> {
  const endpoint = dockerEndpoint();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker().ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new DockerUnavailableError(`Docker engine at ${endpoint} does not answer (${why})`, ENSURE_DOCKER_HINT);
  } finally {
    clearTimeout(timer);
  }
}

/** HTTP status code of a dockerode error, if any. */
export function dockerStatus(e: unknown): number | undefined {
  if (typeof e === 'object' && e !== null && 'statusCode' in e) {
    const s = (e as { statusCode?: unknown }).statusCode;
    return typeof s === 'number' ? s : undefined;
  }
  return undefined;
}

/** 404 (gone) from the engine: treated as success by idempotent removals. */
export function isNotFound(e: unknown): boolean {
  return dockerStatus(e) === 404;
}

export function errorLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0] ?? m;
}
