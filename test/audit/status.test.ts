import { describe, expect, it } from 'vitest';
import { decideStatus } from '../../src/audit/status.js';
import type { AuditError } from '../../src/model/snapshot.js';

const ROLE_A = 'arn:aws:iam::123456789012:role/a';
const ROLE_B = 'arn:aws:iam::123456789012:role/b';

function regionError(region: string): AuditError {
  return { scope: 'region', arn: region, code: 'AccessDeniedException', message: 'ListFunctions failed' };
}

describe('decideStatus', () => {
  it.each([
    [
      'everything read',
      { regions: ['us-east-1'], errors: [], roles: new Map([[ROLE_A, undefined]]) },
      'complete',
    ],
    [
      'one of two regions not listed',
      { regions: ['us-east-1', 'eu-west-1'], errors: [regionError('eu-west-1')], roles: new Map() },
      'partial',
    ],
    [
      'no region listed',
      {
        regions: ['us-east-1', 'eu-west-1'],
        errors: [regionError('us-east-1'), regionError('eu-west-1')],
        roles: new Map(),
      },
      'failed',
    ],
    [
      'one of two roles denied',
      {
        regions: ['us-east-1'],
        errors: [],
        roles: new Map([
          [ROLE_A, { code: 'AccessDenied' }],
          [ROLE_B, undefined],
        ]),
      },
      'partial',
    ],
    [
      'every role denied',
      { regions: ['us-east-1'], errors: [], roles: new Map([[ROLE_A, { code: 'AccessDenied' }]]) },
      'failed',
    ],
    [
      'a deleted role and a role of another account (findings, not blind spots)',
      {
        regions: ['us-east-1'],
        errors: [],
        roles: new Map([
          [ROLE_A, { code: 'NoSuchEntity' }],
          [ROLE_B, { code: 'CrossAccount' }],
        ]),
      },
      'complete',
    ],
    [
      'the deadline before any role was read',
      {
        regions: ['us-east-1'],
        errors: [],
        roles: new Map([[ROLE_A, { code: 'NotCollected' }]]),
        stopped: {
          reason: 'remaining time fell below 45 seconds',
          notAudited: ['arn:aws:lambda:us-east-1:123456789012:function:f'],
        },
      },
      'partial',
    ],
    [
      'an unreadable suppressions file',
      {
        regions: ['us-east-1'],
        errors: [
          {
            scope: 'config',
            arn: 's3://b/config/suppressions.json',
            code: 'SuppressionsUnreadable',
            message: 'AccessDenied',
          },
        ],
        roles: new Map(),
      },
      'partial',
    ],
    [
      'one invalid suppression entry (the others apply)',
      {
        regions: ['us-east-1'],
        errors: [
          {
            scope: 'config',
            arn: 's3://b/config/suppressions.json',
            code: 'InvalidSuppression',
            message: 'suppressions[0]',
          },
        ],
        roles: new Map(),
      },
      'complete',
    ],
  ] as const)('%s → %s', (_label, input, status) => {
    // Act
    const decision = decideStatus(input as Parameters<typeof decideStatus>[0]);

    // Assess
    expect(decision.status).toBe(status);
    if (status === 'complete') expect(decision.partial).toBeUndefined();
    else expect(decision.partial?.reason).toMatch(/\w/);
  });

  it('lists the roles the deadline left unread and the deadline itself', () => {
    const decision = decideStatus({
      regions: ['us-east-1'],
      errors: [],
      roles: new Map([
        [ROLE_A, { code: 'NotCollected' }],
        [ROLE_B, undefined],
      ]),
      stopped: { reason: 'remaining time fell below 45 seconds', notAudited: ['fn'] },
    });
    expect(decision).toEqual({
      status: 'partial',
      partial: {
        reason: '1 of 2 roles of the account could not be read; remaining time fell below 45 seconds',
        notAudited: [ROLE_A, 'fn'],
      },
    });
  });
});
