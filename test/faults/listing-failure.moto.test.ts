import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditFailedError } from '../../src/lambda/run.js';
import type { AuditReport } from '../../src/model/report.js';
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
  runLiveCli,
  SEEDED_REGIONS,
  startFaultEnvironment,
  topicWithQueue,
} from './harness.js';

const REGION_ARGUMENTS = SEEDED_REGIONS.flatMap((region) => ['--region', region]);
const REASON = `ListFunctions failed in ${SEEDED_REGIONS.join(', ')}`;

let environment: FaultEnvironment;
let queueUrl: string;
let baseline: AuditReport;

/** A loopback port nothing listens on: connections to it are refused, as to an endpoint that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** Ways for every region's ListFunctions to fail: each makes the run blind. */
const OUTAGES: Array<{ name: string; code: string; message: RegExp; start(): Promise<void> }> = [
  {
    name: 'every ListFunctions is denied (403)',
    code: 'AccessDenied',
    message: /^ListFunctions failed after 0 functions: .*not authorized to perform: lambda:ListFunctions/,
    start: async () =>
      environment.proxy.setRules([
        { match: { operation: 'lambda:ListFunctions' }, fault: { kind: 'access-denied' } },
      ]),
  },
  {
    name: 'the Lambda endpoint refuses connections',
    // A refused connection has no AWS error name.
    code: 'UnknownError',
    message: /^ListFunctions failed after 0 functions: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    start: async () => {
      process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${await closedPort()}`;
    },
  },
];

beforeAll(async () => {
  environment = await startFaultEnvironment();
  await createReportBucket(environment);
  ({ queueUrl } = await topicWithQueue(environment));
  // A complete run first: the baseline that a failed run must leave in place.
  await invoke(lambdaConfig({ reportBucket: REPORT_BUCKET }));
  await receiveAll(environment, queueUrl);
  baseline = (await latestReport(environment))!;
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

afterEach(() => {
  delete process.env.AWS_ENDPOINT_URL_LAMBDA;
  environment.proxy.clear();
  environment.proxy.setRules([]);
});

describe('Fault: no region can be listed', () => {
  it.each(OUTAGES)(
    'publishes the failed report, then fails the invocation ($name)',
    async ({ code, message: errorMessage, start }) => {
      // prepare
      expect(baseline).toMatchObject({ status: 'complete', scope: { full: true } });
      await start();
      const keysBefore = (await archivedReports(environment)).map((object) => object.key);

      // act
      const invocation = invoke(lambdaConfig({ reportBucket: REPORT_BUCKET }));

      // assess: the error alarm fires
      await expect(invocation).rejects.toThrow(AuditFailedError);
      await expect(invocation).rejects.toThrow(`the audit of account 123456789012 failed: ${REASON}`);
      // ... after the subscribers were told, with an attribute a filter policy can select
      const [message, ...more] = await receiveAll(environment, queueUrl);
      expect(more).toEqual([]);
      expect(message?.MessageAttributes?.status?.StringValue).toBe('failed');
      expect(message?.MessageAttributes?.severity?.StringValue).toBe('none');
      const published = JSON.parse(message!.Body!) as AuditReport;
      expect(published.status).toBe('failed');
      expect(published.partial).toEqual({
        reason: REASON,
        notAudited: SEEDED_REGIONS.map((region) => `region ${region}`),
      });
      expect(published.findings).toEqual([]);
      expect(published.summary.functions).toBe(0);
      expect(published.errors).toEqual(
        SEEDED_REGIONS.map((region) => ({
          scope: 'region',
          arn: region,
          code,
          message: expect.stringMatching(errorMessage),
        })),
      );
      // Archived under its own key; the baseline stays the last complete run and nothing looks resolved.
      const keys = (await archivedReports(environment)).map((object) => object.key);
      const runKey = published.location!.slice(`s3://${REPORT_BUCKET}/`.length);
      expect(keys.sort()).toEqual([...keysBefore, runKey, runKey.replace(/\.json$/, '.html')].sort());
      expect((await latestReport(environment))?.location).toBe(baseline.location);
      expect(published.resolved).toEqual([]);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it.each(OUTAGES)(
    'prints the report saying AUDIT FAILED and exits 3 on the command line ($name)',
    async ({ start }) => {
      // prepare
      await start();

      // act
      const text = await runLiveCli([
        'audit',
        ...REGION_ARGUMENTS,
        '--format',
        'text',
        '--report-bucket',
        REPORT_BUCKET,
      ]);
      const json = await runLiveCli([
        'audit',
        ...REGION_ARGUMENTS,
        '--format',
        'json',
        '--fail-on',
        'critical',
      ]);

      // assess
      expect(text.code, text.stderr).toBe(3);
      expect(text.stdout).toContain('AUDIT FAILED: nothing could be audited, so this is NOT an all-clear.');
      expect(text.stdout).toContain(REASON);
      expect(text.stderr).toMatch(/report archived: s3:\/\/\S+ \(not a baseline: scoped or incomplete run\)/);
      expect(text.stderr).toContain(`lambda-role-auditor: AUDIT FAILED: ${REASON}\n`);
      expect(json.code, json.stderr).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({
        status: 'failed',
        findings: [],
        partial: { reason: REASON },
      });
      expect((await latestReport(environment))?.location).toBe(baseline.location);
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
