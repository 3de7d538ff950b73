import { compareFixOrder, summarize } from '../../src/audit/summary.js';
import type { AuditReport, Finding, RoleEntry } from '../../src/model/report.js';
import type { Severity } from '../../src/model/severity.js';
import { functionArn, functionFinding, roleArn, roleFinding } from './sample-report.js';

export interface GeneratedAccount {
  report: AuditReport;
  /**
   * The severity each role is to be fixed at (the highest of its unmuted findings and its functions'),
   * by role name; roles without unmuted findings are absent. Worked out while generating, not from the
   * fix plan, so that tests can check the plan against it.
   */
  severityOfRole: Map<string, Severity>;
}

const ADMIN = {
  ruleId: 'admin-access',
  title: 'Execution role has administrator access',
  remediation: 'Detach AdministratorAccess and grant only the actions the functions call.',
};
const LOGGING_REMEDIATION =
  'Attach AWSLambdaBasicExecutionRole, or allow logs:CreateLogStream and logs:PutLogEvents on the log group.';

/**
 * A very large account, the same on every call: `roleCount` roles with 1 to 5 functions each (two
 * regions), role findings once per role and thousands of function findings. Every 20 roles: 1
 * critical, 2 high (one by a role finding, one by function findings on every function), 6 medium,
 * 8 low, 2 info and 1 clean; every role with an even index also has a low function finding on each
 * function, and every 20th role from the 4th (two functions each) a muted `role-shared` finding.
 *
 * @example
 * const { report, severityOfRole } = generatedAccount(3_000);
 */
export function generatedAccount(roleCount: number): GeneratedAccount {
  const roles: RoleEntry[] = [];
  const findings: Finding[] = [];
  const severityOfRole = new Map<string, Severity>();
  let functionTotal = 0;
  for (let index = 0; index < roleCount; index += 1) {
    const team = `team-${String(index).padStart(5, '0')}`;
    const name = `${team}-role`;
    const role = roleArn(name);
    const region = index % 2 === 0 ? 'us-east-1' : 'eu-west-1';
    const functions = Array.from({ length: 1 + ((index * 7) % 5) }, (_, position) =>
      functionArn(region, `${team}-fn-${position}`),
    );
    functionTotal += functions.length;
    roles.push({ roleArn: role, functions });
    const functionCount = functions.length;
    const kind = index % 20;
    let severity: Severity | undefined;
    if (kind === 0) {
      severity = 'critical';
      findings.push(
        roleFinding({
          ...ADMIN,
          severity,
          roleArn: role,
          functionCount,
          message: `Role ${name} allows every action on every resource.`,
          evidence: [
            {
              policy: 'arn:aws:iam::aws:policy/AdministratorAccess',
              statement: '0',
              actions: ['*'],
              resources: ['*'],
            },
          ],
        }),
      );
    } else if (kind === 1) {
      severity = 'high';
      findings.push(
        roleFinding({
          ruleId: 'trust-too-broad',
          severity,
          title: 'Principals other than Lambda can assume the execution role',
          roleArn: role,
          functionCount,
          message: `The trust policy of ${name} also trusts ec2.amazonaws.com.`,
          evidence: [{ policy: 'trust policy', statement: '0', principals: ['ec2.amazonaws.com'] }],
          remediation: 'Trust only lambda.amazonaws.com in an execution role.',
        }),
      );
    } else if (kind === 2) {
      severity = 'high';
      for (const arn of functions) {
        findings.push(
          functionFinding({
            ruleId: 'logging-missing',
            severity,
            title: 'Function cannot write its logs',
            functionArn: arn,
            region,
            roleArn: role,
            message: `The role cannot logs:PutLogEvents on the log group of ${arn.split(':function:')[1]}.`,
            evidence: [{ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${arn}:*`] }],
            remediation: LOGGING_REMEDIATION,
          }),
        );
      }
    } else if (kind <= 8) {
      severity = 'medium';
      findings.push(
        roleFinding({
          ruleId: 'unscoped-write',
          severity,
          title: 'Write actions allowed on all resources',
          roleArn: role,
          functionCount,
          message: `Role ${name} allows 4 write actions on "*" although they can be scoped.`,
          evidence: [
            {
              policy: `${team}-policy`,
              statement: 'Write',
              actions: ['s3:PutObject', 's3:DeleteObject', 'dynamodb:PutItem', 'sqs:SendMessage'],
              resources: ['*'],
            },
          ],
          remediation: 'Replace "Resource": "*" with the ARNs of the resources the functions write to.',
        }),
      );
    } else if (kind <= 12) {
      severity = 'low';
      findings.push(
        roleFinding({
          ruleId: 'unscoped-read',
          severity,
          title: 'Data-reading actions allowed on all resources',
          roleArn: role,
          functionCount,
          conditional: true,
          message: `Role ${name} reads s3:GetObject on "*" under a condition.`,
          evidence: [
            { policy: `${team}-policy`, statement: 'Read', actions: ['s3:GetObject'], resources: ['*'] },
          ],
          remediation: 'Replace "Resource": "*" with the ARNs the functions read.',
        }),
      );
    } else if (kind <= 15) {
      severity = 'info';
      findings.push(
        roleFinding({
          ruleId: 'inline-policy',
          severity,
          title: 'Execution role has inline policies',
          roleArn: role,
          functionCount,
          message: `Role ${name} has 1 inline policy (${team}-inline).`,
          evidence: [{ policy: `${team}-inline` }],
          remediation: 'Move inline policies into customer managed policies.',
        }),
      );
    } else if (kind <= 17) {
      severity = 'low';
      findings.push(
        roleFinding({
          ruleId: 'unscoped-read',
          severity,
          title: 'Data-reading actions allowed on all resources',
          roleArn: role,
          functionCount,
          message: `Role ${name} allows kms:Decrypt on "*".`,
          evidence: [
            { policy: `${team}-policy`, statement: 'Keys', actions: ['kms:Decrypt'], resources: ['*'] },
          ],
          remediation: 'Replace "Resource": "*" with the key ARNs the functions use.',
        }),
      );
    }
    if (index % 2 === 0) {
      for (const arn of functions) {
        findings.push(
          functionFinding({
            ruleId: 'log-group-create-missing',
            severity: 'low',
            title: 'Function cannot create its log group',
            functionArn: arn,
            region,
            roleArn: role,
            message: "The role cannot logs:CreateLogGroup on the function's log group.",
            remediation: 'Allow logs:CreateLogGroup, or create the log group beforehand.',
          }),
        );
      }
      if (severity === undefined || severity === 'info') severity = 'low';
    }
    if (kind === 3) {
      findings.push(
        roleFinding({
          ruleId: 'role-shared',
          severity: 'low',
          title: 'Execution role is shared by several functions',
          roleArn: role,
          functionCount,
          message: `The role is the execution role of ${functionCount} functions.`,
          remediation: 'Give each function its own role.',
          muted: { reason: 'One team, one role', source: 'tag' },
        }),
      );
    }
    if (severity) severityOfRole.set(name, severity);
  }
  findings.sort(compareFixOrder);
  const report: AuditReport = {
    schemaVersion: 2,
    tool: { name: 'lambda-role-auditor', version: '0.1.0', iamDataVersion: '0.21.202609261' },
    generatedAt: '2026-11-26T03:00:00.000Z',
    account: '123456789012',
    status: 'complete',
    scope: { regions: ['eu-west-1', 'us-east-1'], functions: null, minSeverity: null, full: true },
    summary: summarize(findings, roles, { functions: functionTotal, errors: 0 }),
    roles,
    findings,
    errors: [],
  };
  return { report, severityOfRole };
}
