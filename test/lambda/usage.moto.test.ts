import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../src/handler.js';
import { awsTestEnv, type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';
import { SEEDED_ROLES, seedAccount } from '../collect/seed.js';
import { lambdaContext, SEEDED_REGIONS, TOPIC_ARN, TOPIC_NAME } from '../faults/harness.js';
import { captureStdout } from '../support/stdout.js';

const RECENT = '2026-11-24T10:00:00+00:00';
let moto: MotoServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  await seedAccount(moto.endpoint);
  const sns = new SNSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  await sns.send(new CreateTopicCommand({ Name: TOPIC_NAME }));
  sns.destroy();
  const roles = [SEEDED_ROLES.admin, SEEDED_ROLES.ordersReader, SEEDED_ROLES.ec2Trusted];
  const response = await fetch(`${moto.endpoint}/moto-ext/last-accessed`, {
    method: 'POST',
    body: JSON.stringify({
      roleCreateDates: Object.fromEntries(roles.map((arn) => [arn, '2024-01-10T10:00:00Z'])),
      roles: Object.fromEntries(
        roles.map((arn) => [
          arn,
          {
            ServicesLastAccessed: [
              { ServiceName: 'Amazon DynamoDB', ServiceNamespace: 'dynamodb', LastAuthenticated: RECENT },
              { ServiceName: 'Amazon CloudWatch Logs', ServiceNamespace: 'logs', LastAuthenticated: RECENT },
              { ServiceName: 'Amazon EC2', ServiceNamespace: 'ec2' },
            ],
          },
        ]),
      ),
    }),
  });
  expect(response.status).toBe(200);
  Object.assign(process.env, awsTestEnv(moto.endpoint), {
    TOPIC_ARN,
    REGIONS: SEEDED_REGIONS.join(','),
    COLLECTION: 'bulk',
    USAGE: 'on',
    USAGE_DAYS: '120',
  });
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await moto?.stop();
});

describe('Lambda handler with USAGE=on', () => {
  it("reads every role's last-accessed data and proposes a proven policy for the role with a service wildcard", async () => {
    // prepare
    const stdout = captureStdout();

    // act
    let summary: Awaited<ReturnType<typeof handler>>;
    try {
      summary = await handler({ dryRun: true }, lambdaContext());
    } finally {
      vi.restoreAllMocks();
    }

    // assess
    expect(summary.status).toBe('complete');
    const finished = stdout
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.message === 'audit finished')!;
    expect(finished.apiCalls).toMatchObject({ 'iam:GenerateServiceLastAccessedDetails': 3 });
    expect(finished.proposals).toBe(1);
    // Its boundary leaves dynamodb:* on "*": the proposal names the DynamoDB actions instead.
    expect(summary.top.find((role) => role.role === 'payments-admin')?.rules).toContain('service-wildcard');
  });
});
