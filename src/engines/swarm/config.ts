// How drill reaches a swarm (docs/swarm.md), from the environment:
//
//   DRILL_SWARM_MANAGER     the Docker API of a manager (default DOCKER_HOST, else the local
//                           socket): services, networks, secrets, tasks
//   DRILL_SWARM_HOSTS       the Docker API of every host, comma-separated (default: the
//                           manager alone): images are loaded into each (no registry), logs
//                           are followed there, and `drill cleanup` removes volumes there
//   DRILL_SWARM_SHARED_DIR  a directory at the same path on every host, on storage they
//                           share (an NFS mount): the backup repository of a run lives in it
//
// Each API is a Docker URL: unix:///path, tcp://host:port (https when DOCKER_TLS_VERIFY=1,
// certificates from DOCKER_CERT_PATH), or ssh://user@host (keys from the ssh agent).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { UsageError } from '../../core/errors.js';

export interface SwarmConfig {
  manager: string;
  hosts: string[];
  sharedDir?: string | undefined;
}

export function swarmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SwarmConfig {
  const manager = env['DRILL_SWARM_MANAGER'] || env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
  const hosts = (env['DRILL_SWARM_HOSTS'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const shared = env['DRILL_SWARM_SHARED_DIR'];
  if (shared !== undefined && shared !== '' && !path.isAbsolute(shared))
    throw new UsageError(`DRILL_SWARM_SHARED_DIR must be an absolute path, got ${JSON.stringify(shared)}`);
  for (const u of [manager, ...hosts]) dockerOptions(u);
  return { manager, hosts: hosts.length > 0 ? hosts : [manager], ...(shared ? { sharedDir: shared } : {}) };
}

/** dockerode options for a Docker URL; UsageError naming the URL when it is not one. */
export function dockerOptions(url: string): Docker.DockerOptions {
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  let u: URL;
  try {
    u = new URL(url.includes('//') ? url : `tcp://${url}`);
  } catch {
    throw new UsageError(`not a Docker URL: ${JSON.stringify(url)} (unix:///path, tcp://host:port, ssh://user@host)`);
  }
  if (u.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: u.hostname,
      port: u.port ? Number(u.port) : 22,
      username: u.username,
      sshOptions: { agent: process.env['SSH_AUTH_SOCK'] },
    } as Docker.DockerOptions;
  }
  if (u.protocol !== 'tcp:' && u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`not a Docker URL: ${JSON.stringify(url)} (unix:///path, tcp://host:port, ssh://user@host)`);
  const tls = process.env['DOCKER_TLS_VERIFY'] === '1' || u.protocol === 'https:';
  const certs = process.env['DOCKER_CERT_PATH'];
  return {
    protocol: tls ? 'https' : 'http',
    host: u.hostname,
    port: Number(u.port || (tls ? 2376 : 2375)),
    ...(tls && certs
      ? {
          ca: readFileSync(path.join(certs, 'ca.pem')),
          cert: readFileSync(path.join(certs, 'cert.pem')),
          key: readFileSync(path.join(certs, 'key.pem')),
        }
      : {}),
  };
}

export function dockerAt(url: string): Docker {
  return new Docker(dockerOptions(url));
}
