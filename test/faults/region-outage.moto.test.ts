import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport, Finding } from '../../src/model/report.js';
import { createTinyFunction } from '../../tools/functions.js';
import { MOTO_ACCOUNT_ID, TEST_CREDENTIALS } from '../../tools/moto.js';
import type { Fault } from '../support/fault-proxy.js';
import {
  archivedReport,
  createReportBucket,
  FAULT_TEST_TIMEOUT_MS,
  type FaultEnvironment,
  findingKeys,
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

const BROKEN_REGION = 'eu-west-1';
const REGIONS = [...SEEDED_REGIONS, BROKEN_REGION];

let environment: FaultEnvironment;
let queueUrl: string;
let clean: AuditReport;

async function auditedReport() {
  const result = await invoke(lambdaConfig({ regions: REGIONS, reportBucket: REPORT_BUCKET }));
  return { ...result, report: await archivedReport(environment, result.summary.location) };
}

/** A function in the region that will fail, with a role that cannot write logs (so it has findings). */
async function seedBrokenRegion(endpoint: string): Promise<void> {
  const config = { endpoint, region: BROKEN_REGION, credentials: TEST_CREDENTIALS };
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'eu-reporter',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  await createTinyFunction(lambda, {
    name: 'eu-reporter',
    role: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eu-reporter`,
  });
  iam.destroy();
  lambda.destroy();
}

beforeAll(async () => {
  environment = await startFaultEnvironment();
  await seedBrokenRegion(environment.moto.endpoint);
  await createReportBucket(environment);
  ({ queueUrl } = await topicWithQueue(environment));
  clean = (await auditedReport()).report;
  await receiveAll(environment, queueUrl);
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

/** The clean report without what only the broken region holds: its functions' findings and their roles'. */
function outsideBrokenRegion(report: AuditReport): Finding[] {
  const brokenOnly = new Set(
    report.roles
      .filter((role) => role.functions.every((arn) => arn.startsWith(`arn:aws:lambda:${BROKEN_REGION}:`)))
      .map((role) => role.roleArn),
  );
  return report.findings.filter((finding) =>
    finding.subject === 'role' ? !brokenOnly.has(finding.roleArn) : finding.region !== BROKEN_REGION,
  );
}

describe('Fault: one region fails entirely', () => {
  // The SDK names a connection closed without an answer a TimeoutError ("socket hang up").
  it.each<{ name: string; fault: Fault; code: string }>([
    {
      name: 'HTTP 500 on every ListFunctions',
      fault: { kind: 'server-error', status: 500 },
      code: 'Service',
    },
    { name: 'a dropped connection on every ListFunctions', fault: { kind: 'drop' }, code: 'TimeoutError' },
  ])(
    'audits the other regions and publishes a partial report naming the failed one ($name)',
    async ({ fault, code }) => {
      // prepare
      environment.proxy.clear();
      environment.proxy.setRules([
        { match: { operation: 'lambda:ListFunctions', region: BROKEN_REGION }, fault },
      ]);

      // act
      const { report, summary } = await auditedReport();

      // assess
      expect(clean.status).toBe('complete');
      expect(
        clean.findings.filter(
          (finding) => finding.subject === 'function' && finding.region === BROKEN_REGION,
        ),
      ).toEqual([
        expect.objectContaining({ ruleId: 'logging-missing', functionName: 'eu-reporter' }),
        expect.objectContaining({ ruleId: 'log-group-create-missing', functionName: 'eu-reporter' }),
      ]);
      expect(report.errors).toEqual([
        {
          scope: 'region',
          arn: BROKEN_REGION,
          code,
          message: expect.stringMatching(/^ListFunctions failed after 0 functions: /),
        },
      ]);
      expect(report.status).toBe('partial');
      expect(report.partial).toEqual({
        reason: `ListFunctions failed in ${BROKEN_REGION}`,
        notAudited: [`region ${BROKEN_REGION}`],
      });
      expect(findingKeys(report.findings)).toEqual(findingKeys(outsideBrokenRegion(clean)));
      expect(report.roles.flatMap((role) => role.functions)).not.toContain(
        `arn:aws:lambda:${BROKEN_REGION}:${MOTO_ACCOUNT_ID}:function:eu-reporter`,
      );
      expect(report.scope.regions).toEqual(REGIONS);
      // The region it could not list proves nothing fixed: nothing is resolved, nothing is new.
      expect(report.resolved).toEqual([]);
      expect(report.summary.new).toBe(0);
      expect(summary).toMatchObject({
        status: 'partial',
        partial: { reason: `ListFunctions failed in ${BROKEN_REGION}`, notAudited: 1 },
        published: true,
        baseline: false,
      });
      const [message, ...more] = await receiveAll(environment, queueUrl);
      expect(more).toEqual([]);
      expect(message?.MessageAttributes?.status?.StringValue).toBe('partial');
      // A partial run is archived under its own key; the baseline stays the clean run.
      expect((await latestReport(environment))?.location).toBe(clean.location);
      // The SDK tried eight times before the region was given up.
      expect(environment.proxy.stats()['lambda:ListFunctions']?.faults[fault.kind]).toBe(8);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'makes the command line exit 1 with --fail-on, although no finding reaches the threshold',
    async () => {
      // prepare: the same gate passes when every region answers
      const args = [
        'audit',
        ...REGIONS.flatMap((region) => ['--region', region]),
        '--function',
        'orders-*',
        '--format',
        'json',
        '--fail-on',
        'critical',
        '--report-bucket',
        REPORT_BUCKET,
      ];
      environment.proxy.clear();
      environment.proxy.setRules([]);
      const passing = await runLiveCli(args);
      environment.proxy.setRules([
        {
          match: { operation: 'lambda:ListFunctions', region: BROKEN_REGION },
          fault: { kind: 'access-denied' },
        },
      ]);

      // act
      const failing = await runLiveCli(args);

      // assess
      expect(passing.code, passing.stderr).toBe(0);
      expect((JSON.parse(passing.stdout) as AuditReport).status).toBe('complete');
      const report = JSON.parse(failing.stdout) as AuditReport;
      expect(report.status).toBe('partial');
      expect(report.summary.findings.critical).toBe(0);
      expect(report.errors).toEqual([
        expect.objectContaining({ scope: 'region', arn: BROKEN_REGION, code: 'AccessDenied' }),
      ]);
      expect(failing.code).toBe(1);
      expect(failing.stderr).toMatch(
        /report archived: s3:\/\/\S+ \(not a baseline: scoped or incomplete run\)/,
      );
      expect((await latestReport(environment))?.location).toBe(clean.location);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'fails the invocation, naming the call, when the enabled regions cannot be listed for REGIONS=all',
    async () => {
      // prepare: without the region list there is nothing to audit; the error alarm must fire
      environment.proxy.clear();
      environment.proxy.setRules([
        { match: { operation: 'ec2:DescribeRegions' }, fault: { kind: 'server-error', status: 503 } },
      ]);

      // act
      const invocation = invoke(lambdaConfig({ regions: 'all', reportBucket: REPORT_BUCKET }));

      // assess
      await expect(invocation).rejects.toThrow(/cannot list the enabled regions \(ec2:DescribeRegions\)/);
      expect(environment.proxy.stats()['ec2:DescribeRegions']).toEqual({
        requests: 8,
        faults: { 'server-error': 8 },
      });
      expect(environment.proxy.stats()['lambda:ListFunctions']).toBeUndefined();
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
