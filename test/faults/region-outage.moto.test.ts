import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
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
  REPORT_BUCKET,
  SEEDED_REGIONS,
  startFaultEnvironment,
  topicWithQueue,
} from './harness.js';

const BROKEN_REGION = 'eu-west-1';
const REGIONS = [...SEEDED_REGIONS, BROKEN_REGION];

let environment: FaultEnvironment;
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
  await topicWithQueue(environment);
  clean = (await auditedReport()).report;
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

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
    'audits the other regions and reports the failed one as an error ($name)',
    async ({ fault, code }) => {
      // prepare
      environment.proxy.clear();
      environment.proxy.setRules([
        { match: { operation: 'lambda:ListFunctions', region: BROKEN_REGION }, fault },
      ]);

      // act
      const { report, summary } = await auditedReport();

      // assess
      const inBrokenRegion = (finding: { region: string }) => finding.region === BROKEN_REGION;
      expect(clean.findings.filter(inBrokenRegion).map((finding) => finding.ruleId)).toContain(
        'logging-missing',
      );
      expect(report.errors).toEqual([
        {
          scope: 'region',
          arn: BROKEN_REGION,
          code,
          message: expect.stringMatching(/^ListFunctions failed after 0 functions: /),
        },
      ]);
      expect(findingKeys(report.findings)).toEqual(
        findingKeys(clean.findings.filter((finding) => !inBrokenRegion(finding))),
      );
      expect(report.findings.some((finding) => finding.region === 'us-east-1')).toBe(true);
      expect(report.regions).toEqual(REGIONS);
      expect(summary.published).toBe(true);
      // The SDK tried eight times before the region was given up.
      expect(environment.proxy.stats()['lambda:ListFunctions']?.faults[fault.kind]).toBe(8);
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
