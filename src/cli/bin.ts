// The process entry (bin/drill.js loads this). main() is kept import-safe so tests can
// drive the CLI in-process.
import { hideBin } from 'yargs/helpers';
import { main } from './main.js';
import { applyColorEnv, quietWhenClosed } from './streams.js';

quietWhenClosed(process.stdout);
quietWhenClosed(process.stderr);
applyColorEnv();
const code = await main(hideBin(process.argv));
process.exitCode = code;
// The command is done: a poll still counting down somewhere (a boot that was given up on,
// say) must not hold the process open. Flush what was written, then leave.
await new Promise<void>((r) => process.stdout.write('', () => r()));
await new Promise<void>((r) => process.stderr.write('', () => r()));
process.exit(code);
