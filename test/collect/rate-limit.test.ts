import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/collect/rate-limit.js';

describe('createRateLimiter', () => {
  it('hands out slots no closer than 1/perSecond apart, in the order asked', async () => {
    // prepare
    const limiter = createRateLimiter({ perSecond: 50, canStart: () => true });
    const startedAt = performance.now();

    // act
    const times = await Promise.all(
      Array.from({ length: 6 }, async (_, index) => {
        await limiter.wait();
        return { index, at: performance.now() - startedAt };
      }),
    );

    // assess
    const ordered = [...times].sort((left, right) => left.at - right.at).map((time) => time.index);
    expect(ordered).toEqual([0, 1, 2, 3, 4, 5]);
    for (let index = 1; index < times.length; index += 1) {
      expect(times[index]!.at - times[index - 1]!.at).toBeGreaterThanOrEqual(19);
    }
  });

  it('releases every waiting request with false as soon as the run stops', async () => {
    // prepare: one request per second, and a run that stops after the first slot
    let running = true;
    const limiter = createRateLimiter({ perSecond: 1, canStart: () => running });
    const first = await limiter.wait();
    const queued = Array.from({ length: 1_000 }, () => limiter.wait());
    const startedAt = performance.now();

    // act
    running = false;
    const answers = await Promise.all(queued);

    // assess: none waited for its slot
    expect(first).toBe(true);
    expect(new Set(answers)).toEqual(new Set([false]));
    expect(performance.now() - startedAt).toBeLessThan(1_500);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => createRateLimiter({ perSecond: 0, canStart: () => true })).toThrow(RangeError);
  });
});
