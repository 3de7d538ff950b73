import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateAccount } from '../../bench/generate.js';
import { SeedError, seedMoto } from '../../bench/seed-moto.js';
import { type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';

describe('seedMoto', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startMoto();
  });

  afterAll(async () => {
    await moto?.stop();
  });

  beforeEach(async () => {
    await moto.reset();
  });

  it('creates the generated roles, policies, functions and versions in moto', async () => {
    // Prepare
    const account = generateAccount({ functions: 20, roles: 8, policies: 5, seed: 7 });
    const clientConfig = { endpoint: moto.endpoint, credentials: TEST_CREDENTIALS };
    const iam = new IAMClient({ ...clientConfig, region: 'us-east-1' });

    // Act
    const result = await seedMoto(moto.endpoint, account, { concurrency: 4 });
    const details = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
    const listed = [];
    for (const region of account.regions) {
      const lambda = new LambdaClient({ ...clientConfig, region });
      const page = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
      listed.push(...(page.Functions ?? []));
      lambda.destroy();
    }
    iam.destroy();

    // Assess
    const generatedRoles = account.authDetails.RoleDetailList;
    expect(result.roles).toBe(generatedRoles.length);
    expect(result.functions).toBe(20);
    expect(result.deletedRoles).toBe(account.expected.missingRoleArns.length);
    const motoRoles = new Map((details.RoleDetailList ?? []).map((role) => [role.Arn, role]));
    expect([...motoRoles.keys()].sort()).toEqual(generatedRoles.map((role) => role.Arn).sort());
    for (const role of generatedRoles) {
      const seeded = motoRoles.get(role.Arn);
      expect(seeded?.AttachedManagedPolicies?.map((attached) => attached.PolicyArn).sort()).toEqual(
        role.AttachedManagedPolicies.map((attached) => attached.PolicyArn).sort(),
      );
      expect(seeded?.RolePolicyList?.map((inline) => inline.PolicyName).sort()).toEqual(
        role.RolePolicyList.map((inline) => inline.PolicyName).sort(),
      );
      expect(seeded?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(
        role.PermissionsBoundary?.PermissionsBoundaryArn,
      );
    }
    const listedRoles = listed.map((entry) => [entry.FunctionArn, entry.Role]).sort();
    const generatedFunctionRoles = account.functions.Functions.map((entry) => [
      entry.FunctionArn,
      entry.Role,
    ]).sort();
    expect(listedRoles).toEqual(generatedFunctionRoles);
  });

  it('refuses an account generated for an account id moto does not use', async () => {
    // Prepare
    const account = generateAccount({
      functions: 10,
      roles: 4,
      policies: 2,
      seed: 3,
      account: '210987654321',
    });

    // Act
    const seeding = seedMoto(moto.endpoint, account);

    // Assess
    await expect(seeding).rejects.toThrow(SeedError);
    await expect(seeding).rejects.toThrow(/account id/);
  });
});
