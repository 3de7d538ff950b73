import { isPublicExposure } from '../model/exposure.js';
import type { AuditReport, Finding, FunctionFinding, RoleFinding } from '../model/report.js';
import { compareSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { functionNameFromArn, roleNameFromArn, splitFunctionArn } from '../policy/arn.js';

/** One role to fix, with everything the fix plan says about it. */
export interface PlanRole {
  roleArn: string;
  roleName: string;
  /** The highest severity of the role's unmuted findings and of its functions' findings. */
  severity: Severity;
  /** How many functions run as the role (versions of one function count once). */
  functionCount: number;
  /** How many of them the role's findings at `severity` affect. */
  affected: number;
  /** Anyone can invoke one of its functions, at the plan's severity (public-invoke, function-url-public). */
  publiclyInvocable: boolean;
  /** Some finding of the role or its functions is new since the last run. */
  isNew: boolean;
  /** Unmuted role findings, in fix-plan order. */
  roleFindings: RoleFinding[];
  /** Unmuted function findings of the role's functions, by rule, rules in fix-plan order. */
  functionFindings: Array<{
    ruleId: string;
    severity: Severity;
    isNew: boolean;
    findings: FunctionFinding[];
  }>;
  /** Names of the role's functions, in the report's order (unqualified, each once). */
  functionNames: string[];
  /** The one step to take first: the remediation of the most severe finding. */
  remediation: string;
}

/** One rule of the roll-up: how many roles and functions its unmuted findings concern. */
export interface RuleRollup {
  ruleId: string;
  severity: Severity;
  subject: Finding['subject'];
  roles: number;
  functions: number;
}

/** The names of each role's functions from `roles[]`, each unqualified name once. */
function functionNamesByRole(report: AuditReport): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const role of report.roles ?? []) {
    const seen = new Set<string>();
    for (const arn of role.functions) seen.add(functionNameFromArn(arn));
    names.set(role.roleArn, [...seen]);
  }
  return names;
}

/**
 * The roles to fix, most urgent first: by the highest severity of their unmuted findings (their own and
 * their functions'), then roles with a function anyone can invoke, then by how many functions that
 * affects, then by name (SPEC §7).
 *
 * @example
 * const [first] = planRoles(report); // the role to fix first, or undefined when nothing is to fix
 */
export function planRoles(report: AuditReport): PlanRole[] {
  const names = functionNamesByRole(report);
  const byRole = new Map<string, { role: RoleFinding[]; fn: FunctionFinding[] }>();
  for (const finding of report.findings ?? []) {
    if (finding.muted) continue;
    let entry = byRole.get(finding.roleArn);
    if (!entry) {
      entry = { role: [], fn: [] };
      byRole.set(finding.roleArn, entry);
    }
    if (finding.subject === 'role') entry.role.push(finding);
    else entry.fn.push(finding);
  }
  const plan: PlanRole[] = [];
  for (const [roleArn, { role, fn }] of byRole) {
    const functionNames = names.get(roleArn) ?? [...new Set(fn.map((finding) => finding.functionName))];
    const functionCount = Math.max(functionNames.length, ...role.map((finding) => finding.functionCount));
    const rules = new Map<string, PlanRole['functionFindings'][number]>();
    for (const finding of fn) {
      let rule = rules.get(finding.ruleId);
      if (!rule) {
        rule = { ruleId: finding.ruleId, severity: finding.severity, isNew: false, findings: [] };
        rules.set(finding.ruleId, rule);
      }
      if (compareSeverity(finding.severity, rule.severity) > 0) rule.severity = finding.severity;
      rule.isNew ||= finding.status === 'new';
      rule.findings.push(finding);
    }
    const functionFindings = [...rules.values()].sort(
      (a, b) => compareSeverity(b.severity, a.severity) || b.findings.length - a.findings.length,
    );
    const worstRole = role[0];
    const worstFunction = functionFindings[0];
    const severity =
      worstFunction && (!worstRole || compareSeverity(worstFunction.severity, worstRole.severity) > 0)
        ? worstFunction.severity
        : worstRole!.severity;
    const affectedFunctions = new Set<string>();
    for (const rule of functionFindings) {
      if (rule.severity !== severity) continue;
      for (const finding of rule.findings)
        affectedFunctions.add(splitFunctionArn(finding.functionArn).unqualified);
    }
    const affected = role.some((finding) => finding.severity === severity)
      ? functionCount
      : affectedFunctions.size;
    // A function anyone can invoke is closed first: that stops the attack while the role is being fixed.
    const exposure = functionFindings
      .flatMap((rule) => rule.findings)
      .find((finding) => finding.severity === severity && isPublicExposure(finding));
    const publiclyInvocable = exposure !== undefined;
    const remediation =
      exposure?.remediation ??
      (worstRole && worstRole.severity === severity
        ? worstRole.remediation
        : (worstFunction?.findings[0]?.remediation ?? worstRole?.remediation ?? ''));
    plan.push({
      roleArn,
      roleName: roleNameFromArn(roleArn),
      severity,
      functionCount,
      affected,
      publiclyInvocable,
      isNew: role.some((finding) => finding.status === 'new') || functionFindings.some((rule) => rule.isNew),
      roleFindings: role,
      functionFindings,
      functionNames,
      remediation,
    });
  }
  return plan.sort(
    (a, b) =>
      compareSeverity(b.severity, a.severity) ||
      Number(b.publiclyInvocable) - Number(a.publiclyInvocable) ||
      b.affected - a.affected ||
      (a.roleName < b.roleName ? -1 : a.roleName > b.roleName ? 1 : 0) ||
      (a.roleArn < b.roleArn ? -1 : a.roleArn > b.roleArn ? 1 : 0),
  );
}

