import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileResourcePattern, parseArn, resourceMatches } from '../../src/policy/arn.js';
import { defaultCatalog } from '../../src/policy/catalog.js';
import { type Access, EffectivePermissions } from '../../src/policy/effective.js';
import { type ParsedPolicy, parsePolicy } from '../../src/policy/policy.js';
import { matchesWildcard } from '../../src/policy/wildcard.js';

const catalog = defaultCatalog();

const ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  'dynamodb:Query',
  'iam:PassRole',
  'lambda:CreateFunction',
  'logs:PutLogEvents',
  'sts:AssumeRole',
];
const ACTION_PATTERNS = [
  ...ACTIONS,
  's3:*',
  's3:Get*',
  'dynamodb:?uery',
  'iam:*',
  '*',
  'S3:GETOBJECT',
  'logs:Put*',
];
const RESOURCES = [
  'arn:aws:s3:::bucket/key',
  'arn:aws:dynamodb:us-east-1:111122223333:table/orders',
  'arn:aws:iam::111122223333:role/app',
  'arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:log-stream:x',
];
const RESOURCE_PATTERNS = [
  ...RESOURCES,
  '*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::bucket/*',
  'arn:aws:dynamodb:*:*:table/*',
  'arn:aws:logs:*:*:*',
];

const statementArbitrary = (effect?: 'Allow' | 'Deny') =>
  fc.record({
    Effect: effect ? fc.constant(effect) : fc.constantFrom('Allow', 'Deny'),
    actionKey: fc.constantFrom('Action', 'NotAction'),
    actions: fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), { minLength: 1, maxLength: 3 }),
    resourceKey: fc.constantFrom('Resource', 'Resource', 'NotResource'),
    resources: fc.uniqueArray(fc.constantFrom(...RESOURCE_PATTERNS), { minLength: 1, maxLength: 2 }),
    condition: fc.boolean(),
  });

type StatementShape = ReturnType<typeof statementArbitrary> extends fc.Arbitrary<infer T> ? T : never;

function toDocument(statements: StatementShape[]): unknown {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      Effect: s.Effect,
      [s.actionKey]: s.actions,
      [s.resourceKey]: s.resources,
      ...(s.condition ? { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } } : {}),
    })),
  };
}

