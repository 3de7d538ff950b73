import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { methodsTable, withMethodsTable } from '../../scripts/escalation-methods-table.js';
import type { AuditReport } from '../../src/model/report.js';
import { defaultCatalog } from '../../src/policy/catalog.js';
import {
  ACTION_TARGETS,
  ESCALATION_METHODS,
  type EscalationMethod,
} from '../../src/rules/escalation-methods.js';
import { sourcesText } from '../../src/rules/privilege-escalation.js';
import { ACCOUNT, auditRole, findingOf, type PolicyStatement, roleArnOf } from '../support/role-audit.js';
import { distinctMethods, PUBLISHED_METHODS } from './published-escalation-methods.js';

const RULE = 'privilege-escalation';
const lower = (actions: readonly string[]) => actions.map((action) => action.toLowerCase());

/** The method ids a privilege-escalation finding names in its evidence. */
function reportedMethods(report: AuditReport): string[] {
  const finding = findingOf(report, RULE);
  if (!finding) return [];
  const ids = new Set<string>();
  for (const evidence of finding.evidence) {
    const id = /\[([a-z0-9-]+);/.exec(evidence.detail ?? '')?.[1];
    if (id) ids.add(id);
  }
  return [...ids];
}

/** Whether some method of the catalog needs only actions among `granted` (then a finding is right). */
function someMethodWithin(
  granted: readonly string[],
  except?: (method: EscalationMethod) => boolean,
): boolean {
  const keys = new Set(lower(granted));
  return ESCALATION_METHODS.some(
    (method) => !except?.(method) && lower(method.actions).every((key) => keys.has(key)),
  );
}

const allowOnStar = (actions: readonly string[]): PolicyStatement => ({
  Effect: 'Allow',
  Action: [...actions],
  Resource: '*',
});

describe('Escalation method catalog', () => {
  it('has unique kebab-case ids, actions the IAM catalog knows, sources and one-line explanations', () => {
    // Prepare
    const catalog = defaultCatalog();
    const ids = ESCALATION_METHODS.map((method) => method.id);

    // Act
    const unknown = ESCALATION_METHODS.flatMap((method) =>
      method.actions.filter((action) => catalog.get(action) === undefined),
    );

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(unknown).toEqual([]);
    for (const method of ESCALATION_METHODS) {
      expect(method.sources.length, method.id).toBeGreaterThan(0);
      expect(method.explanation.length, method.id).toBeLessThan(140);
      expect(method.explanation, method.id).not.toContain('\n');
      expect(method.passedTo !== undefined, method.id).toBe(method.actions.includes('iam:PassRole'));
    }
  });

  it('lists no action twice in a method and no two methods with the same actions', () => {
    const keys = ESCALATION_METHODS.map((method) => [...new Set(lower(method.actions))].sort().join('+'));
    expect(new Set(keys).size).toBe(keys.length);
    for (const method of ESCALATION_METHODS)
      expect(new Set(lower(method.actions)).size).toBe(method.actions.length);
  });

  it('is the table of methods in the README, row for row (npm run methods-table)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(methodsTable());
    expect(withMethodsTable(readme)).toBe(readme);
    expect(methodsTable().split('\n')).toHaveLength(ESCALATION_METHODS.length + 2);
  });

  it('gives targets only for actions that methods without iam:PassRole use', () => {
    const used = new Set(
      ESCALATION_METHODS.filter((method) => !method.passedTo).flatMap((method) => lower(method.actions)),
    );
    expect(Object.keys(ACTION_TARGETS).filter((key) => !used.has(key))).toEqual([]);
  });
});

describe('Rule: privilege-escalation, one case per catalog method', () => {
  it.each(ESCALATION_METHODS.map((method) => [method.id, method] as const))(
    'flags %s allowed on "*", naming the method (or a smaller one it contains) and its sources',
    (_id, method) => {
      // Prepare
      const spec = { statements: [allowOnStar(method.actions)] };

      // Act
      const report = auditRole(spec);

      // Assess
      const finding = findingOf(report, RULE);
      expect(finding?.severity).toBe('critical');
      const reported = reportedMethods(report).map((id) => ESCALATION_METHODS.find((m) => m.id === id)!);
      expect(reported.length).toBeGreaterThan(0);
      for (const named of reported) {
        expect(lower(named.actions).every((key) => lower(method.actions).includes(key))).toBe(true);
        const evidence = finding!.evidence.find((entry) => entry.detail?.includes(`[${named.id};`));
        expect(evidence?.detail).toBe(`${named.name} [${named.id}; ${sourcesText(named)}]`);
        expect(evidence?.actions).toEqual([...named.actions]);
      }
      if (
        !someMethodWithin(
          method.actions,
          (other) => other === method || other.actions.length >= method.actions.length,
        )
      )
        expect(reported.map((named) => named.id)).toEqual([method.id]);
    },
  );
});

const MULTI_ACTION = ESCALATION_METHODS.filter((method) => method.actions.length > 1);
const PASS_ROLE_METHODS = ESCALATION_METHODS.filter((method) => method.passedTo);

