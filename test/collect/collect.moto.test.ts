import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/collect/clients.js';
import { type CollectionStrategy, collectSnapshot } from '../../src/collect/collect.js';
import type { AccountSnapshot } from '../../src/model/snapshot.js';
import {
  awsTestEnv,
  MOTO_ACCOUNT_ID,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
} from '../../tools/moto.js';
import {
  ADMINISTRATOR_ACCESS,
  BASIC_EXECUTION,
  BOUNDARY_POLICY,
  ORDERS_READ_POLICY,
  SEEDED_ROLES,
  SEEDED_SECRET_VALUE,
  seedAccount,
} from './seed.js';

const REGIONS = ['us-east-1', 'us-west-2'];

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  await seedAccount(moto.endpoint);
});

afterAll(async () => {
  await moto?.stop();
});

async function collectWith(collection: CollectionStrategy) {
  const clients = createClients({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  const snapshot = await collectSnapshot({ clients, regions: REGIONS, collection });
  return { snapshot, calls: clients.callCounts() };
}

/** The snapshot as plain data; failure messages differ by strategy (IAM's text or ours), codes do not. */
function comparable(snapshot: AccountSnapshot) {
  return {
    ...snapshot,
    roles: Object.fromEntries(snapshot.roles),
    managedPolicies: Object.fromEntries(snapshot.managedPolicies),
    roleFailures: Object.fromEntries([...snapshot.roleFailures].map(([arn, failure]) => [arn, failure.code])),
    // When each function's policy was read differs between two runs.
    resourcePolicies: Object.fromEntries(
      [...(snapshot.resourcePolicies ?? [])].map(([arn, { readAt: _readAt, ...record }]) => [arn, record]),
    ),
  };
}

describe('collectSnapshot against moto', () => {
  it('collects the same account in bulk and per-role mode', async () => {
    // act
    const perRole = await collectWith('per-role');
    const bulk = await collectWith('bulk');

    // assess
    expect(comparable(bulk.snapshot)).toEqual(comparable(perRole.snapshot));
    const snapshot = perRole.snapshot;
    expect(snapshot.account).toBe(MOTO_ACCOUNT_ID);
    // Listing order is the service's (moto: creation order); the collector keeps it, region by region.
    const functionsAndRoles = snapshot.functions.map((record) => [record.functionArn, record.roleArn]);
    expect(functionsAndRoles.sort()).toEqual([
      [`arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:legacy-worker`, SEEDED_ROLES.ec2Trusted],
      [`arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:orders-a`, SEEDED_ROLES.ordersReader],
      [`arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:orders-b`, SEEDED_ROLES.ordersReader],
      [`arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:orphan`, SEEDED_ROLES.deleted],
      [`arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:payments-api`, SEEDED_ROLES.admin],
      [`arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:payments-api:1`, SEEDED_ROLES.admin],
      [`arn:aws:lambda:us-west-2:${MOTO_ACCOUNT_ID}:function:orders-west`, SEEDED_ROLES.ordersReader],
    ]);
    expect([...snapshot.roles.keys()].sort()).toEqual(
      [SEEDED_ROLES.admin, SEEDED_ROLES.ec2Trusted, SEEDED_ROLES.ordersReader].sort(),
    );
    expect(snapshot.roleFailures.get(SEEDED_ROLES.deleted)?.code).toBe('NoSuchEntity');
    expect([...snapshot.managedPolicies.keys()].sort()).toEqual(
      [ADMINISTRATOR_ACCESS, BASIC_EXECUTION, BOUNDARY_POLICY, ORDERS_READ_POLICY].sort(),
    );
    expect(snapshot.errors).toEqual([]);
  });

  it('reads the role parts and the default policy versions', async () => {
    // act
    const { snapshot } = await collectWith('per-role');

    // assess
    const admin = snapshot.roles.get(SEEDED_ROLES.admin);
    expect(admin).toMatchObject({
      name: 'payments-admin',
      path: '/service-role/',
      attachedPolicyArns: [ADMINISTRATOR_ACCESS, BASIC_EXECUTION],
      permissionsBoundaryArn: BOUNDARY_POLICY,
      tags: { team: 'payments' },
    });
    expect(JSON.parse(String(admin?.trustPolicy))).toMatchObject({
      Statement: [{ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(admin?.inlinePolicies.map((policy) => policy.name)).toEqual(['dynamodb-all']);
    expect(JSON.parse(String(snapshot.managedPolicies.get(ADMINISTRATOR_ACCESS)?.document))).toMatchObject({
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    expect(
      JSON.parse(String(snapshot.managedPolicies.get(BASIC_EXECUTION)?.document)).Statement[0].Action,
    ).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('keeps secret names and drops their values', async () => {
    // act
    const { snapshot } = await collectWith('bulk');

    // assess
    const payments = snapshot.functions.find((record) => record.functionName === 'payments-api');
    expect(payments?.secretSuspects).toEqual([{ name: 'DB_PASSWORD', reason: 'secret-name' }]);
    expect(JSON.stringify(comparable(snapshot))).not.toContain(SEEDED_SECRET_VALUE);
  });

  /** Every role and managed policy of the seeded account read once. */
  const PER_ROLE_CALLS = {
    'iam:GetPolicy': 4,
    'iam:GetPolicyVersion': 4,
    'iam:GetRole': 4,
    'iam:GetRolePolicy': 2,
    'iam:ListAttachedRolePolicies': 3,
    'iam:ListRolePolicies': 3,
    'lambda:GetPolicy': 7,
    'lambda:ListFunctions': 2,
  };

  it.each([
    {
      collection: 'per-role' as const,
      expected: PER_ROLE_CALLS,
    },
    {
      collection: 'bulk' as const,
      expected: { 'iam:GetAccountAuthorizationDetails': 1, 'lambda:GetPolicy': 7, 'lambda:ListFunctions': 2 },
    },
    {
      // Four roles: auto reads them one by one.
      collection: 'auto' as const,
      expected: PER_ROLE_CALLS,
    },
  ])('makes the expected calls in $collection mode', async ({ collection, expected }) => {
    // act
    const { calls } = await collectWith(collection);

    // assess
    expect(calls).toEqual(expected);
  });

  it('works from the standard environment and discovers the enabled regions', async () => {
    // prepare
    const saved = { ...process.env };
    Object.assign(process.env, awsTestEnv(moto.endpoint));
    try {
      const clients = createClients();

      // act
      const snapshot = await collectSnapshot({ clients, regions: 'all', collection: 'auto' });

      // assess
      expect(snapshot.regions).toEqual(expect.arrayContaining(REGIONS));
      expect(snapshot.regions).not.toContain('ap-east-1');
      expect(snapshot.functions).toHaveLength(7);
      expect(clients.callCounts()['ec2:DescribeRegions']).toBe(1);
      expect(clients.callCounts()['lambda:ListFunctions']).toBe(snapshot.regions.length);
    } finally {
      process.env = saved;
    }
  });
});

describe('moto harness', () => {
  it('forgets the seeded account on reset', async () => {
    // prepare
    await moto.reset();
    const clients = createClients({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: REGIONS, collection: 'per-role' });

    // assess
    expect(snapshot.functions).toEqual([]);
    expect(snapshot.account).toBe(MOTO_ACCOUNT_ID);
    expect(clients.callCounts()['sts:GetCallerIdentity']).toBe(1);
  });
});
