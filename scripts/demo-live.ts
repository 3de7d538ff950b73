/**
 * `npm run demo:live`: the whole deployment flow without an AWS account. Starts the AWS emulator
 * (`moto_server`) on loopback, builds the Lambda artifact, deploys `infra/template.yaml` into the emulator,
 * subscribes an SQS queue to the report topic, seeds five misconfigured functions, invokes the built
 * handler in this process with a scheduled event (as Lambda would), and prints what the topic delivered.
 *
 * The helpers below are exported for the end-to-end test, which drives the same flow.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { InvocationSummary } from '../src/lambda/run.js';
import type { AuditReport } from '../src/model/report.js';
import { functionNameFromArn, parseArn } from '../src/policy/arn.js';
import { renderReport } from '../src/report/render.js';
import { createTinyFunction } from '../tools/functions.js';
import { awsTestEnv, MOTO_ACCOUNT_ID, type MotoServer, startMoto, TEST_CREDENTIALS } from '../tools/moto.js';
import { subscribeQueue as subscribeSqsQueue } from '../tools/sqs.js';
import { buildArtifact, formatBytes, parseBuildArguments } from './build.js';
import { type DeployClients, deploy, formatOutputsTable, parseDeployArguments } from './deploy.js';

const region = 'us-east-1';

/** Where to reach the emulator from an SDK client of this process. */
export interface EmulatorAccess {
  endpoint: string;
  region: string;
}

function clientConfig(access: EmulatorAccess) {
  return { endpoint: access.endpoint, region: access.region, credentials: TEST_CREDENTIALS };
}

/**
 * A scheduled event exactly as EventBridge sends it for the stack's rule.
 *
 * @example
 * scheduledEvent('arn:aws:events:us-east-1:123456789012:rule/demo-ScheduleRule-1A2B3C');
 */
export function scheduledEvent(ruleArn: string, time: Date = new Date()): ScheduledEvent {
  const parts = parseArn(ruleArn);
  const ruleRegion = parts?.region ?? region;
  const account = parts?.account ?? MOTO_ACCOUNT_ID;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: `${time.toISOString().slice(0, 19)}Z`,
    region: ruleRegion,
    resources: [ruleArn],
    detail: {},
  };
}

/**
 * The context Lambda passes to the handler of a deployed function, with the function's timeout as deadline.
 *
 * @example
 * const context = lambdaContext(configuration);
 */
