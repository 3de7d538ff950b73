/** Spaces requests to one API so that they stay within its rate; resolves false when no request may start. */
export interface RateLimiter {
  /** Waits for the next free slot: `true` to send now, `false` when the run stopped meanwhile. */
  wait(): Promise<boolean>;
}

export interface RateLimiterOptions {
  /** Requests per second (AWS allows 15 `GetPolicy` per second). */
  perSecond: number;
  /** Checked before each slot is handed out: false releases every waiting request with `false`. */
  canStart: () => boolean;
}

/**
 * Creates a limiter that hands out one slot every `1 / perSecond` seconds, in the order asked. A run
 * that stops (deadline, cancel) is noticed at the next slot at the latest, and every request still
 * waiting is released at once, so that thousands of queued reads do not hold the run.
 *
 * @example
 * const getPolicy = createRateLimiter({ perSecond: 15, canStart: control.canStart });
 * if (await getPolicy.wait()) await lambda.send(new GetPolicyCommand({ FunctionName: name }));
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!(options.perSecond > 0)) throw new RangeError(`perSecond must be positive, got ${options.perSecond}`);
  const interval = 1000 / options.perSecond;
  const waiting: Array<(go: boolean) => void> = [];
  let lastSlot = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;

  const pump = (): void => {
    timer = undefined;
    if (waiting.length === 0) return;
    if (!options.canStart()) {
      for (const release of waiting.splice(0)) release(false);
      return;
    }
    const now = performance.now();
    const due = lastSlot + interval - now;
    if (due > 0) {
      timer = setTimeout(pump, Math.ceil(due));
      return;
    }
    lastSlot = now;
    waiting.shift()!(true);
    if (waiting.length > 0) timer = setTimeout(pump, Math.ceil(interval));
  };

  return {
    wait() {
      return new Promise<boolean>((resolve) => {
        waiting.push(resolve);
        if (timer === undefined) pump();
      });
    },
  };
}
