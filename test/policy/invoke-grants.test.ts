import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type InvokeGrant,
  invokeGrantsOf,
  isPublicGrant,
  mentionsFunctionUrls,
} from '../../src/policy/invoke-grants.js';

const FUNCTION = 'arn:aws:lambda:us-east-1:111122223333:function:api';

/** A policy as GetPolicy returns it: a JSON string. */
function policyOf(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

function allow(principal: unknown, action: unknown, condition?: object): object {
  return {
    Sid: 's',
    Effect: 'Allow',
    Principal: principal,
    Action: action,
    Resource: FUNCTION,
    ...(condition ? { Condition: condition } : {}),
  };
}

function grantsOf(...statements: object[]): InvokeGrant[] {
  const result = invokeGrantsOf(policyOf(...statements));
  if (!result.ok) throw new Error(result.message);
  return result.grants;
}

describe('invokeGrantsOf: who may invoke', () => {
  it.each([
    ['no condition', undefined, true],
    [
      'StringEquals AWS:SourceAccount (as Lambda writes it)',
      { StringEquals: { 'AWS:SourceAccount': '111122223333' } },
      false,
    ],
    [
      'StringEquals aws:sourceaccount (any casing)',
      { StringEquals: { 'aws:sourceaccount': '111122223333' } },
      false,
    ],
    [
      'ArnLike AWS:SourceArn of a topic',
      { ArnLike: { 'AWS:SourceArn': 'arn:aws:sns:us-east-1:111122223333:t' } },
      false,
    ],
    [
      'ArnLike AWS:SourceArn with wildcards and a fixed account',
      { ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:111122223333:abc/*/GET/x' } },
      false,
    ],
    [
      'ArnLike AWS:SourceArn with a wildcard account',
      { ArnLike: { 'AWS:SourceArn': 'arn:aws:sns:us-east-1:*:t' } },
      true,
    ],
    [
      'ArnLike AWS:SourceArn of a bucket (fixed value)',
      { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::uploads' } },
      false,
    ],
    [
      'ArnLike AWS:SourceArn of buckets by pattern',
      { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::uploads-*' } },
      true,
    ],
    ['StringEquals aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }, false],
    ['StringLike aws:PrincipalOrgID o-*', { StringLike: { 'aws:PrincipalOrgID': 'o-*' } }, true],
    [
      'StringEquals aws:PrincipalAccount',
      { StringEquals: { 'aws:PrincipalAccount': '111122223333' } },
      false,
    ],
    ['StringEquals aws:SourceOwner', { StringEquals: { 'aws:SourceOwner': '111122223333' } }, false],
    [
      'ArnEquals aws:PrincipalArn',
      { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci' } },
      false,
    ],
    [
      'StringEquals lambda:EventSourceToken',
      { StringEquals: { 'lambda:EventSourceToken': 'amzn1.ask.skill.1' } },
      false,
    ],
    [
      'StringEqualsIfExists AWS:SourceAccount',
      { StringEqualsIfExists: { 'AWS:SourceAccount': '111122223333' } },
      true,
    ],
    ['StringNotEquals AWS:SourceAccount', { StringNotEquals: { 'AWS:SourceAccount': '444455556666' } }, true],
    [
      'ForAllValues:StringEquals AWS:SourceAccount',
      { 'ForAllValues:StringEquals': { 'AWS:SourceAccount': '111122223333' } },
      true,
    ],
    ['StringLike AWS:SourceAccount "*"', { StringLike: { 'AWS:SourceAccount': '*' } }, true],
    ['a policy variable', { StringEquals: { 'aws:PrincipalAccount': `\${aws:username}` } }, true],
    ['IpAddress aws:SourceIp', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, true],
  ])('Principal "*" with %s: public %s (Lambda.1)', (_name, condition, expected) => {
    // prepare / act
    const [grant] = grantsOf(allow('*', 'lambda:InvokeFunction', condition));

    // assess
    expect(grant).toBeDefined();
    expect(isPublicGrant(grant!)).toBe(expected);
  });

  it.each([
    ['"*"', '*', 'everyone'],
    ['{"AWS":"*"}', { AWS: '*' }, 'everyone'],
    ['any account root', { AWS: 'arn:aws:iam::*:root' }, 'everyone'],
    ['an account id', { AWS: '444455556666' }, 'account'],
    ['an account root ARN', { AWS: 'arn:aws:iam::444455556666:root' }, 'account'],
    ['a role of another account', { AWS: 'arn:aws:iam::444455556666:role/reader' }, 'account'],
    ['a service', { Service: 's3.amazonaws.com' }, 'service'],
  ])('reads the principal %s as %s', (_name, principal, kind) => {
    // prepare / act
    const [grant] = grantsOf(allow(principal, 'lambda:InvokeFunction'));

    // assess
    expect(grant?.callers.map((caller) => caller.kind)).toEqual([kind]);
  });

  it.each([
    ['lambda:InvokeFunction', { api: true, viaUrl: true, url: [] }],
    ['lambda:Invoke*', { api: true, viaUrl: true, url: ['NONE', 'AWS_IAM'] }],
    ['lambda:*', { api: true, viaUrl: true, url: ['NONE', 'AWS_IAM'] }],
    ['*', { api: true, viaUrl: true, url: ['NONE', 'AWS_IAM'] }],
    ['LAMBDA:invokefunctionurl', { api: false, viaUrl: false, url: ['NONE', 'AWS_IAM'] }],
    ['lambda:GetFunction', undefined],
  ])('action %s grants %j', (action, expected) => {
    // prepare / act
    const grants = grantsOf(allow('*', action));

    // assess
    expect(
      grants.map((grant) => ({
        api: grant.invokeApi,
        viaUrl: grant.invokeViaUrl,
        url: grant.urlAuthTypes,
      }))[0],
    ).toEqual(expected);
  });

  it('reads the statements Lambda writes for a URL with AuthType NONE (since October 2025)', () => {
    // prepare
    const policy = policyOf(
      allow('*', 'lambda:InvokeFunctionUrl', { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } }),
      allow('*', 'lambda:InvokeFunction', { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } }),
    );

    // act
    const result = invokeGrantsOf(policy);

    // assess
    expect(
      result.ok && result.grants.map((grant) => [grant.invokeApi, grant.invokeViaUrl, grant.urlAuthTypes]),
    ).toEqual([
      [false, false, ['NONE']],
      [false, true, []],
    ]);
    expect(result.ok && result.grants.every(isPublicGrant)).toBe(true);
    expect(mentionsFunctionUrls(policy)).toBe(true);
  });

  it('limits a URL grant to the auth types its condition allows', () => {
    // prepare / act
    const [iamOnly] = grantsOf(
      allow({ AWS: '444455556666' }, 'lambda:InvokeFunctionUrl', {
        StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' },
      }),
    );
    const [notNone] = grantsOf(
      allow('*', 'lambda:InvokeFunctionUrl', { StringNotEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } }),
    );

    // assess
    expect(iamOnly?.urlAuthTypes).toEqual(['AWS_IAM']);
    expect(notNone?.urlAuthTypes).toEqual(['AWS_IAM']);
  });

  it('takes away what an unconditional Deny for everyone denies, and keeps what a conditional one may not', () => {
    // prepare
    const deny = (condition?: object) => ({
      Effect: 'Deny',
      Principal: '*',
      Action: 'lambda:InvokeFunction',
      Resource: FUNCTION,
      ...(condition ? { Condition: condition } : {}),
    });

    // act
    const denied = grantsOf(allow('*', 'lambda:InvokeFunction'), deny());
    const kept = grantsOf(
      allow('*', 'lambda:InvokeFunction'),
      deny({ Bool: { 'aws:SecureTransport': 'false' } }),
    );

    // assess
    expect(denied).toEqual([]);
    expect(kept.map((grant) => grant.invokeApi)).toEqual([true]);
  });

  it('records what the conditions pin, and what else they test', () => {
    // prepare / act
    const [grant] = grantsOf(
      allow({ Service: 's3.amazonaws.com' }, 'lambda:InvokeFunction', {
        StringEquals: { 'AWS:SourceAccount': '111122223333' },
        ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::uploads' },
        IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      }),
    );

    // assess
    expect(grant?.pins).toEqual({
      accounts: ['111122223333'],
      organizations: [],
      resources: ['arn:aws:s3:::uploads'],
      token: false,
    });
    expect(grant?.otherConditions).toEqual(['aws:SourceIp']);
  });

  it('says whether a policy concerns function URLs', () => {
    expect(
      mentionsFunctionUrls(policyOf(allow({ Service: 's3.amazonaws.com' }, 'lambda:InvokeFunction'))),
    ).toBe(false);
    expect(mentionsFunctionUrls(policyOf(allow({ AWS: '444455556666' }, 'lambda:*')))).toBe(true);
    expect(mentionsFunctionUrls('not json')).toBe(false);
  });

  it('never throws on hostile resource policies, and grants only what a statement allows', () => {
    // prepare: statements built from real pieces, and from anything JSON can hold
    const piece = fc.oneof(
      fc.constantFrom('*', 'lambda:InvokeFunction', 'lambda:InvokeFunctionUrl', 'lambda:*', 'AWS:SourceArn'),
      fc.string(),
    );
    const value = fc.oneof(piece, fc.array(piece, { maxLength: 3 }), fc.jsonValue({ maxDepth: 3 }));
    const statement = fc.record(
      {
        Effect: fc.constantFrom('Allow', 'Deny', 'allow', 3),
        Principal: fc.oneof(
          fc.constant('*'),
          fc.dictionary(fc.constantFrom('AWS', 'Service', 'Federated', 'x'), value),
          value,
        ),
        Action: value,
        NotAction: value,
        NotPrincipal: value,
        Resource: value,
        Condition: fc.oneof(fc.dictionary(fc.string(), fc.dictionary(piece, value)), value),
      },
      { requiredKeys: ['Effect'] },
    );
    const document = fc.oneof(
      fc.record({
        Version: fc.constant('2012-10-17'),
        Statement: fc.oneof(fc.array(statement, { maxLength: 4 }), statement),
      }),
      fc.jsonValue({ maxDepth: 4 }),
    );

    // act / assess
    fc.assert(
      fc.property(document, fc.boolean(), (raw, asString) => {
        const input = asString ? JSON.stringify(raw) : raw;
        const result = invokeGrantsOf(input);
        mentionsFunctionUrls(input);
        if (!result.ok) return;
        for (const grant of result.grants) {
          expect(grant.statement.effect).toBe('Allow');
          expect(grant.invokeApi || grant.invokeViaUrl || grant.urlAuthTypes.length > 0).toBe(true);
        }
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('is a value, not a throw, for a document that is not a policy', () => {
    // prepare / act
    const result = invokeGrantsOf('{"Statement": 3}');

    // assess
    expect(result).toMatchObject({ ok: false, code: 'MalformedPolicy' });
  });
});
