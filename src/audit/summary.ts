import { isPublicExposure } from '../model/exposure.js';
import type { AuditReport, Finding, ReportSummary, RoleEntry, SeverityCounts } from '../model/report.js';
import { atLeast, compareSeverity, type Severity } from '../model/severity.js';
import { splitFunctionArn } from '../policy/arn.js';

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}

/** Locale-independent string order: the same report on every machine, and far cheaper than localeCompare. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The fix-plan order of findings (SPEC §6): severity, then findings that let anyone invoke a function,
 * then functions affected (a role finding counts its functions, a function finding one), then id.
 */
export function compareFixOrder(a: Finding, b: Finding): number {
  return (
    compareSeverity(b.severity, a.severity) ||
    Number(isPublicExposure(b)) - Number(isPublicExposure(a)) ||
    (b.subject === 'role' ? b.functionCount : 1) - (a.subject === 'role' ? a.functionCount : 1) ||
    byCodeUnits(a.id, b.id)
  );
}

/**
 * The counts of a report: unmuted findings by severity (a role finding once), and distinct functions by
 * the highest severity of their own and their role's unmuted findings.
 *
 * @example
 * const summary = summarize(report.findings, report.roles, { functions: 12, errors: 0 });
 */
export function summarize(
  findings: readonly Finding[],
  roles: readonly RoleEntry[],
  totals: { functions: number; errors: number },
): ReportSummary {
  const counts = emptyCounts();
  let muted = 0;
  const worstOfRole = new Map<string, Severity>();
  const worstOfFunction = new Map<string, Severity>();
  const raise = (map: Map<string, Severity>, key: string, severity: Severity): void => {
    const known = map.get(key);
    if (known === undefined || compareSeverity(severity, known) > 0) map.set(key, severity);
  };
  for (const finding of findings) {
    if (finding.muted) {
      muted += 1;
      continue;
    }
    counts[finding.severity] += 1;
    if (finding.subject === 'role') raise(worstOfRole, finding.roleArn, finding.severity);
    else raise(worstOfFunction, splitFunctionArn(finding.functionArn).unqualified, finding.severity);
  }
  if (worstOfRole.size > 0) {
    for (const role of roles) {
      const severity = worstOfRole.get(role.roleArn);
      if (severity === undefined) continue;
      for (const arn of role.functions) raise(worstOfFunction, splitFunctionArn(arn).unqualified, severity);
    }
  }
  const functionsAffected = emptyCounts();
  for (const severity of worstOfFunction.values()) functionsAffected[severity] += 1;
  return {
    functions: totals.functions,
    roles: roles.length,
    findings: counts,
    functionsAffected,
    muted,
    errors: totals.errors,
  };
}

/**
 * What a run prints and publishes under a severity filter: the findings at or above `minSeverity`, with
 * the counts recomputed. The archived report keeps every finding (SPEC §6).
 *
 * @example
 * const shown = withMinSeverity(report, 'high');
 */
export function withMinSeverity(report: AuditReport, minSeverity: Severity | null | undefined): AuditReport {
  if (!minSeverity) return report;
  const findings = report.findings.filter((finding) => atLeast(finding.severity, minSeverity));
  const summary = summarize(findings, report.roles, report.summary);
  const kept: AuditReport = {
    ...report,
    scope: { ...report.scope, minSeverity },
    summary: {
      ...summary,
      ...(report.summary.new !== undefined
        ? { new: findings.filter((finding) => finding.status === 'new' && !finding.muted).length }
        : {}),
      ...(report.summary.resolved !== undefined ? { resolved: report.summary.resolved } : {}),
    },
    findings,
  };
  if (report.resolved) {
    kept.resolved = report.resolved.filter((finding) => atLeast(finding.severity, minSeverity));
    kept.summary.resolved = kept.resolved.length;
  }
  return kept;
}
