import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRoleRules } from '../../src/audit/audit.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { AccountSnapshot } from '../../src/model/snapshot.js';
import { defaultCatalog } from '../../src/policy/catalog.js';
import { EffectivePermissions } from '../../src/policy/effective.js';
import { type ParsedPolicy, parsePolicy } from '../../src/policy/policy.js';
import { ROLE_RULES } from '../../src/rules/index.js';
import type { RoleContext, RoleRule } from '../../src/rules/rule.js';
import { loadRuleCases, withAwsManagedPolicies } from '../support/fixtures.js';

const catalog = defaultCatalog();

function parsedOrUndefined(document: unknown, label: string): ParsedPolicy | undefined {
  const result = parsePolicy(document, label);
  return result.ok ? result.policy : undefined;
}

/** The analysed roles of a snapshot, built the way the audit builds them (fresh for every call). */
function roleContexts(snapshot: AccountSnapshot): RoleContext[] {
  return [...snapshot.roles.values()].map((role) => {
    const identity = [
      ...role.attachedPolicyArns.map((arn) => snapshot.managedPolicies.get(arn)?.document),
      ...role.inlinePolicies.map((inline) => inline.document),
    ].flatMap((document, index) => parsedOrUndefined(document, `${role.name}-${index}`) ?? []);
    const boundaryDocument = role.permissionsBoundaryArn
      ? snapshot.managedPolicies.get(role.permissionsBoundaryArn)?.document
      : undefined;
    const boundary = boundaryDocument ? parsedOrUndefined(boundaryDocument, 'boundary') : undefined;
    const permissions = new EffectivePermissions({ identity, ...(boundary ? { boundary } : {}) }, catalog);
    return { role, permissions, trust: parsedOrUndefined(role.trustPolicy, 'trust-policy'), catalog };
  });
}

/** Every role of the rule fixtures and of the demo account. */
function everyFixtureSnapshot(): AccountSnapshot[] {
  const folder = fileURLToPath(new URL('../fixtures/rules', import.meta.url));
  const snapshots = loadRuleCases(folder).map((ruleCase) =>
    loadOfflineSnapshot({
      authDetails: withAwsManagedPolicies(ruleCase.authDetails),
      functions: ruleCase.functions,
    }),
  );
  const demo = (file: string) =>
    JSON.parse(readFileSync(new URL(`../../examples/demo-account/${file}`, import.meta.url), 'utf8'));
  snapshots.push(
    loadOfflineSnapshot({ authDetails: demo('auth-details.json'), functions: demo('functions.json') }),
  );
  return snapshots;
}

/** What the role rules say about a role, independent of the order they were checked in. */
function verdicts(results: ReturnType<typeof checkRoleRules>): string[] {
  return results.map(({ rule, hits }) => `${rule.meta.id} ${JSON.stringify(hits)}`).sort();
}

const snapshots = everyFixtureSnapshot();

describe('Role rules are independent of their order', () => {
  it('give the same hits for every fixture role whatever order the registry lists them in', () => {
    const orders = fc.sample(fc.shuffledSubarray([...ROLE_RULES], { minLength: ROLE_RULES.length }), {
      numRuns: 3,
      seed: 15,
    });
    orders.push([...ROLE_RULES].reverse());
    let roles = 0;
    for (const snapshot of snapshots) {
      for (const context of roleContexts(snapshot)) {
        // Prepare: the registry order, on a context of its own (memoised analyses start empty)
        const expected = verdicts(checkRoleRules(context));
        roles += 1;
        for (const order of orders) {
          // Act: the same role, freshly analysed, rules in another order
          const [fresh] = roleContexts({ ...snapshot, roles: new Map([[context.role.arn, context.role]]) });
          const actual = verdicts(checkRoleRules(fresh!, order));

          // Assess
          expect(
            actual,
            `${context.role.arn} in order ${order.map((rule) => rule.meta.id).join(',')}`,
          ).toEqual(expected);
        }
      }
    }
    expect(roles).toBeGreaterThan(100);
  });

  it('checks unscoped-write on its own without double counting what service-wildcard and privilege-escalation report', () => {
    // Prepare: a role with s3:* and iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction on "*"
    const snapshot = loadOfflineSnapshot({
      authDetails: {
        RoleDetailList: [
          {
            RoleName: 'deployer',
            Arn: 'arn:aws:iam::111122223333:role/deployer',
            AssumeRolePolicyDocument: {
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            },
            RolePolicyList: [
              {
                PolicyName: 'inline',
                PolicyDocument: {
                  Statement: [
                    { Effect: 'Allow', Action: ['s3:*', 'sns:Publish'], Resource: '*' },
                    {
                      Effect: 'Allow',
                      Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
                      Resource: '*',
                    },
                  ],
                },
              },
            ],
            AttachedManagedPolicies: [],
          },
        ],
      },
      functions: { Functions: [] },
    });
    const [context] = roleContexts(snapshot);
    const unscopedWrite = ROLE_RULES.find((rule) => rule.meta.id === 'unscoped-write')!;

    // Act: the rule alone, before any other rule looked at the role
    const hits = unscopedWrite.check(context!);

    // Assess: only sns:Publish is left (s3 is a service wildcard, the Lambda and IAM actions an escalation)
    expect(hits.map((hit) => hit.evidence.flatMap((entry) => entry.matchedActions ?? []))).toEqual([
      ['sns:Publish'],
    ]);
  });
});

describe('Subsumption by metadata', () => {
  const role = roleContexts(snapshots.at(-1)!)[0]!;
  const rule = (id: string, fires: boolean, subsumes?: string[]): RoleRule => ({
    scope: 'role',
    meta: {
      id,
      severity: 'low',
      title: `${id} title`,
      risk: 'risk text',
      remediation: 'remediation text',
      ...(subsumes ? { subsumes } : {}),
    },
    check: () => (fires ? [{ message: `${id} fired`, evidence: [] }] : []),
  });

  it.each([
    ['listed first', [rule('broad', true, ['narrow']), rule('narrow', true), rule('other', true)]],
    ['listed last', [rule('narrow', true), rule('other', true), rule('broad', true, ['narrow'])]],
  ])('leaves out a rule that a rule which fired subsumes (subsuming rule %s)', (_order, rules) => {
    // Act
    const ids = checkRoleRules(role, rules).map(({ rule: checked }) => checked.meta.id);

    // Assess: the registry order is kept, the subsumed rule is gone
    expect(ids).toEqual(rules.map((entry) => entry.meta.id).filter((id) => id !== 'narrow'));
  });

  it('keeps the subsumed rule when the subsuming rule does not fire', () => {
    // Act
    const ids = checkRoleRules(role, [rule('broad', false, ['narrow']), rule('narrow', true)]).map(
      ({ rule: checked }) => checked.meta.id,
    );

    // Assess
    expect(ids).toEqual(['narrow']);
  });
});
