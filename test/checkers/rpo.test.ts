import { describe, expect, it } from 'vitest';
import { checkRpo } from '../../src/checkers/rpo.js';
import { op } from './ops.js';

const acked = Array.from({ length: 20 }, (_, i) => op(i * 100, 'ok', { id: `a${i}` }));
const allIds = acked.map((o) => o.id);

describe('checkRpo (set semantics)', () => {
  it('loses nothing when every acknowledged write is present', () => {
    const r = checkRpo(acked, { ids: allIds }, { faultT: 5000 });
    expect(r).toEqual({ lost: 0, unexpected: 0, recovered: 0, window_s: 0, lost_ids: [], unexpected_ids: [] });
  });

  it('reports exactly the k acknowledged writes removed from the final read', () => {
    const removed = ['a3', 'a7', 'a15'];
    const r = checkRpo(acked, { ids: allIds.filter((id) => !removed.includes(id)) }, { faultT: 2000 });
    expect(r.lost).toBe(3);
    expect([...r.lost_ids].sort()).toEqual([...removed].sort());
    // earliest lost write a3 acknowledged at 310 ms; fault at 2000 ms
    expect(r.window_s).toBe(1.69);
    expect(r.unexpected).toBe(0);
  });

  it('clamps the window at 0 when the lost write was acknowledged after the fault', () => {
    const r = checkRpo(acked, { ids: allIds.filter((id) => id !== 'a19') }, { faultT: 1000 });
    expect(r.lost).toBe(1);
    expect(r.window_s).toBe(0);
  });

  it('counts info writes that are present as recovered, not lost; absent info is neither', () => {
    const ops = [...acked, op(3000, 'info', { id: 'i1' }), op(3100, 'info', { id: 'i2' })];
    const r = checkRpo(ops, { ids: [...allIds, 'i1'] }, { faultT: 2000 });
    expect(r.recovered).toBe(1);
    expect(r.lost).toBe(0);
    expect(r.unexpected).toBe(0);
  });

  it('flags a failed write that is present, and an id never attempted, as unexpected', () => {
    const ops = [...acked, op(3000, 'fail', { id: 'f1' })];
    const r = checkRpo(ops, { ids: [...allIds, 'f1', 'ghost'] }, { faultT: 2000 });
    expect(r.unexpected).toBe(2);
    expect([...r.unexpected_ids].sort()).toEqual(['f1', 'ghost']);
  });

  it('treats a retried id as acknowledged if any attempt was ok', () => {
    const ops = [op(0, 'fail', { id: 'x' }), op(100, 'ok', { id: 'x' })];
    expect(checkRpo(ops, { ids: [] }, { faultT: 1000 }).lost_ids).toEqual(['x']);
  });

  it('is unknown without a final read, and window unknown without a fault instant', () => {
    expect(checkRpo(acked, null, { faultT: 1000 })).toMatchObject({
      lost: null,
      unexpected: null,
      recovered: null,
      window_s: null,
    });
    expect(checkRpo(acked, { ids: [] }, { faultT: null }).window_s).toBeNull();
  });

  it('caps the id lists but keeps exact counts', () => {
    const many = Array.from({ length: 1500 }, (_, i) => op(i, 'ok', { id: `m${i}` }));
    const r = checkRpo(many, { ids: [] }, { faultT: 2000 });
    expect(r.lost).toBe(1500);
    expect(r.lost_ids).toHaveLength(1000);
  });
});
