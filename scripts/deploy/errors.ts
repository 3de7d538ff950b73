/** Errors of the deploy command: usage errors exit 2, deployment errors exit 1. */

/** A failed resource event of the current stack operation. */
export interface StackFailure {
  logicalResourceId: string;
  resourceType: string;
  resourceStatus: string;
  reason: string;
}

/** Raised for a bad command line (exit code 2). */
export class DeployUsageError extends Error {
  override name = 'DeployUsageError';
}

/** Raised when a deployment step fails (exit code 1). */
export class DeployError extends Error {
  override name = 'DeployError';
}

/** Raised when the stack operation ends in a failed or rolled-back state; carries the failed events. */
export class StackOperationError extends DeployError {
  override name = 'StackOperationError';
  constructor(
    message: string,
    readonly status: string,
    readonly failures: StackFailure[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The HTTP status of an SDK error, when it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** The message of anything thrown, for one line of output. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
