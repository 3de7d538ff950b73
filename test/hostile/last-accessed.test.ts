import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { loadLastAccessed } from '../../src/load/last-accessed.js';
import { InputFileError } from '../../src/load/offline.js';
import { emptySnapshot } from '../../src/model/snapshot.js';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;

/** An account of one function whose role has s3:* on every bucket (a proposal is worth building). */
function snapshotWith(lastAccessed: unknown) {
  const snapshot = emptySnapshot(ACCOUNT);
  snapshot.regions = ['us-east-1'];
  snapshot.functions.push({
    functionName: 'app',
    functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:app`,
    version: '$LATEST',
    region: 'us-east-1',
    roleArn: ROLE,
    environmentVariableNames: [],
    secretSuspects: [],
  });
  snapshot.roles.set(ROLE, {
    arn: ROLE,
    name: 'app',
    path: '/',
    trustPolicy: {
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
    inlinePolicies: [
      { name: 'all-s3', document: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } },
    ],
    attachedPolicyArns: [],
    tags: {},
    createDate: '2024-01-01T00:00:00Z',
  });
  const loaded = loadLastAccessed({ [ROLE]: lastAccessed }, 'last-accessed.json');
  snapshot.usage = loaded.usage;
  snapshot.errors.push(...loaded.errors);
  return snapshot;
}

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    's3',
    'S3',
    'logs',
    'iam',
    'toString',
    '__proto__',
    '*',
    '',
    'GetObject',
    's3:CreateBucket',
  ),
);
const time = fc.oneof(
  fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc.constantFrom('yesterday', '', '2026-13-45T99:00:00Z', '0'),
  fc.integer(),
);
const tracked = fc.record(
  { ActionName: fc.oneof(text, fc.integer()), LastAccessedTime: time },
  { requiredKeys: [] },
);
const service = fc.oneof(
  fc.record(
    {
      ServiceName: text,
      ServiceNamespace: fc.oneof(text, fc.constant(null)),
      LastAuthenticated: time,
      TotalAuthenticatedEntities: fc.oneof(fc.integer(), text),
      TrackedActionsLastAccessed: fc.oneof(fc.array(tracked, { maxLength: 5 }), text),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const report = fc.record(
  {
    JobStatus: fc.constantFrom('COMPLETED', 'IN_PROGRESS', 'FAILED', 'done', ''),
    JobType: fc.constantFrom('ACTION_LEVEL', 'SERVICE_LEVEL', 'OTHER'),
    JobCompletionDate: time,
    IsTruncated: fc.oneof(fc.boolean(), text),
    ServicesLastAccessed: fc.oneof(fc.array(service, { maxLength: 6 }), text),
    Error: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('Hostile last-accessed data', () => {
  it('never crashes the audit, and any proposal it offers passed its proof', () => {
    fc.assert(
      fc.property(fc.oneof(report, fc.array(report, { maxLength: 3 }), fc.anything()), (raw) => {
        const result = auditSnapshot(snapshotWith(raw), { now: new Date('2026-11-26T00:00:00Z') });
        expect(['complete', 'partial']).toContain(result.status);
        for (const proposal of result.proposals ?? []) {
          expect(JSON.stringify(proposal.policy)).not.toContain('"s3:*"');
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each([null, 'text', 42, [], { 'not an arn': {} }])(
    'refuses a whole file of the wrong shape (%j)',
    (raw) => {
      expect(() => loadLastAccessed(raw, 'last-accessed.json')).toThrow(InputFileError);
    },
  );
});
