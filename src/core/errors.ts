// Errors with stable codes, caught at the edge (the CLI). Library code never calls
// process.exit; the CLI maps these classes to exit codes and prints one line each.
// Anything that is not a DrillError is a bug and gets a stack trace.

export abstract class DrillError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: 2 | 3;
  /** What the user can do about it, printed after the message. */
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    if (hint !== undefined) this.hint = hint;
  }
}

/** Bad input from the user: a scenario file, a flag, a path. Exit code 2. */
export class UsageError extends DrillError {
  readonly code: string = 'E_USAGE';
  readonly exitCode = 2 as const;
}

/** One or more problems in scenario files, each already formatted as `file:line:col: path: message`. */
export class ScenarioError extends UsageError {
  override readonly code = 'E_SCENARIO';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** The environment failed us: no Docker, image build failed, harness fault. Exit code 3. */
export class InfraError extends DrillError {
  readonly code: string = 'E_INFRA';
  readonly exitCode = 3 as const;
}

export class DockerUnavailableError extends InfraError {
  override readonly code = 'E_DOCKER';
}

export function isDrillError(e: unknown): e is DrillError {
  return e instanceof DrillError;
}
