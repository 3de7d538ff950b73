import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import type { Proposal } from '../../src/model/report.js';
import { emptySnapshot, type FunctionRecord, type RoleRecord } from '../../src/model/snapshot.js';
import { emptyUsage, parseLastAccessedDetails, type RoleUsage } from '../../src/model/usage.js';
import { defaultCatalog } from '../../src/policy/catalog.js';
import { EffectivePermissions, type PolicySet } from '../../src/policy/effective.js';
import { parsePolicy } from '../../src/policy/policy.js';
import type { RoleContext } from '../../src/rules/rule.js';
import { usageAnalysis } from '../../src/usage/analysis.js';
import { type ProofResult, proveProposal } from '../../src/usage/prove.js';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-role`;
const NOW = new Date('2026-11-26T00:00:00Z');
const RECENT = '2026-11-24T10:00:00+00:00';
const catalog = defaultCatalog();

type Statement = Record<string, unknown>;
type ServiceSeed = { namespace: string; last?: string; tracked?: Array<[string, string?]> };

const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const EDGE_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] },
      Action: 'sts:AssumeRole',
    },
  ],
};
const LOGS_ON_STAR: Statement = {
  Effect: 'Allow',
  Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: '*',
};
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
const FUNCTION_LOGS = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/app`;

/** The output of get-service-last-accessed-details for the seeds, as the AWS CLI prints it. */
function lastAccessed(services: ServiceSeed[], completed = '2026-11-25T04:00:00+00:00'): RoleUsage {
  const parsed = parseLastAccessedDetails({
    JobStatus: 'COMPLETED',
    JobType: 'ACTION_LEVEL',
    JobCompletionDate: completed,
    IsTruncated: false,
    ServicesLastAccessed: services.map((service) => ({
      ServiceName: service.namespace,
      ServiceNamespace: service.namespace,
      ...(service.last ? { LastAuthenticated: service.last } : {}),
      ...(service.tracked
        ? {
            TrackedActionsLastAccessed: service.tracked.map(([action, time]) => ({
              ActionName: action,
              ...(time ? { LastAccessedTime: time } : {}),
            })),
          }
        : {}),
    })),
  });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.usage;
}

interface Setup {
  statements: Statement[];
  boundary?: Statement[];
  services: ServiceSeed[];
  trust?: unknown;
  createDate?: string;
}

