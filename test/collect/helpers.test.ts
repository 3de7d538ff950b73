import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/collect/concurrency.js';
import { errorCode } from '../../src/collect/errors.js';
import { decodePolicyDocument } from '../../src/collect/iam-records.js';
import { paginate } from '../../src/collect/paginate.js';
import { startMoto } from '../../tools/moto.js';

async function* pagesOf<Page>(pages: Page[], requested: unknown[]): AsyncGenerator<Page> {
  for (const page of pages) {
    requested.push(page);
    yield page;
  }
}

describe('paginate', () => {
  it('collects the items of every page', async () => {
    // prepare
    const requested: unknown[] = [];
    const pages = [{ Items: [1, 2], NextMarker: 'b' }, { Items: [3], NextMarker: 'c' }, { Items: [4] }];

    // act
    const result = await paginate(pagesOf(pages, requested), (page) => page.Items);

    // assess
    expect(result).toEqual({ items: [1, 2, 3, 4], complete: true });
  });

  it('asks for no further page once it may not continue', async () => {
    // prepare
    const requested: unknown[] = [];
    const pages = [{ Items: [1], IsTruncated: true, Marker: 'b' }, { Items: [2] }];

    // act
    const result = await paginate(pagesOf(pages, requested), (page) => page.Items, {
      canContinue: () => false,
    });

    // assess
    expect(result).toEqual({ items: [1], complete: false });
    expect(requested).toHaveLength(1);
  });

  it('is complete when the last page arrived even if it may not continue', async () => {
    // prepare
    const requested: unknown[] = [];

    // act
    const result = await paginate(
      pagesOf([{ Items: [1], IsTruncated: false }], requested),
      (page) => page.Items,
      {
        canContinue: () => false,
      },
    );

    // assess
    expect(result.complete).toBe(true);
  });
});

describe('createLimiter', () => {
  it('never runs more tasks at once than allowed, and runs them all', async () => {
    // prepare
    const limit = createLimiter(3);
    let running = 0;
    let highest = 0;
    const task = async (value: number) => {
      running += 1;
      highest = Math.max(highest, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return value * 2;
    };

    // act
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => limit(() => task(index))));

    // assess
    expect(highest).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index * 2));
  });

  it('frees the slot of a task that throws', async () => {
    // prepare
    const limit = createLimiter(1);

    // act
    const failed = limit(() => Promise.reject(new Error('boom')));
    const next = limit(async () => 'ran');

    // assess
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});

describe('decodePolicyDocument', () => {
  it.each([
    ['URL-encoded, as IAM returns it', '%7B%22Version%22%3A%222012-10-17%22%7D', '{"Version":"2012-10-17"}'],
    ['already decoded, as moto sometimes returns it', '{"Sid":"100%"}', '{"Sid":"100%"}'],
    ['badly encoded, kept for the audit to report', '%7B%E0%A4%A', '%7B%E0%A4%A'],
  ])('handles a document %s', (_case, raw, expected) => {
    // act
    const decoded = decodePolicyDocument(raw);

    // assess
    expect(decoded).toBe(expected);
  });

  it('never throws and round-trips any encoded JSON text', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (anything, json) => {
        // act
        decodePolicyDocument(anything);
        const text = JSON.stringify({ Statement: json });

        // assess
        expect(decodePolicyDocument(encodeURIComponent(text))).toBe(text);
      }),
    );
  });
});

describe('errorCode', () => {
  it.each([
    ['NoSuchEntityException', 'NoSuchEntity'],
    ['AccessDenied', 'AccessDenied'],
    ['AccessDeniedException', 'AccessDenied'],
    ['TooManyRequestsException', 'TooManyRequests'],
    ['Error', 'UnknownError'],
  ])('reads %s as %s', (name, expected) => {
    // prepare
    const error = Object.assign(new Error('x'), { name });

    // act
    const code = errorCode(error);

    // assess
    expect(code).toBe(expected);
  });
});

describe('startMoto', () => {
  it('says how to install moto when moto_server is not on PATH', async () => {
    // prepare
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';

    // act
    const start = startMoto();

    // assess
    try {
      await expect(start).rejects.toThrow(
        "moto_server not found: install it with pip install 'moto[server]'",
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
