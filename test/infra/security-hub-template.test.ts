import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { emptySnapshot } from '../../src/model/snapshot.js';
import {
  defaultLocation,
  exampleStack,
  grantsOf,
  isCreated,
  loadTemplate,
  type PolicyStatement,
  resolveValue,
  statementsOf,
} from './template-helpers.js';

const template = loadTemplate('template.yaml');

function properties(logicalId: string, context: ReturnType<typeof exampleStack>): Record<string, unknown> {
  return resolveValue(template, template.Resources[logicalId]?.Properties, context) as Record<
    string,
    unknown
  >;
}

describe('infra/template.yaml: the Security Hub export', () => {
  it('is off by default: no policy, no SECURITY_HUB variable', () => {
    // prepare
    const context = exampleStack(template, {});

    // act
    const created = isCreated(template, 'SecurityHubPolicy', context);
    const variables = (properties('Function', context).Environment as { Variables: Record<string, unknown> })
      .Variables;

    // assess
    expect(template.Parameters.SecurityHubExport?.Default).toBe('false');
    expect(template.Parameters.SecurityHubExport?.AllowedValues).toEqual(['true', 'false']);
    expect(created).toBe(false);
    expect(variables).not.toHaveProperty('SECURITY_HUB');
  });

  it('with SecurityHubExport=true attaches a policy allowing BatchImportFindings on the own product ARN only', () => {
    // prepare
    const context = exampleStack(template, { SecurityHubExport: 'true' });

    // act
    const policy = properties('SecurityHubPolicy', context);
    const variables = (properties('Function', context).Environment as { Variables: Record<string, unknown> })
      .Variables;

    // assess
    expect(isCreated(template, 'SecurityHubPolicy', context)).toBe(true);
    expect(policy.Roles).toEqual([context.references.Role]);
    expect(grantsOf(statementsOf(policy.PolicyDocument))).toEqual({
      'securityhub:BatchImportFindings': [
        'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default',
      ],
    });
    expect(variables.SECURITY_HUB).toBe('on');
  });

  it('keeps the auditor role clean in its own audit with the export on', () => {
    // prepare: the auditor function with both of its managed policies, as a live audit would read it
    const context = exampleStack(template, { SecurityHubExport: 'true' });
    const roleArn = context.attributes['Role.Arn']!;
    const snapshot = emptySnapshot(defaultLocation.account, defaultLocation.partition);
    snapshot.regions = [defaultLocation.region];
    const lambda = properties('Function', context);
    snapshot.functions.push({
      functionName: String(lambda.FunctionName),
      functionArn: context.attributes['Function.Arn']!,
      version: '$LATEST',
      region: defaultLocation.region,
      roleArn,
      logGroup: (lambda.LoggingConfig as { LogGroup: string }).LogGroup,
      runtime: String(lambda.Runtime),
      environmentVariableNames: [],
      secretSuspects: [],
    });
    const policyArns = ['RolePolicy', 'SecurityHubPolicy'].map((logicalId) => {
      const policy = properties(logicalId, context);
      const arn = `arn:aws:iam::${defaultLocation.account}:policy/${String(policy.ManagedPolicyName)}`;
      snapshot.managedPolicies.set(arn, {
        arn,
        name: String(policy.ManagedPolicyName),
        document: policy.PolicyDocument as { Statement: PolicyStatement[] },
        defaultVersionId: 'v1',
      });
      return arn;
    });
    snapshot.roles.set(roleArn, {
      arn: roleArn,
      name: context.references.Role!,
      path: '/',
      trustPolicy: properties('Role', context).AssumeRolePolicyDocument,
      inlinePolicies: [],
      attachedPolicyArns: policyArns,
      tags: {},
    });

    // act
    const report = auditSnapshot(snapshot);

    // assess
    expect(report.findings.map((finding) => `${finding.ruleId}: ${finding.message}`)).toEqual([]);
    expect(report.errors).toEqual([]);
  });
});