function roleRecord(setup: Setup): RoleRecord {
  return {
    arn: ROLE_ARN,
    name: 'app-role',
    path: '/',
    trustPolicy: setup.trust ?? LAMBDA_TRUST,
    inlinePolicies: [{ name: 'inline', document: { Version: '2012-10-17', Statement: setup.statements } }],
    attachedPolicyArns: [],
    ...(setup.boundary ? { permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary` } : {}),
    tags: {},
    createDate: setup.createDate ?? '2024-01-10T10:00:00Z',
  };
}

const FUNCTION: FunctionRecord = {
  functionName: 'app',
  functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:app`,
  version: '$LATEST',
  region: 'us-east-1',
  roleArn: ROLE_ARN,
  environmentVariableNames: [],
  secretSuspects: [],
};

/** Audits one role with its usage data, as the CLI does with --last-accessed. */
function audit(setup: Setup) {
  const snapshot = emptySnapshot(ACCOUNT);
  snapshot.regions = ['us-east-1'];
  snapshot.functions.push(FUNCTION);
  const role = roleRecord(setup);
  snapshot.roles.set(ROLE_ARN, role);
  if (setup.boundary)
    snapshot.managedPolicies.set(role.permissionsBoundaryArn!, {
      arn: role.permissionsBoundaryArn!,
      name: 'boundary',
      document: { Version: '2012-10-17', Statement: setup.boundary },
    });
  snapshot.usage = emptyUsage();
  snapshot.usage.roles.set(ROLE_ARN, lastAccessed(setup.services));
  return auditSnapshot(snapshot, { now: NOW });
}

function proposalOf(setup: Setup): Proposal {
  const report = audit(setup);
  const proposal = report.proposals?.[0];
  if (!proposal) throw new Error(`no proposal: ${JSON.stringify(report.errors)}`);
  return proposal;
}

/** Proves a hand-made proposal for the role of `setup` (what the audit would do with its own). */
function prove(setup: Setup, proposal: unknown): ProofResult {
  const parse = (statements: Statement[], label: string) => {
    const parsed = parsePolicy({ Version: '2012-10-17', Statement: statements }, label);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.policy;
  };
  const current: PolicySet = {
    identity: [parse(setup.statements, 'inline')],
    ...(setup.boundary ? { boundary: parse(setup.boundary, 'boundary') } : {}),
  };
  const trust = parsePolicy(setup.trust ?? LAMBDA_TRUST, 'trust');
  const context: RoleContext = {
    role: roleRecord(setup),
    permissions: new EffectivePermissions(current, catalog),
    trust: trust.ok ? trust.policy : undefined,
    catalog,
    usage: { data: lastAccessed(setup.services), days: 90, now: NOW },
  };
  const analysis = usageAnalysis(context)!;
  return proveProposal({ current, proposal, catalog, analysis, context, functions: [FUNCTION], edge: false });
}

function actionsOf(proposal: Proposal): string[] {
  return proposal.policy.Statement.flatMap((statement) => {
    const action = (statement as Statement).Action;
    return (statement as Statement).Effect === 'Allow' ? (Array.isArray(action) ? action : [action]) : [];
  }) as string[];
}

/** A role with s3:* on every bucket, one conditional table grant and a conditional Deny. */
const S3_ROLE: Setup = {
  statements: [
    { Sid: 'AllS3', Effect: 'Allow', Action: 's3:*', Resource: '*' },
    {
      Sid: 'Orders',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Resource: TABLE,
      Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    },
    {
      Sid: 'NoDeletesWithoutMfa',
      Effect: 'Deny',
      Action: 's3:DeleteBucket',
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
    LOGS_ON_STAR,
  ],
  services: [
    {
      namespace: 's3',
      last: RECENT,
      tracked: [['CreateBucket'], ['PutBucketPolicy'], ['ListAllMyBuckets', RECENT]],
    },
    { namespace: 's3-object-lambda' },
    { namespace: 'dynamodb', last: RECENT },
    { namespace: 'logs', last: RECENT },
  ],
};

describe('Proposed policy: how it is built', () => {
  it('keeps what was used or may have been, drops tracked actions not attempted, scopes logging and keeps the Deny', () => {
    // act
    const proposal = proposalOf(S3_ROLE);

    // assess
    const actions = actionsOf(proposal);
    expect(actions).toContain('s3:GetObject'); // IAM does not track it: may have been used
    expect(actions).toContain('s3:ListAllMyBuckets'); // tracked and used
    expect(actions).not.toContain('s3:CreateBucket'); // tracked, not attempted
    expect(actions).not.toContain('s3:*');
    expect(proposal.removed).toEqual({ services: [], actions: ['s3:CreateBucket', 's3:PutBucketPolicy'] });
    const statements = proposal.policy.Statement as Statement[];
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Resource: [TABLE],
      Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    });
    expect(statements).toContainEqual({
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${FUNCTION_LOGS}:*`],
    });
    expect(statements).toContainEqual({
      Effect: 'Deny',
      Action: ['s3:DeleteBucket'],
      Resource: ['*'],
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    });
    expect(proposal).toMatchObject({ roleArn: ROLE_ARN, days: 90, dataAsOf: '2026-11-25T04:00:00.000Z' });
  });

  it('removes a service the report shows unused, and one only `*` reached that the report does not list', () => {
    // act
    const proposal = proposalOf({
      statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      services: [
        { namespace: 'dynamodb', last: RECENT },
        { namespace: 'sns', last: '2026-01-02T10:00:00+00:00' },
        { namespace: 'logs', last: RECENT },
      ],
    });

    // assess
    const actions = actionsOf(proposal);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.some((action) => action.startsWith('sns:'))).toBe(false);
    expect(actions.some((action) => action.startsWith('ec2:Run'))).toBe(false);
    expect(proposal.removed.services.slice(0, 1)).toEqual(['sns']); // reported services first
    expect(proposal.removed.services).toContain('ec2');
    // iam:PassRole is never tracked, the VPC network-interface and X-Ray permissions are Lambda's own.
    expect(actions).toEqual(
      expect.arrayContaining(['iam:PassRole', 'ec2:CreateNetworkInterface', 'xray:PutTraceSegments']),
    );
  });

  it('shortens action lists longer than a managed policy allows to verb patterns, never to a service wildcard', () => {
    // prepare: four whole services, all used, none with action data: everything is kept
    const setup: Setup = {
      statements: [
        { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'sqs:*', 'sns:*'], Resource: '*' },
        LOGS_ON_STAR,
      ],
      services: ['s3', 'dynamodb', 'sqs', 'sns', 'logs'].map((namespace) => ({ namespace, last: RECENT })),
    };

    // act
    const proposal = proposalOf(setup);

    // assess
    const actions = actionsOf(proposal);
    expect(JSON.stringify(proposal.policy).length).toBeLessThanOrEqual(6_144);
    expect(actions).toEqual(expect.arrayContaining(['s3:Get*', 'dynamodb:Describe*']));
    expect(actions).not.toContain('s3:*');
    expect(prove(setup, proposal.policy)).toEqual({ ok: true });
  });

  it('keeps a service the report does not list when a statement names it', () => {
    // act
    const proposal = proposalOf({
      statements: [
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:out` },
      ],
      services: [{ namespace: 's3', last: RECENT, tracked: [['CreateBucket']] }],
    });

    // assess
    expect(actionsOf(proposal)).toContain('sqs:SendMessage');
    expect(proposal.removed.services).toEqual([]);
  });

  it('lists only what the permissions boundary lets through', () => {
    // act
    const proposal = proposalOf({
      statements: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }, LOGS_ON_STAR],
      boundary: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 'logs:*'], Resource: '*' }],
      services: [
        { namespace: 's3', last: RECENT, tracked: [['GetBucketPolicy']] },
        { namespace: 'logs', last: RECENT },
      ],
    });

    // assess
    const actions = actionsOf(proposal);
    expect(actions).toContain('s3:GetObject');
    expect(actions).not.toContain('s3:PutObject');
    expect(proposal.removed.actions).toEqual(['s3:GetBucketPolicy']);
  });

  it('leaves the logging of a Lambda@Edge role as it is: its replicas log in every region', () => {
    // act
    const proposal = proposalOf({ ...S3_ROLE, trust: EDGE_TRUST });

    // assess
    const statements = proposal.policy.Statement as Statement[];
    expect(statements.some((statement) => statement.Sid === 'WriteOwnLogs')).toBe(false);
    expect(actionsOf(proposal)).toEqual(expect.arrayContaining(['logs:PutLogEvents']));
  });

  it.each([
    ['a role younger than the window', { createDate: '2026-10-20T10:00:00Z' }],
    ['a role without a finding a proposal answers', { statements: [LOGS_ON_STAR] }],
    ['an unused role (delete it instead)', { services: [{ namespace: 's3' }, { namespace: 'logs' }] }],
  ])('offers none for %s', (_name, change) => {
    // act
    const report = audit({ ...S3_ROLE, ...change });

    // assess
    expect(report.proposals).toBeUndefined();
    expect(report.errors).toEqual([]);
  });

  it('says why, and offers none, when the policy it built fails the proof', () => {
    // prepare: the role used a service newer than the IAM catalog, which only `*` grants it
    const setup: Setup = {
      statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      services: [
        { namespace: 'dynamodb', last: RECENT },
        { namespace: 'brandnewservice', last: RECENT },
      ],
    };

    // act
    const report = audit(setup);

    // assess
    expect(report.proposals).toBeUndefined();
    expect(report.errors).toEqual([
      expect.objectContaining({ scope: 'role', arn: ROLE_ARN, code: 'ProposalNotProven' }),
    ]);
    expect(report.errors[0]?.message).toMatch(/service-wildcard/);
  });
});

