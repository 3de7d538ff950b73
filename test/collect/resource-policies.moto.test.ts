import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  type AddPermissionCommandInput,
  CreateFunctionUrlConfigCommand,
  LambdaClient,
  PublishVersionCommand,
  RemovePermissionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaInvokeReadLimits, startLatencyProxy } from '../../bench/latency-proxy.js';
import { auditSnapshot } from '../../src/audit/audit.js';
import { createClients } from '../../src/collect/clients.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { collectAndAudit, type LiveServices } from '../../src/live/pipeline.js';
import type { AuditReport } from '../../src/model/report.js';
import { createTinyFunction } from '../../tools/functions.js';
import { MOTO_ACCOUNT_ID, type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';
import { startFaultProxy } from '../support/fault-proxy.js';

const REGION = 'us-east-1';
const BASIC = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const PARTNER = '210987654321';
const PLAIN = ['rp-plain-1', 'rp-plain-2', 'rp-plain-3', 'rp-plain-4', 'rp-plain-5', 'rp-plain-6'];
const arn = (name: string) => `arn:aws:lambda:${REGION}:${MOTO_ACCOUNT_ID}:function:${name}`;

/** Twelve functions and one published version: 13 GetPolicy reads; one policy mentions function URLs. */
const RECORDS = 13;

let moto: MotoServer;
let lambda: LambdaClient;

const permit = (input: Omit<AddPermissionCommandInput, 'Action'> & { Action?: string }) =>
  lambda.send(new AddPermissionCommand({ Action: 'lambda:InvokeFunction', ...input }));

/**
 * A public URL on an administrator role (the console's two statements), a function anyone may invoke, S3
 * without its source account, another account, a clean schedule, six functions without a policy, and a
 * published version made public on its own.
 */
async function seed(endpoint: string): Promise<void> {
  const config = { endpoint, region: REGION, credentials: TEST_CREDENTIALS };
  const iam = new IAMClient(config);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  for (const [name, policy] of [
    ['rp-basic', BASIC],
    ['rp-admin', ADMIN],
  ] as const) {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy }));
  }
  iam.destroy();
  const role = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${name}`;
  await createTinyFunction(lambda, { name: 'rp-url-admin', role: role('rp-admin') });
  for (const name of ['rp-public', 'rp-s3', 'rp-partner', 'rp-scheduled', ...PLAIN, 'rp-versioned'])
    await createTinyFunction(lambda, { name, role: role('rp-basic') });

  await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'rp-url-admin', AuthType: 'NONE' }));
  await permit({
    FunctionName: 'rp-url-admin',
    StatementId: 'FunctionURLAllowPublicAccess',
    Action: 'lambda:InvokeFunctionUrl',
    Principal: '*',
    FunctionUrlAuthType: 'NONE',
  });
  await permit({
    FunctionName: 'rp-url-admin',
    StatementId: 'FunctionURLInvokeAllowPublicAccess',
    Principal: '*',
    InvokedViaFunctionUrl: true,
  });
  await permit({ FunctionName: 'rp-public', StatementId: 'anyone', Principal: '*' });
  await permit({
    FunctionName: 'rp-s3',
    StatementId: 'uploads',
    Principal: 's3.amazonaws.com',
    SourceArn: 'arn:aws:s3:::rp-uploads',
  });
  await permit({ FunctionName: 'rp-partner', StatementId: 'partner', Principal: PARTNER });
  await permit({
    FunctionName: 'rp-scheduled',
    StatementId: 'nightly',
    Principal: 'events.amazonaws.com',
    SourceAccount: MOTO_ACCOUNT_ID,
    SourceArn: `arn:aws:events:${REGION}:${MOTO_ACCOUNT_ID}:rule/nightly`,
  });
  await lambda.send(new PublishVersionCommand({ FunctionName: 'rp-versioned' }));
  await permit({ FunctionName: 'rp-versioned', Qualifier: '1', StatementId: 'v1-anyone', Principal: '*' });
}

function clientsFor(endpoint: string) {
  return createClients({ endpoint, region: REGION, credentials: TEST_CREDENTIALS });
}

function servicesFor(endpoint: string): LiveServices {
  const config = { endpoint, region: REGION, credentials: TEST_CREDENTIALS };
  return {
    clients: clientsFor(endpoint),
    sns: new SNSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

async function createBucket(name: string): Promise<void> {
  const s3 = new S3Client({
    endpoint: moto.endpoint,
    region: REGION,
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  s3.destroy();
}

/** The invoke findings of a report: rule, function (version-qualified for versions) and severity. */
function invokeFindings(report: AuditReport): string[] {
  const rules = new Set([
    'public-invoke',
    'function-url-public',
    'invoke-service-unscoped',
    'cross-account-invoke',
  ]);
  return report.findings
    .filter((finding) => rules.has(finding.ruleId))
    .map(
      (finding) =>
        `${finding.ruleId} ${finding.subject === 'function' ? finding.functionArn : ''} ${finding.severity}`,
    )
    .sort();
}

/** Lambda calls of one run, without the listing. */
function invokeReads(calls: Record<string, number>) {
  return {
    getPolicy: calls['lambda:GetPolicy'] ?? 0,
    listFunctionUrlConfigs: calls['lambda:ListFunctionUrlConfigs'] ?? 0,
  };
}

beforeAll(async () => {
  moto = await startMoto();
  lambda = new LambdaClient({ endpoint: moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
  await seed(moto.endpoint);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await moto?.stop();
});

describe('Who may invoke, live against moto', () => {
  it('reads GetPolicy once per function and version, and the URLs only of the policy that mentions them', async () => {
    // prepare
    const clients = clientsFor(moto.endpoint);

    // act
    const snapshot = await collectSnapshot({ clients, regions: [REGION] });
    const report = auditSnapshot(snapshot);

    // assess
    expect(invokeReads(clients.callCounts())).toEqual({ getPolicy: RECORDS, listFunctionUrlConfigs: 1 });
    expect(report.status).toBe('complete');
    expect(snapshot.resourcePolicies?.size).toBe(RECORDS);
    expect(snapshot.resourcePolicies?.get(arn('rp-url-admin'))?.urls).toEqual([
      {
        url: expect.stringMatching(/^https:\/\/\w+\.lambda-url\.us-east-1\.on\.aws/),
        authType: 'NONE',
        functionArn: arn('rp-url-admin'),
      },
    ]);
    expect(snapshot.resourcePolicies?.get(arn('rp-plain-1'))?.policy).toBeUndefined();
    expect(invokeFindings(report)).toEqual(
      [
        `function-url-public ${arn('rp-url-admin')} critical`,
        `public-invoke ${arn('rp-public')} high`,
        `public-invoke ${arn('rp-versioned')}:1 high`,
        `invoke-service-unscoped ${arn('rp-s3')} medium`,
        `cross-account-invoke ${arn('rp-partner')} low`,
      ].sort(),
    );
    // The worst finding an account can have tops the fix plan.
    expect(report.findings[0]).toMatchObject({ ruleId: 'function-url-public', functionName: 'rp-url-admin' });
  });

  it('re-reads on the next run only the functions whose RevisionId changed, from the cache in the report bucket', async () => {
    // prepare
    const bucket = 'rp-cache-reports';
    await createBucket(bucket);
    const run = async () => {
      const services = servicesFor(moto.endpoint);
      const { report } = await collectAndAudit(services, {
        regions: [REGION],
        collection: 'auto',
        reportBucket: bucket,
      });
      return { report, reads: invokeReads(services.clients.callCounts()) };
    };

    // act
    const first = await run();
    await permit({ FunctionName: 'rp-plain-1', StatementId: 'now-public', Principal: '*' });
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'rp-plain-2', Description: 'v2' }),
    );
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'rp-public', StatementId: 'anyone' }));
    const second = await run();
    const third = await run();

    // assess
    expect(first.reads).toEqual({ getPolicy: RECORDS, listFunctionUrlConfigs: 1 });
    expect(second.reads).toEqual({ getPolicy: 3, listFunctionUrlConfigs: 0 });
    expect(third.reads).toEqual({ getPolicy: 0, listFunctionUrlConfigs: 0 });
    expect(invokeFindings(first.report)).toContain(`public-invoke ${arn('rp-public')} high`);
    const afterChange = invokeFindings(second.report);
    expect(afterChange).toContain(`public-invoke ${arn('rp-plain-1')} high`);
    expect(afterChange).not.toContain(`public-invoke ${arn('rp-public')} high`);
    // The cached facts give the same findings as reading them.
    expect(invokeFindings(third.report)).toEqual(afterChange);
    expect(afterChange).toContain(`function-url-public ${arn('rp-url-admin')} critical`);
    expect([first, second, third].map((entry) => entry.report.status)).toEqual([
      'complete',
      'complete',
      'complete',
    ]);
    const s3 = servicesFor(moto.endpoint).s3;
    const cached = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `cache/${MOTO_ACCOUNT_ID}/resource-policies.json` }),
    );
    const cache = JSON.parse((await cached.Body?.transformToString()) ?? '{}') as {
      account: string;
      functions: Record<string, { revisionId: string }>;
    };
    expect(cache.account).toBe(MOTO_ACCOUNT_ID);
    expect(Object.keys(cache.functions)).toHaveLength(RECORDS);

    await permit({ FunctionName: 'rp-public', StatementId: 'anyone', Principal: '*' });
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'rp-plain-1', StatementId: 'now-public' }));
  });

  it('stops reading at the deadline, reports the functions it did not read, and the next run continues with them', async () => {
    // prepare: 3 reads per second (13 need more than 4 s), and a deadline margin crossed 2.5 s into the run
    const bucket = 'rp-deadline-reports';
    await createBucket(bucket);
    const firstServices = servicesFor(moto.endpoint);
    const started = Date.now();

    // act
    const { report: stopped, snapshot } = await collectAndAudit(firstServices, {
      regions: [REGION],
      collection: 'auto',
      reportBucket: bucket,
      deadline: () => 3_500 - (Date.now() - started),
      deadlineMarginMs: 1_000,
      resourcePolicies: { requestsPerSecond: 3 },
    });
    const nextServices = servicesFor(moto.endpoint);
    const { report: next } = await collectAndAudit(nextServices, {
      regions: [REGION],
      collection: 'auto',
      reportBucket: bucket,
    });

    // assess
    const read = snapshot.resourcePolicies?.size ?? 0;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(RECORDS);
    expect(stopped.status).toBe('partial');
    expect(stopped.partial?.reason).toMatch(/^time limit: collection stopped/);
    const unread = snapshot.functions
      .map((fn) => fn.functionArn)
      .filter((fnArn) => !snapshot.resourcePolicies?.has(fnArn));
    expect(stopped.partial?.notAudited.sort()).toEqual(unread.sort());
    expect(invokeReads(firstServices.clients.callCounts()).getPolicy).toBe(read);
    expect(next.status).toBe('complete');
    expect(invokeReads(nextServices.clients.callCounts()).getPolicy).toBe(RECORDS - read);
    expect(invokeFindings(next)).toContain(`function-url-public ${arn('rp-url-admin')} critical`);
  }, 60_000);

  it('makes a run partial when GetPolicy is denied for a function, and names it', async () => {
    // prepare
    const proxy = await startFaultProxy({ target: moto.endpoint });
    proxy.setRules([
      {
        match: (request) =>
          request.operation === 'lambda:GetPolicy' && request.target.endsWith(':function:rp-s3'),
        fault: { kind: 'access-denied' },
      },
    ]);
    try {
      // act
      const snapshot = await collectSnapshot({ clients: clientsFor(proxy.endpoint), regions: [REGION] });
      const report = auditSnapshot(snapshot);

      // assess
      expect(report.status).toBe('partial');
      expect(report.partial).toEqual({
        reason: 'who may invoke 1 function could not be read',
        notAudited: [arn('rp-s3')],
      });
      expect(report.errors).toEqual([
        expect.objectContaining({ scope: 'function', arn: arn('rp-s3'), code: 'AccessDenied' }),
      ]);
      expect(invokeFindings(report)).not.toContain(`invoke-service-unscoped ${arn('rp-s3')} medium`);
      expect(invokeFindings(report)).toContain(`public-invoke ${arn('rp-public')} high`);
    } finally {
      await proxy.stop();
    }
  });

  it('holds GetPolicy to its rate: no request over a limit the proxy enforces like Lambda, and it would see one', async () => {
    // prepare: 5 GetPolicy per second, 2 at once
    const proxy = await startLatencyProxy({
      target: moto.endpoint,
      delayMs: 10,
      rateLimits: lambdaInvokeReadLimits(5, 2),
    });
    try {
      // act
      const paced = clientsFor(proxy.endpoint);
      await collectSnapshot({
        clients: paced,
        regions: [REGION],
        resourcePolicies: { requestsPerSecond: 5 },
      });
      const pacedThrottles = proxy.throttledCounts();
      proxy.resetCount();
      const hurried = clientsFor(proxy.endpoint);
      const hurriedSnapshot = await collectSnapshot({
        clients: hurried,
        regions: [REGION],
        resourcePolicies: { requestsPerSecond: 1_000, concurrency: 8 },
      });

      // assess
      expect(pacedThrottles).toEqual({});
      expect(paced.attemptCounts()['lambda:GetPolicy']).toBe(RECORDS);
      expect(proxy.throttledCounts()['lambda:GetPolicy']).toBeGreaterThan(0);
      // The SDK's adaptive retry absorbs the throttling: slower, not failed.
      expect(hurriedSnapshot.resourcePolicies?.size).toBe(RECORDS);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
