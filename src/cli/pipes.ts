/**
 * Lets writes to a closed pipe (`audit | head -2`) end quietly: the reader having gone is not a failure
 * of the audit, so the process keeps the exit code the audit earned instead of dying on an unhandled
 * EPIPE with a stack trace. Any other stream error still surfaces.
 *
 * @example
 * ignoreClosedPipes(process.stdout, process.stderr);
 */
export function ignoreClosedPipes(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // After an EPIPE the stream is destroyed: later writes report ERR_STREAM_DESTROYED.
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
      throw error;
    });
  }
}
