import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTinyFunction } from '../../tools/functions.js';
import { MOTO_ACCOUNT_ID, type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';

const FUNCTION = `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:ext-probe`;

let moto: MotoServer;
let lambda: LambdaClient;

async function revisionOf(arn: string): Promise<string | undefined> {
  const { Functions } = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
  return Functions?.find((fn) => fn.FunctionArn === arn || fn.FunctionArn === `${arn}:$LATEST`)?.RevisionId;
}

async function statementsOf(qualifier?: string): Promise<unknown[]> {
  const { Policy } = await lambda.send(
    new GetPolicyCommand({ FunctionName: 'ext-probe', ...(qualifier ? { Qualifier: qualifier } : {}) }),
  );
  return (JSON.parse(Policy ?? '{}') as { Statement: unknown[] }).Statement;
}

beforeAll(async () => {
  moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  lambda = new LambdaClient(config);
  const iam = new IAMClient(config);
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: 'ext-probe', AssumeRolePolicyDocument: '{}' }),
  );
  iam.destroy();
  await createTinyFunction(lambda, { name: 'ext-probe', role: Role?.Arn });
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  await moto?.stop();
});

/** The contract of test/support/moto_server_ext.py: what moto 5.2 lacks, answered in AWS's shape. */
describe('moto with the Lambda extension', () => {
  it('gives functions a RevisionId that a policy change changes, and GetPolicy the same revision', async () => {
    // prepare
    const before = await revisionOf(FUNCTION);

    // act
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'ext-probe',
        StatementId: 'sns',
        Action: 'lambda:InvokeFunction',
        Principal: 'sns.amazonaws.com',
      }),
    );
    const after = await revisionOf(FUNCTION);
    const { RevisionId } = await lambda.send(new GetPolicyCommand({ FunctionName: 'ext-probe' }));

    // assess
    expect(before).toMatch(/^[0-9a-f-]{36}$/);
    expect(after).toMatch(/^[0-9a-f-]{36}$/);
    expect(after).not.toBe(before);
    expect(RevisionId).toBe(after);
  });

  it('stores add-permission statements the way AWS does', async () => {
    // act
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'ext-probe',
        StatementId: 'url',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      }),
    );
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'ext-probe',
        StatementId: 'via-url',
        Action: 'lambda:InvokeFunction',
        Principal: '*',
        InvokedViaFunctionUrl: true,
      }),
    );
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'ext-probe',
        StatementId: 'partner',
        Action: 'lambda:InvokeFunction',
        Principal: '210987654321',
      }),
    );

    // assess
    const statements = await statementsOf();
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Sid: 'url',
          Effect: 'Allow',
          Principal: '*',
          Action: 'lambda:InvokeFunctionUrl',
          Resource: FUNCTION,
          Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
        },
        {
          Sid: 'via-url',
          Effect: 'Allow',
          Principal: '*',
          Action: 'lambda:InvokeFunction',
          Resource: FUNCTION,
          Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        },
        {
          Sid: 'partner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::210987654321:root' },
          Action: 'lambda:InvokeFunction',
          Resource: FUNCTION,
        },
      ]),
    );
  });

  it('answers ListFunctionUrlConfigs from the URL configuration moto keeps', async () => {
    // act
    const before = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: FUNCTION }));
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'ext-probe', AuthType: 'NONE' }));
    const after = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: FUNCTION }));

    // assess
    expect(before.FunctionUrlConfigs).toEqual([]);
    expect(after.FunctionUrlConfigs).toEqual([
      expect.objectContaining({ FunctionArn: FUNCTION, AuthType: 'NONE', InvokeMode: 'BUFFERED' }),
    ]);
  });

  it('gives a published version a policy and a revision of its own', async () => {
    // act
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: 'ext-probe' }));
    const empty = lambda.send(new GetPolicyCommand({ FunctionName: 'ext-probe', Qualifier: Version }));
    await expect(empty).rejects.toBeInstanceOf(ResourceNotFoundException);
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'ext-probe',
        Qualifier: Version,
        StatementId: 'v-anyone',
        Action: 'lambda:InvokeFunction',
        Principal: '*',
      }),
    );

    // assess
    expect(await statementsOf(Version)).toEqual([
      {
        Sid: 'v-anyone',
        Effect: 'Allow',
        Principal: '*',
        Action: 'lambda:InvokeFunction',
        Resource: `${FUNCTION}:${Version}`,
      },
    ]);
    expect((await statementsOf()).map((statement) => (statement as { Sid: string }).Sid)).not.toContain(
      'v-anyone',
    );
    expect(await revisionOf(`${FUNCTION}:${Version}`)).not.toBe(await revisionOf(FUNCTION));
  });
});
