import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/main.js';
import { handler } from '../../src/handler.js';
import type { AuditReport } from '../../src/model/report.js';
import { renderReport } from '../../src/report/render.js';
import { createTinyFunction } from '../../tools/functions.js';
import {
  awsTestEnv,
  MOTO_ACCOUNT_ID,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
} from '../../tools/moto.js';
import { drainQueue, subscribeQueue } from '../../tools/sqs.js';
import { captureStdout } from '../support/stdout.js';
import { testFolder } from '../support/temp.js';
import { functionFindings, LAMBDA_TRUST } from './account.js';
import { CANARY_VARIABLES, leakedCanaries, SECRET_VARIABLE_NAMES } from './canaries.js';

const TOPIC_NAME = 'lambda-role-auditor';
const TOPIC_ARN = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT_ID}:${TOPIC_NAME}`;
const BUCKET = 'audit-reports-secrets';

let moto: MotoServer;
let sqs: SQSClient;
let s3: S3Client;
const queues: Record<'raw' | 'enveloped', string> = { raw: '', enveloped: '' };
const savedEnv = { ...process.env };
let stdout: string[];

const context = {
  awsRequestId: 'secrets-request',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

/** Three functions carrying the canary values: one with an admin role, one version, one with a broken role. */
async function seedCanaryAccount(endpoint: string): Promise<void> {
  const config = { endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  const sns = new SNSClient(config);
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'canary-role',
      AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'canary-role',
      PolicyName: 'everything',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  const create = (name: string, role: string) =>
    createTinyFunction(lambda, { name, role, variables: CANARY_VARIABLES });
  await create('canary-carrier', `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/canary-role`);
  await lambda.send(new PublishVersionCommand({ FunctionName: 'canary-carrier' }));
  // A function whose role was deleted after it was created.
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'deleted-later',
      AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST),
    }),
  );
  await create('canary-orphan', `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/deleted-later`);
  await iam.send(new DeleteRoleCommand({ RoleName: 'deleted-later' }));
  await sns.send(new CreateTopicCommand({ Name: TOPIC_NAME }));
  for (const kind of ['raw', 'enveloped'] as const) {
    queues[kind] = (
      await subscribeQueue(sns, sqs, TOPIC_ARN, `secrets-${kind}`, { raw: kind === 'raw' })
    ).url;
  }
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const client of [iam, lambda, sns]) client.destroy();
}

async function drain(queueUrl: string): Promise<string[]> {
  return (await drainQueue(sqs, queueUrl)).map((message) => JSON.stringify(message));
}

async function archivedObjects(): Promise<Array<{ key: string; body: string }>> {
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'reports/' }));
  return Promise.all(
    (listing.Contents ?? []).map(async ({ Key }) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      return { key: Key!, body: (await object.Body?.transformToString('utf-8')) ?? '' };
    }),
  );
}

beforeAll(async () => {
  moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  sqs = new SQSClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
  await seedCanaryAccount(moto.endpoint);
  Object.assign(process.env, awsTestEnv(moto.endpoint), {
    TOPIC_ARN,
    REPORT_BUCKET: BUCKET,
    REGIONS: 'us-east-1',
  });
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  sqs?.destroy();
  s3?.destroy();
  await moto?.stop();
});

beforeEach(() => {
  stdout = captureStdout();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Secrets: the Lambda handler never logs, publishes or archives environment variable values', () => {
  it.each(['per-role', 'bulk'])(
    'keeps values out of every output of a published run (%s)',
    async (collection) => {
      // prepare
      process.env.COLLECTION = collection;

      // act
      const summary = await handler({}, context);

      // assess
      const raw = await drain(queues.raw);
      const enveloped = await drain(queues.enveloped);
      const archived = await archivedObjects();
      expect(summary.published).toBe(true);
      expect(raw).toHaveLength(1);
      expect(enveloped).toHaveLength(1);
      expect(archived.length).toBeGreaterThanOrEqual(2);
      expect(stdout.length).toBeGreaterThanOrEqual(3);
      expect(leakedCanaries(JSON.stringify(summary))).toEqual([]);
      expect(leakedCanaries(stdout.join(''))).toEqual([]);
      expect(leakedCanaries(raw.join('') + enveloped.join(''))).toEqual([]);
      expect(leakedCanaries(archived.map((object) => object.body).join(''))).toEqual([]);
      // The secrets are reported, by name, once per function: the version keeps $LATEST's variables.
      const report = JSON.parse(JSON.parse(raw[0]!).Body) as AuditReport;
      const secrets = functionFindings(report, 'secrets-in-environment');
      expect(secrets.map((finding) => finding.functionName).sort()).toEqual([
        'canary-carrier',
        'canary-orphan',
      ]);
      expect(secrets[0]!.evidence.flatMap((evidence) => evidence.variables).sort()).toEqual(
        [...SECRET_VARIABLE_NAMES].sort(),
      );
      // SQS subscribers get the `default` key, the JSON report, also inside the SNS envelope.
      expect(JSON.parse(JSON.parse(JSON.parse(enveloped[0]!).Body).Message)).toEqual(report);
      // The digest for email subscribers, rendered from that report, names the variables without values.
      const digest = renderReport(report, 'text');
      expect(digest).toContain('DB_PASSWORD');
      expect(leakedCanaries(digest)).toEqual([]);
    },
    120_000,
  );

  it('keeps values out of the logs of a failed invocation', async () => {
    // prepare: a topic that does not exist makes the publish fail after the archive was written
    process.env.TOPIC_ARN = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT_ID}:no-such-topic`;

    // act
    const invocation = handler({}, context);

    // assess
    await expect(invocation).rejects.toThrow(/Publishing the report/);
    process.env.TOPIC_ARN = TOPIC_ARN;
    expect(stdout.join('')).toContain('invocation failed');
    expect(leakedCanaries(stdout.join(''))).toEqual([]);
    expect(leakedCanaries((await archivedObjects()).map((object) => object.body).join(''))).toEqual([]);
  }, 120_000);
});

