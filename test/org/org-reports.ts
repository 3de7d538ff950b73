import { roleFindingId } from '../../src/audit/audit.js';
import { compareFixOrder, summarize } from '../../src/audit/summary.js';
import type { AuditReport, RoleEntry, RoleFinding, RunStatus } from '../../src/model/report.js';
import type { Severity } from '../../src/model/severity.js';

/** A role of an account: its name, how many functions run as it, and its findings by rule. */
export interface RoleSpec {
  name: string;
  functions: number;
  findings: Array<{ ruleId: string; severity: Severity; muted?: boolean }>;
}

export interface AccountSpec {
  account: string;
  generatedAt: string;
  status?: RunStatus;
  roles?: RoleSpec[];
}

/**
 * An account's report as the audit archives it: role findings with the ids the audit gives them,
 * `roles[]` with the functions' ARNs and the summary computed by the audit's own code.
 */
export function accountReport(spec: AccountSpec): AuditReport {
  const roles: RoleEntry[] = [];
  const findings: RoleFinding[] = [];
  for (const role of spec.roles ?? []) {
    const roleArn = `arn:aws:iam::${spec.account}:role/${role.name}`;
    roles.push({
      roleArn,
      functions: Array.from(
        { length: role.functions },
        (_, index) => `arn:aws:lambda:us-east-1:${spec.account}:function:${role.name}-fn-${index}`,
      ),
    });
    for (const finding of role.findings) {
      findings.push({
        id: roleFindingId(finding.ruleId, roleArn),
        ruleId: finding.ruleId,
        subject: 'role',
        severity: finding.severity,
        title: `${finding.ruleId} title`,
        roleArn,
        functionCount: role.functions,
        message: `${finding.ruleId} fired on ${role.name}`,
        evidence: [],
        remediation: `Fix ${finding.ruleId} on ${role.name}.`,
        conditional: false,
        muted: finding.muted ? { reason: 'accepted', source: 'file' } : null,
      });
    }
  }
  findings.sort(compareFixOrder);
  const status = spec.status ?? 'complete';
  const functions = roles.reduce((sum, role) => sum + role.functions.length, 0);
  return {
    schemaVersion: 2,
    tool: { name: 'lambda-role-auditor', version: '0.1.0', iamDataVersion: 'test' },
    generatedAt: spec.generatedAt,
    account: spec.account,
    status,
    scope: { regions: ['us-east-1'], functions: null, minSeverity: null, full: true },
    summary: summarize(findings, roles, { functions, errors: status === 'complete' ? 0 : 1 }),
    roles,
    findings,
    errors: [],
    ...(status === 'complete'
      ? {}
      : {
          partial: {
            reason: status === 'failed' ? 'every region listing failed' : 'region eu-west-1 not read',
            notAudited: [],
          },
        }),
  };
}
