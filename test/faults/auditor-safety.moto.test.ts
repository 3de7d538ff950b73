import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../src/handler.js';
import { defaultCatalog } from '../../src/policy/catalog.js';
import { EffectivePermissions } from '../../src/policy/effective.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { MOTO_ACCOUNT_ID } from '../../tools/moto.js';
import { exampleStack, loadTemplate, resolveValue } from '../infra/template-helpers.js';
import type { RecordedRequest } from '../support/fault-proxy.js';
import {
  FAULT_TEST_TIMEOUT_MS,
  type FaultEnvironment,
  lambdaContext,
  startFaultEnvironment,
  TOPIC_ARN,
  topicWithQueue,
} from './harness.js';

/** The auditor deployed from infra/template.yaml into the emulated account, publishing to the test topic. */
const template = loadTemplate('template.yaml');
const stack = exampleStack(
  template,
  { ExistingTopicArn: TOPIC_ARN },
  { account: MOTO_ACCOUNT_ID, region: 'us-east-1', partition: 'aws', stackName: 'audit' },
);
const BUCKET = stack.references.ReportBucket!;

/** What the deployed auditor's execution role allows, evaluated by the project's own policy engine. */
function deployedPermissions(): EffectivePermissions {
  const policy = resolveValue(template, template.Resources.RolePolicy?.Properties, stack) as {
    PolicyDocument: unknown;
  };
  const parsed = parsePolicy(policy.PolicyDocument, 'auditor-policy');
  if (!parsed.ok) throw new Error(parsed.message);
  return new EffectivePermissions({ identity: [parsed.policy] }, defaultCatalog());
}

/** The resource an IAM policy would name for a request. */
function resourceOf(request: RecordedRequest): string {
  const { operation, params, target } = request;
  if (operation.startsWith('iam:') && params.RoleName)
    return `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${params.RoleName}`;
  if (operation.startsWith('iam:') && params.PolicyArn) return params.PolicyArn;
  if (operation === 'sns:Publish') return target;
  if (request.service === 's3') return `arn:aws:s3:::${target}`;
  if (request.service === 'lambda' && request.operation !== 'lambda:ListFunctions')
    return target.startsWith('arn:')
      ? target
      : `arn:aws:lambda:${request.region}:${MOTO_ACCOUNT_ID}:function:${target}`;
  return '*';
}

/** Calls that need no permission at all. */
const UNGUARDED = new Set(['sts:GetCallerIdentity']);
const READ_ONLY = /^[a-z0-9]+:(Get|List|Describe)[A-Za-z]*$/;

let environment: FaultEnvironment;

beforeAll(async () => {
  environment = await startFaultEnvironment();
  await topicWithQueue(environment);
  const { s3 } = environment.direct;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'config/suppressions.json',
      Body: JSON.stringify({ suppressions: [{ rule: 'role-shared', reason: 'one service in two regions' }] }),
    }),
  );
  Object.assign(process.env, { TOPIC_ARN, REPORT_BUCKET: BUCKET, REGIONS: 'all' });
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

beforeEach(() => {
  environment.proxy.clear();
  // The handler's structured log goes to stdout; it is not what this test looks at.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("The auditor's own safety", () => {
  it.each(['per-role', 'bulk'])(
    'only reads, publishes to its topic and writes under reports/ and cache/ of its bucket (%s)',
    async (collection) => {
      // prepare
      process.env.COLLECTION = collection;

      // act
      const summary = await handler({}, lambdaContext());

      // assess
      const requests = environment.proxy.requests();
      expect(summary.published).toBe(true);
      expect(summary.muted).toBeGreaterThan(0);
      const writes = requests.filter((request) => !READ_ONLY.test(request.operation));
      expect(writes.map((request) => `${request.operation} ${request.target}`).sort()).toEqual(
        [
          `s3:PutObject ${BUCKET}/reports/${MOTO_ACCOUNT_ID}/latest.json`,
          `s3:PutObject ${summary.location!.replace('s3://', '')}`,
          `s3:PutObject ${summary.htmlLocation!.replace('s3://', '')}`,
          `s3:PutObject ${BUCKET}/cache/${MOTO_ACCOUNT_ID}/resource-policies.json`,
          `sns:Publish ${TOPIC_ARN}`,
        ].sort(),
      );
      const reads = requests.filter((request) => READ_ONLY.test(request.operation));
      expect(new Set(reads.map((request) => request.service))).toEqual(
        new Set(['ec2', 'lambda', 'iam', 's3']),
      );
      expect(
        reads
          .filter((request) => request.service === 's3')
          .map((request) => request.target)
          .sort(),
      ).toEqual([
        `${BUCKET}/cache/${MOTO_ACCOUNT_ID}/resource-policies.json`,
        `${BUCKET}/config/suppressions.json`,
        `${BUCKET}/reports/${MOTO_ACCOUNT_ID}/latest.json`,
      ]);
      // Every request is one the deployed execution role allows: the run works with least privilege.
      const permissions = deployedPermissions();
      const refused = requests
        .filter((request) => !UNGUARDED.has(request.operation))
        .filter((request) => permissions.accessTo(request.operation, resourceOf(request)) !== 'allowed')
        .map((request) => `${request.operation} ${resourceOf(request)}`);
      expect(refused).toEqual([]);
      if (collection === 'per-role') {
        // Only the roles that functions use are read; the unused administrator role is not touched.
        const rolesRead = new Set(
          requests.filter((request) => request.operation === 'iam:GetRole').map((request) => request.target),
        );
        expect(rolesRead).toEqual(
          new Set(['payments-admin', 'orders-reader', 'copied-from-ec2', 'deleted-later']),
        );
      }
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'sends no write at all on a dry run',
    async () => {
      // act
      const summary = await handler({ dryRun: true, regions: ['us-east-1'] }, lambdaContext());

      // assess
      expect(summary.dryRun).toBe(true);
      const requests = environment.proxy.requests();
      expect(requests.length).toBeGreaterThan(3);
      expect(requests.filter((request) => !READ_ONLY.test(request.operation))).toEqual([]);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it('would notice a request outside the deployed role, so the checks above mean something', () => {
    // prepare
    const permissions = deployedPermissions();
    const outside: RecordedRequest[] = [
      {
        service: 's3',
        operation: 's3:PutObject',
        region: 'us-east-1',
        method: 'PUT',
        path: '/',
        params: {},
        target: `${BUCKET}/config/suppressions.json`,
      },
      {
        service: 'iam',
        operation: 'iam:PutRolePolicy',
        region: 'us-east-1',
        method: 'POST',
        path: '/',
        params: { RoleName: 'x' },
        target: 'x',
      },
      {
        service: 'sns',
        operation: 'sns:Publish',
        region: 'us-east-1',
        method: 'POST',
        path: '/',
        params: {},
        target: `${TOPIC_ARN}-other`,
      },
    ];

    // act
    const decisions = outside.map((request) => permissions.accessTo(request.operation, resourceOf(request)));

    // assess
    expect(decisions).toEqual(['not-allowed', 'not-allowed', 'not-allowed']);
    expect(outside.map((request) => READ_ONLY.test(request.operation))).toEqual([false, false, false]);
  });
});