describe('Secrets: the live CLI never prints or saves environment variable values', () => {
  function fakeIo(): CliIo & { out: () => string; err: () => string } {
    let out = '';
    let err = '';
    return {
      stdout: { write: (text: string) => (out += text), isTTY: false },
      stderr: { write: (text: string) => (err += text), isTTY: true },
      env: process.env,
      out: () => out,
      err: () => err,
    };
  }
  const live = async (command: Parameters<typeof import('../../src/cli/live.js').liveRunner>[0]) =>
    (await import('../../src/cli/live.js')).liveRunner(command);

  it.each(['table', 'text', 'json', 'markdown'])(
    'keeps values out of stdout, stderr, --output and --snapshot-out files (--format %s)',
    async (format) => {
      // prepare
      const directory = testFolder('lra-live-secrets-');
      const io = fakeIo();

      // act
      const code = await runCli(
        [
          'audit',
          '--region',
          'us-east-1',
          '--format',
          format,
          '--output',
          join(directory, `report.${format}`),
          '--snapshot-out',
          join(directory, 'snapshot'),
          '--report-bucket',
          BUCKET,
          '--publish',
          TOPIC_ARN,
        ],
        io,
        live,
      );

      // assess
      expect(code).toBe(0);
      // --snapshot-out names a folder that receives auth-details.json and functions.json.
      const files = readdirSync(directory, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1));
      expect(files.sort()).toEqual(
        [
          `report.${format}`,
          'snapshot/auth-details.json',
          'snapshot/functions.json',
          'snapshot/resource-policies.json',
        ].sort(),
      );
      for (const file of files)
        expect(leakedCanaries(readFileSync(join(directory, file), 'utf8'))).toEqual([]);
      expect(readFileSync(join(directory, `report.${format}`), 'utf8')).toContain('canary-carrier');
      expect(leakedCanaries(io.out() + io.err())).toEqual([]);
      expect(leakedCanaries((await drain(queues.raw)).join(''))).toEqual([]);
      await drain(queues.enveloped);

      // The saved snapshot still flags the same variables when audited offline, from markers alone.
      const offline = fakeIo();
      await runCli(
        [
          'audit',
          '--auth-details',
          join(directory, 'snapshot', 'auth-details.json'),
          '--functions',
          join(directory, 'snapshot', 'functions.json'),
          '--format',
          'json',
        ],
        offline,
      );
      const report = JSON.parse(offline.out()) as AuditReport;
      const carrier = functionFindings(report, 'secrets-in-environment').find(
        (finding) => finding.functionName === 'canary-carrier',
      );
      expect(carrier?.evidence.flatMap((evidence) => evidence.variables).sort()).toEqual(
        [...SECRET_VARIABLE_NAMES].sort(),
      );
      expect(leakedCanaries(offline.out() + offline.err())).toEqual([]);
    },
    120_000,
  );
});
