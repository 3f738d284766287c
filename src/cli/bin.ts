// The process entry (bin/drill.js loads this). main() is kept import-safe so tests can
// drive the CLI in-process.
import { hideBin } from 'yargs/helpers';
import { main } from './main.js';

process.exitCode = await main(hideBin(process.argv));
