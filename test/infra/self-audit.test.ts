import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { type AccountSnapshot, emptySnapshot } from '../../src/model/snapshot.js';
import {
  defaultLocation,
  type ExampleLocation,
  exampleStack,
  isCreated,
  loadTemplate,
  type PolicyStatement,
  resolveValue,
  statementsOf,
} from './template-helpers.js';

const template = loadTemplate('template.yaml');

/**
 * The snapshot a live audit would collect for the auditor function deployed from the template, with its
 * resource-based policy as Lambda stores the schedule's `AWS::Lambda::Permission`.
 */
function snapshotOfAuditor(
  parameters: Partial<Record<string, string>>,
  location: ExampleLocation = defaultLocation,
  extraStatements: PolicyStatement[] = [],
  extraInvokeStatements: PolicyStatement[] = [],
): AccountSnapshot {
  const context = exampleStack(template, parameters, location);
  const properties = (logicalId: string) =>
    resolveValue(template, template.Resources[logicalId]?.Properties, context) as Record<string, unknown>;
  const role = properties('Role');
  const policy = properties('RolePolicy');
  const lambda = properties('Function');
  const permission = properties('SchedulePermission');
  const document = policy.PolicyDocument as { Version: string; Statement: PolicyStatement[] };
  const roleArn = context.attributes['Role.Arn']!;
  const policyArn = context.references.RolePolicy!;

  const snapshot = emptySnapshot(location.account, location.partition);
  snapshot.regions = [location.region];
  snapshot.functions.push({
    functionName: String(lambda.FunctionName),
    functionArn: context.attributes['Function.Arn']!,
    version: '$LATEST',
    region: location.region,
    roleArn,
    logGroup: (lambda.LoggingConfig as { LogGroup: string }).LogGroup,
    runtime: String(lambda.Runtime),
    environmentVariableNames: Object.keys((lambda.Environment as { Variables: object }).Variables),
    secretSuspects: [],
  });
  const functionArn = context.attributes['Function.Arn']!;
  const invokeStatement = {
    Sid: `${location.stackName}-SchedulePermission-1B2C3D4E5F6G`,
    Effect: 'Allow',
    Principal: { Service: permission.Principal },
    Action: permission.Action,
    Resource: functionArn,
    Condition: {
      StringEquals: { 'AWS:SourceAccount': permission.SourceAccount },
      ArnLike: { 'AWS:SourceArn': permission.SourceArn },
    },
  };
  snapshot.resourcePolicies = new Map([
    [
      functionArn,
      {
        policy: JSON.stringify({
          Version: '2012-10-17',
          Id: 'default',
          Statement: [invokeStatement, ...extraInvokeStatements],
        }),
      },
    ],
  ]);
  snapshot.roles.set(roleArn, {
    arn: roleArn,
    name: context.references.Role!,
    path: '/',
    trustPolicy: role.AssumeRolePolicyDocument,
    inlinePolicies: [],
    attachedPolicyArns: [policyArn],
    tags: {},
  });
  snapshot.managedPolicies.set(policyArn, {
    arn: policyArn,
    name: String(policy.ManagedPolicyName),
    document: { ...document, Statement: [...statementsOf(document), ...extraStatements] },
    defaultVersionId: 'v1',
  });
  if (isCreated(template, 'UsagePolicy', context)) {
    const usage = properties('UsagePolicy');
    const usageArn = context.references.UsagePolicy!;
    snapshot.roles.get(roleArn)!.attachedPolicyArns.push(usageArn);
    snapshot.managedPolicies.set(usageArn, {
      arn: usageArn,
      name: String(usage.ManagedPolicyName),
      document: usage.PolicyDocument,
      defaultVersionId: 'v1',
    });
  }
  return snapshot;
}

describe('Self-audit: the auditor function deployed from infra/template.yaml', () => {
  it.each([
    { name: 'the defaults', parameters: {}, location: defaultLocation },
    {
      name: 'a central topic with its key and no report bucket',
      parameters: {
        ExistingTopicArn: 'arn:aws:sns:eu-west-1:999999999999:lambda-role-auditor',
        ExistingTopicKeyArn: 'arn:aws:kms:eu-west-1:999999999999:key/0000aaaa-11bb-22cc-33dd-444444eeeeee',
        CreateReportBucket: 'false',
      },
      location: defaultLocation,
    },
    { name: 'usage analysis on', parameters: { UsageAnalysis: 'on' }, location: defaultLocation },
    {
      name: 'GovCloud',
      parameters: {},
      location: {
        account: '210987654321',
        region: 'us-gov-west-1',
        partition: 'aws-us-gov',
        stackName: 'gov',
      },
    },
  ])('has no findings and no errors with $name', ({ parameters, location }) => {
    // prepare
    const snapshot = snapshotOfAuditor(parameters, location);

    // act
    const report = auditSnapshot(snapshot);

    // assess
    expect(report.summary.functions).toBe(1);
    expect(report.findings.map((finding) => `${finding.ruleId}: ${finding.message}`)).toEqual([]);
    expect(report.errors).toEqual([]);
  });

  it('would notice a broader role, so the clean result above means something', () => {
    // prepare
    const snapshot = snapshotOfAuditor({}, defaultLocation, [
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
    ]);

    // act
    const report = auditSnapshot(snapshot);

    // assess
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['unscoped-read']);
  });

  it('would notice a schedule permission without its source, or a public one', () => {
    // prepare
    const functionArn = `arn:aws:lambda:${defaultLocation.region}:${defaultLocation.account}:function:${defaultLocation.stackName}-auditor`;
    const snapshot = snapshotOfAuditor(
      {},
      defaultLocation,
      [],
      [
        {
          Sid: 'any-rule',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'lambda:InvokeFunction',
          Resource: functionArn,
        },
        {
          Sid: 'anyone',
          Effect: 'Allow',
          Principal: '*',
          Action: 'lambda:InvokeFunction',
          Resource: functionArn,
        },
      ],
    );

    // act
    const report = auditSnapshot(snapshot);

    // assess
    expect(report.findings.map((finding) => finding.ruleId).sort()).toEqual([
      'invoke-service-unscoped',
      'public-invoke',
    ]);
  });
});
