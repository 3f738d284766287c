// Writes schema/scenario.schema.json from the zod schema.
//   node dist/scenario/write-json-schema.js           write the file
//   node dist/scenario/write-json-schema.js --check   exit 1 if the committed file is stale

import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchemaText } from './json-schema.js';

/** schema/scenario.schema.json at the repository root (two levels up from src/scenario or dist/scenario). */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/scenario.schema.json', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const text = scenarioJsonSchemaText();
  if (argv.includes('--check')) {
    let current: string | undefined;
    try {
      current = await readFile(SCHEMA_FILE, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) {
      process.stdout.write(`${SCHEMA_FILE} is up to date\n`);
      return 0;
    }
    process.stderr.write(`${SCHEMA_FILE} is stale: run npm run schema and commit the result\n`);
    return 1;
  }
  await writeFile(SCHEMA_FILE, text);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
