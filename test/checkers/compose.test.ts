import { describe, expect, it } from 'vitest';
import { compose, mergeValid } from '../../src/checkers/compose.js';

describe('compose', () => {
  it('merges so that false beats unknown beats true', () => {
    expect(mergeValid([])).toBe(true);
    expect(mergeValid([true, true])).toBe(true);
    expect(mergeValid([true, 'unknown', true])).toBe('unknown');
    expect(mergeValid(['unknown', false, true])).toBe(false);
    expect(mergeValid([false, 'unknown'])).toBe(false);
  });

  it('keeps every result, turning an exception into unknown with its message', () => {
    const check = compose<number>({
      pos: (n) => ({ valid: n > 0 }),
      boom: () => {
        throw new Error('checker exploded');
      },
      even: (n) => ({ valid: n % 2 === 0, n }),
    });
    const r = check(4);
    expect(r.valid).toBe('unknown');
    expect(r.results.boom).toEqual({ valid: 'unknown', error: 'checker exploded' });
    expect(r.results.even).toEqual({ valid: true, n: 4 });
    expect(check(-3).valid).toBe(false); // false still beats the unknown
  });
});
