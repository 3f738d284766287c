// A restore to a recovery point, judged by the point's bracket on the harness clock: writes
// acknowledged before it was asked for must be back, writes sent after the store made it must
// not, writes in flight across it may be either (counted, not judged).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FinalRead, Op } from '../../src/client/history.js';
import { computeMetrics, type MetricsInput } from '../../src/checkers/metrics.js';
import { renderResultJson } from '../../src/reporters/result-json.js';
import { renderSummary } from '../../src/reporters/summary-table.js';
import { metrics as sampleMetrics, result } from '../reporters/fixtures.js';
import { validate } from '../reporters/mini-schema.js';
import { op } from './ops.js';

// One write every 100 ms from 0 to 1900 ms (10 ms each); the point was asked for at 1003 ms and
// made at 1008 ms: w0..w9 (acknowledged by 910) are before it, w10 (sent at 1000, acknowledged
// at 1010) was in flight across it, w11..w19 were sent after it. Destroy at 3000.
const src: Op[] = Array.from({ length: 20 }, (_, i) => op(i * 100, 'ok', { id: `w${i}` }));
src[10] = op(1000, 'ok', { id: 'w10', latency: 10 });
const readOf = (ids: string[]): FinalRead => ({
  ids,
  vertices: ids,
  edges: [],
  checksums: { n1: 'x' },
  t: 6000,
  stable: true,
});
const point = { name: 'p1', node: 'n1', status: 'made', t_request_s: 1.003, t_made_s: 1.008 };
const backup = (): NonNullable<MetricsInput['backup']> => ({
  cut: { position: 42, beforeT: 3000, point: { start: 1003, end: 1008 } }, // 42: the base backup's position
  destroyT: 3000,
  backups: [{ id: 'b1', end_s: 0.5, status: 'completed' }],
  restores: [
    {
      status: 'restored',
      snapshot: 'b1',
      point: 'p1',
      rto_s: 2,
      phases: { restore_s: 1, healthy_s: 0.5, verification_s: 0.5 },
      checksum_match: null,
    },
  ],
  points: [point],
});
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `w${from + i}`);

describe('restore to a recovery point', () => {
  it('holds when everything before the point is back and nothing after it, whatever the in-flight write did', () => {
    for (const present of [ids(0, 10), ids(0, 11)]) {
      const m = computeMetrics({ ops: src, final: readOf(present), faults: [], backup: backup() });
      expect(m.restore).toMatchObject({
        point: 'p1',
        position: null,
        missing_before_position: 0,
        present_after_position: 0,
        lost_after_position: 9,
        unresolved_position: present.length === 10 ? 1 : 0,
        points: [point],
      });
      // an absent in-flight write is either side of the point: integrity is known, and holds
      expect(m.integrity.ok).toBe(true);
    }
  });

  it('fails integrity when a write sent after the point is back (the restore went past it)', () => {
    const m = computeMetrics({ ops: src, final: readOf([...ids(0, 10), 'w12', 'w13']), faults: [], backup: backup() });
    expect(m.restore?.present_after_position).toBe(2);
    expect(m.integrity.ok).toBe(false);
    expect(m.integrity.reason).toMatch(/2 acknowledged writes made after the recovery point are present/);
  });

  it('fails integrity when a write acknowledged before the point is missing', () => {
    const m = computeMetrics({ ops: src, final: readOf(ids(1, 10)), faults: [], backup: backup() });
    expect(m.restore?.missing_before_position).toBe(1);
    expect(m.rpo.missing_before_position_ids).toEqual(['w0']);
    expect(m.integrity.ok).toBe(false);
  });

  it('a log-position restore still leaves integrity unknown for writes it cannot place', () => {
    const noIndex = { ...backup(), cut: { position: 5, beforeT: 3000 } };
    const m = computeMetrics({ ops: src, final: readOf(ids(0, 9)), faults: [], backup: noIndex });
    expect(m.restore?.unresolved_position).toBe(11);
    expect(m.integrity.ok).toBeNull();
  });

  it("records the points and the restore's point in result.json (schema-valid) and in the summary", () => {
    const m = computeMetrics({ ops: src, final: readOf(ids(0, 10)), faults: [], backup: backup() });
    const r = result({ metrics: sampleMetrics({ restore: m.restore! }) });
    const schema = JSON.parse(readFileSync(new URL('../../schema/result.schema.json', import.meta.url), 'utf8'));
    const json = JSON.parse(renderResultJson(r)) as { metrics: { restore: Record<string, unknown> } };
    expect(validate(json, schema)).toEqual([]);
    expect(json.metrics.restore['points']).toEqual([point]);
    expect(json.metrics.restore['restores']).toEqual([expect.objectContaining({ point: 'p1' })]);
    const text = renderSummary(r, { color: false });
    expect(text).toContain('to recovery point p1 (made 1.003-1.008 s)');
    expect(text).toMatch(/0 acknowledged writes missing before the point; 0 sent after it present, 9 after it absent/);
  });
});
