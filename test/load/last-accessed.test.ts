import { describe, expect, it } from 'vitest';
import { loadLastAccessed } from '../../src/load/last-accessed.js';
import { InputFileError } from '../../src/load/offline.js';
import { lastAccessedDetailsOf, parseLastAccessedDetails } from '../../src/model/usage.js';

const ROLE = 'arn:aws:iam::111122223333:role/app';

/** A page as the AWS CLI prints `aws iam get-service-last-accessed-details` (v2 keeps the microseconds). */
function page(services: unknown[], extra: Record<string, unknown> = {}) {
  return {
    JobStatus: 'COMPLETED',
    JobType: 'ACTION_LEVEL',
    JobCreationDate: '2026-11-25T04:12:29.107000+00:00',
    ServicesLastAccessed: services,
    JobCompletionDate: '2026-11-25T04:12:33.418000+00:00',
    IsTruncated: false,
    ...extra,
  };
}

const S3 = {
  ServiceName: 'Amazon S3',
  ServiceNamespace: 's3',
  LastAuthenticated: '2026-11-24 21:07:12.000000+00:00',
  LastAuthenticatedEntity: ROLE,
  LastAuthenticatedRegion: 'us-east-1',
  TotalAuthenticatedEntities: 1,
  TrackedActionsLastAccessed: [
    { ActionName: 'CreateBucket' },
    {
      ActionName: 's3:ListAllMyBuckets',
      LastAccessedTime: '2026-11-24T21:07:12+00:00',
      LastAccessedRegion: 'us-east-1',
    },
  ],
};
const SNS = { ServiceName: 'Amazon SNS', ServiceNamespace: 'sns', TotalAuthenticatedEntities: 0 };

describe('Last-accessed data as the AWS CLI prints it', () => {
  it('reads services, their last use and the tracked actions, without the action prefix', () => {
    // act
    const parsed = parseLastAccessedDetails(page([S3, SNS]));

    // assess
    expect(parsed).toEqual({
      ok: true,
      usage: {
        completedAt: '2026-11-25T04:12:33.418000+00:00',
        granularity: 'ACTION_LEVEL',
        services: [
          {
            namespace: 's3',
            name: 'Amazon S3',
            lastAuthenticated: '2026-11-24 21:07:12.000000+00:00',
            totalAuthenticatedEntities: 1,
            trackedActions: [
              { action: 'CreateBucket' },
              { action: 'ListAllMyBuckets', lastAccessed: '2026-11-24T21:07:12+00:00' },
            ],
          },
          { namespace: 'sns', name: 'Amazon SNS', totalAuthenticatedEntities: 0 },
        ],
      },
    });
  });

  it('reads the pages of one job, given in order', () => {
    // act
    const parsed = parseLastAccessedDetails([page([S3], { IsTruncated: true, Marker: 'm1' }), page([SNS])]);

    // assess
    expect(parsed.ok && parsed.usage.services.map((service) => service.namespace)).toEqual(['s3', 'sns']);
  });

  it('reads back what --snapshot-out writes', () => {
    // prepare
    const first = parseLastAccessedDetails(page([S3, SNS]));
    if (!first.ok) throw new Error(first.message);

    // act
    const again = parseLastAccessedDetails(JSON.parse(JSON.stringify(lastAccessedDetailsOf(first.usage))));

    // assess
    expect(again).toEqual(first);
  });

  it.each([
    [
      'a job in progress',
      page([], { JobStatus: 'IN_PROGRESS', JobCompletionDate: undefined }),
      'LastAccessedNotReady',
    ],
    [
      'a failed job',
      page([], { JobStatus: 'FAILED', Error: { Code: 'Throttling', Message: 'later' } }),
      'LastAccessedJobFailed',
    ],
    ['a truncated report', page([S3], { IsTruncated: true, Marker: 'm1' }), 'LastAccessedTruncated'],
    ['a report without a completion date', page([S3], { JobCompletionDate: 'soon' }), 'MalformedInput'],
    ['something else', { Roles: [] }, 'LastAccessedNotReady'],
  ])('has no data for %s, and says why', (_name, raw, code) => {
    const { usage, errors } = loadLastAccessed({ [ROLE]: raw }, 'la.json');
    expect(usage.roles.size).toBe(0);
    expect(usage.failures.get(ROLE)?.code).toBe(code);
    expect(errors).toEqual([expect.objectContaining({ scope: 'role', arn: ROLE, code })]);
  });

  it.each([
    ['a list', [page([S3])], 'expected an object of role ARN'],
    ['a key that is no role ARN', { 'arn:aws:iam::111122223333:user/bob': page([S3]) }, 'is not a role ARN'],
  ])('refuses a file that is %s', (_name, raw, message) => {
    expect(() => loadLastAccessed(raw, 'la.json')).toThrow(InputFileError);
    expect(() => loadLastAccessed(raw, 'la.json')).toThrow(message);
  });
});
