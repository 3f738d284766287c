// The published JSON Schema of scenario files (schema/scenario.schema.json), generated
// from the zod schema's INPUT side so editors complete and check what a YAML file holds.
// Cross-field rules (node range, heal references, election_timeout > heartbeat) cannot
// be expressed in JSON Schema; `drill validate` checks them.

import { z } from 'zod';
import { scenarioSchema } from './schema.js';

export const SCENARIO_SCHEMA_ID = 'urn:drill:schema:scenario:v1';

export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: SCENARIO_SCHEMA_ID,
    title: 'drill scenario',
    ...rest,
  };
}

/** The file content: 2-space JSON with a trailing newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
