import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  type AddPermissionCommandInput,
  CreateFunctionUrlConfigCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { createTinyFunction } from '../../tools/functions.js';
import { MOTO_ACCOUNT_ID, TEST_CREDENTIALS } from '../../tools/moto.js';
import { ADMINISTRATOR_ACCESS, BASIC_EXECUTION, roleArn, seedAccount } from '../collect/seed.js';

/**
 * Plaintext secrets seeded into environment variables. None of them may appear in any output: CLI
 * streams, SNS messages, archived reports, snapshot files. The access-key-shaped one is caught by its
 * value alone (its variable name says nothing), the other by its variable name.
 */
export const CANARY_PASSWORD = 'canary-8d1f0e-value';
export const CANARY_ACCESS_KEY_ID = 'AKIAIOSFODNN7CANARY1';

/** An account that is not the audited one: a role there cannot be read by the auditor. */
export const PARTNER_ACCOUNT_ID = '210987654321';

const functionArn = (name: string, region = 'us-east-1'): string =>
  `arn:aws:lambda:${region}:${MOTO_ACCOUNT_ID}:function:${name}`;

/** The functions of the live account and the ARN their findings carry. */
export const LIVE_FUNCTIONS = {
  // From the collector tests' seed (test/collect/seed.ts).
  paymentsApi: functionArn('payments-api'),
  paymentsApiVersion1: `${functionArn('payments-api')}:1`,
  ordersA: functionArn('orders-a'),
  ordersB: functionArn('orders-b'),
  ordersWest: functionArn('orders-west', 'us-west-2'),
  legacyWorker: functionArn('legacy-worker'),
  orphan: functionArn('orphan'),
  // Added here.
  admin: functionArn('live-admin'),
  escalator: functionArn('live-escalator'),
  dynamoWildcard: functionArn('live-dynamo-wildcard'),
  unscoped: functionArn('live-unscoped'),
  silent: functionArn('live-silent'),
  notAction: functionArn('live-not-action'),
  canary: functionArn('live-canary'),
  clean: functionArn('live-clean'),
  release: functionArn('live-release'),
  releaseVersion1: `${functionArn('live-release')}:1`,
  partner: functionArn('live-partner'),
} as const;

export const LIVE_ROLES = {
  admin: roleArn('/', 'live-admin'),
  escalator: roleArn('/', 'live-escalator'),
  dynamoWildcard: roleArn('/', 'live-dynamo-wildcard'),
  unscoped: roleArn('/', 'live-unscoped'),
  silent: roleArn('/', 'live-silent'),
  notAction: roleArn('/', 'live-not-action'),
  canary: roleArn('/', 'live-canary'),
  clean: roleArn('/', 'live-clean'),
  releaseVersion1: roleArn('/', 'live-release-v1'),
  releaseLatest: roleArn('/', 'live-release-latest'),
  partner: `arn:aws:iam::${PARTNER_ACCOUNT_ID}:role/partner-execution`,
} as const;

/** The regions the seeded account has functions in. */
export const LIVE_REGIONS = ['us-east-1', 'us-west-2'] as const;

const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

type Statement = Record<string, unknown>;

