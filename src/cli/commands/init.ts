// drill init [file]: write a commented starter scenario that validates as written: for the
// bundled graph-agent by default, or for your own image (`--image my/app:1 --port 8080`).
// Never overwrites a file unless --force.

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { readCompose } from '../../scenario/compose.js';
import { bundledSchemaFile } from '../../scenario/library.js';
import { nameFromFile, renderStarter, type StarterSource } from '../../scenario/starter.js';

interface InitArgs {
  file: string;
  image?: string;
  port?: number;
  nodes: number;
  compose?: string;
  data?: string;
  name?: string;
  force: boolean;
}

/** "registry:5000/team/my-app:1.2" -> "my-app": the short name reports and labels use. */
export function appNameFromImage(image: string): string {
  const last = image.split('/').pop() ?? image;
  const bare = last.replace(/[:@].*$/, '').toLowerCase();
  const n = bare.replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return n.length > 0 ? n : 'app';
}

/** --compose: the file read and checked (its problems exit 2 with file:line), and the service taking writes. */
export function composeSource(file: string, data: string | undefined): StarterSource {
  const model = readCompose(resolve(file));
  const names = model.services.map((s) => s.name);
  if (data !== undefined && !names.includes(data))
    throw new UsageError(`--data: no service ${data} in ${file} (services: ${names.join(', ')})`);
  // Without --data: the first service that publishes a port (what a client talks to), else the first.
  const pick = data ?? (model.services.find((s) => s.ports.length > 0) ?? model.services[0]!).name;
  return { kind: 'compose', model, data: pick };
}

export function starterSource(args: Pick<InitArgs, 'image' | 'port' | 'nodes' | 'compose' | 'data'>): StarterSource {
  if (args.compose !== undefined) {
    if (args.image !== undefined) throw new UsageError('--compose and --image: choose one');
    return composeSource(args.compose, args.data);
  }
  if (args.data !== undefined) throw new UsageError('--data needs --compose (a service of your Compose file)');
  if (args.image === undefined) {
    if (args.port !== undefined) throw new UsageError('--port needs --image (the port of your service in its image)');
    return { kind: 'graph-agent' };
  }
  if (args.image.trim() === '') throw new UsageError('--image must name an image, e.g. --image my/app:1');
  if (args.port === undefined)
    throw new UsageError('--image needs --port (the container port your service answers on)');
  if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535)
    throw new UsageError(`--port must be a port number (1-65535), got ${args.port}`);
  if (!Number.isInteger(args.nodes) || args.nodes < 1)
    throw new UsageError(`--nodes must be a positive integer, got ${args.nodes}`);
  return {
    kind: 'image',
    image: args.image,
    port: args.port,
    nodes: args.nodes,
    appName: appNameFromImage(args.image),
  };
}

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init [file]',
  describe: 'write a commented starter scenario (bundled store, your image with --image and --port, or --compose)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', default: 'drill.yaml', describe: 'scenario file to write' })
      .option('image', { type: 'string', describe: 'drill your own service: an image in the local engine' })
      .option('port', { type: 'number', describe: 'with --image: the container port it answers on' })
      .option('nodes', { type: 'number', default: 3, describe: 'with --image: cluster size' })
      .option('compose', { type: 'string', describe: 'drill your own Compose stack: its docker-compose.yml' })
      .option('data', { type: 'string', describe: 'with --compose: the service that takes the writes' })
      .option('name', { type: 'string', describe: 'scenario name (default: from the file name)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite an existing file' }) as never,
  handler: async (args) => {
    const source = starterSource(args);
    const file = resolve(args.file);
    if (existsSync(file) && !args.force) throw new UsageError(`${args.file}: already exists (--force overwrites it)`);
    const name = args.name ?? nameFromFile(args.file);
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name))
      throw new UsageError(`--name: expected lower-case letters, digits, ".", "_", "-", got "${name}"`);
    const schemaRef = relative(dirname(file), bundledSchemaFile());
    const text = renderStarter(source, { name, schemaRef }, file);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    const what =
      source.kind === 'graph-agent'
        ? 'bundled graph-agent'
        : source.kind === 'image'
          ? `custom target ${source.image}`
          : `Compose stack ${args.compose}, data service ${source.data}`;
    process.stdout.write(`wrote ${args.file} (${what})\nnext: drill validate ${args.file} && drill run ${args.file}\n`);
  },
};
