// Process entry (dist/main.js; /app/dist/agent/main.js in the image): parse config, start the node,
// stop cleanly on SIGTERM/SIGINT.

import { ConfigError, parseConfig } from './config.js';
import { makeLogger } from './log.js';
import { startAgent } from './node.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`graph-agent: bad config: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = makeLogger(config.nodeId);
  let agent;
  try {
    agent = await startAgent(config, {
      logger: log,
      onFatal: () => process.exit(1),
    });
  } catch (err) {
    log('fatal', { message: (err as Error).message });
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log('shutdown', { signal });
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    // A planned stop hands leadership over first (rolling restarts stay available);
    // SIGKILL, of course, gets no such courtesy.
    agent.close({ graceful: true }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
