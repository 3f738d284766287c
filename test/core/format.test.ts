import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatFixed,
  formatLatency,
  formatMeasured,
  formatMs,
  formatNumber,
  formatPercent,
  formatPercentShort,
  formatSeconds,
  humanDuration,
  orUnknown,
} from '../../src/core/format.js';
import type { ThresholdResult } from '../../src/core/result.js';

describe('format', () => {
  it('prints durations to the millisecond where they are compared with a limit', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(0.25)).toBe('250 ms');
    expect(formatDuration(0.0054736)).toBe('5.474 ms');
    expect(formatDuration(7.7456)).toBe('7.746 s');
    expect(formatDuration(150)).toBe('150 s');
    expect(formatNumber(1 / 3)).toBe('0.333');
  });

  it('rounds durations for the page', () => {
    expect(humanDuration(0.8504)).toBe('850 ms');
    expect(humanDuration(7.746)).toBe('7.75 s');
    expect(humanDuration(125)).toBe('2 m 05 s');
  });

  it('prints seconds for tables that compare runs', () => {
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(0.0123)).toBe('0.012 s');
    expect(formatSeconds(7.746)).toBe('7.75 s');
    expect(formatFixed(1.5, 2)).toBe('1.5');
    expect(formatPercentShort(0.99512)).toBe('99.5%');
  });

  it("describes steps in the scenario's notation", () => {
    expect(formatMs(250)).toBe('250ms');
    expect(formatMs(1500)).toBe('1.5s');
    expect(formatMs(120_000)).toBe('120s');
  });

  it('prints ratios, latencies and unknowns', () => {
    expect(formatPercent(0.27042)).toBe('27.042%');
    expect(formatLatency(18.34)).toBe('18.3 ms');
    expect(orUnknown(null, formatPercent)).toBe('unknown');
    expect(orUnknown(0, formatPercent)).toBe('0%');
  });

  it("prints a threshold's measured value in the caller's duration form", () => {
    const t = (measured: ThresholdResult['measured'], unit: ThresholdResult['unit']): ThresholdResult => ({
      name: 'x',
      limit: '',
      limit_value: 0,
      measured,
      unit,
      verdict: 'pass',
    });
    expect(formatMeasured(t(7.746, 's'), humanDuration)).toBe('7.75 s');
    expect(formatMeasured(t(7.746, 's'), formatDuration)).toBe('7.746 s');
    expect(formatMeasured(t(0.5, 'ratio'), formatDuration)).toBe('50%');
    expect(formatMeasured(t(true, 'bool'), formatDuration)).toBe('holds');
    expect(formatMeasured(t(null, 'count'), formatDuration)).toBe('unknown');
    expect(formatMeasured(t(3, 'count'), formatDuration)).toBe('3');
  });
});