describe('Rule: privilege-escalation near misses', () => {
  it.each(
    MULTI_ACTION.flatMap((method) =>
      method.actions.map((missing) => [method.id, missing, method] as const),
    ).filter(
      ([, missing, method]) => !someMethodWithin(method.actions.filter((action) => action !== missing)),
    ),
  )('%s without %s is not escalation', (_id, missing, method) => {
    const report = auditRole({
      statements: [allowOnStar(method.actions.filter((action) => action !== missing))],
    });
    expect(findingOf(report, RULE)).toBeUndefined();
  });

  it.each(
    ESCALATION_METHODS.flatMap((method) =>
      method.actions.map((denied) => [method.id, denied, method] as const),
    ).filter(([, denied, method]) => !someMethodWithin(method.actions.filter((action) => action !== denied))),
  )('%s with an unconditional Deny of %s is not escalation', (_id, denied, method) => {
    const report = auditRole({
      statements: [allowOnStar(method.actions), { Effect: 'Deny', Action: denied, Resource: '*' }],
    });
    expect(findingOf(report, RULE)).toBeUndefined();
  });

  it.each(
    ESCALATION_METHODS.flatMap((method) =>
      method.actions.map((left) => [method.id, left, method] as const),
    ).filter(([, left, method]) => !someMethodWithin(method.actions.filter((action) => action !== left))),
  )('%s under a boundary without %s is not escalation', (_id, left, method) => {
    const report = auditRole({
      statements: [allowOnStar(method.actions)],
      boundary: [allowOnStar([...method.actions.filter((action) => action !== left), 'logs:*'])],
    });
    expect(findingOf(report, RULE)).toBeUndefined();
  });

  const withoutPassRole = (method: EscalationMethod) =>
    !someMethodWithin(method.actions.filter((action) => action !== 'iam:PassRole'));

  it.each(PASS_ROLE_METHODS.filter(withoutPassRole).map((method) => [method.id, method] as const))(
    '%s with iam:PassRole scoped to one role is not escalation',
    (_id, method) => {
      const report = auditRole({
        statements: [
          allowOnStar(method.actions.filter((action) => action !== 'iam:PassRole')),
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: roleArnOf('worker-task-role') },
        ],
      });
      expect(findingOf(report, RULE)).toBeUndefined();
    },
  );

  it.each(PASS_ROLE_METHODS.filter(withoutPassRole).map((method) => [method.id, method] as const))(
    '%s with iam:PassedToService naming another service is not escalation; naming its own, it is',
    (_id, method) => {
      // Prepare
      const passTo = (service: string): PolicyStatement => ({
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:PassedToService': service } },
      });
      const others = allowOnStar(method.actions.filter((action) => action !== 'iam:PassRole'));

      // Act
      const elsewhere = auditRole({ statements: [others, passTo('dax.amazonaws.com')] });
      const own = auditRole({ statements: [others, passTo(method.passedTo![0]!)] });

      // Assess
      expect(findingOf(elsewhere, RULE)).toBeUndefined();
      expect(findingOf(own, RULE)).toMatchObject({ severity: 'critical', conditional: false });
      expect(reportedMethods(own).length).toBeGreaterThan(0);
      for (const id of reportedMethods(own)) {
        const named = ESCALATION_METHODS.find((candidate) => candidate.id === id)!;
        expect(lower(named.actions).every((key) => lower(method.actions).includes(key))).toBe(true);
      }
    },
  );
});

