// result.json: the machine-readable result. Keys are written in a stable order - the order
// of schema/result.schema.json's properties, then any others alphabetically - so that two
// runs diff cleanly and CI tools can rely on the layout.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DrillResult } from '../core/result.js';
import type { Reporter } from './reporter.js';

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; $defs?: Record<string, Schema> };

let cachedSchema: Schema | null | undefined;
/** The published schema, used for key order; null if it cannot be read (keys then sort alphabetically). */
export function loadResultSchema(): Schema | null {
  if (cachedSchema === undefined) {
    try {
      // Two levels up from both src/reporters and dist/reporters.
      cachedSchema = JSON.parse(
        readFileSync(new URL('../../schema/result.schema.json', import.meta.url), 'utf8'),
      ) as Schema;
    } catch {
      cachedSchema = null;
    }
  }
  return cachedSchema;
}

function resolve(node: Schema | undefined, root: Schema): Schema | undefined {
  if (node?.$ref?.startsWith('#/$defs/')) return root.$defs?.[node.$ref.slice('#/$defs/'.length)];
  return node;
}

function ordered(value: unknown, node: Schema | undefined, root: Schema): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, resolve(node?.items, root), root));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const known = node?.properties ? Object.keys(node.properties).filter((k) => k in obj) : [];
  const rest = Object.keys(obj)
    .filter((k) => !known.includes(k))
    .sort();
  const out: Record<string, unknown> = {};
  for (const k of [...known, ...rest]) out[k] = ordered(obj[k], resolve(node?.properties?.[k], root), root);
  return out;
}

export function renderResultJson(result: DrillResult): string {
  const schema = loadResultSchema() ?? {};
  return `${JSON.stringify(ordered(result, schema, schema), null, 2)}\n`;
}

export async function writeResultJson(result: DrillResult, runDir: string): Promise<string> {
  await mkdir(runDir, { recursive: true });
  const file = join(runDir, 'result.json');
  await writeFile(file, renderResultJson(result));
  return file;
}

export const jsonReporter: Reporter = {
  name: 'json',
  onResult: (result, ctx) => writeResultJson(result, ctx.runDir),
};