export function lambdaContext(configuration: FunctionConfiguration, startedAt: number = Date.now()): Context {
  const deadline = startedAt + (configuration.Timeout ?? 900) * 1_000;
  const functionName = configuration.FunctionName ?? 'auditor';
  const logGroupName = configuration.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`;
  const unsupported = () => {
    throw new Error('The auditor handler is async: the callback-style context methods are not used');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: configuration.FunctionArn ?? '',
    memoryLimitInMB: String(configuration.MemorySize ?? 128),
    awsRequestId: randomUUID(),
    logGroupName,
    logStreamName: `${new Date(startedAt).toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * The environment Lambda gives the deployed function: its configured variables, the runtime's own
 * variables, and the emulator's endpoint with dummy credentials in place of the role's session.
 *
 * @example
 * const environment = lambdaEnvironment(configuration, moto.endpoint);
 */
export function lambdaEnvironment(
  configuration: FunctionConfiguration,
  endpoint: string,
): Record<string, string> {
  const functionName = configuration.FunctionName ?? 'auditor';
  // The runtime's variables come last: Lambda does not let a function's configuration override them.
  return {
    ...(configuration.Environment?.Variables ?? {}),
    ...awsTestEnv(endpoint),
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(configuration.MemorySize ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: configuration.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${configuration.Runtime ?? 'nodejs'}`,
  };
}

/** One invocation of the built handler: what it returned and the JSON log lines it wrote. */
export interface LocalInvocation {
  result: InvocationSummary;
  logLines: string[];
}

/** Raised when the built handler fails; its log lines are kept for the diagnosis. */
export class LocalInvocationError extends Error {
  override name = 'LocalInvocationError';
  constructor(
    message: string,
    readonly logLines: string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Imports the built bundle (`dist/handler.mjs`) and invokes its `handler` in this process with the given
 * environment in place for the duration of the call; the handler's stdout (its structured logs) is captured.
 *
 * @example
 * const { result } = await invokeBuiltHandler('dist/handler.mjs', { event, context, environment });
 */
export async function invokeBuiltHandler(
  bundlePath: string,
  invocation: { event: unknown; context: Context; environment: Record<string, string> },
): Promise<LocalInvocation> {
  const saved = new Map(Object.keys(invocation.environment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, invocation.environment);
  const output: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const logLines = () => output.join('').split('\n').filter(Boolean);
  try {
    const module = (await import(pathToFileURL(path.resolve(bundlePath)).href)) as {
      handler: (event: unknown, context: Context) => Promise<InvocationSummary>;
    };
    return { result: await module.handler(invocation.event, invocation.context), logLines: logLines() };
  } catch (error) {
    throw new LocalInvocationError(`The handler failed: ${(error as Error).message}`, logLines(), {
      cause: error,
    });
  } finally {
    process.stdout.write = write;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The physical id of a stack resource (ListStackResources: the emulator answers DescribeStackResource with HTTP 500). */
export async function stackResourceId(
  access: EmulatorAccess,
  stackName: string,
  logicalId: string,
): Promise<string> {
  const cloudFormation = new CloudFormationClient(clientConfig(access));
  const response = await cloudFormation.send(new ListStackResourcesCommand({ StackName: stackName }));
  cloudFormation.destroy();
  const id = response.StackResourceSummaries?.find(
    (resource) => resource.LogicalResourceId === logicalId,
  )?.PhysicalResourceId;
  if (!id) throw new Error(`Stack ${stackName} has no resource ${logicalId}`);
  return id;
}

/**
 * Describes an EventBridge rule through the JSON protocol directly (no EventBridge client is installed).
 *
 * @example
 * const rule = await describeScheduleRule(access, 'demo-ScheduleRule-1A2B3C');
 */
export async function describeScheduleRule(
  access: EmulatorAccess,
  name: string,
): Promise<{ Arn: string; ScheduleExpression?: string; State?: string }> {
  const response = await fetch(access.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSEvents.DescribeRule',
      Authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/${access.region}/events/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ Name: name }),
  });
  if (!response.ok) throw new Error(`DescribeRule ${name}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as { Arn: string; ScheduleExpression?: string; State?: string };
}

/** The deployed auditor function's configuration, as Lambda would run it. */
export async function functionConfiguration(
  access: EmulatorAccess,
  functionName: string,
): Promise<FunctionConfiguration> {
  const lambda = new LambdaClient(clientConfig(access));
  const configuration = await lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: functionName }),
  );
  lambda.destroy();
  return configuration;
}

/**
 * Creates an SQS queue and subscribes it to the topic (no raw delivery: the SNS envelope arrives).
 *
 * @example
 * const queueUrl = await subscribeQueue(access, topicArn, 'reports');
 */
export async function subscribeQueue(
  access: EmulatorAccess,
  topicArn: string,
  queueName: string,
): Promise<string> {
  const sqs = new SQSClient(clientConfig(access));
  const sns = new SNSClient(clientConfig(access));
  try {
    return (await subscribeSqsQueue(sns, sqs, topicArn, queueName)).url;
  } finally {
    sqs.destroy();
    sns.destroy();
  }
}

/** A report as an SQS subscriber of the topic receives it. */
export interface ReceivedReport {
  subject: string;
  /** Message attributes by name (`severity`, `findings`, `new`, `account`). */
  attributes: Record<string, string>;
  report: AuditReport;
}

/**
 * Receives every report message waiting in the queue and unwraps the SNS envelope around each.
 *
 * @example
 * const [received] = await receiveReports(access, queueUrl);
 */
export async function receiveReports(access: EmulatorAccess, queueUrl: string): Promise<ReceivedReport[]> {
  const sqs = new SQSClient(clientConfig(access));
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  sqs.destroy();
  return Messages.map((message) => {
    const envelope = JSON.parse(message.Body ?? '{}') as {
      Subject?: string;
      Message?: string;
      MessageAttributes?: Record<string, { Value: string }>;
    };
    return {
      subject: envelope.Subject ?? '',
      attributes: Object.fromEntries(
        Object.entries(envelope.MessageAttributes ?? {}).map(([name, { Value }]) => [name, Value]),
      ),
      report: JSON.parse(envelope.Message ?? '{}') as AuditReport,
    };
  });
}

/** A function seeded by the demo, with the rules it is expected to trip. */
export interface SeededFunction {
  functionName: string;
  roleName: string;
  expectedRules: string[];
}

const basicExecution = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

const trustedBy = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

const allowing = (actions: string[], resource: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }],
  });

interface DemoRole {
  functionName: string;
  roleName: string;
  trustedService: string;
  managedPolicies: string[];
  inlinePolicy?: string;
  variables?: Record<string, string>;
  expectedRules: string[];
}

