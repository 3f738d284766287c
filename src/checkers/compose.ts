// Jepsen's checker/compose: run several checkers over the same input and merge their
// verdicts so that false beats unknown beats true. A checker that throws yields unknown with
// the error message: one broken checker must not hide the others' findings.

export type Validity = true | false | 'unknown';

export interface CheckResult {
  valid: Validity;
  /** Why it is false or unknown, in words. */
  reason?: string;
  error?: string;
  [key: string]: unknown;
}

export type Checker<I> = (input: I) => CheckResult;

export interface ComposedResult {
  valid: Validity;
  results: Record<string, CheckResult>;
}

export function mergeValid(vs: Iterable<Validity>): Validity {
  let out: Validity = true;
  for (const v of vs) {
    if (v === false) return false;
    if (v === 'unknown') out = 'unknown';
  }
  return out;
}

export function compose<I>(checkers: Record<string, Checker<I>>): (input: I) => ComposedResult {
  return (input) => {
    const results: Record<string, CheckResult> = {};
    for (const [name, check] of Object.entries(checkers)) results[name] = runSafely(check, input);
    return { valid: mergeValid(Object.values(results).map((r) => r.valid)), results };
  };
}

export function runSafely<I>(check: Checker<I>, input: I): CheckResult {
  try {
    return check(input);
  } catch (e) {
    return { valid: 'unknown', error: e instanceof Error ? e.message : String(e) };
  }
}

/** Call fn; on an exception return fallback(message). Used to keep metric assembly alive. */
export function guard<T>(fn: () => T, fallback: (message: string) => T): T {
  try {
    return fn();
  } catch (e) {
    return fallback(e instanceof Error ? e.message : String(e));
  }
}
