import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resourceMatches } from '../../src/policy/arn.js';
import { patternCovers, resourceCovers } from '../../src/policy/containment.js';
import { matchesWildcard } from '../../src/policy/wildcard.js';

describe('Wildcard pattern containment', () => {
  it.each([
    ['*', 'anything*', true],
    ['a*', 'ab*', true],
    ['a*', 'a', true],
    ['a?c', 'abc', true],
    ['a?c', 'a?c', true],
    ['a*c', 'a?c', true],
    ['a*c', 'a*b*c', true],
    ['a?c', 'a*c', false],
    ['ab*', 'a*', false],
    ['abc', 'ab?', false],
    ['a*', 'b*', false],
    ['s3:get*', 's3:getobject', true],
    ['s3:get*', 's3:*', false],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(patternCovers(outer, inner)).toBe(expected);
  });

  it('is sound: every string the inner pattern matches, a covering outer pattern matches too', () => {
    // prepare
    const symbol = fc.constantFrom('a', 'b', '*', '?');
    const pattern = fc.array(symbol, { maxLength: 6 }).map((symbols) => symbols.join(''));
    const concrete = fc.array(fc.constantFrom('a', 'b'), { maxLength: 8 }).map((chars) => chars.join(''));

    // act / assess
    fc.assert(
      fc.property(
        pattern,
        pattern,
        fc.array(concrete, { minLength: 20, maxLength: 20 }),
        (outer, inner, values) => {
          if (!patternCovers(outer, inner)) return;
          for (const value of values) {
            if (matchesWildcard(inner, value)) expect(matchesWildcard(outer, value)).toBe(true);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('knows every pattern covers itself', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (text) => patternCovers(text, text)));
  });
});

describe('Resource pattern containment', () => {
  it.each([
    ['*', 'arn:aws:s3:::bucket/*', true],
    ['arn:aws:logs:*:*:*', 'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/app:*', true],
    [
      'arn:aws:logs:eu-west-1:111122223333:*',
      'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/app:*',
      true,
    ],
    [
      'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/app:*',
      'arn:aws:logs:*:111122223333:log-group:/aws/lambda/app:*',
      false,
    ],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/logs/*', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket-2/*', false],
    ['arn:aws:s3:::bucket/*', '*', false],
    ['arn:aws:*', 'arn:aws:s3:::bucket', true],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(resourceCovers(outer, inner)).toBe(expected);
  });

  it('agrees with the evaluator: a covered pattern matches no ARN the covering one does not', () => {
    const field = fc.constantFrom('aws', 's3', 'logs', '', '*', 'eu-west-1', '111122223333', '?3');
    const resource = fc.constantFrom('bucket', 'bucket/*', 'log-group:x', '*', 'b?cket', 'bucket/key');
    const arnPattern = fc
      .tuple(field, field, field, field, resource)
      .map(
        ([partition, service, region, account, rest]) =>
          `arn:${partition}:${service}:${region}:${account}:${rest}`,
      );
    const arn = fc
      .tuple(
        fc.constantFrom('aws'),
        fc.constantFrom('s3', 'logs'),
        fc.constantFrom('', 'eu-west-1'),
        fc.constantFrom('', '111122223333'),
        fc.constantFrom('bucket', 'bucket/key', 'log-group:x', 'bocket'),
      )
      .map((parts) => `arn:${parts.join(':')}`);
    fc.assert(
      fc.property(
        arnPattern,
        arnPattern,
        fc.array(arn, { minLength: 10, maxLength: 10 }),
        (outer, inner, arns) => {
          if (!resourceCovers(outer, inner)) return;
          for (const value of arns) {
            if (resourceMatches(inner, value)) expect(resourceMatches(outer, value)).toBe(true);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
