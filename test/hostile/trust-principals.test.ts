import { describe, expect, it } from 'vitest';
import {
  auditOffline,
  findingsOf,
  functionEntry,
  LAMBDA_TRUST,
  REFERENCE_EXPECTED,
  referenceFindings,
  roleArnOf,
  roleDetail,
} from './account.js';

const LAMBDA_STATEMENT = LAMBDA_TRUST.Statement[0]!;
const assume = (principal: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: 'sts:AssumeRole',
  ...extra,
});

/** The trust findings of a role trusting Lambda plus `statement`, and the evidence's principals. */
function auditTrust(statements: unknown[]) {
  const report = auditOffline({
    roles: [roleDetail('trusting', { trust: { Version: '2012-10-17', Statement: statements } })],
    functions: [functionEntry('trusting', 'trusting')],
  });
  const broad = report.findings.find(
    (finding) => finding.ruleId === 'trust-too-broad' && finding.roleArn === roleArnOf('trusting'),
  );
  return {
    report,
    findings: findingsOf(report, 'trusting'),
    principals: broad?.evidence.flatMap((evidence) => evidence.principals ?? []) ?? [],
  };
}

describe('Hostile trust policies: every principal form', () => {
  it.each([
    { form: '"*"', statement: assume('*'), expected: ['trust-too-broad critical'], principals: ['*'] },
    {
      form: '{"AWS":"*"}',
      statement: assume({ AWS: '*' }),
      expected: ['trust-too-broad critical'],
      principals: ['AWS:*'],
    },
    {
      form: '{"AWS":["*"]}',
      statement: assume({ AWS: ['*'] }),
      expected: ['trust-too-broad critical'],
      principals: ['AWS:*'],
    },
    {
      form: '{"AWS":"*"} with a condition',
      statement: assume(
        { AWS: '*' },
        { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } },
      ),
      expected: ['trust-too-broad high conditional'],
      principals: ['AWS:*'],
    },
    {
      form: 'another account id',
      statement: assume({ AWS: '210987654321' }),
      expected: ['trust-too-broad high'],
      principals: ['AWS:210987654321'],
    },
    {
      form: 'its own account id',
      statement: assume({ AWS: '123456789012' }),
      expected: ['trust-too-broad high'],
      principals: ['AWS:123456789012'],
    },
    {
      form: 'an account root ARN',
      statement: assume({ AWS: 'arn:aws:iam::210987654321:root' }),
      expected: ['trust-too-broad high'],
      principals: ['AWS:arn:aws:iam::210987654321:root'],
    },
    {
      form: 'a role ARN and a user ARN',
      statement: assume({
        AWS: ['arn:aws:iam::123456789012:role/deployer', 'arn:aws:iam::123456789012:user/bob'],
      }),
      expected: ['trust-too-broad high'],
      principals: ['AWS:arn:aws:iam::123456789012:role/deployer', 'AWS:arn:aws:iam::123456789012:user/bob'],
    },
    {
      form: 'a Service array with EC2',
      statement: assume({ Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] }),
      expected: ['trust-too-broad high'],
      principals: ['Service:ec2.amazonaws.com'],
    },
    {
      form: 'a Service array of Lambda and Lambda@Edge',
      statement: assume({ Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] }),
      expected: [],
      principals: [],
    },
    {
      form: 'Federated web identity',
      statement: {
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
      },
      expected: ['trust-too-broad high'],
      principals: ['Federated:cognito-identity.amazonaws.com'],
    },
    {
      form: 'Federated SAML',
      statement: {
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/okta' },
        Action: 'sts:AssumeRoleWithSAML',
      },
      expected: ['trust-too-broad high'],
      principals: ['Federated:arn:aws:iam::123456789012:saml-provider/okta'],
    },
    {
      form: 'CanonicalUser',
      statement: assume({
        CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      }),
      expected: ['trust-too-broad high'],
      principals: ['CanonicalUser:79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'],
    },
    {
      // IAM rejects NotPrincipal in trust policies; a hand-written file is read as "everybody but bob".
      form: 'NotPrincipal in an Allow (everybody but one user)',
      statement: {
        Effect: 'Allow',
        NotPrincipal: { AWS: 'arn:aws:iam::123456789012:user/bob' },
        Action: 'sts:AssumeRole',
      },
      expected: ['trust-too-broad critical'],
      principals: ['NotPrincipal AWS:arn:aws:iam::123456789012:user/bob'],
    },
    {
      form: 'NotPrincipal in a Deny (everybody but Lambda is denied)',
      statement: {
        Effect: 'Deny',
        NotPrincipal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
      expected: [],
      principals: [],
    },
    {
      form: '"*" allowed only sts:TagSession',
      statement: { Effect: 'Allow', Principal: '*', Action: 'sts:TagSession' },
      expected: [],
      principals: [],
    },
  ])('trusting Lambda and $form', ({ statement, expected, principals }) => {
    // act
    const result = auditTrust([LAMBDA_STATEMENT, statement]);

    // assess
    expect(result.findings).toEqual(expected);
    expect(result.principals).toEqual(principals);
    expect(result.report.errors).toEqual([]);
    expect(referenceFindings(result.report)).toEqual(REFERENCE_EXPECTED);
  });

  it.each([
    {
      form: 'another account only',
      statement: assume({ AWS: '210987654321' }),
      expected: ['trust-not-lambda high', 'trust-too-broad high'],
    },
    { form: '"*" only (Lambda included)', statement: assume('*'), expected: ['trust-too-broad critical'] },
    {
      form: 'EC2 only',
      statement: assume({ Service: 'ec2.amazonaws.com' }),
      expected: ['trust-not-lambda high', 'trust-too-broad high'],
    },
    {
      form: 'a Deny only',
      statement: { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' },
      expected: ['trust-not-lambda high'],
    },
  ])('trusting $form', ({ statement, expected }) => {
    // act
    const { findings } = auditTrust([statement]);

    // assess
    expect(findings).toEqual(expected);
  });

  it.each([
    {
      form: 'a Principal that is a service name string',
      statement: assume('lambda.amazonaws.com'),
      message: 'Principal must be "*" or an object',
    },
    {
      form: 'a Principal list of numbers',
      statement: assume({ AWS: [5] }),
      message: 'Principal.AWS must be a string or a list of strings',
    },
    {
      form: 'a Principal that is null',
      statement: assume(null),
      message: 'Principal must be "*" or an object',
    },
  ])('reports $form as a malformed trust statement', ({ statement, message }) => {
    // act
    const { report, findings } = auditTrust([LAMBDA_STATEMENT, statement]);

    // assess
    expect(report.errors).toEqual([
      {
        scope: 'role',
        arn: roleArnOf('trusting'),
        code: 'MalformedStatement',
        message: `trust-policy: statement 1: ${message}`,
      },
    ]);
    expect(findings).toEqual([]);
  });
});
