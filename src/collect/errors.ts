/** Raised when collection cannot start at all (for example the region list cannot be resolved). */
export class CollectionError extends Error {
  override name = 'CollectionError';
}

/** Raised when the caller's AbortSignal fires: the run was cancelled, no snapshot is returned. */
export class CollectionAbortedError extends CollectionError {
  override name = 'CollectionAbortedError';
}

/**
 * A stable short code for an error thrown by the AWS SDK or the network: the service's error code
 * without the `Exception` suffix, so IAM's `NoSuchEntityException` and Lambda's
 * `AccessDeniedException` read `NoSuchEntity` and `AccessDenied` like in IAM policies and docs.
 *
 * @example
 * errorCode(Object.assign(new Error('x'), { name: 'NoSuchEntityException' })) // 'NoSuchEntity'
 */
export function errorCode(error: unknown): string {
  const name = error instanceof Error ? error.name : undefined;
  const code = typeof name === 'string' && name !== '' && name !== 'Error' ? name : 'UnknownError';
  return code.endsWith('Exception') && code !== 'Exception' ? code.slice(0, -'Exception'.length) : code;
}

/** The error's message, never longer than a line of a report. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n', 1)[0] ?? '';
  return firstLine.length > 500 ? `${firstLine.slice(0, 497)}...` : firstLine;
}

/** Whether the error comes from an aborted request rather than from AWS. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'RequestAbortedError');
}
