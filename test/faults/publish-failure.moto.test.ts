import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../src/handler.js';
import type { AuditReport } from '../../src/model/report.js';
import { MOTO_ACCOUNT_ID } from '../../tools/moto.js';
import { captureStdout } from '../support/stdout.js';
import {
  archivedReports,
  createReportBucket,
  FAULT_TEST_TIMEOUT_MS,
  type FaultEnvironment,
  lambdaContext,
  REPORT_BUCKET,
  receiveAll,
  SEEDED_REGIONS,
  startFaultEnvironment,
  TOPIC_ARN,
  topicWithQueue,
} from './harness.js';

let environment: FaultEnvironment;
let queueUrl: string;
let stdout: string[];

const scheduledEvent = {
  version: '0',
  id: '0f1e2d3c-0000-4000-8000-000000000000',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: MOTO_ACCOUNT_ID,
  time: '2026-11-26T03:00:00Z',
  region: 'us-east-1',
  resources: [`arn:aws:events:us-east-1:${MOTO_ACCOUNT_ID}:rule/nightly`],
  detail: {},
};

beforeAll(async () => {
  environment = await startFaultEnvironment();
  await createReportBucket(environment);
  ({ queueUrl } = await topicWithQueue(environment));
  Object.assign(process.env, {
    TOPIC_ARN,
    REPORT_BUCKET,
    REGIONS: SEEDED_REGIONS.join(','),
    COLLECTION: 'bulk',
  });
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

beforeEach(() => {
  environment.proxy.clear();
  stdout = captureStdout();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const logEntries = () =>
  stdout
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('Fault: SNS publish fails', () => {
  it(
    'fails the invocation after archiving the report when Publish keeps answering 500',
    async () => {
      // prepare
      environment.proxy.setRules([
        { match: { operation: 'sns:Publish' }, fault: { kind: 'server-error', status: 500 } },
      ]);
      const archivedBefore = (await archivedReports(environment)).length;

      // act
      const invocation = handler(scheduledEvent, lambdaContext());

      // assess: the invocation rejects, so the Lambda Errors metric and its alarm fire
      await expect(invocation).rejects.toThrow(/Publishing the report of account 123456789012 to .* failed/);
      const stats = environment.proxy.stats();
      // The SDK retried up to its maximum of 8 attempts before giving up.
      expect(stats['sns:Publish']).toEqual({ requests: 8, faults: { 'server-error': 8 } });
      const archived = await archivedReports(environment);
      // The run's report, its HTML page and latest.json.
      expect(archived.length).toBe(archivedBefore + 3);
      const latest = archived.find((object) => object.key === `reports/${MOTO_ACCOUNT_ID}/latest.json`);
      const report = JSON.parse(latest!.body) as AuditReport;
      expect(report.status).toBe('complete');
      expect(report.summary.functions).toBe(6);
      expect(report.findings.map((finding) => finding.ruleId)).toEqual(
        expect.arrayContaining(['trust-not-lambda', 'role-missing', 'secrets-in-environment']),
      );
      expect(archived.map((object) => object.key)).toContain(
        report.location!.slice(`s3://${REPORT_BUCKET}/`.length),
      );
      // The archive (the run's report, latest.json, the HTML page) was written before the first publish attempt.
      const operations = environment.proxy
        .requests()
        .map((request) =>
          request.operation === 's3:PutObject' && !request.target.includes('/reports/')
            ? 'cache write'
            : request.operation,
        );
      expect(operations.filter((operation) => operation === 's3:PutObject')).toHaveLength(3);
      expect(operations.lastIndexOf('s3:PutObject')).toBeLessThan(operations.indexOf('sns:Publish'));
      expect(await receiveAll(environment, queueUrl)).toEqual([]);
      const failure = logEntries().find((entry) => entry.message === 'invocation failed');
      expect(failure).toMatchObject({ level: 'ERROR', error: { name: 'PublishError' } });
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'succeeds when Publish fails once with 503 and the SDK retry goes through',
    async () => {
      // prepare
      environment.proxy.setRules([
        { match: { operation: 'sns:Publish' }, times: 1, fault: { kind: 'server-error', status: 503 } },
      ]);

      // act
      const summary = await handler(scheduledEvent, lambdaContext());

      // assess
      expect(summary).toMatchObject({ status: 'complete', published: true, baseline: true, functions: 6 });
      expect(environment.proxy.stats()['sns:Publish']).toEqual({
        requests: 2,
        faults: { 'server-error': 1 },
      });
      const messages = await receiveAll(environment, queueUrl);
      expect(messages).toHaveLength(1);
      const delivered = JSON.parse(messages[0]!.Body!) as AuditReport;
      expect(delivered.location).toBe(summary.location);
      expect(delivered.findings.length).toBe(
        Object.values(summary.findings).reduce((sum, count) => sum + count, 0) + summary.muted,
      );
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
