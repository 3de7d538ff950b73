import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  IAMClient,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { createTinyFunction } from '../../tools/functions.js';
import { MOTO_ACCOUNT_ID, TEST_CREDENTIALS } from '../../tools/moto.js';

/** A plaintext secret seeded into an environment variable: it must never reach a snapshot. */
export const SEEDED_SECRET_VALUE = 'hunter2-correct-horse-battery';

export const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const BASIC_EXECUTION = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
export const BOUNDARY_POLICY = `arn:aws:iam::${MOTO_ACCOUNT_ID}:policy/lambda-boundary`;
export const ORDERS_READ_POLICY = `arn:aws:iam::${MOTO_ACCOUNT_ID}:policy/orders-table-read`;

export const roleArn = (path: string, name: string): string =>
  `arn:aws:iam::${MOTO_ACCOUNT_ID}:role${path}${name}`;

export const SEEDED_ROLES = {
  admin: roleArn('/service-role/', 'payments-admin'),
  ordersReader: roleArn('/', 'orders-reader'),
  ec2Trusted: roleArn('/', 'copied-from-ec2'),
  deleted: roleArn('/', 'deleted-later'),
} as const;

const trustPolicy = (service: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

const allow = (action: string | string[], resource: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
  });

/**
 * Seeds a small account: four execution roles (one admin with a boundary, one shared by three
 * functions in two regions, one trusted by EC2, one deleted after its function was created), one
 * role no function uses, six functions and one published version.
 */
export async function seedAccount(endpoint: string): Promise<void> {
  const config = { endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  const iam = new IAMClient(config);
  const lambdaEast = new LambdaClient(config);
  const lambdaWest = new LambdaClient({ ...config, region: 'us-west-2' });

  await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'lambda-boundary',
      PolicyDocument: allow(['logs:*', 'dynamodb:*'], '*'),
    }),
  );
  await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'orders-table-read',
      PolicyDocument: allow(
        ['dynamodb:GetItem', 'dynamodb:Query'],
        'arn:aws:dynamodb:us-east-1:123456789012:table/orders',
      ),
    }),
  );

  await iam.send(
    new CreateRoleCommand({
      RoleName: 'payments-admin',
      Path: '/service-role/',
      AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com'),
      Tags: [{ Key: 'team', Value: 'payments' }],
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({ RoleName: 'payments-admin', PolicyArn: ADMINISTRATOR_ACCESS }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'payments-admin', PolicyArn: BASIC_EXECUTION }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'payments-admin',
      PolicyName: 'dynamodb-all',
      PolicyDocument: allow('dynamodb:*', '*'),
    }),
  );
  await iam.send(
    new PutRolePermissionsBoundaryCommand({
      RoleName: 'payments-admin',
      PermissionsBoundary: BOUNDARY_POLICY,
    }),
  );

  await iam.send(
    new CreateRoleCommand({
      RoleName: 'orders-reader',
      AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com'),
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'orders-reader', PolicyArn: BASIC_EXECUTION }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'orders-reader', PolicyArn: ORDERS_READ_POLICY }));

  await iam.send(
    new CreateRoleCommand({
      RoleName: 'copied-from-ec2',
      AssumeRolePolicyDocument: trustPolicy('ec2.amazonaws.com'),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'copied-from-ec2',
      PolicyName: 'logs',
      PolicyDocument: allow(['logs:CreateLogStream', 'logs:PutLogEvents'], '*'),
    }),
  );

  await iam.send(
    new CreateRoleCommand({
      RoleName: 'deleted-later',
      AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com'),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'not-used',
      AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com'),
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'not-used', PolicyArn: ADMINISTRATOR_ACCESS }));

  const create = (client: LambdaClient, name: string, role: string, variables?: Record<string, string>) =>
    createTinyFunction(client, { name, role, ...(variables ? { variables } : {}) });
  await create(lambdaEast, 'payments-api', SEEDED_ROLES.admin, {
    DB_PASSWORD: SEEDED_SECRET_VALUE,
    TABLE: 'orders',
  });
  await lambdaEast.send(new PublishVersionCommand({ FunctionName: 'payments-api' }));
  await create(lambdaEast, 'orders-a', SEEDED_ROLES.ordersReader);
  await create(lambdaEast, 'orders-b', SEEDED_ROLES.ordersReader);
  await create(lambdaEast, 'legacy-worker', SEEDED_ROLES.ec2Trusted);
  await create(lambdaEast, 'orphan', SEEDED_ROLES.deleted);
  await create(lambdaWest, 'orders-west', SEEDED_ROLES.ordersReader);
  await iam.send(new DeleteRoleCommand({ RoleName: 'deleted-later' }));

  for (const client of [iam, lambdaEast, lambdaWest]) client.destroy();
}
