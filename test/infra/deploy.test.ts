import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type ResourceStatus,
  type Stack,
  type StackEvent,
  type StackStatus,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DeployError,
  DeployUsageError,
  deploymentBucketName,
  deployStack,
  ensureDeploymentBucket,
  formatOutputsTable,
  parseDeployArguments,
  runDeploy,
  StackOperationError,
  uploadArtifact,
} from '../../scripts/deploy.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const s3Mock = mockClient(S3Client);
const stsMock = mockClient(STSClient);

const noWait = { pollIntervalMs: 0, sleep: async () => {} };
const stackId =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/audit/11111111-2222-3333-4444-555555555555';

function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

function stack(status: string, extra: Partial<Stack> = {}): Stack {
  return {
    StackId: stackId,
    StackName: 'audit',
    StackStatus: status as StackStatus,
    CreationTime: new Date('2026-01-01T00:00:00Z'),
    ...extra,
  };
}

function event(id: string, logicalId: string, status: string, reason?: string): StackEvent {
  return {
    EventId: id,
    StackId: stackId,
    StackName: 'audit',
    LogicalResourceId: logicalId,
    ResourceType: logicalId === 'audit' ? 'AWS::CloudFormation::Stack' : 'AWS::Lambda::Function',
    ResourceStatus: status as ResourceStatus,
    ...(reason ? { ResourceStatusReason: reason } : {}),
    Timestamp: new Date('2026-01-01T00:00:00Z'),
  };
}

const outputs = [
  { OutputKey: 'FunctionName', OutputValue: 'audit-auditor' },
  { OutputKey: 'TopicArn', OutputValue: 'arn:aws:sns:eu-west-1:123456789012:audit-Topic-X' },
];

let templateBody: string;

beforeAll(async () => {
  templateBody = await readFile(new URL('../../infra/template.yaml', import.meta.url), 'utf8');
});

beforeEach(() => {
  cloudFormationMock.reset();
  s3Mock.reset();
  stsMock.reset();
});

describe('parseDeployArguments', () => {
  it('maps the named options to template parameters', () => {
    // prepare
    const argv = [
      '--stack-name',
      'audit',
      '--email',
      'secops@example.com',
      '--regions',
      'eu-west-1, us-east-1',
      '--schedule',
      'rate(1 day)',
      '--publish-when',
      'changes',
      '--existing-topic-arn',
      'arn:aws:sns:eu-west-1:999999999999:central',
      '--parameter',
      'MemorySize=1024',
      '--json',
    ];

    // act
    const options = parseDeployArguments(argv);

    // assess
    expect(options).toMatchObject({
      stackName: 'audit',
      json: true,
      codeBucket: undefined,
      parameters: {
        NotificationEmail: 'secops@example.com',
        Regions: 'eu-west-1,us-east-1',
        Schedule: 'rate(1 day)',
        PublishWhen: 'changes',
        ExistingTopicArn: 'arn:aws:sns:eu-west-1:999999999999:central',
        MemorySize: '1024',
      },
    });
  });

  it.each([
    { argv: [], message: '--stack-name is required' },
    { argv: ['--stack-name', '1audit'], message: 'must start with a letter' },
    { argv: ['--stack-name', `a${'b'.repeat(56)}`], message: 'at most 56 characters' },
    {
      argv: ['--stack-name', 'audit', '--publish-when', 'sometimes'],
      message: '--publish-when must be one of',
    },
    { argv: ['--stack-name', 'audit', '--parameter', 'MemorySize'], message: 'is not KEY=VALUE' },
    {
      argv: ['--stack-name', 'audit', '--parameter', 'CodeKey=x.zip'],
      message: 'CodeKey is set by the deploy',
    },
    { argv: ['--stack-name', 'audit', '--bogus'], message: "Unknown option '--bogus'" },
    { argv: ['--stack-name', 'audit', 'extra'], message: 'Unexpected argument' },
  ])('rejects $argv', ({ argv, message }) => {
    // prepare / act
    const parse = () => parseDeployArguments(argv);

    // assess
    expect(parse).toThrow(DeployUsageError);
    expect(parse).toThrow(message);
  });
});

