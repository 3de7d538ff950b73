import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { parseSuppressions } from '../../src/audit/suppressions.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import { planRoles } from '../../src/report/fix-plan.js';
import { renderText } from '../../src/report/render-text.js';
import { withAwsManagedPolicies } from '../support/fixtures.js';

const ACCOUNT = '111122223333';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const arn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

function role(name: string) {
  return {
    RoleName: name,
    Arn: roleArn(name),
    Path: '/',
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
    RolePolicyList: [],
    AttachedManagedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: ADMIN }],
    Tags: [],
  };
}

function fn(name: string, roleName: string) {
  return {
    FunctionName: name,
    FunctionArn: `${arn(name)}:$LATEST`,
    Version: '$LATEST',
    Role: roleArn(roleName),
  };
}

/** Two admin roles: one runs three batch jobs nobody else can call, one runs a tool behind a public URL. */
function account() {
  const urlStatements = [
    {
      Sid: 'FunctionURLAllowPublicAccess',
      Effect: 'Allow',
      Principal: '*',
      Action: 'lambda:InvokeFunctionUrl',
      Resource: arn('admin-tool'),
      Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
    },
    {
      Sid: 'FunctionURLInvokeAllowPublicAccess',
      Effect: 'Allow',
      Principal: '*',
      Action: 'lambda:InvokeFunction',
      Resource: arn('admin-tool'),
      Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
    },
  ];
  return loadOfflineSnapshot({
    authDetails: withAwsManagedPolicies({
      RoleDetailList: [role('batch-admin'), role('tool-admin')],
      Policies: [],
    }),
    functions: {
      Functions: [
        fn('batch-a', 'batch-admin'),
        fn('batch-b', 'batch-admin'),
        fn('batch-c', 'batch-admin'),
        fn('admin-tool', 'tool-admin'),
      ],
    },
    resourcePolicies: {
      [arn('admin-tool')]: {
        Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: urlStatements }),
        FunctionUrlConfigs: [
          {
            FunctionUrl: 'https://x7.lambda-url.us-east-1.on.aws/',
            FunctionArn: arn('admin-tool'),
            AuthType: 'NONE',
          },
        ],
      },
    },
  });
}

describe('Blast radius: who may invoke, and what the role can do', () => {
  it('puts the role behind a public URL first, before a critical role with more functions', () => {
    // prepare
    const snapshot = account();

    // act
    const report = auditSnapshot(snapshot, { now: new Date('2026-11-26T00:00:00Z') });
    const plan = planRoles(report);

    // assess
    expect(plan.map((entry) => [entry.roleName, entry.severity, entry.publiclyInvocable])).toEqual([
      ['tool-admin', 'critical', true],
      ['batch-admin', 'critical', false],
    ]);
    expect(plan[0]?.remediation).toMatch(
      /^Close the URL \(aws lambda update-function-url-config --region us-east-1 --function-name admin-tool --auth-type AWS_IAM\) and remove the public statements FunctionURLAllowPublicAccess, FunctionURLInvokeAllowPublicAccess/,
    );
    expect(report.findings.map((finding) => `${finding.ruleId} ${finding.severity}`)).toEqual([
      'function-url-public critical',
      'admin-access critical',
      'admin-access critical',
      'role-shared low',
    ]);
    expect(report.findings[0]?.message).toBe(
      'Anyone on the internet can call its function URL https://x7.lambda-url.us-east-1.on.aws/ (AuthType NONE); the function runs as a role with administrator access (admin-access).',
    );
    const digest = renderText(report);
    expect(digest.split('\n').find((line) => /^1\. /.test(line))).toBe('1. CRITICAL tool-admin');
  });

  it('stays critical when the role finding is muted: muting a finding does not shrink the blast radius', () => {
    // prepare
    const snapshot = account();
    const suppressions = parseSuppressions({
      suppressions: [{ rule: 'admin-access', role: 'tool-admin', reason: 'break-glass tool, reviewed' }],
    });

    // act
    const report = auditSnapshot(snapshot, { suppressions });

    // assess
    const url = report.findings.find((finding) => finding.ruleId === 'function-url-public');
    expect(url).toMatchObject({ severity: 'critical', muted: null });
    expect(planRoles(report)[0]?.roleName).toBe('tool-admin');
  });
});
