import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../src/handler.js';
import { AuditFailedError } from '../../src/lambda/run.js';
import type { AuditReport } from '../../src/model/report.js';
import { captureStdout } from '../support/stdout.js';

const account = '123456789012';
const topicArn = `arn:aws:sns:us-east-1:${account}:lambda-role-auditor`;
const trust = {
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const admin = {
  Arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
  PolicyName: 'AdministratorAccess',
  DefaultVersionId: 'v1',
  PolicyVersionList: [
    {
      VersionId: 'v1',
      IsDefaultVersion: true,
      Document: encodeURIComponent('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'),
    },
  ],
};
const basic = {
  Arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
  PolicyName: 'AWSLambdaBasicExecutionRole',
  DefaultVersionId: 'v1',
  PolicyVersionList: [
    {
      VersionId: 'v1',
      IsDefaultVersion: true,
      Document: encodeURIComponent(
        '{"Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}',
      ),
    },
  ],
};
const role = (name: string, policy: { Arn: string; PolicyName: string }) => ({
  RoleName: name,
  Arn: `arn:aws:iam::${account}:role/${name}`,
  Path: '/',
  AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
  RolePolicyList: [],
  AttachedManagedPolicies: [{ PolicyArn: policy.Arn, PolicyName: policy.PolicyName }],
  Tags: [],
});
const fn = (name: string, roleName: string, variables: Record<string, string> = {}) => ({
  FunctionName: name,
  FunctionArn: `arn:aws:lambda:us-east-1:${account}:function:${name}`,
  Version: '$LATEST',
  Role: `arn:aws:iam::${account}:role/${roleName}`,
  Environment: { Variables: variables },
});

const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const s3 = mockClient(S3Client);

function context(remainingMs = 900_000): Context {
  return {
    awsRequestId: 'request-1',
    functionName: 'lambda-role-auditor',
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as Context;
}

const scheduledEvent = {
  version: '0',
  id: 'a5f6e1d2-0000-4000-8000-000000000000',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account,
  time: '2026-11-26T03:00:00Z',
  region: 'us-east-1',
  resources: [`arn:aws:events:us-east-1:${account}:rule/nightly`],
  detail: {},
};

/** The report of the first publish: the `default` key of the JSON message, which SQS subscribers get. */
function publishedReport(): AuditReport {
  const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
  return JSON.parse(JSON.parse(input.Message!).default) as AuditReport;
}

/** The message attributes of the first publish, as name → value. */
function publishedAttributes(): Record<string, string | undefined> {
  const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
  return Object.fromEntries(
    Object.entries(input.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
  );
}

/** Every key the invocation wrote to the report bucket: reports, HTML pages and the resource-policy cache. */
const allWrittenKeys = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key);
/** The keys of the JSON reports the invocation wrote (the HTML pages and the cache under cache/ aside). */
const writtenKeys = () =>
  allWrittenKeys().filter((key) => !key?.endsWith('.html') && !key?.startsWith('cache/'));

/** A report bucket without a previous report. */
function emptyReportBucket(): void {
  process.env.REPORT_BUCKET = 'audit-reports';
  s3.on(GetObjectCommand).rejects(
    Object.assign(new Error('no such key'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }),
  );
  s3.on(PutObjectCommand).resolves({});
}

/** The archive key of this run: `reports/<account>/<timestamp to the millisecond>-<request id>.json`. */
const RUN_KEY = new RegExp(
  `^reports/${account}/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z-request-1\\.json$`,
);

describe('Lambda handler', () => {
  const savedEnv = { ...process.env };
  let logs: string[];

  beforeEach(() => {
    lambda.reset();
    // As AWS answers for a function without a resource-based policy.
    lambda.on(GetPolicyCommand).rejects(
      new ResourceNotFoundException({
        message: 'The resource you requested does not exist.',
        $metadata: {},
      }),
    );
    iam.reset();
    sns.reset();
    s3.reset();
    process.env = {
      ...savedEnv,
      AWS_REGION: 'us-east-1',
      TOPIC_ARN: topicArn,
      COLLECTION: 'bulk',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    };
    delete process.env.REPORT_BUCKET;
    delete process.env.AWS_ENDPOINT_URL;
    lambda.on(ListFunctionsCommand).resolves({
      Functions: [
        fn('orders-api', 'orders-role', { DB_PASSWORD: 'canary-value-7f3a9' }),
        fn('cleaner', 'clean-role'),
      ],
    });
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      RoleDetailList: [role('orders-role', admin), role('clean-role', basic)],
      Policies: [admin, basic],
    });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    logs = captureStdout();
  });

  afterEach(() => {
    process.env = savedEnv;
    vi.restoreAllMocks();
  });

  it('audits and publishes on a scheduled event, returning a summary with the roles to fix first', async () => {
    // act
    const summary = await handler(scheduledEvent, context());

    // assess
    expect(summary).toMatchObject({
      account,
      status: 'complete',
      regions: ['us-east-1'],
      trigger: 'schedule',
      dryRun: false,
      functions: 2,
      roles: 2,
      published: true,
      baseline: false,
    });
    expect(summary.findings).toEqual({ critical: 1, high: 1, medium: 0, low: 0, info: 0 });
    expect(summary.functionsAffected).toEqual({ critical: 1, high: 0, medium: 0, low: 0, info: 0 });
    expect(summary.top).toEqual([
      {
        severity: 'critical',
        role: 'orders-role',
        functions: 1,
        rules: ['admin-access', 'secrets-in-environment'],
        new: false,
      },
    ]);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe(topicArn);
    expect(input.MessageStructure).toBe('json');
    expect(Object.keys(JSON.parse(input.Message!)).sort()).toEqual(['default', 'email']);
    expect(publishedAttributes()).toEqual({
      status: 'complete',
      severity: 'critical',
      findings: '2',
      new: '2',
      account,
    });
    const report = publishedReport();
    expect(report.findings.map((finding) => [finding.subject, finding.ruleId])).toEqual([
      ['role', 'admin-access'],
      ['function', 'secrets-in-environment'],
    ]);
    expect(report.findings[0]).toMatchObject({
      roleArn: `arn:aws:iam::${account}:role/orders-role`,
      functionCount: 1,
    });
    expect(report.findings[1]).toMatchObject({ functionName: 'orders-api' });
  });

  it('applies console options: function globs and minimum severity make a scoped, filtered run', async () => {
    // act
    const summary = await handler(
      { regions: ['us-east-1'], functions: ['orders-*'], minSeverity: 'critical' },
      context(),
    );

    // assess
    expect(summary).toMatchObject({ trigger: 'console', status: 'complete', functions: 1, baseline: false });
    const report = publishedReport();
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['admin-access']);
    expect(report.scope).toEqual({
      regions: ['us-east-1'],
      functions: ['orders-*'],
      minSeverity: 'critical',
      full: false,
    });
    expect(report.summary.findings).toEqual({ critical: 1, high: 0, medium: 0, low: 0, info: 0 });
  });

  it('archives a complete scheduled run under its own key and as the baseline', async () => {
    // prepare
    emptyReportBucket();

    // act
    const summary = await handler(scheduledEvent, context());

    // assess
    const keys = writtenKeys();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(RUN_KEY);
    expect(keys[1]).toBe(`reports/${account}/latest.json`);
    expect(allWrittenKeys().filter((key) => !key?.startsWith('cache/'))).toEqual([
      ...keys,
      keys[0]!.replace(/\.json$/, '.html'),
    ]);
    expect(summary).toMatchObject({ baseline: true, location: `s3://audit-reports/${keys[0]}` });
    // Who may invoke each function is kept for the next run, which reads only what changed.
    expect(allWrittenKeys()).toContain(`cache/${account}/resource-policies.json`);
  });

  it.each([
    { name: 'function globs', event: { functions: ['orders-*'] }, regions: 'us-east-1' },
    {
      name: 'fewer regions than configured',
      event: { regions: ['us-east-1'] },
      regions: 'us-east-1,eu-west-1',
    },
  ])('archives a console run scoped by $name without replacing the baseline', async ({ event, regions }) => {
    // prepare
    emptyReportBucket();
    process.env.REGIONS = regions;

    // act
    const summary = await handler(event, context());

    // assess
    expect(writtenKeys()).toEqual([expect.stringMatching(RUN_KEY)]);
    expect(summary).toMatchObject({ status: 'complete', baseline: false, published: true });
    expect(publishedReport().scope.full).toBe(false);
  });

  it('rejects a console run whose function glob matches no function, naming the glob, and publishes nothing', async () => {
    // prepare
    emptyReportBucket();

    // act
    const invocation = handler({ functions: ['orders-*', 'ordres-*'] }, context());

    // assess
    await expect(invocation).rejects.toThrow('"functions": no function in us-east-1 matches "ordres-*"');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(writtenKeys()).toEqual([]);
  });

  it('publishes a failed run, then fails the invocation with AuditFailedError', async () => {
    // prepare: Lambda refuses to list functions in the only region
    emptyReportBucket();
    lambda.on(ListFunctionsCommand).rejects(
      Object.assign(new Error('not authorized to perform lambda:ListFunctions'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    // act
    const invocation = handler(scheduledEvent, context());

    // assess
    await expect(invocation).rejects.toThrow(AuditFailedError);
    await expect(invocation).rejects.toThrow(
      /the audit of account 123456789012 failed: ListFunctions failed in us-east-1/,
    );
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(publishedAttributes()).toMatchObject({ status: 'failed', severity: 'none', findings: '0' });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toBe(
      `lambda-role-auditor ${account}: AUDIT FAILED`,
    );
    const report = publishedReport();
    expect(report.status).toBe('failed');
    expect(report.partial).toEqual({
      reason: 'ListFunctions failed in us-east-1',
      notAudited: ['region us-east-1'],
    });
    expect(report.errors).toEqual([
      {
        scope: 'region',
        arn: 'us-east-1',
        code: 'AccessDenied',
        message: 'ListFunctions failed after 0 functions: not authorized to perform lambda:ListFunctions',
      },
    ]);
    // Archived for the record, never as the baseline.
    expect(writtenKeys()).toEqual([expect.stringMatching(RUN_KEY)]);
    const failure = logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.message === 'invocation failed');
    expect(failure).toMatchObject({
      level: 'ERROR',
      error: {
        name: 'AuditFailedError',
        message: expect.stringContaining('failed'),
        stack: expect.stringContaining('AuditFailedError'),
      },
    });
  });

  it('audits without publishing on a dry run', async () => {
    // act
    const summary = await handler({ dryRun: true }, context());

    // assess
    expect(summary).toMatchObject({ dryRun: true, published: false, baseline: false });
    expect(summary.findings.critical).toBe(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it.each([
    [{ dryrun: true }, 'unknown field "dryrun"'],
    [{ dryRun: 'yes' }, '"dryRun" must be true or false'],
    [{ regions: 'us-east-1' }, '"regions" must be a non-empty list'],
    [{ minSeverity: 'severe' }, '"minSeverity" must be one of'],
    [{ minSeverity: 'hasOwnProperty' }, '"minSeverity" must be one of'],
    [{ minSeverity: 'toString' }, '"minSeverity" must be one of'],
    [[1, 2], 'the event must be a JSON object'],
  ])('rejects the invalid event %j with a clear message', async (event, message) => {
    await expect(handler(event, context())).rejects.toThrow(message);
    expect(lambda.calls()).toHaveLength(0);
  });

  it.each([
    [{ TOPIC_ARN: '' }, 'TOPIC_ARN: is required'],
    [{ TOPIC_ARN: 'my-topic' }, 'TOPIC_ARN: is not an SNS topic ARN'],
    [{ REGIONS: 'us-east-1,mars' }, 'REGIONS: must be "all" or a comma-separated list'],
    [{ PUBLISH_WHEN: 'sometimes' }, 'PUBLISH_WHEN: must be one of always, findings, changes'],
    [{ MIN_SEVERITY: 'urgent' }, 'MIN_SEVERITY: must be one of'],
    [{ MIN_SEVERITY: 'toString' }, 'MIN_SEVERITY: must be one of'],
    [{ MIN_SEVERITY: 'constructor' }, 'MIN_SEVERITY: must be one of'],
    [{ PUBLISH_WHEN: 'toString' }, 'PUBLISH_WHEN: must be one of always, findings, changes'],
    [{ COLLECTION: 'constructor' }, 'COLLECTION: must be one of auto, bulk, per-role'],
    [{ COLLECTION: 'fast' }, 'COLLECTION: must be one of auto, bulk, per-role'],
    [{ REPORT_BUCKET: 'Not_A_Bucket' }, 'REPORT_BUCKET: is not a valid bucket name'],
  ])('fails fast naming the variable for the environment %j', async (env, message) => {
    Object.assign(process.env, env);
    await expect(handler({}, context())).rejects.toThrow(message);
    expect(lambda.calls()).toHaveLength(0);
    const failure = logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.message === 'invocation failed');
    expect(failure).toMatchObject({ level: 'ERROR', error: { message: expect.stringContaining(message) } });
  });

  it('publishes a partial report naming what was not audited when time runs low', async () => {
    // act
    const summary = await handler(scheduledEvent, context(10_000));

    // assess
    const report = publishedReport();
    expect(summary.status).toBe('partial');
    expect(summary.partial?.notAudited).toBeGreaterThan(0);
    expect(report.status).toBe('partial');
    expect(report.partial?.notAudited.length).toBe(summary.partial?.notAudited);
    expect(publishedAttributes().status).toBe('partial');
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toContain('PARTIAL');
  });

  it('archives before publishing and fails the invocation when publishing fails', async () => {
    // prepare
    emptyReportBucket();
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('topic is gone'), {
        name: 'NotFoundException',
        $metadata: { httpStatusCode: 404 },
      }),
    );

    // act
    const invocation = handler(scheduledEvent, context());

    // assess
    await expect(invocation).rejects.toThrow(/Publishing the report/);
    expect(writtenKeys()).toEqual([expect.stringMatching(RUN_KEY), `reports/${account}/latest.json`]);
  });

  it('reports an invalid entry of the bucket suppressions file and still applies the others', async () => {
    // Prepare
    process.env.REPORT_BUCKET = 'audit-reports';
    const suppressions = {
      suppressions: [
        { rule: 'admin-acess', reason: 'typo' },
        { rule: 'secrets-in-environment', function: 'orders-api', reason: 'rotated, moving to SSM' },
        { rule: 'admin-access', reason: 'impossible date', until: '2099-02-30' },
      ],
    };
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('no such key'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }),
    );
    s3.on(GetObjectCommand, { Key: 'config/suppressions.json' }).resolves({
      Body: { transformToString: async () => JSON.stringify(suppressions) },
    } as never);
    s3.on(PutObjectCommand).resolves({});

    // Act
    await handler(scheduledEvent, context());

    // Assess
    const report = publishedReport();
    const location = 's3://audit-reports/config/suppressions.json';
    expect(report.errors).toEqual([
      {
        scope: 'config',
        arn: location,
        code: 'InvalidSuppression',
        message: 'suppressions[0].rule names no rule: "admin-acess" (did you mean admin-access?)',
      },
      {
        scope: 'config',
        arn: location,
        code: 'InvalidSuppression',
        message: 'suppressions[2].until must be a date YYYY-MM-DD, got "2099-02-30"',
      },
    ]);
    const muted = report.findings.filter((finding) => finding.muted).map((finding) => finding.ruleId);
    expect(muted).toEqual(['secrets-in-environment']);
    // One bad entry mutes nothing and leaves the others in force: the run still saw everything.
    expect(report.status).toBe('complete');
  });

  it('never logs or publishes environment variable values', async () => {
    await handler(scheduledEvent, context());
    const published = JSON.stringify(sns.commandCalls(PublishCommand).map((call) => call.args[0].input));
    expect(published).toContain('DB_PASSWORD');
    expect(published).not.toContain('canary-value-7f3a9');
    expect(logs.join('')).not.toContain('canary-value-7f3a9');
    expect(logs.some((line) => JSON.parse(line).message === 'audit finished')).toBe(true);
  });
});
