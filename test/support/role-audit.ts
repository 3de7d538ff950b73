import { auditSnapshot } from '../../src/audit/audit.js';
import type { AuditReport, Finding } from '../../src/model/report.js';
import { type AccountSnapshot, emptySnapshot } from '../../src/model/snapshot.js';
import { policyNameFromArn } from '../../src/policy/arn.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

/** A policy statement as IAM documents write it. */
export type PolicyStatement = Record<string, unknown>;

export interface RoleSpec {
  /** Statements of one inline policy named `inline`. */
  statements?: PolicyStatement[];
  /** Statements of a customer managed permissions boundary. */
  boundary?: PolicyStatement[];
  /** Managed policies attached to the role, with their documents. */
  attached?: Array<{ arn: string; document: unknown }>;
  roleName?: string;
}

const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

export function roleArnOf(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

/** Adds one role and one function that runs as it to a snapshot. */
export function addRole(
  snapshot: AccountSnapshot,
  spec: RoleSpec,
  functionName = spec.roleName ?? 'fn',
): void {
  const roleName = spec.roleName ?? `${functionName}-role`;
  const arn = roleArnOf(roleName);
  const attachedPolicyArns: string[] = [];
  for (const policy of spec.attached ?? []) {
    snapshot.managedPolicies.set(policy.arn, {
      arn: policy.arn,
      name: policyNameFromArn(policy.arn),
      document: policy.document,
    });
    attachedPolicyArns.push(policy.arn);
  }
  let permissionsBoundaryArn: string | undefined;
  if (spec.boundary) {
    permissionsBoundaryArn = `arn:aws:iam::${ACCOUNT}:policy/${roleName}-boundary`;
    snapshot.managedPolicies.set(permissionsBoundaryArn, {
      arn: permissionsBoundaryArn,
      name: `${roleName}-boundary`,
      document: { Version: '2012-10-17', Statement: spec.boundary },
    });
  }
  snapshot.roles.set(arn, {
    arn,
    name: roleName,
    path: '/',
    trustPolicy: LAMBDA_TRUST,
    inlinePolicies: spec.statements
      ? [{ name: 'inline', document: { Version: '2012-10-17', Statement: spec.statements } }]
      : [],
    attachedPolicyArns,
    ...(permissionsBoundaryArn ? { permissionsBoundaryArn } : {}),
    tags: {},
  });
  snapshot.functions.push({
    functionName,
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    version: '$LATEST',
    region: REGION,
    roleArn: arn,
    environmentVariableNames: [],
    secretSuspects: [],
  });
}

/** Audits one function whose role has the given policies. */
export function auditRole(spec: RoleSpec): AuditReport {
  const snapshot = emptySnapshot(ACCOUNT);
  snapshot.regions = [REGION];
  addRole(snapshot, spec);
  return auditSnapshot(snapshot, { now: new Date('2026-11-26T00:00:00Z') });
}

/** The finding of a rule in a report, if any. */
export function findingOf(report: AuditReport, ruleId: string): Finding | undefined {
  return report.findings.find((finding) => finding.ruleId === ruleId);
}
