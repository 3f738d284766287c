import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/run/exit-code.js';
import type { DrillResult } from '../../src/core/result.js';

const r = (p: Partial<DrillResult>): DrillResult => ({ verdict: 'pass', status: 'completed', ...p }) as DrillResult;

describe('exit codes (SPEC section 2)', () => {
  it('0 when every drill passes, 1 when one fails, 3 when one could not run, 130 when interrupted', () => {
    expect(exitCodeFor([r({}), r({})], false)).toBe(0);
    expect(exitCodeFor([r({}), r({ verdict: 'fail' })], false)).toBe(1);
    expect(exitCodeFor([r({ verdict: 'unknown', status: 'aborted' })], false)).toBe(3);
    expect(exitCodeFor([r({})], true)).toBe(130);
  });
  it('an expectation met is success: a flawed configuration expected to fail exits 0 when it fails', () => {
    expect(exitCodeFor([r({ verdict: 'fail', expect: { verdict: 'fail', met: true } })], false)).toBe(0);
    expect(exitCodeFor([r({ verdict: 'pass', expect: { verdict: 'fail', met: false } })], false)).toBe(1);
  });
});
