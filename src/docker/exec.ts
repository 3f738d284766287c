// A command run in a container through the engine (docker exec), as an argument
// list: images built FROM scratch have no shell. Errors tell whether the command ran:
// the engine refuses an exec in a container that is stopped or paused (409), and then
// nothing happened; once started, a timeout leaves the outcome unknown.

import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { docker, dockerStatus, errorLine } from './engine.js';

export interface ExecAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class ExecError extends Error {
  constructor(
    message: string,
    /** The command was started: it may have had an effect. */
    readonly started: boolean,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export async function execInContainer(
  containerId: string,
  argv: string[],
  timeoutMs: number,
  client: Docker = docker(),
): Promise<ExecAnswer> {
  const deadline = performance.now() + timeoutMs;
  const c = client.getContainer(containerId);
  let exec: Docker.Exec;
  try {
    exec = await c.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
  } catch (e) {
    const s = dockerStatus(e);
    throw new ExecError(s === 409 ? 'container not running' : `exec: ${errorLine(e)}`, false);
  }
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream;
  } catch (e) {
    const s = dockerStatus(e);
    // 409 at start: the container stopped or was paused in between; the command never ran.
    throw new ExecError(s === 409 ? 'container not running' : `exec start: ${errorLine(e)}`, s !== 409);
  }
  const out = collector();
  const err = collector();
  client.modem.demuxStream(stream, out.sink, err.sink);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(new ExecError('timeout', true));
      },
      Math.max(1, deadline - performance.now()),
    );
    const done = () => {
      clearTimeout(timer);
      // The hijacked connection stays half-open otherwise and keeps the process alive.
      (stream as unknown as { destroy?: () => void }).destroy?.();
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(new ExecError(`exec stream: ${e.message}`, true));
    });
  });
  let info: Docker.ExecInspectInfo;
  try {
    info = await exec.inspect();
  } catch (e) {
    throw new ExecError(`exec inspect: ${errorLine(e)}`, true);
  }
  if (info.Running) throw new ExecError('output ended but the command still runs', true);
  return { exitCode: info.ExitCode ?? -1, stdout: out.text(), stderr: err.text() };
}

function collector(): { sink: PassThrough; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_OUTPUT_BYTES) chunks.push(c);
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}