const policyDocument = (...statements: Statement[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/**
 * Seeds the collector tests' account, then adds one function per rule that moto can express: an
 * admin role, a PassRole escalation, `dynamodb:*`, unscoped writes and reads, a role without logs,
 * `NotAction`, secrets in the environment, a clean function, a version with its own role, a
 * function whose role lives in another account, and resource-based policies and a function URL.
 */
export async function seedLiveAccount(endpoint: string): Promise<void> {
  await seedAccount(endpoint);
  const config = { endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  try {
    const role = async (name: string, managed: string[], inline?: string): Promise<void> => {
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST }));
      for (const policyArn of managed) {
        await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArn }));
      }
      if (inline) {
        await iam.send(
          new PutRolePolicyCommand({ RoleName: name, PolicyName: `${name}-inline`, PolicyDocument: inline }),
        );
      }
    };
    const managedPolicy = async (name: string, document: string): Promise<string> => {
      const { Policy } = await iam.send(
        new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document }),
      );
      return Policy?.Arn ?? `arn:aws:iam::${MOTO_ACCOUNT_ID}:policy/${name}`;
    };

    await role('live-admin', [ADMINISTRATOR_ACCESS]);
    // Inline on purpose: this role also carries the inline-policy finding.
    await role(
      'live-escalator',
      [BASIC_EXECUTION],
      policyDocument({
        Effect: 'Allow',
        Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
        Resource: '*',
      }),
    );
    await role('live-dynamo-wildcard', [
      BASIC_EXECUTION,
      await managedPolicy(
        'live-dynamodb-all',
        policyDocument({ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }),
      ),
    ]);
    await role('live-unscoped', [
      BASIC_EXECUTION,
      await managedPolicy(
        'live-s3-unscoped',
        policyDocument({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: '*' }),
      ),
    ]);
    await role('live-silent', [
      await managedPolicy(
        'live-orders-item-read',
        policyDocument({
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: `arn:aws:dynamodb:us-east-1:${MOTO_ACCOUNT_ID}:table/orders`,
        }),
      ),
    ]);
    await role('live-not-action', [
      BASIC_EXECUTION,
      await managedPolicy(
        'live-bucket-all-but-delete',
        policyDocument({
          Effect: 'Allow',
          NotAction: 's3:DeleteObject',
          Resource: 'arn:aws:s3:::live-uploads/*',
        }),
      ),
    ]);
    for (const name of ['live-canary', 'live-clean', 'live-release-v1', 'live-release-latest']) {
      await role(name, [BASIC_EXECUTION]);
    }
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'live-release-v1',
        PolicyArn: await managedPolicy(
          'live-s3-all',
          policyDocument({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
        ),
      }),
    );

    const create = (name: string, role: string, variables?: Record<string, string>) =>
      createTinyFunction(lambda, { name, role, ...(variables ? { variables } : {}) });
    await create('live-admin', LIVE_ROLES.admin);
    await create('live-escalator', LIVE_ROLES.escalator);
    await create('live-dynamo-wildcard', LIVE_ROLES.dynamoWildcard);
    await create('live-unscoped', LIVE_ROLES.unscoped);
    await create('live-silent', LIVE_ROLES.silent);
    await create('live-not-action', LIVE_ROLES.notAction);
    await create('live-canary', LIVE_ROLES.canary, {
      DB_PASSWORD: CANARY_PASSWORD,
      LEGACY_UPLOADER_ID: CANARY_ACCESS_KEY_ID,
      STAGE: 'prod',
    });
    await create('live-clean', LIVE_ROLES.clean, { STAGE: 'prod' });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'live-clean' }));

    // A version keeps the role it was published with; $LATEST moves on to a clean one.
    await create('live-release', LIVE_ROLES.releaseVersion1);
    await lambda.send(new PublishVersionCommand({ FunctionName: 'live-release' }));
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'live-release',
        Role: LIVE_ROLES.releaseLatest,
      }),
    );

    // moto's CreateFunction refuses a role of another account (CrossAccountNotAllowed);
    // UpdateFunctionConfiguration does not check the role.
    await create('live-partner', LIVE_ROLES.clean);
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'live-partner', Role: LIVE_ROLES.partner }),
    );
    await seedWhoMayInvoke(lambda);
  } finally {
    iam.destroy();
    lambda.destroy();
  }
}

/**
 * Who may invoke (SPEC §4b), as `aws lambda add-permission` and the console write it: a public function
 * URL on the admin role (the worst finding), a function anyone may invoke, a service without its source,
 * another account, and a clean schedule permission.
 */
async function seedWhoMayInvoke(lambda: LambdaClient): Promise<void> {
  const permit = (input: Omit<AddPermissionCommandInput, 'Action'> & { Action?: string }) =>
    lambda.send(new AddPermissionCommand({ Action: 'lambda:InvokeFunction', ...input }));
  await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'live-admin', AuthType: 'NONE' }));
  await permit({
    FunctionName: 'live-admin',
    StatementId: 'FunctionURLAllowPublicAccess',
    Action: 'lambda:InvokeFunctionUrl',
    Principal: '*',
    FunctionUrlAuthType: 'NONE',
  });
  await permit({
    FunctionName: 'live-admin',
    StatementId: 'FunctionURLInvokeAllowPublicAccess',
    Principal: '*',
    InvokedViaFunctionUrl: true,
  });
  await permit({ FunctionName: 'live-unscoped', StatementId: 'anyone', Principal: '*' });
  await permit({ FunctionName: 'live-dynamo-wildcard', StatementId: 'sns', Principal: 'sns.amazonaws.com' });
  await permit({ FunctionName: 'live-not-action', StatementId: 'partner', Principal: PARTNER_ACCOUNT_ID });
  await permit({
    FunctionName: 'live-clean',
    StatementId: 'nightly',
    Principal: 'events.amazonaws.com',
    SourceAccount: MOTO_ACCOUNT_ID,
    SourceArn: `arn:aws:events:us-east-1:${MOTO_ACCOUNT_ID}:rule/nightly`,
  });
}

/**
 * Fixes the admin finding the way its remediation says: AdministratorAccess replaced by
 * AWSLambdaBasicExecutionRole. `fixAdminRole(endpoint, false)` puts the seeded state back.
 */
export async function fixAdminRole(endpoint: string, fixed = true): Promise<void> {
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  const [detach, attach] = fixed
    ? [ADMINISTRATOR_ACCESS, BASIC_EXECUTION]
    : [BASIC_EXECUTION, ADMINISTRATOR_ACCESS];
  try {
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'live-admin', PolicyArn: detach }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'live-admin', PolicyArn: attach }));
  } finally {
    iam.destroy();
  }
}