describe('Rule: privilege-escalation on escalation-capable resources', () => {
  const own = roleArnOf('fn-role');
  it.each([
    [
      'iam:PutRolePolicy on the role itself',
      [{ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: own }],
      'iam-put-role-policy',
    ],
    [
      'iam:AttachRolePolicy on the role itself',
      [{ Effect: 'Allow', Action: 'iam:AttachRolePolicy', Resource: own }],
      'iam-attach-role-policy',
    ],
    [
      'iam:PutRolePolicy on every role of the account',
      [{ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: `arn:aws:iam::${ACCOUNT}:role/*` }],
      'iam-put-role-policy',
    ],
    [
      'iam:PassRole on role/* with lambda:CreateFunction and lambda:InvokeFunction',
      [
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/*' },
        {
          Effect: 'Allow',
          Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
          Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker-*`,
        },
      ],
      'passrole-lambda-create-invoke',
    ],
    [
      'lambda:UpdateFunctionCode on every function',
      [{ Effect: 'Allow', Action: 'lambda:UpdateFunctionCode', Resource: 'arn:aws:lambda:*:*:function:*' }],
      'lambda-update-function-code',
    ],
    [
      'lambda:UpdateFunctionCode on every function of one region',
      [
        {
          Effect: 'Allow',
          Action: 'lambda:UpdateFunctionCode',
          Resource: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:*`,
        },
      ],
      'lambda-update-function-code',
    ],
    [
      'ssm:SendCommand on every instance with the shell document',
      [
        {
          Effect: 'Allow',
          Action: 'ssm:SendCommand',
          Resource: ['arn:aws:ec2:*:*:instance/*', 'arn:aws:ssm:*::document/AWS-RunShellScript'],
        },
      ],
      'ssm-send-command',
    ],
  ])('flags %s', (_label, statements, methodId) => {
    const report = auditRole({ statements });
    expect(findingOf(report, RULE)?.severity).toBe('critical');
    expect(reportedMethods(report)).toContain(methodId);
  });

  it('flags iam:CreatePolicyVersion on a customer managed policy attached to the role, not on another one', () => {
    // Prepare
    const attachedArn = `arn:aws:iam::${ACCOUNT}:policy/app-policy`;
    const onPolicy = (arn: string) => ({
      attached: [
        {
          arn: attachedArn,
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'iam:CreatePolicyVersion', Resource: arn }],
          },
        },
      ],
    });

    // Act
    const itself = auditRole(onPolicy(attachedArn));
    const another = auditRole(onPolicy(`arn:aws:iam::${ACCOUNT}:policy/other-policy`));

    // Assess
    expect(reportedMethods(itself)).toEqual(['iam-create-policy-version']);
    expect(findingOf(another, RULE)).toBeUndefined();
  });

  it.each([
    [
      'iam:PutRolePolicy on another, named role',
      [{ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: roleArnOf('other-role') }],
    ],
    [
      'iam:PutRolePolicy on a name prefix that is not the role',
      [{ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: roleArnOf('app-*') }],
    ],
    [
      'iam:PutRolePolicy on every role of another account',
      [{ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::999999999999:role/*' }],
    ],
    [
      'iam:PassRole on the role itself with Lambda create and invoke',
      [
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: roleArnOf('fn-role') },
        { Effect: 'Allow', Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'], Resource: '*' },
      ],
    ],
    [
      'lambda:UpdateFunctionCode on a function name prefix',
      [
        {
          Effect: 'Allow',
          Action: 'lambda:UpdateFunctionCode',
          Resource: 'arn:aws:lambda:*:*:function:app-*',
        },
      ],
    ],
    [
      'ssm:SendCommand on every instance with a harmless document only',
      [
        {
          Effect: 'Allow',
          Action: 'ssm:SendCommand',
          Resource: ['arn:aws:ec2:*:*:instance/*', 'arn:aws:ssm:*::document/AWS-RunPatchBaseline'],
        },
      ],
    ],
    [
      'iam:AttachRolePolicy limited by iam:PolicyARN to a harmless policy',
      [
        {
          Effect: 'Allow',
          Action: 'iam:AttachRolePolicy',
          Resource: '*',
          Condition: {
            ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' },
          },
        },
      ],
    ],
    [
      'iam:PutRolePolicy limited by aws:PrincipalArn to another role',
      [
        {
          Effect: 'Allow',
          Action: 'iam:PutRolePolicy',
          Resource: '*',
          Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deployer-*' } },
        },
      ],
    ],
    [
      'iam:PassRole and lambda:CreateFunction on "*" with lambda:InvokeFunction on one named function only',
      [
        allowOnStar(['iam:PassRole', 'lambda:CreateFunction']),
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:nightly-report`,
        },
      ],
    ],
    [
      'iam:PassRole and ecs:CreateService without a task definition action',
      [allowOnStar(['iam:PassRole', 'ecs:CreateService', 'ecs:CreateCluster'])],
    ],
  ])('does not flag %s', (_label, statements) => {
    const report = auditRole({ statements });
    expect(findingOf(report, RULE)).toBeUndefined();
  });

  it('reports a grant under a condition it cannot evaluate one level lower', () => {
    const report = auditRole({
      statements: [
        {
          Effect: 'Allow',
          Action: 'iam:PutRolePolicy',
          Resource: '*',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
      ],
    });
    expect(findingOf(report, RULE)).toMatchObject({ severity: 'high', conditional: true });
  });
});

describe('Recall against the published catalogs', () => {
  const applicable = PUBLISHED_METHODS.filter((method) => !method.notApplicable);
  const distinct = distinctMethods(applicable);
  const detected = (actions: readonly string[]) =>
    findingOf(auditRole({ statements: [allowOnStar(actions)] }), RULE) !== undefined;

  it.each(
    applicable
      .filter((method) => !method.notFlagged)
      .map((method) => [method.catalog, method.ref, method] as const),
  )('%s %s is flagged when allowed on "*"', (_catalog, _ref, method) => {
    expect(detected(method.actions)).toBe(true);
  });

  it.each(
    applicable
      .filter((method) => method.notFlagged)
      .map((method) => [method.catalog, method.ref, method] as const),
  )(
    '%s %s is deliberately not flagged as published (it does not escalate alone)',
    (_catalog, _ref, method) => {
      expect(detected(method.actions)).toBe(false);
    },
  );

  it('detects at least 95 % of the distinct published methods that apply to a Lambda role', () => {
    // Act
    const found = distinct.filter((method) => detected(method.actions));

    // Assess: 107 distinct methods apply (CodeStar's are retired); the two Data Pipeline
    // entries without ActivatePipeline are the only ones not flagged.
    expect(distinct.length).toBe(107);
    expect(found.length).toBe(105);
    expect(found.length / distinct.length).toBeGreaterThanOrEqual(0.95);
  });
});
