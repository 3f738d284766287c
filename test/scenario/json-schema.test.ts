import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { faultKinds } from '../../src/faults/registry.js';
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
      'point',
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

  it("gives editors each fault kind's required field and selectors, from the fault registry", () => {
    const s = scenarioJsonSchema() as any;
    const fault = s.properties.steps.items.properties.fault;
    const rule = (kind: string) => fault.allOf.find((r: any) => r.if.properties.kind.const === kind).then;
    expect(fault.properties.kind.enum).toEqual(Object.keys(faultKinds));
    expect(rule('delay')).toEqual({ required: ['delay'], oneOf: [{ required: ['target'] }, { required: ['node'] }] });
    expect(rule('partition').oneOf).toEqual([
      { required: ['target'] },
      { required: ['node'] },
      { required: ['groups'] },
    ]);
    expect(rule('backup-storage')).toEqual({ required: ['mode'] });
    expect(fault.properties.percent.description).toMatch(/^kind: loss \/ duplicate only \(required\): /);
  });
});
