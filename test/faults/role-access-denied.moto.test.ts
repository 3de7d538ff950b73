import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionMode } from '../../src/lambda/config.js';
import type { AuditReport, Finding } from '../../src/model/report.js';
import { MOTO_ACCOUNT_ID } from '../../tools/moto.js';
import { SEEDED_ROLES } from '../collect/seed.js';
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
  startFaultEnvironment,
  topicWithQueue,
} from './harness.js';

const DENIED_ROLE = SEEDED_ROLES.ec2Trusted;
const DENIED_ROLE_NAME = 'copied-from-ec2';
const DENIED_FUNCTION = `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:legacy-worker`;

let environment: FaultEnvironment;
let clean: AuditReport;

async function auditedReport(collection: CollectionMode) {
  const result = await invoke(lambdaConfig({ collection, reportBucket: REPORT_BUCKET }));
  return { ...result, report: await archivedReport(environment, result.summary.location) };
}

const otherFunctions = (findings: Finding[]) => findings.filter((finding) => finding.roleArn !== DENIED_ROLE);

beforeAll(async () => {
  environment = await startFaultEnvironment();
  await createReportBucket(environment);
  await topicWithQueue(environment);
  clean = (await auditedReport('per-role')).report;
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

describe('Fault: one role cannot be read', () => {
  it(
    'reports role-unreadable once for that role, an error and a partial run, and audits every other role (per-role)',
    async () => {
      // prepare: every read of that one role is denied, as an explicit Deny on its ARN would do
      environment.proxy.clear();
      environment.proxy.setRules([
        {
          match: { service: 'iam', params: { RoleName: DENIED_ROLE_NAME } },
          fault: { kind: 'access-denied' },
        },
      ]);

      // act
      const { report } = await auditedReport('per-role');

      // assess
      const denied = report.findings.filter((finding) => finding.roleArn === DENIED_ROLE);
      expect(denied).toEqual([
        expect.objectContaining({
          subject: 'role',
          ruleId: 'role-unreadable',
          severity: 'info',
          functionCount: 1,
        }),
      ]);
      expect(denied[0]!.evidence).toEqual([
        { resources: [DENIED_ROLE], detail: expect.stringMatching(/^AccessDenied: /) },
      ]);
      expect(report.roles.find((role) => role.roleArn === DENIED_ROLE)?.functions).toEqual([DENIED_FUNCTION]);
      // A role of the account that could not be read is a blind spot: the run is partial and says which.
      expect(report.status).toBe('partial');
      expect(report.partial).toEqual({
        reason: '1 of 4 roles of the account could not be read',
        notAudited: [DENIED_ROLE],
      });
      expect((await latestReport(environment))?.location).toBe(clean.location);
      expect(report.errors).toEqual([
        expect.objectContaining({ scope: 'role', arn: DENIED_ROLE, code: 'AccessDenied' }),
      ]);
      expect(findingKeys(otherFunctions(report.findings))).toEqual(
        findingKeys(otherFunctions(clean.findings)),
      );
      // What the clean run knew about that role and this one could not (nothing else is lost).
      expect(
        clean.findings.filter((finding) => finding.roleArn === DENIED_ROLE).map((finding) => finding.ruleId),
      ).toEqual(expect.arrayContaining(['trust-not-lambda', 'trust-too-broad']));
      // AccessDenied is not retried: one GetRole attempt.
      expect(environment.proxy.stats()['iam:GetRole']?.faults['access-denied']).toBe(1);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'falls back to per-role reads when GetAccountAuthorizationDetails is denied, then isolates the denied role (bulk)',
    async () => {
      // prepare: bulk collection cannot lose a single role (one call returns every role or fails as a
      // whole); a denied bulk call makes it read roles one by one, where the denied role fails alone.
      environment.proxy.clear();
      environment.proxy.setRules([
        { match: { operation: 'iam:GetAccountAuthorizationDetails' }, fault: { kind: 'access-denied' } },
        {
          match: { service: 'iam', params: { RoleName: DENIED_ROLE_NAME } },
          fault: { kind: 'access-denied' },
        },
      ]);

      // act
      const { report } = await auditedReport('bulk');

      // assess
      expect(report.errors).toEqual([
        expect.objectContaining({
          scope: 'account',
          arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:root`,
          code: 'AccessDenied',
          message: expect.stringContaining('roles were read one by one instead'),
        }),
        expect.objectContaining({ scope: 'role', arn: DENIED_ROLE, code: 'AccessDenied' }),
      ]);
      expect(
        report.findings.filter((finding) => finding.roleArn === DENIED_ROLE).map((finding) => finding.ruleId),
      ).toEqual(['role-unreadable']);
      expect(report.status).toBe('partial');
      expect(report.partial?.notAudited).toEqual([DENIED_ROLE]);
      expect(findingKeys(otherFunctions(report.findings))).toEqual(
        findingKeys(otherFunctions(clean.findings)),
      );
      const stats = environment.proxy.stats();
      expect(stats['iam:GetAccountAuthorizationDetails']?.requests).toBe(1);
      expect(stats['iam:GetRole']?.requests).toBe(4);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'audits every role from bulk data even when one role GetRole would be denied',
    async () => {
      // prepare: the per-role denial does not matter to bulk collection, which never calls GetRole
      environment.proxy.clear();
      environment.proxy.setRules([
        {
          match: { service: 'iam', params: { RoleName: DENIED_ROLE_NAME } },
          fault: { kind: 'access-denied' },
        },
      ]);

      // act
      const { report } = await auditedReport('bulk');

      // assess
      expect(findingKeys(report.findings)).toEqual(findingKeys(clean.findings));
      expect(report.errors).toEqual([]);
      // Complete and full: this run is the new baseline.
      expect(report.status).toBe('complete');
      expect((await latestReport(environment))?.location).toBe(report.location);
      expect(environment.proxy.faultCount()).toBe(0);
      expect(environment.proxy.stats()['iam:GetRole']).toBeUndefined();
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
