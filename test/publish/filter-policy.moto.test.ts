import { readFileSync } from 'node:fs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { AuditReport } from '../../src/model/report.js';
import { emptySnapshot } from '../../src/model/snapshot.js';
import { publishReport } from '../../src/publish/sns.js';
import { type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';
import { createQueue, drainQueue } from '../../tools/sqs.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const NOW = new Date('2026-11-30T03:00:00Z');

/** The filter policy the README recommends, read from the README so that the two cannot drift apart. */
function readmeFilterPolicy(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const match = /--attributes '(\{"FilterPolicy":.*\})'/.exec(readme);
  if (!match) throw new Error('README.md has no subscription example with a FilterPolicy');
  return (JSON.parse(match[1]!) as { FilterPolicy: string }).FilterPolicy;
}

/** A run that could not list any region: nothing was audited. */
function failedReport(): AuditReport {
  const snapshot = emptySnapshot(ACCOUNT);
  snapshot.regions = [REGION];
  snapshot.errors.push({
    scope: 'region',
    arn: REGION,
    code: 'AccessDeniedException',
    message: 'ListFunctions failed after 0 functions: not authorized',
  });
  return auditSnapshot(snapshot, { now: NOW });
}

/** One function whose role allows only what the basic execution policy allows: a clean run. */
function cleanAccount(options: { regionDown?: string; roleSharedBy?: number } = {}): AuditReport {
  const role = `arn:aws:iam::${ACCOUNT}:role/app-role`;
  const count = options.roleSharedBy ?? 1;
  const snapshot = loadOfflineSnapshot({
    authDetails: {
      RoleDetailList: [
        {
          RoleName: 'app-role',
          Arn: role,
          Path: '/',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
          RolePolicyList: [
            {
              PolicyName: 'logs',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
                    Resource: '*',
                  },
                ],
              },
            },
          ],
          AttachedManagedPolicies: [],
          Tags: [
            { Key: 'lambda-role-auditor:suppress', Value: 'inline-policy' },
            { Key: 'lambda-role-auditor:reason', Value: 'kept inline on purpose' },
          ],
        },
      ],
      Policies: [],
    },
    functions: {
      Functions: Array.from({ length: count }, (_, index) => ({
        FunctionName: `app-${index}`,
        FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:app-${index}`,
        Role: role,
        Version: '$LATEST',
      })),
    },
  });
  if (options.regionDown) {
    snapshot.regions = [REGION, options.regionDown];
    snapshot.errors.push({
      scope: 'region',
      arn: options.regionDown,
      code: 'ServiceUnavailable',
      message: 'ListFunctions failed after 0 functions: endpoint unreachable',
    });
  }
  return auditSnapshot(snapshot, { now: NOW });
}

let moto: MotoServer;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS };
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
});

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

describe("The README's recommended subscription filter policy", () => {
  it.each([
    ['a failed run (nothing could be listed)', true, failedReport, 'failed', 'none'],
    [
      'a partial run with nothing found in what was read',
      true,
      () => cleanAccount({ regionDown: 'eu-west-1' }),
      'partial',
      'none',
    ],
    [
      'a complete run with a low finding only',
      false,
      () => cleanAccount({ roleSharedBy: 2 }),
      'complete',
      'low',
    ],
    ['a complete clean run', false, () => cleanAccount(), 'complete', 'none'],
  ] as const)('%s: delivered %s', async (_label, delivered, build, status, severity) => {
    // Prepare
    const report = build();
    expect(report.status).toBe(status);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'audit' }));
    const queue = await createQueue(sqs, 'oncall');
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { FilterPolicy: readmeFilterPolicy() },
      }),
    );

    // Act
    await publishReport(sns, TopicArn!, report);

    // Assess
    const messages = await drainQueue(sqs, queue.url);
    expect(messages).toHaveLength(delivered ? 1 : 0);
    if (delivered) {
      const envelope = JSON.parse(messages[0]!.Body!) as {
        Subject: string;
        Message: string;
        MessageAttributes: Record<string, { Value: string }>;
      };
      expect(envelope.MessageAttributes.status?.Value).toBe(status);
      expect(envelope.MessageAttributes.severity?.Value).toBe(severity);
      expect(envelope.Subject).toContain(status === 'failed' ? 'AUDIT FAILED' : 'PARTIAL');
      expect((JSON.parse(envelope.Message) as AuditReport).status).toBe(status);
    }
  });
});
