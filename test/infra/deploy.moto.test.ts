import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArtifact } from '../../scripts/build.js';
import { type DeployClients, type DeployOptions, deploy } from '../../scripts/deploy.js';
import {
  awsTestEnv,
  MOTO_ACCOUNT_ID,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
} from '../../tools/moto.js';

const region = 'us-east-1';
const execFileAsync = promisify(execFile);
const noWait = { pollIntervalMs: 0, sleep: async () => {} };

describe('deploy against the AWS emulator', () => {
  let moto: MotoServer;
  let workDirectory: string;
  let zipPath: string;
  let clients: DeployClients;
  const config = () => ({ endpoint: moto.endpoint, region, credentials: TEST_CREDENTIALS });

  /** Describes an EventBridge rule (no EventBridge client is installed; the JSON protocol is simple). */
  async function describeRule(name: string): Promise<{ ScheduleExpression?: string; State?: string }> {
    const response = await fetch(moto.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSEvents.DescribeRule',
        Authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/${region}/events/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ Name: name }),
    });
    if (!response.ok)
      throw new Error(`DescribeRule ${name}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { ScheduleExpression?: string; State?: string };
  }

  async function physicalId(stackName: string, logicalId: string): Promise<string> {
    // ListStackResources rather than DescribeStackResource, which the emulator answers with HTTP 500.
    const response = await new CloudFormationClient(config()).send(
      new ListStackResourcesCommand({ StackName: stackName }),
    );
    const summary = response.StackResourceSummaries?.find(
      (resource) => resource.LogicalResourceId === logicalId,
    );
    if (!summary?.PhysicalResourceId) throw new Error(`Stack ${stackName} has no resource ${logicalId}`);
    return summary.PhysicalResourceId;
  }

  function options(stackName: string, parameters: Record<string, string>): DeployOptions {
    return {
      stackName,
      parameters,
      codeBucket: undefined,
      zipPath,
      templatePath: path.resolve('infra/template.yaml'),
      json: false,
    };
  }

  beforeAll(async () => {
    moto = await startMoto();
    workDirectory = await mkdtemp(path.join(tmpdir(), 'lambda-role-auditor-deploy-'));
    const entry = path.join(workDirectory, 'handler.ts');
    await writeFile(entry, 'export const handler = async () => ({ ok: true });\n');
    ({ zipPath } = await buildArtifact({ entry, outdir: path.join(workDirectory, 'dist') }));
    clients = {
      s3: new S3Client({ ...config(), forcePathStyle: true }),
      sts: new STSClient(config()),
      cloudFormation: new CloudFormationClient(config()),
    };
  });

  afterAll(async () => {
    await moto?.stop();
    if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
  });

  it('creates the stack: function on nodejs24.x with the stack role, schedule and encrypted topic', async () => {
    // prepare
    const lines: string[] = [];

    // act
    const result = await deploy(
      options('auditor', { Schedule: 'cron(0 4 * * ? *)', NotificationEmail: 'secops@example.com' }),
      clients,
      (line) => lines.push(line),
      noWait,
    );
    const lambda = new LambdaClient(config());
    const configuration = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: result.outputs.FunctionName }),
    );
    const concurrency = await lambda.send(
      new GetFunctionConcurrencyCommand({ FunctionName: result.outputs.FunctionName }),
    );
    const rule = await describeRule(await physicalId('auditor', 'ScheduleRule'));
    const topic = await new SNSClient(config()).send(
      new GetTopicAttributesCommand({ TopicArn: result.outputs.TopicArn }),
    );
    const iam = new IAMClient(config());
    const roleName = result.outputs.RoleArn?.split('/').at(-1);
    const role = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
    const artifact = await clients.s3.send(
      new HeadObjectCommand({ Bucket: result.codeBucket, Key: result.codeKey }),
    );

    // assess
    expect(result).toMatchObject({
      status: 'CREATE_COMPLETE',
      operation: 'create',
      account: MOTO_ACCOUNT_ID,
      region,
    });
    expect(result.codeBucket).toBe(`lambda-role-auditor-deploy-${MOTO_ACCOUNT_ID}-${region}`);
    expect(lines).toContain(`Created deployment bucket ${result.codeBucket}`);
    expect(artifact.ContentLength).toBeGreaterThan(0);
    expect(Object.keys(result.outputs).sort()).toEqual([
      'FunctionArn',
      'FunctionName',
      'ReportBucketName',
      'RoleArn',
      'TopicArn',
    ]);
    expect(configuration).toMatchObject({
      FunctionName: 'auditor-auditor',
      Runtime: 'nodejs24.x',
      Handler: 'handler.handler',
      Role: result.outputs.RoleArn,
      MemorySize: 512,
      Timeout: 900,
    });
    expect(configuration.Environment?.Variables).toEqual({
      TOPIC_ARN: result.outputs.TopicArn,
      REPORT_BUCKET: result.outputs.ReportBucketName,
      REGIONS: region,
      PUBLISH_WHEN: 'always',
      MIN_SEVERITY: 'info',
      COLLECTION: 'auto',
      USAGE: 'off',
      // moto passes the Number parameter through as a number; Lambda would hold the string "90".
      USAGE_DAYS: 90,
    });
    expect(concurrency.ReservedConcurrentExecutions).toBe(1);
    expect(rule).toMatchObject({ ScheduleExpression: 'cron(0 4 * * ? *)', State: 'ENABLED' });
    expect(topic.Attributes?.KmsMasterKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(role.Role?.AssumeRolePolicyDocument).toBeDefined();
    expect(attached.AttachedPolicies?.map((policy) => policy.PolicyName)).toEqual([
      'auditor-auditor-us-east-1',
    ]);
    expect(inline.PolicyNames).toEqual([]);
  });

  it('updates the stack when a parameter changes, and reuses the uploaded artifact', async () => {
    // prepare
    const first = await deploy(options('auditor-update', {}), clients, () => {}, noWait);
    const lines: string[] = [];

    // act
    const second = await deploy(
      options('auditor-update', { Schedule: 'rate(12 hours)', PublishWhen: 'changes' }),
      clients,
      (line) => lines.push(line),
      noWait,
    );
    const rule = await describeRule(await physicalId('auditor-update', 'ScheduleRule'));
    const configuration = await new LambdaClient(config()).send(
      new GetFunctionConfigurationCommand({ FunctionName: second.outputs.FunctionName }),
    );

    // assess
    expect(first.status).toBe('CREATE_COMPLETE');
    expect(second).toMatchObject({ status: 'UPDATE_COMPLETE', operation: 'update', stackId: first.stackId });
    expect(second.codeKey).toBe(first.codeKey);
    expect(lines.some((line) => line.includes('already uploaded'))).toBe(true);
    expect(rule.ScheduleExpression).toBe('rate(12 hours)');
    expect(configuration.Environment?.Variables?.PUBLISH_WHEN).toBe('changes');
    expect(configuration.Role).toBe(first.outputs.RoleArn);
  });

  it('deploys from the command line with only the standard AWS environment', async () => {
    // prepare: tsx keeps its cache in the temp folder, so the child gets this file's own
    const temporary = path.join(workDirectory, 'tmp');
    await mkdir(temporary, { recursive: true });
    const environment = {
      ...process.env,
      ...awsTestEnv(moto.endpoint),
      TMPDIR: temporary,
      TMP: temporary,
      TEMP: temporary,
    };

    // act
    const { stdout } = await execFileAsync(
      path.resolve('node_modules/.bin/tsx'),
      ['scripts/deploy.ts', '--stack-name', 'auditor-cli', '--zip', zipPath, '--regions', 'all', '--json'],
      { env: environment },
    );
    const result = JSON.parse(stdout) as { status: string; outputs: Record<string, string> };
    const configuration = await new LambdaClient(config()).send(
      new GetFunctionConfigurationCommand({ FunctionName: result.outputs.FunctionName }),
    );

    // assess
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.outputs.FunctionName).toBe('auditor-cli-auditor');
    expect(configuration.Environment?.Variables?.REGIONS).toBe('all');
  });
});
