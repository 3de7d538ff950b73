/**
 * Deploys the auditor: uploads `dist/lambda.zip` to a per-account deployment bucket, creates or updates the
 * CloudFormation stack from `infra/template.yaml`, waits for it and prints its outputs.
 *
 * Honours the standard AWS environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL), so the same command
 * deploys into a local emulator.
 */
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Parameter, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import type { BucketLocationConstraint } from '@aws-sdk/client-s3';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parseCloudFormationTemplate } from '../tools/cfn-yaml.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** CloudFormation refuses a TemplateBody above this size (a TemplateURL would be needed). */
const maximumTemplateBodyBytes = 51_200;

const usage = `Usage: npm run deploy -- --stack-name NAME [options]

  --stack-name NAME            stack to create or update (letters, digits, hyphens; at most 56 characters)
  --email ADDRESS              subscribe ADDRESS to the report topic ('' removes it)
  --regions LIST               regions to audit: comma list or 'all' (default: the stack's region)
  --schedule EXPR              EventBridge schedule, e.g. 'cron(0 3 * * ? *)' or 'rate(1 day)'
  --publish-when WHEN          always | findings | changes
  --min-severity SEVERITY      critical | high | medium | low | info
  --collection MODE            auto | bulk | per-role
  --existing-topic-arn ARN     publish to an existing (central) topic instead of creating one
  --existing-topic-key-arn ARN KMS key of that topic
  --parameter KEY=VALUE        any other template parameter (repeatable)
  --code-bucket NAME           bucket for the zip (default: lambda-role-auditor-deploy-<account>-<region>)
  --zip FILE                   artifact to deploy (default: dist/lambda.zip)
  --template FILE              template (default: infra/template.yaml)
  --json                       print the result as JSON on stdout (progress stays on stderr)
  --help                       show this text

Parameters not given keep their current value on update and their default on create.`;

const namedParameterOptions = {
  email: 'NotificationEmail',
  regions: 'Regions',
  schedule: 'Schedule',
  'publish-when': 'PublishWhen',
  'min-severity': 'MinSeverity',
  collection: 'Collection',
  'existing-topic-arn': 'ExistingTopicArn',
  'existing-topic-key-arn': 'ExistingTopicKeyArn',
} as const;

type NamedParameterOption = keyof typeof namedParameterOptions;

const allowedValues: Partial<Record<NamedParameterOption, readonly string[]>> = {
  'publish-when': ['always', 'findings', 'changes'],
  'min-severity': ['critical', 'high', 'medium', 'low', 'info'],
  collection: ['auto', 'bulk', 'per-role'],
};

export interface DeployOptions {
  stackName: string;
  /** Template parameters given on the command line (CodeBucket and CodeKey are added by the deploy). */
  parameters: Record<string, string>;
  codeBucket: string | undefined;
  zipPath: string;
  templatePath: string;
  json: boolean;
}

export interface DeployClients {
  s3: S3Client;
  sts: STSClient;
  cloudFormation: CloudFormationClient;
}

export type StackOperation = 'create' | 'update' | 'none';

export interface StackDeployment {
  stackId: string;
  status: string;
  operation: StackOperation;
  outputs: Record<string, string>;
}

export interface DeployResult extends StackDeployment {
  stackName: string;
  account: string;
  region: string;
  codeBucket: string;
  codeKey: string;
}

export interface WaitSettings {
  /** Pause between two polls of the stack status. */
  pollIntervalMs: number;
  /** Give up waiting after this long (the stack operation itself goes on). */
  timeoutMs: number;
  sleep: (milliseconds: number) => Promise<void>;
}

/** A failed resource event of the current stack operation. */
export interface StackFailure {
  logicalResourceId: string;
  resourceType: string;
  resourceStatus: string;
  reason: string;
}

/** Raised for a bad command line (exit code 2). */
export class DeployUsageError extends Error {
  override name = 'DeployUsageError';
}

/** Raised when a deployment step fails (exit code 1). */
export class DeployError extends Error {
  override name = 'DeployError';
}

