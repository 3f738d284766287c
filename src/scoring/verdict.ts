// The one verdict rule. Every part of the judgement is a validity: each threshold (met: true,
// breached: false, its figure unknown: unknown) and the steps (a failed step: false). They
// are merged so that false beats unknown beats true (checkers/compose.ts, Jepsen's compose).
// A drill whose merge is unknown fails (a threshold on an unknown figure never passes: SPEC
// section 4); only a run cut short (Ctrl-C, an infrastructure error) has the verdict unknown.
import { mergeValid, type Validity } from '../checkers/compose.js';
import type { DrillMetrics, RunStatus, ThresholdResult, Verdict } from '../core/result.js';
import type { Scenario } from '../scenario/schema.js';
import { checkExpectation, scoreThresholds, type ExpectationResult } from './thresholds.js';

export function thresholdValidity(t: ThresholdResult): Validity {
  if (t.measured === null) return 'unknown';
  return t.verdict === 'pass';
}

export function verdictOf(
  thresholds: readonly ThresholdResult[],
  run: { aborted: boolean; status?: RunStatus },
): Verdict {
  if (run.aborted) return 'unknown';
  const parts: Validity[] = thresholds.map(thresholdValidity);
  if (run.status === 'failed') parts.push(false);
  return mergeValid(parts) === true ? 'pass' : 'fail';
}

export interface Judgement {
  thresholds: ThresholdResult[];
  verdict: Verdict;
  expect?: ExpectationResult;
}

/** Thresholds, verdict and expectation of a run, from its metrics: the same for `drill run` and `drill report`. */
export function judge(
  scenario: Scenario,
  metrics: DrillMetrics,
  run: { aborted: boolean; status: RunStatus; steps?: readonly { kind: string; status: string }[] },
): Judgement {
  const thresholds = scoreThresholds(scenario.thresholds ?? {}, metrics);
  const verdict = verdictOf(thresholds, run);
  const exp = checkExpectation(scenario.expect, verdict, thresholds, run.steps ?? []);
  return exp ? { thresholds, verdict, expect: exp } : { thresholds, verdict };
}