describe('Proposed policy: the proof', () => {
  const good = proposalOf(S3_ROLE).policy;
  const statements = good.Statement as Statement[];
  const withStatements = (list: Statement[]) => ({ Version: '2012-10-17', Statement: list });
  const s3Statement = statements.find((statement) =>
    (statement.Action as string[]).includes?.('s3:GetObject'),
  )!;

  it('accepts the proposal the audit built', () => {
    expect(prove(S3_ROLE, good)).toEqual({ ok: true });
  });

  it.each<[string, unknown, ProofResult['ok'] extends true ? never : string]>([
    [
      'grants an action the role does not have',
      withStatements([...statements, { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }]),
      'no-new-access',
    ],
    [
      'widens a resource',
      withStatements(
        statements.map((statement) =>
          statement.Resource?.toString() === TABLE
            ? { ...statement, Resource: `${TABLE.slice(0, -6)}*` }
            : statement,
        ),
      ),
      'no-new-access',
    ],
    [
      'drops a condition',
      withStatements(statements.map(({ Condition: _condition, ...statement }) => statement)),
      'no-new-access',
    ],
    [
      'drops the conditional Deny',
      withStatements(statements.filter((statement) => statement.Effect !== 'Deny')),
      'no-new-access',
    ],
    [
      'drops an action the role may have used (IAM does not track s3:GetObject)',
      withStatements(
        statements.map((statement) =>
          statement === s3Statement
            ? {
                ...statement,
                Action: (statement.Action as string[]).filter((action) => action !== 's3:GetObject'),
              }
            : statement,
        ),
      ),
      'keeps-used',
    ],
    [
      "drops the logging on the function's log group",
      withStatements(statements.filter((statement) => statement.Sid !== 'WriteOwnLogs')),
      'keeps-used',
    ],
    [
      'grants the whole service back with a wildcard',
      withStatements(
        statements.map((statement) =>
          statement === s3Statement ? { ...statement, Action: 's3:*' } : statement,
        ),
      ),
      'audit',
    ],
    [
      'names an action no service has',
      withStatements([...statements, { Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }]),
      'no-new-access',
    ],
    [
      'uses NotAction',
      withStatements([...statements, { Effect: 'Allow', NotAction: 'iam:*', Resource: TABLE }]),
      'no-new-access',
    ],
    [
      'is larger than a managed policy may be',
      withStatements([
        ...statements,
        ...Array.from({ length: 60 }, (_, index) => ({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::bucket-${index}-with-a-rather-long-name/*`,
        })),
      ]),
      'size',
    ],
    ['is no policy', { Statement: 'nothing' }, 'policy'],
  ])('rejects a proposal that %s', (_name, proposal, check) => {
    // act
    const result = prove(S3_ROLE, proposal);

    // assess
    expect(result).toMatchObject({ ok: false, check });
  });

  it('rejects administrator access even where the role has it now', () => {
    // prepare
    const admin: Setup = {
      statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      services: [{ namespace: 's3', last: RECENT }],
    };

    // act
    const result = prove(admin, withStatements([{ Effect: 'Allow', Action: '*', Resource: '*' }]));

    // assess
    expect(result).toMatchObject({ ok: false, check: 'audit' });
    expect(result.ok || result.reason).toMatch(/admin-access/);
  });
});
