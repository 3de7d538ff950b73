import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEADLINE_MARGIN_MS } from '../../src/lambda/run.js';
import { collectAndAudit, createLiveServices } from '../../src/live/pipeline.js';
import type { AuditReport } from '../../src/model/report.js';
import { MOTO_ACCOUNT_ID } from '../../tools/moto.js';
import { SEEDED_ROLES } from '../collect/seed.js';
import {
  archivedReports,
  createReportBucket,
  FAULT_TEST_TIMEOUT_MS,
  type FaultEnvironment,
  findingKeys,
  invoke,
  lambdaConfig,
  lambdaContext,
  REPORT_BUCKET,
  receiveAll,
  startFaultEnvironment,
  topicWithQueue,
} from './harness.js';

const functionArn = (name: string) => `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:${name}`;

/** One real second costs this many seconds of the Lambda's remaining time. */
const CLOCK_SPEED = 3;
/** Remaining time at the start: the margin is crossed after 8 real seconds. */
const START_REMAINING_MS = DEADLINE_MARGIN_MS + 8_000 * CLOCK_SPEED;
/** us-east-1 listing answers only after the margin was crossed (and long before the hard stop). */
const SLOW_LISTING_MS = 12_000;

let environment: FaultEnvironment;
let queueUrl: string;
let clean: AuditReport;

beforeAll(async () => {
  environment = await startFaultEnvironment();
  await createReportBucket(environment);
  ({ queueUrl } = await topicWithQueue(environment));
  // The clean run archives nothing: the partial run below has no previous report to compare with.
  ({ report: clean } = await collectAndAudit(createLiveServices(), {
    regions: lambdaConfig().regions,
    collection: 'per-role',
  }));
  expect(clean.partial).toBeUndefined();
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

describe('Fault: the Lambda runs out of time during collection', () => {
  it(
    'publishes a partial report naming the roles and functions it could not audit',
    async () => {
      // prepare: us-east-1's listing is slow while the remaining time shrinks three times faster than real time
      environment.proxy.clear();
      environment.proxy.setRules([
        {
          match: { operation: 'lambda:ListFunctions', region: 'us-east-1' },
          fault: { kind: 'latency', ms: SLOW_LISTING_MS },
        },
      ]);
      const started = Date.now();
      const context = lambdaContext(() => START_REMAINING_MS - (Date.now() - started) * CLOCK_SPEED);

      // act
      const { summary, log } = await invoke(lambdaConfig({ reportBucket: REPORT_BUCKET }), {}, context);

      // assess: the roles named only by the late listing were never read, nor who may invoke its functions
      const lateRoles = [SEEDED_ROLES.admin, SEEDED_ROLES.ec2Trusted, SEEDED_ROLES.deleted];
      const notAudited = [
        ...lateRoles,
        functionArn('payments-api'),
        `${functionArn('payments-api')}:1`,
        functionArn('legacy-worker'),
        functionArn('orphan'),
        functionArn('orders-a'),
        functionArn('orders-b'),
      ];
      expect(summary).toMatchObject({
        status: 'partial',
        partial: {
          reason: expect.stringMatching(
            /^3 of 4 roles of the account could not be read; time limit: collection stopped/,
          ),
          notAudited: notAudited.length,
        },
        published: true,
        baseline: false,
      });
      const messages = await receiveAll(environment, queueUrl);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.MessageAttributes?.status?.StringValue).toBe('partial');
      const published = JSON.parse(messages[0]!.Body!) as AuditReport;
      expect(published.status).toBe('partial');
      expect(published.partial?.notAudited.sort()).toEqual(notAudited.sort());
      // orders-reader was read from the us-west-2 listing before the margin: its findings are all there (only
      // who may invoke its us-east-1 functions is unknown).
      const audited = (report: AuditReport) =>
        report.findings.filter((finding) => finding.roleArn === SEEDED_ROLES.ordersReader);
      expect(audited(published).length).toBeGreaterThan(0);
      expect(findingKeys(audited(published))).toEqual(findingKeys(audited(clean)));
      // The roles not read say so, once each; only what needs no role read (a function's own
      // configuration) is checked for their functions.
      const unaudited = published.findings.filter((finding) => lateRoles.includes(finding.roleArn));
      expect(
        unaudited
          .map((finding) =>
            finding.subject === 'role'
              ? `${finding.ruleId} ${finding.roleArn} ${finding.functionCount}`
              : `${finding.ruleId} ${finding.functionArn}`,
          )
          .sort(),
      ).toEqual(
        [
          `role-unreadable ${SEEDED_ROLES.admin} 1`,
          `role-unreadable ${SEEDED_ROLES.ec2Trusted} 1`,
          `role-unreadable ${SEEDED_ROLES.deleted} 1`,
          `secrets-in-environment ${functionArn('payments-api')}`,
        ].sort(),
      );
      expect(published.errors.map((error) => `${error.scope} ${error.code} ${error.arn}`).sort()).toEqual(
        lateRoles.map((role) => `role NotCollected ${role}`).sort(),
      );
      // Only the time limit stopped the run: the IAM reads of the late roles were never sent.
      const roleReads = environment.proxy
        .requests()
        .filter((request) => request.operation === 'iam:GetRole')
        .map((request) => request.target);
      expect(roleReads).toEqual(['orders-reader']);
      // A partial report is archived but does not become the baseline of the next run.
      const keys = (await archivedReports(environment)).map((object) => object.key);
      const runKey = published.location!.slice(`s3://${REPORT_BUCKET}/`.length);
      expect(keys.sort()).toEqual([runKey, runKey.replace(/\.json$/, '.html')].sort());
      expect(log.entries().find((entry) => entry.message === 'audit finished')).toMatchObject({
        status: 'partial',
        partial: notAudited.length,
      });
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'cuts a request that hangs past half the margin and publishes the rest as partial',
    async () => {
      // prepare: real-time clock; one role read never answers
      environment.proxy.clear();
      environment.proxy.setRules([
        {
          match: { operation: 'iam:GetRole', params: { RoleName: 'copied-from-ec2' } },
          fault: { kind: 'latency', ms: 120_000 },
        },
      ]);
      const started = Date.now();
      const context = lambdaContext(() => DEADLINE_MARGIN_MS + 6_000 - (Date.now() - started));

      // act
      const { summary } = await invoke(lambdaConfig(), {}, context);

      // assess: the run ended (it did not wait for the hanging call) with everything else audited
      expect(summary).toMatchObject({
        status: 'partial',
        partial: {
          reason: expect.stringMatching(
            /^1 of 4 roles of the account could not be read; time limit: collection stopped/,
          ),
          notAudited: 2,
        },
      });
      const messages = await receiveAll(environment, queueUrl);
      expect(messages).toHaveLength(1);
      const published = JSON.parse(messages[0]!.Body!) as AuditReport;
      expect(published.partial?.notAudited).toEqual([SEEDED_ROLES.ec2Trusted, functionArn('legacy-worker')]);
      const others = (report: AuditReport) =>
        report.findings.filter((finding) => finding.roleArn !== SEEDED_ROLES.ec2Trusted);
      expect(findingKeys(others(published))).toEqual(findingKeys(others(clean)));
      expect(published.findings.filter((finding) => finding.roleArn === SEEDED_ROLES.ec2Trusted)).toEqual([
        expect.objectContaining({ subject: 'role', ruleId: 'role-unreadable', functionCount: 1 }),
      ]);
      expect(environment.proxy.stats()['iam:GetRole']?.faults.latency).toBe(1);
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