/** The mistakes of SPEC §1, one function each. */
const demoRoles: DemoRole[] = [
  {
    functionName: 'payments-api',
    roleName: 'payments-api-role',
    trustedService: 'lambda.amazonaws.com',
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    expectedRules: ['admin-access'],
  },
  {
    functionName: 'legacy-worker',
    roleName: 'copied-from-ec2-example',
    trustedService: 'ec2.amazonaws.com',
    managedPolicies: [basicExecution],
    expectedRules: ['trust-not-lambda', 'trust-too-broad'],
  },
  {
    functionName: 'nightly-export',
    roleName: 'nightly-export-role',
    trustedService: 'lambda.amazonaws.com',
    managedPolicies: [],
    inlinePolicy: allowing(['s3:PutObject'], `arn:aws:s3:::exports-${MOTO_ACCOUNT_ID}/nightly/*`),
    expectedRules: ['logging-missing', 'log-group-create-missing', 'inline-policy'],
  },
  {
    functionName: 'checkout',
    roleName: 'checkout-role',
    trustedService: 'lambda.amazonaws.com',
    managedPolicies: [basicExecution],
    // An obviously fake value: the rule looks at the variable name; the value never leaves the account.
    variables: { DB_PASSWORD: 'not-a-real-password-demo-only', TABLE_NAME: 'orders' },
    expectedRules: ['secrets-in-environment'],
  },
  {
    functionName: 'orders-api',
    roleName: 'orders-api-role',
    trustedService: 'lambda.amazonaws.com',
    managedPolicies: [basicExecution],
    inlinePolicy: allowing(['dynamodb:*'], '*'),
    expectedRules: ['service-wildcard', 'inline-policy'],
  },
];

/**
 * Seeds five functions whose roles make the common mistakes (admin, EC2 trust, no logging, a plaintext
 * secret, `dynamodb:*` on `*`).
 *
 * @example
 * const seeded = await seedMisconfiguredFunctions(access);
 */
export async function seedMisconfiguredFunctions(access: EmulatorAccess): Promise<SeededFunction[]> {
  const iam = new IAMClient(clientConfig(access));
  const lambda = new LambdaClient(clientConfig(access));
  for (const role of demoRoles) {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: role.roleName,
        AssumeRolePolicyDocument: trustedBy(role.trustedService),
      }),
    );
    for (const policyArn of role.managedPolicies) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: role.roleName, PolicyArn: policyArn }));
    }
    if (role.inlinePolicy) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: role.roleName,
          PolicyName: 'app',
          PolicyDocument: role.inlinePolicy,
        }),
      );
    }
    await createTinyFunction(lambda, {
      name: role.functionName,
      role: Role?.Arn,
      runtime: 'nodejs22.x',
      ...(role.variables ? { variables: role.variables } : {}),
    });
  }
  iam.destroy();
  lambda.destroy();
  return demoRoles.map(({ functionName, roleName, expectedRules }) => ({
    functionName,
    roleName,
    expectedRules,
  }));
}

function seconds(startedAt: number): string {
  return `${((performance.now() - startedAt) / 1_000).toFixed(1)} s`;
}

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => (line ? `${prefix}${line}` : prefix.trimEnd()))
    .join('\n');
}

/** The API calls the handler reported in its `audit finished` log line. */
function apiCallsOf(logLines: string[]): Record<string, number> {
  for (const line of logLines) {
    try {
      const entry = JSON.parse(line) as { message?: string; apiCalls?: Record<string, number> };
      if (entry.message === 'audit finished' && entry.apiCalls) return entry.apiCalls;
    } catch {
      // not a JSON log line
    }
  }
  return {};
}

/**
 * Runs the demo and returns the exit code.
 *
 * @example
 * process.exitCode = await runDemo();
 */
