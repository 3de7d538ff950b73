import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../src/policy/catalog.js';
import { evaluateCondition } from '../../src/policy/condition.js';
import { EffectivePermissions } from '../../src/policy/effective.js';
import { parsePolicy } from '../../src/policy/policy.js';

const toLambda = { 'iam:passedtoservice': 'lambda.amazonaws.com' };

describe('evaluateCondition', () => {
  it.each([
    [
      'StringEquals naming the service',
      { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      'true',
    ],
    [
      'StringEquals naming others',
      { StringEquals: { 'iam:PassedToService': ['dax.amazonaws.com'] } },
      'false',
    ],
    ['StringLike with a wildcard', { StringLike: { 'iam:PassedToService': 'lambda.*' } }, 'true'],
    ['StringLikeIfExists', { StringLikeIfExists: { 'iam:PassedToService': 'lambda.amazonaws.com' } }, 'true'],
    [
      'ForAnyValue:StringEquals',
      { 'ForAnyValue:StringEquals': { 'iam:PassedToService': ['ec2.amazonaws.com'] } },
      'false',
    ],
    [
      'StringNotEquals the service',
      { StringNotEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      'false',
    ],
    [
      'StringNotEquals another service',
      { StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      'true',
    ],
    [
      'a key name in another case',
      { StringEquals: { 'IAM:passedToService': 'lambda.amazonaws.com' } },
      'true',
    ],
    ['an unknown key', { StringEquals: { 'aws:SourceVpc': 'vpc-1' } }, 'unknown'],
    [
      'a known key that holds and an unknown one',
      { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com', 'aws:SourceVpc': 'vpc-1' } },
      'unknown',
    ],
    [
      'a known key that fails and an unknown one',
      {
        StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        Bool: { 'aws:SecureTransport': 'true' },
      },
      'false',
    ],
    ['an operator it does not evaluate', { NumericLessThan: { 'iam:PassedToService': '3' } }, 'unknown'],
    ['a policy variable', { StringEquals: { 'iam:PassedToService': `\${aws:username}` } }, 'unknown'],
  ] as const)('%s', (_label, condition, expected) => {
    expect(evaluateCondition(condition, toLambda)).toBe(expected);
  });

  it('compares ARN conditions with wildcards', () => {
    const context = { 'aws:principalarn': 'arn:aws:iam::111122223333:role/app' };
    expect(
      evaluateCondition({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deploy-*' } }, context),
    ).toBe('false');
    expect(evaluateCondition({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/app' } }, context)).toBe(
      'true',
    );
  });
});

describe('EffectivePermissions.grantWhere', () => {
  function permissions(statements: unknown[], boundary?: unknown[]): EffectivePermissions {
    const parse = (list: unknown[], label: string) => {
      const result = parsePolicy({ Version: '2012-10-17', Statement: list }, label);
      if (!result.ok) throw new Error(result.message);
      return result.policy;
    };
    return new EffectivePermissions(
      {
        identity: [parse(statements, 'identity')],
        ...(boundary ? { boundary: parse(boundary, 'boundary') } : {}),
      },
      defaultCatalog(),
    );
  }

  it('answers for a concrete ARN, with Deny and boundary on that ARN', () => {
    // Prepare
    const subject = permissions(
      [
        { Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::1:role/*' },
        { Effect: 'Deny', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::1:role/admin' },
      ],
      [{ Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::1:role/app*' }],
    );

    // Act and assess
    expect(subject.grantWhere('iam:PutRolePolicy', 'arn:aws:iam::1:role/app')?.conditional).toBe(false);
    expect(subject.grantWhere('iam:PutRolePolicy', 'arn:aws:iam::1:role/admin')).toBeUndefined();
    expect(subject.grantWhere('iam:PutRolePolicy', 'arn:aws:iam::1:role/other')).toBeUndefined();
    expect(subject.grantWhere('iam:PutRolePolicy', 'unrestricted')).toBeUndefined();
  });

  it('uses the request context for iam:PassedToService in Allow and Deny', () => {
    // Prepare
    const subject = permissions([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { StringLike: { 'iam:PassedToService': ['lambda.amazonaws.com', 'ec2.amazonaws.com'] } },
      },
      {
        Effect: 'Deny',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      },
    ]);

    // Act and assess
    expect(subject.grantWhere('iam:PassRole', 'unrestricted', toLambda)?.conditional).toBe(false);
    expect(
      subject.grantWhere('iam:PassRole', 'unrestricted', { 'iam:passedtoservice': 'ec2.amazonaws.com' }),
    ).toBeUndefined();
    expect(
      subject.grantWhere('iam:PassRole', 'unrestricted', { 'iam:passedtoservice': 'glue.amazonaws.com' }),
    ).toBeUndefined();
    // Without a context the condition is unknown: a conditional grant, and the conditional Deny removes nothing.
    expect(subject.grantWhere('iam:PassRole', 'unrestricted')?.conditional).toBe(true);
  });

  it('sees a whole service only through wildcards, and unknown services by their pattern', () => {
    const everyEksAuthAction = defaultCatalog()
      .actionsOf('eks-auth')
      .map((action) => action.name);
    expect(everyEksAuthAction.length).toBeGreaterThan(0);
    expect(
      permissions([{ Effect: 'Allow', Action: everyEksAuthAction, Resource: '*' }]).wildcardServiceGrant(
        'eks-auth',
      ),
    ).toBeUndefined();
    expect(
      permissions([{ Effect: 'Allow', Action: 'eks-auth:*', Resource: '*' }]).wildcardServiceGrant(
        'eks-auth',
      ),
    ).toBeDefined();
    const retired = permissions([{ Effect: 'Allow', Action: 'zocalo:*', Resource: '*' }]);
    expect(retired.wildcardServiceGrant('zocalo')).toBeDefined();
    expect(retired.unknownActions).toEqual([]);
    expect(retired.uncataloguedServiceActions.map((entry) => entry.action)).toEqual(['zocalo:*']);
    expect(
      permissions([{ Effect: 'Allow', Action: 's3:getobjekt', Resource: '*' }]).unknownActions,
    ).toHaveLength(1);
  });
});