describe('ensureDeploymentBucket', () => {
  it('names the bucket after account and region', () => {
    // prepare / act
    const name = deploymentBucketName('123456789012', 'eu-west-1');

    // assess
    expect(name).toBe('lambda-role-auditor-deploy-123456789012-eu-west-1');
  });

  it('leaves an existing bucket of the account alone', async () => {
    // prepare
    s3Mock.on(HeadBucketCommand).resolves({});

    // act
    const outcome = await ensureDeploymentBucket(
      new S3Client({ region: 'eu-west-1' }),
      { bucket: 'b', region: 'eu-west-1', account: '123456789012' },
      () => {},
    );

    // assess
    expect(outcome).toBe('existing');
    expect(s3Mock.commandCalls(HeadBucketCommand)[0]?.args[0].input).toEqual({
      Bucket: 'b',
      ExpectedBucketOwner: '123456789012',
    });
    expect(s3Mock.commandCalls(CreateBucketCommand)).toHaveLength(0);
  });

  it.each([
    {
      region: 'eu-west-1',
      configuration: { CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } },
    },
    { region: 'us-east-1', configuration: {} },
  ])('creates a missing bucket in $region and blocks public access', async ({ region, configuration }) => {
    // prepare
    s3Mock.on(HeadBucketCommand).rejects(awsError('NotFound', '', 404));
    s3Mock.on(CreateBucketCommand).resolves({});
    s3Mock.on(PutPublicAccessBlockCommand).resolves({});

    // act
    const outcome = await ensureDeploymentBucket(
      new S3Client({ region }),
      { bucket: 'b', region, account: '123456789012' },
      () => {},
    );

    // assess
    expect(outcome).toBe('created');
    expect(s3Mock.commandCalls(CreateBucketCommand)[0]?.args[0].input).toEqual({
      Bucket: 'b',
      ...configuration,
    });
    expect(
      s3Mock.commandCalls(PutPublicAccessBlockCommand)[0]?.args[0].input.PublicAccessBlockConfiguration,
    ).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('refuses a bucket that belongs to someone else', async () => {
    // prepare
    s3Mock.on(HeadBucketCommand).rejects(awsError('Forbidden', '', 403));

    // act
    const ensure = ensureDeploymentBucket(
      new S3Client({ region: 'eu-west-1' }),
      { bucket: 'b', region: 'eu-west-1', account: '123456789012' },
      () => {},
    );

    // assess
    await expect(ensure).rejects.toThrow('exists but is not usable by account 123456789012');
    expect(s3Mock.commandCalls(CreateBucketCommand)).toHaveLength(0);
  });
});

describe('uploadArtifact', () => {
  let directory: string;
  let zipPath: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'lambda-role-auditor-upload-'));
    zipPath = path.join(directory, 'lambda.zip');
    await writeFile(zipPath, 'abc');
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('uploads the zip under its SHA-256', async () => {
    // prepare
    s3Mock.on(HeadObjectCommand).rejects(awsError('NotFound', '', 404));
    s3Mock.on(PutObjectCommand).resolves({});

    // act
    const result = await uploadArtifact(
      new S3Client({ region: 'eu-west-1' }),
      { bucket: 'b', account: '123456789012', zipPath },
      () => {},
    );

    // assess
    const key = 'lambda-role-auditor/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.zip';
    expect(result).toEqual({ key, uploaded: true });
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'b',
      Key: key,
      ExpectedBucketOwner: '123456789012',
      ChecksumSHA256: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=',
    });
  });

  it('does not upload the same content twice', async () => {
    // prepare
    s3Mock.on(HeadObjectCommand).resolves({});

    // act
    const result = await uploadArtifact(
      new S3Client({ region: 'eu-west-1' }),
      { bucket: 'b', account: '123456789012', zipPath },
      () => {},
    );

    // assess
    expect(result.uploaded).toBe(false);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('deployStack', () => {
  const client = () => new CloudFormationClient({ region: 'eu-west-1' });
  const request = () => ({
    stackName: 'audit',
    templateBody,
    parameters: { CodeBucket: 'code-bucket', CodeKey: 'new.zip' },
  });

  it('creates a missing stack with named-IAM capability and waits for it', async () => {
    // prepare
    const lines: string[] = [];
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: 'audit' })
      .rejects(awsError('ValidationError', 'Stack with id audit does not exist', 400));
    cloudFormationMock.on(CreateStackCommand).resolves({ StackId: stackId });
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [event('e2', 'Function', 'CREATE_COMPLETE'), event('e1', 'audit', 'CREATE_IN_PROGRESS')],
    });
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: stackId })
      .resolvesOnce({ Stacks: [stack('CREATE_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('CREATE_COMPLETE', { Outputs: outputs })] });

    // act
    const deployment = await deployStack(client(), request(), (line) => lines.push(line), noWait);

    // assess
    expect(deployment).toEqual({
      stackId,
      status: 'CREATE_COMPLETE',
      operation: 'create',
      outputs: {
        FunctionName: 'audit-auditor',
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:audit-Topic-X',
      },
    });
    expect(cloudFormationMock.commandCalls(CreateStackCommand)[0]?.args[0].input).toMatchObject({
      StackName: 'audit',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [
        { ParameterKey: 'CodeBucket', ParameterValue: 'code-bucket' },
        { ParameterKey: 'CodeKey', ParameterValue: 'new.zip' },
      ],
    });
    // Each event is printed once although the stack was polled twice.
    expect(lines.filter((line) => line.includes('CREATE_COMPLETE'))).toHaveLength(1);
    expect(lines.findIndex((line) => line.includes('CREATE_IN_PROGRESS'))).toBeLessThan(
      lines.findIndex((line) => line.includes('CREATE_COMPLETE')),
    );
  });

  it('updates an existing stack, keeping the current value of parameters not given', async () => {
    // prepare
    cloudFormationMock.on(DescribeStacksCommand, { StackName: 'audit' }).resolves({
      Stacks: [
        stack('UPDATE_COMPLETE', {
          Parameters: [
            { ParameterKey: 'CodeBucket', ParameterValue: 'code-bucket' },
            { ParameterKey: 'CodeKey', ParameterValue: 'old.zip' },
            { ParameterKey: 'NotificationEmail', ParameterValue: 'secops@example.com' },
            { ParameterKey: 'RemovedFromTemplate', ParameterValue: 'x' },
          ],
        }),
      ],
    });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [event('old', 'audit', 'UPDATE_COMPLETE')] })
      .resolves({
        StackEvents: [event('new', 'audit', 'UPDATE_COMPLETE'), event('old', 'audit', 'UPDATE_COMPLETE')],
      });
    cloudFormationMock.on(UpdateStackCommand).resolves({ StackId: stackId });
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: stackId })
      .resolves({ Stacks: [stack('UPDATE_COMPLETE', { Outputs: outputs })] });

    // act
    const deployment = await deployStack(client(), request(), () => {}, noWait);

    // assess
    expect(deployment.operation).toBe('update');
    expect(cloudFormationMock.commandCalls(UpdateStackCommand)[0]?.args[0].input).toMatchObject({
      StackName: stackId,
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [
        { ParameterKey: 'CodeBucket', ParameterValue: 'code-bucket' },
        { ParameterKey: 'CodeKey', ParameterValue: 'new.zip' },
        { ParameterKey: 'NotificationEmail', ParameterValue: 'secops@example.com' },
      ],
    });
  });

  it('treats "No updates are to be performed" as success', async () => {
    // prepare
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: 'audit' })
      .resolves({ Stacks: [stack('CREATE_COMPLETE', { Outputs: outputs })] });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolves({ StackEvents: [event('e1', 'audit', 'CREATE_COMPLETE')] });
    cloudFormationMock
      .on(UpdateStackCommand)
      .rejects(awsError('ValidationError', 'No updates are to be performed.', 400));

    // act
    const deployment = await deployStack(client(), request(), () => {}, noWait);

    // assess
    expect(deployment).toMatchObject({ operation: 'none', status: 'CREATE_COMPLETE' });
    expect(deployment.outputs.FunctionName).toBe('audit-auditor');
  });

  it('reports the failed resources of a rolled-back update', async () => {
    // prepare
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: 'audit' })
      .resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [event('before', 'Function', 'CREATE_FAILED', 'an older failure')] })
      .resolves({
        StackEvents: [
          event('e3', 'audit', 'UPDATE_ROLLBACK_COMPLETE'),
          event(
            'e2',
            'Function',
            'UPDATE_FAILED',
            'Resource handler returned message: "Error occurred while GetObject"',
          ),
          event('e1', 'audit', 'UPDATE_IN_PROGRESS', 'User Initiated'),
          event('before', 'Function', 'CREATE_FAILED', 'an older failure'),
        ],
      });
    cloudFormationMock.on(UpdateStackCommand).resolves({ StackId: stackId });
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: stackId })
      .resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE')] });

    // act
    const failure = await deployStack(client(), request(), () => {}, noWait).catch((error: unknown) => error);

    // assess
    expect(failure).toBeInstanceOf(StackOperationError);
    expect((failure as StackOperationError).status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((failure as StackOperationError).failures).toEqual([
      {
        logicalResourceId: 'Function',
        resourceType: 'AWS::Lambda::Function',
        resourceStatus: 'UPDATE_FAILED',
        reason: 'Resource handler returned message: "Error occurred while GetObject"',
      },
    ]);
  });

  it('deletes a stack left in ROLLBACK_COMPLETE by a failed creation, then creates it again', async () => {
    // prepare
    const oldId = `${stackId}-old`;
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: 'audit' })
      .resolves({ Stacks: [stack('ROLLBACK_COMPLETE', { StackId: oldId })] });
    cloudFormationMock.on(DescribeStacksCommand, { StackName: oldId }).resolves({
      Stacks: [stack('DELETE_COMPLETE', { StackId: oldId })],
    });
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cloudFormationMock.on(DeleteStackCommand).resolves({});
    cloudFormationMock.on(CreateStackCommand).resolves({ StackId: stackId });
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: stackId })
      .resolves({ Stacks: [stack('CREATE_COMPLETE')] });

    // act
    const deployment = await deployStack(client(), request(), () => {}, noWait);

    // assess
    expect(deployment.operation).toBe('create');
    expect(cloudFormationMock.commandCalls(DeleteStackCommand)[0]?.args[0].input).toEqual({
      StackName: oldId,
    });
    expect(cloudFormationMock.commandCalls(CreateStackCommand)).toHaveLength(1);
  });

  it.each([
    { status: 'UPDATE_IN_PROGRESS', message: 'is busy (UPDATE_IN_PROGRESS)' },
    { status: 'REVIEW_IN_PROGRESS', message: 'only has pending change sets' },
  ])('refuses to touch a stack in $status', async ({ status, message }) => {
    // prepare
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: 'audit' })
      .resolves({ Stacks: [stack(status)] });

    // act
    const deploying = deployStack(client(), request(), () => {}, noWait);

    // assess
    await expect(deploying).rejects.toThrow(message);
    expect(cloudFormationMock.commandCalls(UpdateStackCommand)).toHaveLength(0);
  });

  it('rejects a parameter the template does not declare', async () => {
    // prepare
    const withUnknown = { ...request(), parameters: { ...request().parameters, Colour: 'blue' } };

    // act
    const deploying = deployStack(client(), withUnknown, () => {}, noWait);

    // assess
    await expect(deploying).rejects.toThrow('The template has no parameter Colour');
    expect(cloudFormationMock.calls()).toHaveLength(0);
  });

  it('passes on the reason when CloudFormation refuses the request', async () => {
    // prepare
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: 'audit' })
      .rejects(awsError('ValidationError', 'Stack with id audit does not exist', 400));
    cloudFormationMock
      .on(CreateStackCommand)
      .rejects(
        awsError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]', 400),
      );

    // act
    const deploying = deployStack(client(), request(), () => {}, noWait);

    // assess
    await expect(deploying).rejects.toThrow(new DeployError('Requires capabilities : [CAPABILITY_IAM]'));
  });
});

