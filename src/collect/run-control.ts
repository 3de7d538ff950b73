import { setMaxListeners } from 'node:events';

/**
 * Shared by every part of a collection run: whether new work may still start (time left, not
 * cancelled), and the AbortSignal handed to every SDK call so that in-flight requests can be cut
 * when the time is really up.
 */
export interface RunControl {
  readonly abortSignal: AbortSignal;
  /** False once the time is nearly up or the run was cancelled: no new request may start. */
  canStart(): boolean;
  /** Why collection stopped early (time limit), or undefined while it has not. */
  stopReason(): string | undefined;
  /** Whether the caller cancelled the run. */
  cancelled(): boolean;
  /** Releases timers and listeners. */
  dispose(): void;
}

export interface RunControlOptions {
  /** Milliseconds left (e.g. Lambda's `getRemainingTimeInMillis`). */
  deadline?: () => number;
  /** Below this many milliseconds left no new work starts; below half of it in-flight requests are aborted. */
  marginMs: number;
  signal?: AbortSignal;
  onStop?: (reason: string) => void;
}

const POLL_INTERVAL_MS = 1_000;

/**
 * Creates the control of one collection run.
 *
 * @example
 * const control = createRunControl({ deadline: () => context.getRemainingTimeInMillis(), marginMs: 30_000 });
 * if (control.canStart()) await lambda.send(command, { abortSignal: control.abortSignal });
 */
export function createRunControl(options: RunControlOptions): RunControl {
  const controller = new AbortController();
  // Every SDK request in flight listens to this one signal.
  setMaxListeners(0, controller.signal);
  let reason: string | undefined;
  let hardStop: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;

  const onCallerAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const stop = (left: number): void => {
    if (reason !== undefined) return;
    reason = `time limit: collection stopped with ${Math.max(0, Math.round(left / 1000))} s left`;
    // Requests still in flight (a throttled call may retry for a long time) get half the margin.
    hardStop = setTimeout(
      () => controller.abort(new Error(reason)),
      Math.max(0, left - options.marginMs / 2),
    );
    hardStop.unref();
    options.onStop?.(reason);
  };

  const canStart = (): boolean => {
    if (controller.signal.aborted) return false;
    if (reason !== undefined) return false;
    if (!options.deadline) return true;
    const left = options.deadline();
    if (left < options.marginMs) {
      stop(left);
      return false;
    }
    return true;
  };

  if (options.deadline) {
    // Work can sit in SDK retries for a long time without asking canStart(): look at the clock too.
    poll = setInterval(canStart, POLL_INTERVAL_MS);
    poll.unref();
  }

  return {
    abortSignal: controller.signal,
    canStart,
    stopReason: () => reason,
    cancelled: () => options.signal?.aborted === true,
    dispose() {
      clearTimeout(hardStop);
      clearInterval(poll);
      options.signal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
