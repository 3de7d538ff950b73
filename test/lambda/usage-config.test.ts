import { describe, expect, it } from 'vitest';
import { readLambdaConfig } from '../../src/lambda/config.js';

const base = { TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:audit', AWS_REGION: 'us-east-1' };

describe('Lambda configuration: least privilege from usage', () => {
  it.each([
    [{}, undefined],
    [{ USAGE: 'off', USAGE_DAYS: '30' }, undefined],
    [{ USAGE: 'on' }, { days: 90 }],
    [{ USAGE: 'on', USAGE_DAYS: '400' }, { days: 400 }],
    [{ USAGE: ' on ', USAGE_DAYS: ' 1 ' }, { days: 1 }],
  ])('reads %j as usage %j', (env, usage) => {
    expect(readLambdaConfig({ ...base, ...env }).usage).toEqual(usage);
  });

  it.each([
    [{ USAGE: 'yes' }, 'USAGE: must be one of on, off, got "yes"'],
    [{ USAGE: 'toString' }, 'USAGE: must be one of on, off'],
    [
      { USAGE: 'on', USAGE_DAYS: '401' },
      'USAGE_DAYS: must be a whole number of days from 1 to 400, got "401"',
    ],
    [{ USAGE: 'on', USAGE_DAYS: '0' }, 'USAGE_DAYS: must be a whole number of days from 1 to 400'],
    [{ USAGE: 'on', USAGE_DAYS: 'ninety' }, 'USAGE_DAYS: must be a whole number of days'],
    [{ USAGE: 'off', USAGE_DAYS: '-3' }, 'USAGE_DAYS: must be a whole number of days'],
  ])('fails fast naming the variable for %j', (env, message) => {
    expect(() => readLambdaConfig({ ...base, ...env })).toThrow(message);
  });
});