/** Raised when the stack operation ends in a failed or rolled-back state; carries the failed events. */
export class StackOperationError extends DeployError {
  override name = 'StackOperationError';
  constructor(
    message: string,
    readonly status: string,
    readonly failures: StackFailure[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const defaultWaitSettings: WaitSettings = {
  pollIntervalMs: 5_000,
  timeoutMs: 45 * 60_000,
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/**
 * Parses the deploy command line into options; throws {@link DeployUsageError} on anything invalid.
 *
 * @example
 * parseDeployArguments(['--stack-name', 'auditor', '--email', 'secops@example.com']);
 */
export function parseDeployArguments(argv: readonly string[]): DeployOptions | 'help' {
  let values: ReturnType<typeof parseDeployArgv>['values'];
  try {
    ({ values } = parseDeployArgv(argv));
  } catch (error) {
    throw new DeployUsageError((error as Error).message, { cause: error });
  }
  if (values.help) return 'help';

  const stackName = values['stack-name'];
  if (!stackName) throw new DeployUsageError('--stack-name is required');
  // The function is named `<stack>-auditor` and Lambda function names have at most 64 characters.
  if (!/^[A-Za-z][A-Za-z0-9-]{0,55}$/.test(stackName)) {
    throw new DeployUsageError(
      `--stack-name ${JSON.stringify(stackName)} must start with a letter, contain only letters, digits and hyphens, and have at most 56 characters`,
    );
  }

  const parameters: Record<string, string> = {};
  for (const assignment of values.parameter ?? []) {
    const separator = assignment.indexOf('=');
    if (separator < 1)
      throw new DeployUsageError(`--parameter ${JSON.stringify(assignment)} is not KEY=VALUE`);
    parameters[assignment.slice(0, separator)] = assignment.slice(separator + 1);
  }
  for (const [option, parameterKey] of Object.entries(namedParameterOptions) as [
    NamedParameterOption,
    string,
  ][]) {
    const value = values[option];
    if (value === undefined) continue;
    const allowed = allowedValues[option];
    if (allowed && !allowed.includes(value)) {
      throw new DeployUsageError(
        `--${option} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`,
      );
    }
    parameters[parameterKey] = option === 'regions' ? value.replace(/\s+/g, '') : value;
  }
  for (const reserved of ['CodeBucket', 'CodeKey']) {
    if (Object.hasOwn(parameters, reserved)) {
      throw new DeployUsageError(
        `${reserved} is set by the deploy itself (use --code-bucket for the bucket)`,
      );
    }
  }

  return {
    stackName,
    parameters,
    codeBucket: values['code-bucket'],
    zipPath: path.resolve(values.zip ?? path.join(repositoryRoot, 'dist', 'lambda.zip')),
    templatePath: path.resolve(values.template ?? path.join(repositoryRoot, 'infra', 'template.yaml')),
    json: values.json ?? false,
  };
}

function parseDeployArgv(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'stack-name': { type: 'string' },
      email: { type: 'string' },
      regions: { type: 'string' },
      schedule: { type: 'string' },
      'publish-when': { type: 'string' },
      'min-severity': { type: 'string' },
      collection: { type: 'string' },
      'existing-topic-arn': { type: 'string' },
      'existing-topic-key-arn': { type: 'string' },
      parameter: { type: 'string', multiple: true },
      'code-bucket': { type: 'string' },
      zip: { type: 'string' },
      template: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * Name of the per-account, per-region bucket that holds deployment artifacts.
 *
 * @example
 * deploymentBucketName('123456789012', 'eu-west-1'); // 'lambda-role-auditor-deploy-123456789012-eu-west-1'
 */
export function deploymentBucketName(account: string, region: string): string {
  return `lambda-role-auditor-deploy-${account}-${region}`;
}

/**
 * Returns the account id of the caller's credentials.
 *
 * @example
 * const account = await resolveAccount(new STSClient({}));
 */
export async function resolveAccount(sts: STSClient): Promise<string> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new DeployError('STS GetCallerIdentity returned no account');
    return identity.Account;
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError(`Cannot resolve the AWS account (check credentials): ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/**
 * Makes sure the deployment bucket exists and belongs to the account, creating it (private) when absent.
 *
 * @example
 * await ensureDeploymentBucket(s3, { bucket, region: 'eu-west-1', account: '123456789012' }, console.error);
 */
export async function ensureDeploymentBucket(
  s3: S3Client,
  target: { bucket: string; region: string; account: string },
  log: (line: string) => void,
): Promise<'existing' | 'created'> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: target.bucket, ExpectedBucketOwner: target.account }));
    return 'existing';
  } catch (error) {
    if (httpStatusOf(error) !== 404) {
      throw new DeployError(
        `Deployment bucket ${target.bucket} exists but is not usable by account ${target.account} (${messageOf(error)})`,
        { cause: error },
      );
    }
  }
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: target.bucket,
        ...(target.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: target.region as BucketLocationConstraint } }),
      }),
    );
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: target.bucket,
        ExpectedBucketOwner: target.account,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
  } catch (error) {
    throw new DeployError(`Cannot create deployment bucket ${target.bucket}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  log(`Created deployment bucket ${target.bucket}`);
  return 'created';
}

/**
 * Uploads the zip under a key derived from its SHA-256, skipping the upload when that key already exists;
 * a content-addressed key makes CloudFormation update the function exactly when the code changed.
 *
 * @example
 * const { key } = await uploadArtifact(s3, { bucket, account, zipPath: 'dist/lambda.zip' }, console.error);
 */
export async function uploadArtifact(
  s3: S3Client,
  target: { bucket: string; account: string; zipPath: string },
  log: (line: string) => void,
): Promise<{ key: string; uploaded: boolean }> {
  const body = await readFile(target.zipPath);
  const digest = createHash('sha256').update(body).digest();
  const key = `lambda-role-auditor/${digest.toString('hex')}.zip`;
  try {
    await s3.send(
      new HeadObjectCommand({ Bucket: target.bucket, Key: key, ExpectedBucketOwner: target.account }),
    );
    log(`Artifact s3://${target.bucket}/${key} already uploaded`);
    return { key, uploaded: false };
  } catch (error) {
    if (httpStatusOf(error) !== 404) {
      throw new DeployError(`Cannot check s3://${target.bucket}/${key}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/zip',
        ChecksumSHA256: digest.toString('base64'),
        ExpectedBucketOwner: target.account,
      }),
    );
  } catch (error) {
    throw new DeployError(
      `Cannot upload ${target.zipPath} to s3://${target.bucket}/${key}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  log(`Uploaded ${path.basename(target.zipPath)} (${body.length} bytes) to s3://${target.bucket}/${key}`);
  return { key, uploaded: true };
}

/**
 * Creates the stack, or updates it when it exists, then waits for the operation to finish.
 * "No updates are to be performed" counts as success; a failed or rolled-back operation throws
 * {@link StackOperationError} with the failed resource events.
 *
 * @example
 * const deployment = await deployStack(cloudFormation, { stackName, templateBody, parameters }, console.error);
 */
export async function deployStack(
  cloudFormation: CloudFormationClient,
  request: { stackName: string; templateBody: string; parameters: Record<string, string> },
  log: (line: string) => void,
  waitSettings: Partial<WaitSettings> = {},
): Promise<StackDeployment> {
  const wait = { ...defaultWaitSettings, ...waitSettings };
  if (Buffer.byteLength(request.templateBody) > maximumTemplateBodyBytes) {
    throw new DeployError(
      `The template is larger than CloudFormation's ${maximumTemplateBodyBytes}-byte body limit`,
    );
  }
  const templateParameters = new Set(
    Object.keys((parseCloudFormationTemplate(request.templateBody).Parameters as object | undefined) ?? {}),
  );
  for (const key of Object.keys(request.parameters)) {
    if (!templateParameters.has(key)) throw new DeployError(`The template has no parameter ${key}`);
  }

  let existing = await describeStack(cloudFormation, request.stackName);
  if (existing?.StackStatus === 'ROLLBACK_COMPLETE') {
    // A stack whose creation rolled back can only be deleted; doing it here lets a corrected deploy go on.
    log(`Stack ${request.stackName} is in ROLLBACK_COMPLETE after a failed creation: deleting it first`);
    await cloudFormation.send(new DeleteStackCommand({ StackName: existing.StackId }));
    const deleted = await waitForStack(
      cloudFormation,
      existing.StackId!,
      await newestEventId(cloudFormation, existing.StackId!),
      log,
      wait,
    );
    if (deleted.StackStatus !== 'DELETE_COMPLETE') {
      throw new DeployError(`Could not delete stack ${request.stackName} (status ${deleted.StackStatus})`);
    }
    existing = undefined;
  }
  if (existing?.StackStatus === 'REVIEW_IN_PROGRESS') {
    throw new DeployError(
      `Stack ${request.stackName} only has pending change sets; delete it or execute them`,
    );
  }
  if (existing?.StackStatus?.endsWith('_IN_PROGRESS')) {
    throw new DeployError(
      `Stack ${request.stackName} is busy (${existing.StackStatus}); wait for the current operation to finish`,
    );
  }

  const common = {
    TemplateBody: request.templateBody,
    Capabilities: ['CAPABILITY_NAMED_IAM' as const],
    Tags: [{ Key: 'application', Value: 'lambda-role-auditor' }],
  };
  if (!existing) {
    log(`Creating stack ${request.stackName}`);
    const created = await sendStackRequest(() =>
      cloudFormation.send(
        new CreateStackCommand({
          ...common,
          StackName: request.stackName,
          Parameters: toParameterList(request.parameters),
        }),
      ),
    );
    const final = await waitForStack(cloudFormation, created.StackId!, undefined, log, wait);
    return finish(cloudFormation, final, 'create', undefined);
  }

  const stackId = existing.StackId!;
  const marker = await newestEventId(cloudFormation, stackId);
  // Parameters not given keep their current value, so a deploy without --email keeps the subscription.
  // The value is passed explicitly (UsePreviousValue only for masked NoEcho values): same effect, and
  // emulators that track only explicitly passed parameters handle it too.
  const previous = (existing.Parameters ?? [])
    .filter(
      ({ ParameterKey: key }) =>
        key && templateParameters.has(key) && !Object.hasOwn(request.parameters, key),
    )
    .map(
      ({ ParameterKey, ParameterValue }): Parameter =>
        ParameterValue === undefined || ParameterValue === '****'
          ? { ParameterKey, UsePreviousValue: true }
          : { ParameterKey, ParameterValue },
    );
  log(`Updating stack ${request.stackName}`);
  try {
    await sendStackRequest(() =>
      cloudFormation.send(
        new UpdateStackCommand({
          ...common,
          StackName: stackId,
          Parameters: [...toParameterList(request.parameters), ...previous],
        }),
      ),
    );
  } catch (error) {
    if (error instanceof DeployError && /No updates are to be performed/i.test(error.message)) {
      log(`Stack ${request.stackName} is up to date`);
      return finish(cloudFormation, existing, 'none', marker);
    }
    throw error;
  }
  const final = await waitForStack(cloudFormation, stackId, marker, log, wait);
  return finish(cloudFormation, final, 'update', marker);
}

async function finish(
  cloudFormation: CloudFormationClient,
  stack: Stack,
  operation: StackOperation,
  marker: string | undefined,
): Promise<StackDeployment> {
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (operation !== 'none' && status !== 'CREATE_COMPLETE' && status !== 'UPDATE_COMPLETE') {
    const failures = await failedEvents(cloudFormation, stack.StackId!, marker);
    throw new StackOperationError(
      `Stack ${stack.StackName} ${operation} failed: ${status}`,
      status,
      failures,
    );
  }
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey) outputs[output.OutputKey] = output.OutputValue ?? '';
  }
  return { stackId: stack.StackId!, status, operation, outputs };
}

async function sendStackRequest<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new DeployError(messageOf(error), { cause: error });
  }
}

function toParameterList(parameters: Record<string, string>): Parameter[] {
  return Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

async function describeStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<Stack | undefined> {
  try {
    const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return response.Stacks?.[0];
  } catch (error) {
    if (/does not exist/i.test(messageOf(error))) return undefined;
    throw new DeployError(`Cannot describe stack ${stackName}: ${messageOf(error)}`, { cause: error });
  }
}

/** Events newer than the marker, oldest first (the API returns newest first, paginated). */
async function eventsSince(
  cloudFormation: CloudFormationClient,
  stackId: string,
  marker: string | undefined,
): Promise<StackEvent[]> {
  const newestFirst: StackEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudFormation.send(
      new DescribeStackEventsCommand({ StackName: stackId, NextToken: nextToken }),
    );
    for (const event of page.StackEvents ?? []) {
      if (marker && event.EventId === marker) return newestFirst.reverse();
      newestFirst.push(event);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return newestFirst.reverse();
}

async function newestEventId(
  cloudFormation: CloudFormationClient,
  stackId: string,
): Promise<string | undefined> {
  const page = await cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackId }));
  return page.StackEvents?.[0]?.EventId;
}

async function failedEvents(
  cloudFormation: CloudFormationClient,
  stackId: string,
  marker: string | undefined,
): Promise<StackFailure[]> {
  const events = await eventsSince(cloudFormation, stackId, marker);
  return events
    .filter((event) => event.ResourceStatus?.endsWith('FAILED') && event.ResourceStatusReason)
    .map((event) => ({
      logicalResourceId: event.LogicalResourceId ?? '',
      resourceType: event.ResourceType ?? '',
      resourceStatus: event.ResourceStatus ?? '',
      reason: event.ResourceStatusReason ?? '',
    }));
}

async function waitForStack(
  cloudFormation: CloudFormationClient,
  stackId: string,
  marker: string | undefined,
  log: (line: string) => void,
  wait: WaitSettings,
): Promise<Stack> {
  let lastSeen = marker;
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const events = await eventsSince(cloudFormation, stackId, lastSeen);
    for (const event of events) log(formatEvent(event));
    lastSeen = events.at(-1)?.EventId ?? lastSeen;
    const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
    const stack = response.Stacks?.[0];
    if (!stack) throw new DeployError(`Stack ${stackId} disappeared while waiting for it`);
    if (!stack.StackStatus?.endsWith('_IN_PROGRESS')) return stack;
    if (Date.now() > deadline) {
      throw new DeployError(`Gave up waiting for stack ${stack.StackName} (still ${stack.StackStatus})`);
    }
    await wait.sleep(wait.pollIntervalMs);
  }
}

function formatEvent(event: StackEvent): string {
  const time = event.Timestamp ? event.Timestamp.toISOString().slice(11, 19) : '--:--:--';
  const reason = event.ResourceStatusReason ? `  ${event.ResourceStatusReason}` : '';
  return `${time}  ${(event.ResourceStatus ?? '').padEnd(20)} ${(event.ResourceType ?? '').padEnd(28)} ${event.LogicalResourceId ?? ''}${reason}`;
}

/**
 * Formats stack outputs as a two-column table.
 *
 * @example
 * formatOutputsTable({ FunctionName: 'audit-auditor' });
 */
export function formatOutputsTable(outputs: Record<string, string>): string {
  const rows: [string, string][] = [['Output', 'Value'], ...Object.entries(outputs)];
  const width = Math.max(...rows.map(([key]) => key.length));
  const lines = rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`);
  lines.splice(
    1,
    0,
    `${'-'.repeat(width)}  ${'-'.repeat(Math.max(5, ...rows.map(([, value]) => value.length)))}`,
  );
  return lines.join('\n');
}

/**
 * Runs every deployment step: checks the zip, resolves the account, ensures the bucket, uploads, deploys.
 *
 * @example
 * const result = await deploy(options, createDefaultClients(), (line) => process.stderr.write(`${line}\n`));
 */
export async function deploy(
  options: DeployOptions,
  clients: DeployClients,
  log: (line: string) => void,
  waitSettings: Partial<WaitSettings> = {},
): Promise<DeployResult> {
  try {
    await access(options.zipPath);
  } catch (error) {
    throw new DeployError(`${options.zipPath} does not exist: run \`npm run build\` first`, { cause: error });
  }
  let templateBody: string;
  try {
    templateBody = await readFile(options.templatePath, 'utf8');
  } catch (error) {
    throw new DeployError(`Cannot read template ${options.templatePath}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  let region: string;
  try {
    region = await clients.s3.config.region();
  } catch (error) {
    throw new DeployError(
      `No AWS region configured: set AWS_REGION or a profile region (${messageOf(error)})`,
      {
        cause: error,
      },
    );
  }
  const account = await resolveAccount(clients.sts);
  log(`Account ${account}, region ${region}`);
  const codeBucket = options.codeBucket ?? deploymentBucketName(account, region);
  await ensureDeploymentBucket(clients.s3, { bucket: codeBucket, region, account }, log);
  const { key: codeKey } = await uploadArtifact(
    clients.s3,
    { bucket: codeBucket, account, zipPath: options.zipPath },
    log,
  );
  const deployment = await deployStack(
    clients.cloudFormation,
    {
      stackName: options.stackName,
      templateBody,
      parameters: { ...options.parameters, CodeBucket: codeBucket, CodeKey: codeKey },
    },
    log,
    waitSettings,
  );
  return { ...deployment, stackName: options.stackName, account, region, codeBucket, codeKey };
}

/**
 * Creates the SDK clients from the standard AWS environment; S3 uses path-style addressing when a custom
 * endpoint (an emulator) is configured, since bucket subdomains do not resolve there.
 *
 * @example
 * const clients = createDefaultClients(process.env);
 */
export function createDefaultClients(environment: NodeJS.ProcessEnv = process.env): DeployClients {
  const customEndpoint = Boolean(environment.AWS_ENDPOINT_URL || environment.AWS_ENDPOINT_URL_S3);
  return {
    s3: new S3Client({ forcePathStyle: customEndpoint }),
    sts: new STSClient({}),
    cloudFormation: new CloudFormationClient({}),
  };
}

/**
 * Runs the deploy command line and returns the exit code: 0 deployed, 1 failed, 2 usage error.
 *
 * @example
 * process.exitCode = await runDeploy(process.argv.slice(2));
 */
export async function runDeploy(
  argv: readonly string[],
  dependencies: {
    clients?: () => DeployClients;
    stdout?: (text: string) => void;
    stderr?: (text: string) => void;
    waitSettings?: Partial<WaitSettings>;
  } = {},
): Promise<number> {
  const stdout = dependencies.stdout ?? ((text: string) => process.stdout.write(`${text}\n`));
  const stderr = dependencies.stderr ?? ((text: string) => process.stderr.write(`${text}\n`));
  let options: DeployOptions | 'help';
  try {
    options = parseDeployArguments(argv);
  } catch (error) {
    stderr(`${messageOf(error)}\n\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    stdout(usage);
    return 0;
  }
  try {
    const clients = (dependencies.clients ?? createDefaultClients)();
    const result = await deploy(options, clients, stderr, dependencies.waitSettings);
    if (options.json) {
      stdout(JSON.stringify(result, null, 2));
    } else {
      stderr(
        `Stack ${result.stackName}: ${result.status}${result.operation === 'none' ? ' (no changes)' : ''}`,
      );
      stdout(formatOutputsTable(result.outputs));
    }
    return 0;
  } catch (error) {
    stderr(`Deploy failed: ${messageOf(error)}`);
    if (error instanceof StackOperationError) {
      for (const failure of error.failures) {
        stderr(
          `  ${failure.logicalResourceId} (${failure.resourceType}) ${failure.resourceStatus}: ${failure.reason}`,
        );
      }
    }
    return 1;
  }
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runDeploy(process.argv.slice(2));
}
