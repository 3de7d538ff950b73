import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { ArchiveError } from '../../src/publish/archive.js';
import { MOTO_ACCOUNT_ID } from '../../tools/moto.js';
import {
  archivedReports,
  createReportBucket,
  FAULT_TEST_TIMEOUT_MS,
  type FaultEnvironment,
  invoke,
  lambdaConfig,
  latestReport,
  REPORT_BUCKET,
  receiveAll,
  startFaultEnvironment,
  topicWithQueue,
} from './harness.js';

const LATEST_KEY = `${REPORT_BUCKET}/reports/${MOTO_ACCOUNT_ID}/latest.json`;
const SUPPRESSIONS_KEY = `${REPORT_BUCKET}/config/suppressions.json`;

let environment: FaultEnvironment;
let queueUrl: string;

const config = () => lambdaConfig({ collection: 'bulk', reportBucket: REPORT_BUCKET });

beforeAll(async () => {
  environment = await startFaultEnvironment();
  await createReportBucket(environment);
  ({ queueUrl } = await topicWithQueue(environment));
  // A first run leaves a latest.json behind, so later runs have a previous report to read.
  await invoke(config());
  await receiveAll(environment, queueUrl);
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

describe('Fault: the report bucket fails', () => {
  it(
    'publishes, compared with nothing, when the previous report cannot be read',
    async () => {
      // prepare
      environment.proxy.clear();
      environment.proxy.setRules([
        {
          match: (request) => request.operation === 's3:GetObject' && request.target === LATEST_KEY,
          fault: { kind: 'server-error', status: 500 },
        },
      ]);

      // act
      const { summary, log } = await invoke(config());

      // assess
      expect(summary.published).toBe(true);
      const messages = await receiveAll(environment, queueUrl);
      expect(messages).toHaveLength(1);
      const published = JSON.parse(messages[0]!.Body!) as AuditReport;
      // Without history every finding counts as new: noisier, never silent.
      expect(published.summary.new).toBeUndefined();
      expect(published.findings.map((finding) => finding.ruleId)).toEqual(
        expect.arrayContaining(['role-missing', 'trust-not-lambda']),
      );
      expect(
        log
          .entries()
          .filter((entry) => entry.level === 'WARN')
          .map((entry) => entry.message),
      ).toEqual([expect.stringContaining('previous report')]);
      expect(environment.proxy.stats()['s3:GetObject']?.faults['server-error']).toBe(8);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'publishes the report, then fails the invocation, when the archive cannot be written',
    async () => {
      // prepare
      environment.proxy.clear();
      environment.proxy.setRules([
        { match: { operation: 's3:PutObject' }, fault: { kind: 'server-error', status: 500 } },
      ]);
      const archivedBefore = await archivedReports(environment);

      // act
      const invocation = invoke(config());

      // assess: the error alarm fires, and the subscribers still get the night's report
      await expect(invocation).rejects.toThrow(ArchiveError);
      const messages = await receiveAll(environment, queueUrl);
      expect(messages).toHaveLength(1);
      const published = JSON.parse(messages[0]!.Body!) as AuditReport;
      expect(published.location).toBeUndefined();
      expect(published.findings.map((finding) => finding.ruleId)).toEqual(
        expect.arrayContaining(['role-missing', 'trust-not-lambda']),
      );
      expect(await archivedReports(environment)).toEqual(archivedBefore);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'audits without the bucket suppressions, and says so, when the suppressions file cannot be read',
    async () => {
      // prepare
      environment.proxy.clear();
      environment.proxy.setRules([
        {
          match: (request) => request.operation === 's3:GetObject' && request.target === SUPPRESSIONS_KEY,
          fault: { kind: 'server-error', status: 503 },
        },
      ]);
      const baselineBefore = (await latestReport(environment))?.location;

      // act
      const { summary } = await invoke(config());

      // assess
      expect(summary.published).toBe(true);
      const [message] = await receiveAll(environment, queueUrl);
      const published = JSON.parse(message!.Body!) as AuditReport;
      expect(published.errors).toEqual([
        expect.objectContaining({
          scope: 'config',
          arn: `s3://${SUPPRESSIONS_KEY}`,
          code: 'SuppressionsUnreadable',
        }),
      ]);
      // Findings that should have been muted may be reported: the run is partial and never the baseline.
      expect(published.status).toBe('partial');
      expect(published.partial).toEqual({
        reason: 'the suppressions file could not be used',
        notAudited: [`s3://${SUPPRESSIONS_KEY}`],
      });
      expect(message!.MessageAttributes?.status?.StringValue).toBe('partial');
      expect(summary).toMatchObject({ status: 'partial', baseline: false });
      expect(baselineBefore).toBeDefined();
      expect((await latestReport(environment))?.location).toBe(baselineBefore);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'reports an AccessDenied on the suppressions file instead of reading it as no file',
    async () => {
      // prepare: a file that mutes everything, which the auditor may not read
      environment.proxy.clear();
      await environment.direct.s3.send(
        new PutObjectCommand({
          Bucket: REPORT_BUCKET,
          Key: 'config/suppressions.json',
          Body: JSON.stringify({ suppressions: [{ reason: 'accepted for now' }] }),
        }),
      );
      environment.proxy.setRules([
        {
          match: (request) => request.operation === 's3:GetObject' && request.target === SUPPRESSIONS_KEY,
          fault: { kind: 'access-denied' },
        },
      ]);

      try {
        // act
        const { summary } = await invoke(config());

        // assess: silence would lift every suppression unnoticed; the report says why they are missing
        expect(summary.published).toBe(true);
        const [message] = await receiveAll(environment, queueUrl);
        const published = JSON.parse(message!.Body!) as AuditReport;
        expect(published.errors).toEqual([
          {
            scope: 'config',
            arn: `s3://${SUPPRESSIONS_KEY}`,
            code: 'SuppressionsUnreadable',
            message: expect.stringContaining('AccessDenied'),
          },
        ]);
        expect(published.findings.filter((finding) => finding.muted)).toEqual([]);
      } finally {
        await environment.direct.s3.send(
          new DeleteObjectCommand({ Bucket: REPORT_BUCKET, Key: 'config/suppressions.json' }),
        );
      }
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'absorbs S3 throttling of the archive writes',
    async () => {
      // prepare
      environment.proxy.clear();
      environment.proxy.setRules([
        {
          match: { operation: 's3:PutObject', pathPrefix: `/${REPORT_BUCKET}/reports/` },
          times: 2,
          fault: { kind: 'throttle' },
        },
      ]);

      // act
      const { summary } = await invoke(config());

      // assess
      expect(summary.published).toBe(true);
      expect(summary.location).toMatch(/^s3:\/\//);
      // The run's report, latest.json, the HTML page and the resource-policy cache, two of them retried.
      expect(environment.proxy.stats()['s3:PutObject']).toEqual({ requests: 6, faults: { throttle: 2 } });
      // Every copy was written: this complete run is the new baseline.
      expect(summary).toMatchObject({ status: 'complete', baseline: true });
      expect((await latestReport(environment))?.location).toBe(summary.location);
      await receiveAll(environment, queueUrl);
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