function parsed(statements: StatementShape[], label = 'policy'): ParsedPolicy {
  const result = parsePolicy(toDocument(statements), label);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

const rank: Record<Access, number> = { denied: 0, 'not-allowed': 0, conditional: 1, allowed: 2 };

function accessMatrix(permissions: EffectivePermissions): number[] {
  return ACTIONS.flatMap((action) =>
    RESOURCES.map((resource) => rank[permissions.accessTo(action, resource)]),
  );
}

function unrestrictedMatrix(permissions: EffectivePermissions): number[] {
  return ACTIONS.map((action) => {
    const grant = permissions.grantOnUnrestricted(action);
    return grant ? (grant.conditional ? 1 : 2) : 0;
  });
}

describe('Policy evaluation properties', () => {
  it('never throws on arbitrary JSON documents', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue({ maxDepth: 4 }), (anything, statement) => {
        for (const raw of [
          anything,
          { Statement: statement },
          { Statement: [statement] },
          JSON.stringify(anything),
        ]) {
          const result = parsePolicy(raw, 'fuzz');
          if (!result.ok) {
            expect(result.message).toContain('fuzz');
            continue;
          }
          const permissions = new EffectivePermissions({ identity: [result.policy] }, catalog);
          permissions.accessTo('s3:GetObject', RESOURCES[0]!);
          permissions.grantOnUnrestricted('iam:PassRole');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('adding an Allow never removes a permission', () => {
    fc.assert(
      fc.property(
        fc.array(statementArbitrary(), { maxLength: 5 }),
        statementArbitrary('Allow'),
        (base, extra) => {
          const before = new EffectivePermissions({ identity: [parsed(base)] }, catalog);
          const after = new EffectivePermissions(
            { identity: [parsed(base), parsed([extra], 'extra')] },
            catalog,
          );
          const accessBefore = accessMatrix(before);
          const accessAfter = accessMatrix(after);
          for (const [index, value] of accessBefore.entries())
            expect(accessAfter[index]).toBeGreaterThanOrEqual(value);
          const unrestrictedBefore = unrestrictedMatrix(before);
          const unrestrictedAfter = unrestrictedMatrix(after);
          for (const [index, value] of unrestrictedBefore.entries()) {
            expect(unrestrictedAfter[index]).toBeGreaterThanOrEqual(value);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an unconditional Deny of * on * leaves nothing', () => {
    fc.assert(
      fc.property(fc.array(statementArbitrary(), { maxLength: 6 }), (statements) => {
        const denyAll = parsePolicy({ Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }, 'deny');
        if (!denyAll.ok) throw new Error('deny policy did not parse');
        const permissions = new EffectivePermissions(
          { identity: [parsed(statements), denyAll.policy] },
          catalog,
        );
        expect(accessMatrix(permissions).every((value) => value === 0)).toBe(true);
        expect(unrestrictedMatrix(permissions).every((value) => value === 0)).toBe(true);
        expect(permissions.everythingGrant()).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('a permissions boundary never adds a permission', () => {
    fc.assert(
      fc.property(
        fc.array(statementArbitrary(), { maxLength: 5 }),
        fc.array(statementArbitrary(), { minLength: 1, maxLength: 4 }),
        (identity, boundary) => {
          const without = new EffectivePermissions({ identity: [parsed(identity)] }, catalog);
          const withBoundary = new EffectivePermissions(
            { identity: [parsed(identity)], boundary: parsed(boundary, 'boundary') },
            catalog,
          );
          const plain = accessMatrix(without);
          for (const [index, value] of accessMatrix(withBoundary).entries()) {
            expect(value).toBeLessThanOrEqual(plain[index]!);
          }
          const plainUnrestricted = unrestrictedMatrix(without);
          for (const [index, value] of unrestrictedMatrix(withBoundary).entries()) {
            expect(value).toBeLessThanOrEqual(plainUnrestricted[index]!);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parses URL-encoded documents exactly like their JSON', () => {
    fc.assert(
      fc.property(fc.array(statementArbitrary(), { minLength: 1, maxLength: 4 }), (statements) => {
        const json = JSON.stringify(toDocument(statements));
        const plain = parsePolicy(json, 'p');
        const encoded = parsePolicy(encodeURIComponent(json), 'p');
        expect(encoded).toEqual(plain);
      }),
      { numRuns: 100 },
    );
  });
});

/**
 * The evaluation as the rule catalog states it, written plainly: every statement is matched on its
 * own, resources part by part (`Resource` patterns with fewer than six parts as one pattern).
 */
function referenceResourceMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const patternParts = pattern.split(':');
  if (patternParts.length < 6) return matchesWildcard(pattern, arn);
  const valueParts = arn.split(':');
  if (valueParts.length < 6) return false;
  for (let index = 0; index < 5; index += 1) {
    if (!matchesWildcard(patternParts[index]!, valueParts[index]!)) return false;
  }
  return matchesWildcard(patternParts.slice(5).join(':'), valueParts.slice(5).join(':'));
}

function referenceAccess(
  identity: StatementShape[],
  boundary: StatementShape[] | undefined,
  action: string,
  arn: string,
): Access {
  const key = action.toLowerCase();
  const applies = (s: StatementShape) => {
    const listed = s.actions.some((pattern) => matchesWildcard(pattern.toLowerCase(), key));
    const actionMatches = s.actionKey === 'Action' ? listed : !listed;
    const resourceListed = s.resources.some((pattern) => referenceResourceMatch(pattern, arn));
    return actionMatches && (s.resourceKey === 'Resource' ? resourceListed : !resourceListed);
  };
  const denies = [...identity, ...(boundary ?? [])].filter((s) => s.Effect === 'Deny');
  if (denies.some((s) => !s.condition && applies(s))) return 'denied';
  const allows = identity.filter((s) => s.Effect === 'Allow' && applies(s));
  if (allows.length === 0) return 'not-allowed';
  let unconditional = allows.some((s) => !s.condition);
  if (boundary) {
    const bounded = boundary.filter((s) => s.Effect === 'Allow' && applies(s));
    if (bounded.length === 0) return 'not-allowed';
    if (!bounded.some((s) => !s.condition)) unconditional = false;
  }
  return unconditional ? 'allowed' : 'conditional';
}

describe('Access to concrete resources', () => {
  it('agrees with the plain reference evaluation, also when asked again for other resources', () => {
    fc.assert(
      fc.property(
        fc.array(statementArbitrary(), { maxLength: 6 }),
        fc.option(fc.array(statementArbitrary(), { minLength: 1, maxLength: 3 }), { nil: undefined }),
        (identity, boundary) => {
          const permissions = new EffectivePermissions(
            {
              identity: [parsed(identity)],
              ...(boundary ? { boundary: parsed(boundary, 'boundary') } : {}),
            },
            catalog,
          );
          // Twice: the second round answers from what the first one kept.
          for (let round = 0; round < 2; round += 1) {
            for (const action of ACTIONS) {
              for (const resource of RESOURCES) {
                expect(permissions.accessTo(action, resource), `${action} on ${resource}`).toBe(
                  referenceAccess(identity, boundary, action, resource),
                );
              }
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('matches resource patterns part by part, like the reference', () => {
    const part = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '/'), maxLength: 4 });
    const arnLike = fc.oneof(
      fc.array(part, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(':')),
      fc.array(part, { minLength: 4, maxLength: 6 }).map((parts) => `arn:${parts.join(':')}`),
    );
    fc.assert(
      fc.property(arnLike, arnLike, (pattern, arn) => {
        const expected = referenceResourceMatch(pattern, arn);
        expect(resourceMatches(pattern, arn)).toBe(expected);
        expect(compileResourcePattern(pattern).everything).toBe(pattern === '*');
      }),
      { numRuns: 3000 },
    );
  });

  it('parses ARNs into their five leading parts and the resource', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('arn', ':', 'a', '/', ''), maxLength: 12 }), (text) => {
        const parts = text.split(':');
        const expected =
          parts.length < 6 || parts[0] !== 'arn'
            ? undefined
            : {
                partition: parts[1],
                service: parts[2],
                region: parts[3],
                account: parts[4],
                resource: parts.slice(5).join(':'),
              };
        expect(parseArn(text)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Grants where the question names the resource', () => {
  it('agree with accessTo on concrete ARNs and with grantOnUnrestricted on unrestricted resources', () => {
    fc.assert(
      fc.property(
        fc.array(statementArbitrary(), { maxLength: 5 }),
        fc.option(fc.array(statementArbitrary(), { maxLength: 3 }), { nil: undefined }),
        (identity, boundary) => {
          // Prepare
          const permissions = new EffectivePermissions(
            { identity: [parsed(identity)], ...(boundary ? { boundary: parsed(boundary, 'boundary') } : {}) },
            catalog,
          );
          const rankOf = (grant: { conditional: boolean } | undefined) =>
            grant ? (grant.conditional ? 1 : 2) : 0;

          // Act and assess
          for (const action of ACTIONS) {
            for (const resource of RESOURCES) {
              expect(rankOf(permissions.grantWhere(action, resource))).toBe(
                rank[permissions.accessTo(action, resource)],
              );
            }
            expect(rankOf(permissions.grantWhere(action, 'unrestricted'))).toBe(
              rankOf(permissions.grantOnUnrestricted(action)),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Wildcard matching', () => {
  const reference = (pattern: string, value: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      's',
    ).test(value);

  it('agrees with a regular-expression reference', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '*', '?');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', ':'), maxLength: 10 }),
        (pattern, value) => {
          expect(matchesWildcard(pattern, value)).toBe(reference(pattern, value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('answers hostile patterns that make backtracking matchers explode', () => {
    const pattern = `${'*?'.repeat(2000)}b`;
    const value = 'a'.repeat(5000);
    expect(matchesWildcard(pattern, value)).toBe(false);
    expect(matchesWildcard(`${'*a'.repeat(500)}`, 'a'.repeat(500))).toBe(true);
  });
});