describe('formatOutputsTable', () => {
  it('aligns keys and values under a header', () => {
    // prepare / act
    const table = formatOutputsTable({ FunctionName: 'audit-auditor', RoleArn: 'arn:aws:iam::1:role/r' });

    // assess
    expect(table.split('\n')).toEqual([
      'Output        Value',
      '------------  ---------------------',
      'FunctionName  audit-auditor',
      'RoleArn       arn:aws:iam::1:role/r',
    ]);
  });
});

describe('runDeploy', () => {
  let directory: string;
  let zipPath: string;
  let stdout: string[];
  let stderr: string[];
  const clients = () => ({
    s3: new S3Client({ region: 'eu-west-1' }),
    sts: new STSClient({ region: 'eu-west-1' }),
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
  });
  const run = (argv: string[]) =>
    runDeploy(argv, {
      clients,
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
      waitSettings: noWait,
    });

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'lambda-role-auditor-run-'));
    zipPath = path.join(directory, 'lambda.zip');
    await writeFile(zipPath, 'zip');
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  beforeEach(() => {
    stdout = [];
    stderr = [];
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(HeadObjectCommand).resolves({});
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: 'audit' })
      .rejects(awsError('ValidationError', 'Stack with id audit does not exist', 400));
    cloudFormationMock.on(CreateStackCommand).resolves({ StackId: stackId });
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event('e2', 'Function', 'CREATE_FAILED', 'Runtime nodejs24.x is not supported'),
        event('e1', 'audit', 'CREATE_IN_PROGRESS'),
      ],
    });
  });

  it('exits 2 with one line naming the problem on a bad command line', async () => {
    // prepare / act
    const exitCode = await run(['--stack-name']);

    // assess
    expect(exitCode).toBe(2);
    expect(stderr).toEqual(["deploy: Option '--stack-name <value>' argument missing; see --help"]);
  });

  it('prints the usage text for --help', async () => {
    // prepare / act
    const exitCode = await run(['--help']);

    // assess
    expect(exitCode).toBe(0);
    expect(stdout.join('\n')).toContain('--existing-topic-arn ARN');
  });

  it('tells to build first when the zip is missing', async () => {
    // prepare / act
    const exitCode = await run(['--stack-name', 'audit', '--zip', path.join(directory, 'absent.zip')]);

    // assess
    expect(exitCode).toBe(1);
    expect(stderr.join('\n')).toContain('absent.zip does not exist: run `npm run build` first');
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('prints the outputs as a table after a successful deploy', async () => {
    // prepare
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: stackId })
      .resolves({ Stacks: [stack('CREATE_COMPLETE', { Outputs: outputs })] });

    // act
    const exitCode = await run(['--stack-name', 'audit', '--zip', zipPath]);

    // assess
    expect(exitCode).toBe(0);
    expect(stdout.join('\n')).toMatch(/^FunctionName +audit-auditor$/m);
    expect(stderr).toContain('Stack audit: CREATE_COMPLETE');
  });

  it('prints machine-readable JSON with --json', async () => {
    // prepare
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: stackId })
      .resolves({ Stacks: [stack('CREATE_COMPLETE', { Outputs: outputs })] });

    // act
    const exitCode = await run(['--stack-name', 'audit', '--zip', zipPath, '--json']);

    // assess
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout.join('\n'))).toMatchObject({
      stackName: 'audit',
      status: 'CREATE_COMPLETE',
      operation: 'create',
      account: '123456789012',
      region: 'eu-west-1',
      codeBucket: 'lambda-role-auditor-deploy-123456789012-eu-west-1',
      codeKey: expect.stringMatching(/^lambda-role-auditor\/[0-9a-f]{64}\.zip$/),
      outputs: { FunctionName: 'audit-auditor' },
    });
  });

  it('prints the failed resources and exits 1 when the stack rolls back', async () => {
    // prepare
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: stackId })
      .resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });

    // act
    const exitCode = await run(['--stack-name', 'audit', '--zip', zipPath]);

    // assess
    expect(exitCode).toBe(1);
    expect(stderr).toContain('Deploy failed: Stack audit create failed: ROLLBACK_COMPLETE');
    expect(stderr).toContain(
      '  Function (AWS::Lambda::Function) CREATE_FAILED: Runtime nodejs24.x is not supported',
    );
  });
});