export async function runDemo(print: (line: string) => void = console.log): Promise<number> {
  const steps = 8;
  let step = 0;
  const progress = (text: string) => {
    step += 1;
    print(`[${step}/${steps}] ${text}`);
  };
  let moto: MotoServer | undefined;
  try {
    let startedAt = performance.now();
    progress('Starting the AWS emulator (moto_server) on loopback');
    moto = await startMoto();
    // Everything below, the deploy and the handler included, talks to the emulator and never to AWS.
    Object.assign(process.env, awsTestEnv(moto.endpoint));
    const access: EmulatorAccess = { endpoint: moto.endpoint, region };
    print(`      ${moto.endpoint}, account ${MOTO_ACCOUNT_ID}, region ${region} (${seconds(startedAt)})`);

    startedAt = performance.now();
    progress('Building the Lambda artifact (npm run build)');
    const build = await buildArtifact(parseBuildArguments([]));
    const relative = (file: string) => path.relative(process.cwd(), file);
    print(
      `      ${relative(build.bundlePath)} ${formatBytes(build.bundleBytes)}, ${relative(build.zipPath)} ${formatBytes(build.zipBytes)} (${seconds(startedAt)})`,
    );

    startedAt = performance.now();
    progress(
      'Deploying infra/template.yaml as stack "demo" (npm run deploy -- --stack-name demo --email you@example.com)',
    );
    const options = parseDeployArguments(['--stack-name', 'demo', '--email', 'you@example.com']);
    if (options === 'help') throw new Error('unreachable: no --help given');
    const clients: DeployClients = {
      s3: new S3Client({ ...clientConfig(access), forcePathStyle: true }),
      sts: new STSClient(clientConfig(access)),
      cloudFormation: new CloudFormationClient(clientConfig(access)),
    };
    const deployment = await deploy(options, clients, (line) => print(`      ${line}`), {
      pollIntervalMs: 200,
    });
    print(`      stack demo: ${deployment.status} (${seconds(startedAt)})`);
    print(indent(formatOutputsTable(deployment.outputs), '      '));
    const { FunctionName: auditorName = '', TopicArn: topicArn = '' } = deployment.outputs;

    progress('Subscribing an SQS queue to the report topic');
    const queueUrl = await subscribeQueue(access, topicArn, 'demo-reports');
    const sns = new SNSClient(clientConfig(access));
    const { Subscriptions = [] } = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
    );
    sns.destroy();
    print(
      `      subscriptions: ${Subscriptions.map((entry) => `${entry.Protocol} ${entry.Endpoint}`).join(', ')}`,
    );
    if (!Subscriptions.some((entry) => entry.Protocol === 'email')) {
      print(
        '      (the stack declares the email subscription; the emulator does not create AWS::SNS::Subscription)',
      );
    }

    progress('Seeding five misconfigured functions');
    const seeded = await seedMisconfiguredFunctions(access);
    for (const entry of seeded) {
      print(
        `      ${entry.functionName.padEnd(16)} role ${entry.roleName.padEnd(24)} expect ${entry.expectedRules.join(', ')}`,
      );
    }

    startedAt = performance.now();
    progress(`Invoking the built handler as Lambda would (function ${auditorName}, scheduled event)`);
    const configuration = await functionConfiguration(access, auditorName);
    const rule = await describeScheduleRule(access, await stackResourceId(access, 'demo', 'ScheduleRule'));
    const { result, logLines } = await invokeBuiltHandler(build.bundlePath, {
      event: scheduledEvent(rule.Arn),
      context: lambdaContext(configuration),
      environment: lambdaEnvironment(configuration, moto.endpoint),
    });
    const apiCalls = Object.entries(apiCallsOf(logLines))
      .map(([operation, count]) => `${operation} ×${count}`)
      .join(', ');
    print(
      `      returned (${seconds(startedAt)}, ${logLines.length} JSON log lines; collection calls: ${apiCalls}):`,
    );
    for (const [key, value] of Object.entries(result)) {
      if (key !== 'top') print(`        ${key}: ${JSON.stringify(value)}`);
    }
    print(
      `        top: ${result.top.map((role) => `${role.severity} ${role.role} (${role.functions} fn: ${role.rules.join(', ')})`).join('; ')}`,
    );

    progress('Receiving the message on the SQS subscriber');
    const [received] = await receiveReports(access, queueUrl);
    if (!received) throw new Error('The SQS subscriber received no message');
    print(`      Subject: ${received.subject}`);
    print(
      `      Attributes: ${Object.entries(received.attributes)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ')}`,
    );

    const auditorRole = received.report.roles.find((role) =>
      role.functions.some((arn) => functionNameFromArn(arn) === auditorName),
    );
    const ownFindings = received.report.findings.filter(
      (finding) =>
        (finding.subject === 'function' && finding.functionName === auditorName) ||
        (finding.subject === 'role' && finding.roleArn === auditorRole?.roleArn),
    );
    print(`      The auditor's own function ${auditorName}: ${ownFindings.length} findings`);

    progress('The email digest');
    print(
      '      The SQS subscriber receives the "default" key of the message (the JSON report); the digest below\n' +
        '      is the "email" text rendered from it with renderReport(report, \'text\'), as the publisher does.',
    );
    print('');
    print(indent(renderReport(received.report, 'text').trimEnd(), '  | '));
    print('');
    print('Done: stopping the emulator.');
    return 0;
  } catch (error) {
    print(`demo:live failed: ${(error as Error).message}`);
    if (error instanceof LocalInvocationError) for (const line of error.logLines) print(`  ${line}`);
    return 1;
  } finally {
    await moto?.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runDemo();
}
