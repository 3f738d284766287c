import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_ID, scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/scenario/json-schema.js';

const COMMITTED = new URL('../../schema/scenario.schema.json', import.meta.url);

describe('published JSON Schema', () => {
  it('schema/scenario.schema.json is up to date (run `npm run schema` if this fails)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('describes the input side: ids, descriptions, durations as strings or numbers, defaults', () => {
    const s = scenarioJsonSchema() as {
      $id: string;
      title: string;
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { description?: string; properties?: Record<string, any>; items?: any }>;
    };
    expect(s.$id).toBe(SCENARIO_SCHEMA_ID);
    expect(s.title).toBe('drill scenario');
    expect(s.required).toEqual(['name', 'cluster', 'steps']);
    expect(s.additionalProperties).toBe(false);
    for (const [k, v] of Object.entries(s.properties)) expect(v.description, k).toBeTruthy();
    const step = s.properties['steps']!.items;
    expect(step).toMatchObject({ minProperties: 1, maxProperties: 1, additionalProperties: false });
    expect(Object.keys(step.properties)).toEqual([
      'wait',
      'mark',
      'fault',
      'heal',
      'await',
      'exec',
      'backup',
      'destroy',
      'restore',
      'verify',
    ]);
    expect(step.properties.wait.anyOf.map((o: { type: string }) => o.type)).toEqual(['string', 'number']);
    expect(step.properties.await.properties.timeout.default).toBe('30s');
    expect(s.properties['cluster']!.properties!['agent'].properties.fsync.anyOf).toEqual([
      { type: 'string', enum: ['on', 'off'] },
      { type: 'boolean' },
    ]);
  });
});
