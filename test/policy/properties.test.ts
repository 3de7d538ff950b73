import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileResourcePattern,
  isUnrestrictedResource,
  parseArn,
  resourceMatches,
} from '../../src/policy/arn.js';
import { defaultCatalog } from '../../src/policy/catalog.js';
import { type Access, EffectivePermissions } from '../../src/policy/effective.js';
import { type ParsedPolicy, parsePolicy, type Statement } from '../../src/policy/policy.js';
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

/**
 * The grant of an action on unrestricted resources as the rule catalog states it, written plainly:
 * the Allows on an unrestricted resource (or a `NotResource`) that match it, kept by the boundary's
 * such Allows, removed by an unconditional Deny on unrestricted resources. The statements are given
 * by their index among `identity`.
 */
function referenceUnrestrictedGrant(
  identity: StatementShape[],
  boundary: StatementShape[] | undefined,
  key: string,
): { conditional: boolean; statements: number[] } | undefined {
  const onUnrestricted = (s: StatementShape) =>
    s.resourceKey === 'NotResource' || s.resources.some((pattern) => isUnrestrictedResource(pattern));
  const applies = (s: StatementShape) => {
    const listed = s.actions.some((pattern) => matchesWildcard(pattern.toLowerCase(), key));
    return (s.actionKey === 'Action' ? listed : !listed) && onUnrestricted(s);
  };
  const denies = [...identity, ...(boundary ?? [])].filter((s) => s.Effect === 'Deny');
  if (denies.some((s) => !s.condition && applies(s))) return undefined;
  const statements = identity.flatMap((s, index) => (s.Effect === 'Allow' && applies(s) ? [index] : []));
  if (statements.length === 0) return undefined;
  let unconditional = statements.some((index) => !identity[index]!.condition);
  if (boundary) {
    const bounded = boundary.filter((s) => s.Effect === 'Allow' && applies(s));
    if (bounded.length === 0) return undefined;
    if (bounded.every((s) => s.condition)) unconditional = false;
  }
  return { conditional: !unconditional, statements };
}

/** The grant of every action of some services, as the union of the reference grants of each action. */
function referenceGrantOfAll(
  identity: StatementShape[],
  boundary: StatementShape[] | undefined,
  services: readonly string[],
): { conditional: boolean; statements: number[] } | undefined {
  let conditional = false;
  const statements = new Set<number>();
  for (const service of services) {
    const actions = catalog.actionsOf(service);
    if (actions.length === 0) return undefined;
    for (const action of actions) {
      const grant = referenceUnrestrictedGrant(identity, boundary, action.key);
      if (!grant) return undefined;
      if (grant.conditional) conditional = true;
      for (const index of grant.statements) statements.add(index);
    }
  }
  return { conditional, statements: [...statements].sort((a, b) => a - b) };
}

/** A grant of the optimised evaluator in the reference's terms: statements by their index. */
function asReference(
  grant: { conditional: boolean; statements: Statement[] } | undefined,
  policy: ParsedPolicy,
): { conditional: boolean; statements: number[] } | undefined {
  if (!grant) return undefined;
  const statements = grant.statements.map((statement) => policy.statements.indexOf(statement));
  return { conditional: grant.conditional, statements: [...new Set(statements)].sort((a, b) => a - b) };
}

/** Services the generated statements name, and one they never name. */
const SERVICES = ['s3', 'dynamodb', 'iam', 'lambda', 'logs', 'sts', 'sqs'];

/** Allows that reach every service on unrestricted resources (`*`, or a NotAction): the whole-catalog paths. */
const broadStatementArbitrary = statementArbitrary('Allow').map(
  (statement): StatementShape => ({
    ...statement,
    actions: statement.actionKey === 'Action' ? ['*'] : statement.actions,
    resourceKey: 'Resource',
    resources: ['*'],
  }),
);

describe('Optimised evaluation paths agree with the reference', () => {
  const policySets = fc.record({
    identity: fc.array(fc.oneof(statementArbitrary(), broadStatementArbitrary), {
      minLength: 1,
      maxLength: 5,
    }),
    boundary: fc.option(
      fc.array(fc.oneof(statementArbitrary('Allow'), broadStatementArbitrary), { maxLength: 3 }),
      {
        nil: undefined,
      },
    ),
  });

  function permissionsOf(identity: StatementShape[], boundary: StatementShape[] | undefined) {
    const policy = parsed(identity);
    const permissions = new EffectivePermissions(
      { identity: [policy], ...(boundary ? { boundary: parsed(boundary, 'boundary') } : {}) },
      catalog,
    );
    return { policy, permissions };
  }

  it('serviceGrant is the union of the grants of every action of the service', () => {
    fc.assert(
      fc.property(policySets, ({ identity, boundary }) => {
        // Prepare
        const { policy, permissions } = permissionsOf(identity, boundary);

        for (const service of SERVICES) {
          // Act
          const grant = asReference(permissions.serviceGrant(service), policy);

          // Assess
          expect(grant, service).toEqual(referenceGrantOfAll(identity, boundary, [service]));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('everythingGrant is the union of the grants of every action of the catalog', () => {
    fc.assert(
      fc.property(policySets, ({ identity, boundary }) => {
        // Prepare
        const { policy, permissions } = permissionsOf(identity, boundary);

        // Act
        const grant = asReference(permissions.everythingGrant(), policy);

        // Assess
        expect(grant).toEqual(referenceGrantOfAll(identity, boundary, catalog.serviceNames));
      }),
      { numRuns: 100 },
    );
  });

  it('actionsPossiblyGrantedOnUnrestricted keeps, in order, every action of the list that has a grant', () => {
    fc.assert(
      fc.property(policySets, fc.boolean(), ({ identity, boundary }, scopableOnly) => {
        // Prepare
        const { permissions } = permissionsOf(identity, boundary);

        for (const service of SERVICES) {
          const actions = catalog.actionsOf(service).filter((action) => !scopableOnly || action.scopable);

          // Act
          const possible = permissions.actionsPossiblyGrantedOnUnrestricted(service, actions);

          // Assess: a subsequence of the list that leaves out no granted action
          const granted = actions.filter((action) =>
            referenceUnrestrictedGrant(identity, boundary, action.key),
          );
          expect(actions.filter((action) => possible.includes(action))).toEqual([...possible]);
          expect(granted.filter((action) => !possible.includes(action)).map((action) => action.name)).toEqual(
            [],
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
