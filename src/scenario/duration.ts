// Durations in scenario files: "250ms", "1.5s", "2m", or a bare number of seconds.
// Parsed to milliseconds. Pure functions, no dependencies.

/** The accepted string form (also published in the JSON Schema). A unit-less number means seconds. */
export const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?|\\.\\d+)(?:ms|s|m)?$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Rounds to a microsecond so that 1.1s is 1100, not 1100.0000000000002. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Milliseconds for a duration value from a scenario file, or undefined if it is not a valid duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? roundMs(value * 1000) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (!DURATION_RE.test(s)) return undefined;
  const m = /^([\d.]+)([a-z]*)$/.exec(s);
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = UNIT_MS[m[2] === '' ? 's' : (m[2] ?? 's')];
  if (!Number.isFinite(n) || unit === undefined) return undefined;
  return roundMs(n * unit);
}

/** The error message for a value that is not a duration. */
export function durationMessage(value: unknown): string {
  return `expected a duration such as "500ms" or "3s", got ${describeValue(value)}`;
}

/** A short human form of a duration in ms, e.g. 1500 -> "1.5s", 250 -> "250ms", 120000 -> "2m". */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${roundMs(ms / 1000)}s`;
  return `${ms}ms`;
}

/** How a value from a YAML file is shown in an error message. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a map';
  return typeof value;
}
