/**
 * The cost of usage collection (SPEC §4c): IAM last-accessed data of N roles read by the product's
 * collector (`GenerateServiceLastAccessedDetails` + `GetServiceLastAccessedDetails`, with its default job
 * window, poll interval and page size) against moto with the last-accessed extension, behind the
 * latency proxy. Each job answers IN_PROGRESS once, as a real one does for a few seconds.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { createClients } from '../src/collect/clients.js';
import {
  DEFAULT_JOB_WINDOW,
  DEFAULT_POLL_INTERVAL_MS,
  readLastAccessed,
} from '../src/collect/last-accessed.js';
import { createRunControl } from '../src/collect/run-control.js';
import type { RoleRecord } from '../src/model/snapshot.js';
import { MOTO_ACCOUNT_ID, TEST_CREDENTIALS } from '../tools/moto.js';

export interface UsageSample {
  condition: string;
  roles: number;
  ms: number;
  calls: Record<string, number>;
  attempts: Record<string, number>;
  read: number;
  failed: number;
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** A realistic report of one role: three services, S3 with action-level data. */
function reportOf(roleArn: string, index: number) {
  const recent = '2026-11-24T10:00:00+00:00';
  return {
    ServicesLastAccessed: [
      {
        ServiceName: 'Amazon S3',
        ServiceNamespace: 's3',
        LastAuthenticated: recent,
        LastAuthenticatedEntity: roleArn,
        LastAuthenticatedRegion: 'us-east-1',
        TotalAuthenticatedEntities: 1,
        TrackedActionsLastAccessed: [
          { ActionName: 'CreateBucket' },
          { ActionName: 'ListAllMyBuckets', LastAccessedTime: recent, LastAccessedRegion: 'us-east-1' },
          { ActionName: 'PutBucketPolicy' },
        ],
      },
      { ServiceName: 'Amazon DynamoDB', ServiceNamespace: 'dynamodb', TotalAuthenticatedEntities: 0 },
      {
        ServiceName: 'Amazon CloudWatch Logs',
        ServiceNamespace: 'logs',
        LastAuthenticated: index % 7 === 0 ? '2026-03-01T10:00:00+00:00' : recent,
        TotalAuthenticatedEntities: 1,
      },
    ],
  };
}

/**
 * Creates `count` roles in moto and seeds their last-accessed reports; returns their records as a
 * snapshot holds them (created long ago, so none is skipped as young).
 */
export async function seedUsageRoles(endpoint: string, count: number): Promise<RoleRecord[]> {
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  const names = Array.from({ length: count }, (_, index) => `usage-bench-${String(index).padStart(5, '0')}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < names.length) {
        const name = names[next++]!;
        await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
      }
    }),
  );
  iam.destroy();
  const arns = names.map((name) => `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${name}`);
  const response = await fetch(`${endpoint}/moto-ext/last-accessed`, {
    method: 'POST',
    body: JSON.stringify({
      inProgressPolls: 1,
      roles: Object.fromEntries(arns.map((arn, index) => [arn, reportOf(arn, index)])),
    }),
  });
  if (!response.ok) throw new Error(`seeding last-accessed data failed: HTTP ${response.status}`);
  await response.arrayBuffer();
  return names.map((name, index) => ({
    arn: arns[index]!,
    name,
    path: '/',
    trustPolicy: TRUST,
    inlinePolicies: [],
    attachedPolicyArns: [],
    tags: {},
    createDate: '2024-01-10T10:00:00.000Z',
  }));
}

/** Reads the roles' last-accessed data as a live run does, and measures it. */
export async function measureUsage(
  endpoint: string,
  condition: string,
  roles: RoleRecord[],
): Promise<UsageSample> {
  const clients = createClients({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  const control = createRunControl({ marginMs: 0 });
  const startedAt = performance.now();
  try {
    const usage = await readLastAccessed(clients.iam, roles, { control, days: 90 });
    return {
      condition,
      roles: roles.length,
      ms: performance.now() - startedAt,
      calls: clients.callCounts(),
      attempts: clients.attemptCounts(),
      read: usage.roles.size,
      failed: usage.failures.size,
    };
  } finally {
    control.dispose();
    clients.iam.destroy();
  }
}

/** The collector's settings the measurement ran with, for the table. */
export const USAGE_SETTINGS = `job window ${DEFAULT_JOB_WINDOW}, first poll after ${DEFAULT_POLL_INTERVAL_MS} ms then doubling, 8 IAM calls in flight`;
