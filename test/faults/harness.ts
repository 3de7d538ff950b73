import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { type Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { runCli } from '../../src/cli/main.js';
import type { LambdaConfig } from '../../src/lambda/config.js';
import type { InvocationOptions } from '../../src/lambda/event.js';
import { createLogger, type Logger } from '../../src/lambda/logger.js';
import { type InvocationSummary, runInvocation } from '../../src/lambda/run.js';
import { createLiveServices } from '../../src/live/pipeline.js';
import type { AuditReport, Finding } from '../../src/model/report.js';
import {
  awsTestEnv,
  MOTO_ACCOUNT_ID,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
} from '../../tools/moto.js';
import { drainQueue, subscribeQueue } from '../../tools/sqs.js';
import { seedAccount } from '../collect/seed.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';

/** The regions the seeded account has functions in. */
export const SEEDED_REGIONS = ['us-east-1', 'us-west-2'];

export const TOPIC_NAME = 'lambda-role-auditor';
export const TOPIC_ARN = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT_ID}:${TOPIC_NAME}`;
export const REPORT_BUCKET = `audit-reports-${MOTO_ACCOUNT_ID}`;

/** Long enough for eight attempts with adaptive back-off on every call of a run. */
export const FAULT_TEST_TIMEOUT_MS = 180_000;

/**
 * moto with the seeded account, and the fault proxy in front of it. While it runs, `process.env`
 * points every SDK client at the proxy, as `AWS_ENDPOINT_URL` does in a deployed emulator setup.
 */
export interface FaultEnvironment {
  moto: MotoServer;
  proxy: FaultProxy;
  /** Clients straight to moto (no faults), for preparing resources and reading results. */
  direct: { sns: SNSClient; sqs: SQSClient; s3: S3Client };
  stop(): Promise<void>;
}

/**
 * Starts moto, seeds the account of `test/collect/seed.ts` and puts the proxy in front.
 *
 * @example
 * const environment = await startFaultEnvironment();
 * environment.proxy.setRules([{ match: { service: 'iam' }, rate: 0.3, fault: { kind: 'throttle' } }]);
 */
export async function startFaultEnvironment(): Promise<FaultEnvironment> {
  const moto = await startMoto();
  await seedAccount(moto.endpoint);
  const proxy = await startFaultProxy({ target: moto.endpoint });
  const savedEnv = { ...process.env };
  Object.assign(process.env, awsTestEnv(proxy.endpoint));
  const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  const direct = {
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
  return {
    moto,
    proxy,
    direct,
    async stop() {
      process.env = savedEnv;
      for (const client of Object.values(direct)) client.destroy();
      await proxy.stop();
      await moto.stop();
    },
  };
}

/** The Lambda configuration of a test run (what `readLambdaConfig` makes of the environment). */
export function lambdaConfig(overrides: Partial<LambdaConfig> = {}): LambdaConfig {
  return {
    topicArn: TOPIC_ARN,
    regions: SEEDED_REGIONS,
    publishWhen: 'always',
    minSeverity: 'info',
    collection: 'per-role',
    ...overrides,
  };
}

export interface CapturedLogger {
  logger: Logger;
  /** Every line written, parsed. */
  entries(): Array<Record<string, unknown>>;
  /** The raw lines, as CloudWatch would store them. */
  lines(): string[];
}

/** The handler's structured logger, writing into memory instead of stdout. */
export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const logger = createLogger({ service: 'lambda-role-auditor' }, (line) => lines.push(line));
  return {
    logger,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    lines: () => [...lines],
  };
}

/** A Lambda context whose remaining time the test controls. */
export function lambdaContext(remainingMs: () => number = () => 900_000): Context {
  return {
    awsRequestId: 'fault-test-request',
    functionName: 'lambda-role-auditor',
    getRemainingTimeInMillis: remainingMs,
  } as unknown as Context;
}

export interface InvocationResult {
  summary: InvocationSummary;
  log: CapturedLogger;
  /** The `audit finished` log line's call and attempt counts. */
  apiCalls: Record<string, number>;
  apiAttempts: Record<string, number>;
}

/**
 * One invocation as the handler runs it: services from the environment (so through the proxy),
 * `runInvocation`, a captured structured log.
 */
export async function invoke(
  config: LambdaConfig,
  options: Partial<InvocationOptions> = {},
  context: Context = lambdaContext(),
): Promise<InvocationResult> {
  const log = captureLogger();
  const services = createLiveServices({ topicArn: config.topicArn });
  try {
    const summary = await runInvocation(
      services,
      config,
      { trigger: 'schedule', dryRun: false, ...options },
      context,
      log.logger,
    );
    const finished = log.entries().find((entry) => entry.message === 'audit finished') ?? {};
    return {
      summary,
      log,
      apiCalls: (finished.apiCalls ?? {}) as Record<string, number>,
      apiAttempts: (finished.apiAttempts ?? {}) as Record<string, number>,
    };
  } finally {
    services.sns.destroy();
    services.s3.destroy();
    services.clients.iam.destroy();
  }
}

/** The sum of counts per operation, optionally of the operations starting with `prefix` (`'iam:'`). */
export const total = (counts: Record<string, number>, prefix = ''): number =>
  Object.entries(counts)
    .filter(([operation]) => operation.startsWith(prefix))
    .reduce((sum, [, count]) => sum + count, 0);

/** What identifies a finding across runs, readable in a failed assertion: rule, subject (role or function), id. */
export function findingKeys(findings: Finding[]): string[] {
  return findings
    .map(
      (finding) =>
        `${finding.ruleId} ${finding.subject === 'role' ? finding.roleArn : finding.functionArn} ${finding.id}`,
    )
    .sort();
}

/** A topic with an SQS queue subscribed with raw delivery: the queue receives the JSON report itself. */
export async function topicWithQueue(environment: FaultEnvironment): Promise<{ queueUrl: string }> {
  const { sns, sqs } = environment.direct;
  await sns.send(new CreateTopicCommand({ Name: TOPIC_NAME }));
  const queue = await subscribeQueue(sns, sqs, TOPIC_ARN, `reports-${Date.now()}`, { raw: true });
  return { queueUrl: queue.url };
}

/** Receives and deletes what the queue holds, so that a later test does not see it again. */
export async function receiveAll(environment: FaultEnvironment, queueUrl: string): Promise<Message[]> {
  return drainQueue(environment.direct.sqs, queueUrl);
}

/** Creates the report bucket in moto. */
export async function createReportBucket(environment: FaultEnvironment): Promise<void> {
  await environment.direct.s3.send(new CreateBucketCommand({ Bucket: REPORT_BUCKET }));
}

/** Every archived object under `reports/`, with its body. */
export async function archivedReports(
  environment: FaultEnvironment,
): Promise<Array<{ key: string; body: string }>> {
  const { s3 } = environment.direct;
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: REPORT_BUCKET, Prefix: 'reports/' }));
  return Promise.all(
    (listing.Contents ?? []).map(async (object) => {
      const response = await s3.send(new GetObjectCommand({ Bucket: REPORT_BUCKET, Key: object.Key! }));
      return { key: object.Key!, body: (await response.Body?.transformToString('utf-8')) ?? '' };
    }),
  );
}

/** The baseline of the next comparison, `reports/<account>/latest.json`, or `undefined` when there is none. */
export async function latestReport(environment: FaultEnvironment): Promise<AuditReport | undefined> {
  const latest = (await archivedReports(environment)).find(
    (object) => object.key === `reports/${MOTO_ACCOUNT_ID}/latest.json`,
  );
  return latest ? (JSON.parse(latest.body) as AuditReport) : undefined;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The command line run in this process with its live mode, so through the proxy like every other
 * client of the environment.
 *
 * @example
 * const { code, stdout } = await runLiveCli(['audit', '--region', 'us-east-1', '--format', 'text']);
 */
export async function runLiveCli(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    {
      stdout: { write: (text: string) => (stdout += text), isTTY: false },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
      env: process.env,
    },
    async (command) => (await import('../../src/cli/live.js')).liveRunner(command),
  );
  return { code, stdout, stderr };
}

/** The report an invocation archived, read straight from moto. */
export async function archivedReport(
  environment: FaultEnvironment,
  location: string | undefined,
): Promise<AuditReport> {
  const prefix = `s3://${REPORT_BUCKET}/`;
  if (!location?.startsWith(prefix)) throw new Error(`not an archive location: ${location}`);
  const response = await environment.direct.s3.send(
    new GetObjectCommand({ Bucket: REPORT_BUCKET, Key: location.slice(prefix.length) }),
  );
  return JSON.parse((await response.Body?.transformToString('utf-8')) ?? '') as AuditReport;
}
