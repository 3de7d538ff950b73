import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/collect/clients.js';
import { collectAndAudit, type LiveServices } from '../../src/live/pipeline.js';
import type { AuditReport } from '../../src/model/report.js';
import { createTinyFunction } from '../../tools/functions.js';
import { MOTO_ACCOUNT_ID, type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';
import { BASIC_EXECUTION } from '../collect/seed.js';
import { findingsOf, LAMBDA_TRUST, nestedJson, roleFindingsOf } from './account.js';

/**
 * Hostile input that moto accepts (it does not validate trust policies or role names the way IAM does)
 * collected live, per role and in bulk, then audited.
 */

const EVERY_PRINCIPAL = {
  Version: '2012-10-17',
  Statement: [
    LAMBDA_TRUST.Statement[0],
    { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
    {
      Effect: 'Allow',
      Principal: {
        AWS: [
          '*',
          '210987654321',
          'arn:aws:iam::210987654321:root',
          'arn:aws:iam::210987654321:role/x',
          'arn:aws:iam::210987654321:user/bob',
        ],
      },
      Action: 'sts:AssumeRole',
    },
    {
      Effect: 'Allow',
      Principal: { Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] },
      Action: 'sts:AssumeRole',
    },
    {
      Effect: 'Allow',
      Principal: { Federated: 'cognito-identity.amazonaws.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
    },
    {
      Effect: 'Allow',
      Principal: { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' },
      Action: 'sts:AssumeRole',
    },
  ],
};

const ROLE_64 = `r${'-x'.repeat(31)}r`;
const FUNCTION_64 = `f${'-y'.repeat(31)}f`;

/** Role name → trust policy text, and the function that uses each role. */
const HOSTILE_ROLES: Record<string, string> = {
  'every-principal': JSON.stringify(EVERY_PRINCIPAL),
  'invalid-trust': '{"Version":"2012-10-17","Statement":[{',
  'lowercase-effect': JSON.stringify({
    ...LAMBDA_TRUST,
    Statement: [{ ...LAMBDA_TRUST.Statement[0], Effect: 'allow' }],
  }),
  'deep-condition': `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":${nestedJson(5_000, '{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}')}}]}`,
  'rôle-🚀-paiements': JSON.stringify(LAMBDA_TRUST),
  [ROLE_64]: JSON.stringify(LAMBDA_TRUST),
};
const FUNCTION_OF: Record<string, string> = {
  'every-principal': 'every-principal',
  'invalid-trust': 'invalid-trust',
  'lowercase-effect': 'lowercase-effect',
  'deep-condition': 'deep-condition',
  'rôle-🚀-paiements': 'emoji-role-user',
  [ROLE_64]: FUNCTION_64,
};
const roleArn = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${name}`;

let moto: MotoServer;

async function seedHostileAccount(endpoint: string): Promise<void> {
  const config = { endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  for (const [name, trust] of Object.entries(HOSTILE_ROLES)) {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: BASIC_EXECUTION }));
    await createTinyFunction(lambda, { name: FUNCTION_OF[name]!, role: roleArn(name) });
  }
  iam.destroy();
  lambda.destroy();
}

function services(): LiveServices {
  const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  return {
    clients: createClients(config),
    sns: new SNSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

const reports = new Map<string, AuditReport>();

beforeAll(async () => {
  moto = await startMoto();
  await seedHostileAccount(moto.endpoint);
  for (const collection of ['per-role', 'bulk'] as const) {
    const { report } = await collectAndAudit(services(), { regions: ['us-east-1'], collection });
    reports.set(collection, report);
  }
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

describe.each(['per-role', 'bulk'])('Hostile input collected live from moto (%s)', (collection) => {
  it('reports every principal form of a trust policy as one critical trust-too-broad finding', () => {
    // act
    const report = reports.get(collection)!;

    // assess
    expect(findingsOf(report, 'every-principal')).toEqual(['trust-too-broad critical']);
    expect(roleFindingsOf(report, 'every-principal')).toEqual(['trust-too-broad 1']);
    const finding = report.findings.find((candidate) => candidate.roleArn === roleArn('every-principal'))!;
    expect(finding.evidence.flatMap((evidence) => evidence.principals).sort()).toEqual(
      [
        '*',
        'AWS:*',
        'AWS:210987654321',
        'AWS:arn:aws:iam::210987654321:root',
        'AWS:arn:aws:iam::210987654321:role/x',
        'AWS:arn:aws:iam::210987654321:user/bob',
        'CanonicalUser:79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
        'Federated:cognito-identity.amazonaws.com',
        'Service:ec2.amazonaws.com',
      ].sort(),
    );
  });

  it('reports unreadable trust policies as errors of their roles', () => {
    // act
    const report = reports.get(collection)!;

    // assess
    expect(report.errors).toEqual([
      {
        scope: 'role',
        arn: roleArn('invalid-trust'),
        code: 'MalformedPolicy',
        message: expect.stringMatching(/^trust policy: trust-policy: policy document is not valid JSON/),
      },
      {
        scope: 'role',
        arn: roleArn('lowercase-effect'),
        code: 'MalformedStatement',
        message: 'trust-policy: statement 0: Effect must be "Allow" or "Deny"',
      },
    ]);
    expect(findingsOf(report, 'invalid-trust')).toEqual([]);
    // With its only statement unreadable, nothing lets Lambda assume the role.
    expect(findingsOf(report, 'lowercase-effect')).toEqual(['trust-not-lambda high']);
  });

  it('reads a trust policy with a condition nested 5,000 levels deep', () => {
    // act
    const report = reports.get(collection)!;

    // assess: `{"AWS":"*"}` under a condition is high instead of critical, and Lambda is not trusted
    expect(findingsOf(report, 'deep-condition')).toEqual(['trust-too-broad high conditional']);
  });

  it('audits roles with non-ASCII and 64-character names cleanly', () => {
    // act
    const report = reports.get(collection)!;

    // assess
    expect(findingsOf(report, 'emoji-role-user')).toEqual([]);
    expect(findingsOf(report, FUNCTION_64)).toEqual([]);
    expect(report.summary.functions).toBe(6);
    expect(report.summary.roles).toBe(6);
    expect(report.roles.find((role) => role.roleArn === roleArn('rôle-🚀-paiements'))?.functions).toEqual([
      `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:emoji-role-user`,
    ]);
    expect(report.status).toBe('complete');
  });
});