/**
 * The unmuted findings rolled up by rule: how many roles and distinct functions each concerns, most
 * severe rules first, then by functions.
 */
export function rollupByRule(report: AuditReport): RuleRollup[] {
  const byRule = new Map<string, RuleRollup & { roleSet: Set<string>; functionSet: Set<string> }>();
  const functionsOfRole = new Map<string, string[]>();
  for (const role of report.roles ?? []) functionsOfRole.set(role.roleArn, role.functions);
  for (const finding of report.findings ?? []) {
    if (finding.muted) continue;
    let rule = byRule.get(finding.ruleId);
    if (!rule) {
      rule = {
        ruleId: finding.ruleId,
        severity: finding.severity,
        subject: finding.subject,
        roles: 0,
        functions: 0,
        roleSet: new Set(),
        functionSet: new Set(),
      };
      byRule.set(finding.ruleId, rule);
    }
    if (compareSeverity(finding.severity, rule.severity) > 0) rule.severity = finding.severity;
    rule.roleSet.add(finding.roleArn);
    if (finding.subject === 'function')
      rule.functionSet.add(splitFunctionArn(finding.functionArn).unqualified);
    else {
      const functions = functionsOfRole.get(finding.roleArn);
      if (functions) for (const arn of functions) rule.functionSet.add(splitFunctionArn(arn).unqualified);
      else rule.functions += finding.functionCount;
    }
  }
  return [...byRule.values()]
    .map(({ roleSet, functionSet, ...rule }) => ({
      ...rule,
      roles: roleSet.size,
      functions: rule.functions + functionSet.size,
    }))
    .sort(
      (a, b) =>
        compareSeverity(b.severity, a.severity) ||
        b.functions - a.functions ||
        (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
    );
}

/** How many roles to fix at each severity. */
export function rolesBySeverity(plan: readonly PlanRole[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const role of plan) counts[role.severity] += 1;
  return counts;
}

/** The names of the functions the role's worst problem affects: all of them for a role finding. *
 * @example
 * affectedNames(planRoles(report)[0]!); // ['orders-api', 'orders-worker']
 */
export function affectedNames(role: PlanRole): string[] {
  if (role.affected === role.functionCount) return role.functionNames;
  const names = new Set<string>();
  for (const rule of role.functionFindings) {
    if (rule.severity !== role.severity) continue;
    for (const finding of rule.findings) names.add(finding.functionName);
  }
  return [...names];
}
