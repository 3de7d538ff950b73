import { isPlainObject, type PlainObject } from '../model/json.js';
import type { AuditReport, Finding, FindingSubject, ResolvedFinding } from '../model/report.js';
import { compareSeverity, isSeverity } from '../model/severity.js';
import { splitFunctionArn } from '../policy/arn.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { RULES } from '../rules/index.js';
import { ruleSubject } from '../rules/rule.js';
import { roleFindingId } from './audit.js';
import { compareFixOrder } from './summary.js';

/** How the previous report was used: compared with, absent, or present but unusable (see `problem`). */
export type PreviousReportUse = 'compared' | 'none' | 'ignored';

export interface ReportComparison {
  /** The current report with `status`, `resolved`, `summary.new` and `summary.resolved` filled in. */
  report: AuditReport;
  previous: PreviousReportUse;
  /** Why the previous report was ignored, for the caller to log. */
  problem?: string;
}

/** A previous finding, from a schemaVersion 2 report or mapped from a schemaVersion 1 one. */
interface PreviousFinding extends ResolvedFinding {
  /** Function findings only: where the function runs. */
  region?: string;
}

const ROLE_RULE_IDS = new Set(
  RULES.filter((rule) => ruleSubject(rule) === 'role').map((rule) => rule.meta.id),
);
const SCOPE_DEPENDENT = new Set(RULES.filter((rule) => rule.meta.scopeDependent).map((rule) => rule.meta.id));
const REQUIRES_USAGE = new Set(RULES.filter((rule) => rule.meta.requiresUsage).map((rule) => rule.meta.id));

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Says why a previous report cannot be compared with `current`, or `undefined` when it can (or is absent).
 * Reports of schemaVersion 1 and 2 can be compared.
 *
 * @example
 * previousReportProblem({ schemaVersion: 3 }, report); // 'the previous report has schemaVersion 3, expected 1 or 2'
 */
export function previousReportProblem(previous: unknown, current: AuditReport): string | undefined {
  if (previous === undefined || previous === null) return undefined;
  if (!isPlainObject(previous)) return 'the previous report is not a JSON object';
  if (previous.schemaVersion !== 1 && previous.schemaVersion !== 2) {
    return `the previous report has schemaVersion ${JSON.stringify(previous.schemaVersion) ?? 'undefined'}, expected 1 or 2`;
  }
  if (!Array.isArray(previous.findings)) return 'the previous report has no findings list';
  if (typeof previous.account === 'string' && previous.account !== current.account) {
    return `the previous report is of account ${previous.account}, not ${current.account}`;
  }
  return undefined;
}

/**
 * Compares the current report with the baseline (the last complete full-scope report) and says whether
 * the baseline was usable. Findings become `new` or `unchanged`; baseline findings the current run
 * looked at and no longer sees are `resolved`. A scoped or partial run resolves only what it covered.
 * Pure: returns a new report and leaves both inputs unchanged.
 *
 * @example
 * const { report, previous, problem } = compareReports(current, await readLatestReport(s3, bucket, account));
 * if (previous === 'ignored') logger.warn('previous report ignored', { problem });
 */
export function compareReports(current: AuditReport, previous: unknown): ReportComparison {
  const problem = previousReportProblem(previous, current);
  if (previous === undefined || previous === null || problem !== undefined) {
    return {
      report: withoutHistory(current),
      previous: problem === undefined ? 'none' : 'ignored',
      ...(problem === undefined ? {} : { problem }),
    };
  }
  // A run that lists fewer regions than its baseline did is scoped to them, whatever its command line.
  const baselineRegions = regionsOf(previous as PlainObject);
  if (current.scope.full && baselineRegions.some((region) => !current.scope.regions.includes(region))) {
    current = { ...current, scope: { ...current.scope, full: false } };
  }
  const baseline = previousFindings(previous as PlainObject);
  const previousIds = new Set(baseline.map((finding) => finding.id));
  const currentIds = new Set(current.findings.map((finding) => finding.id));

  const findings: Finding[] = current.findings.map((finding) => ({
    ...finding,
    status: previousIds.has(finding.id) ? 'unchanged' : 'new',
  }));
  const covered = coverage(current);
  const resolved = new Map<string, ResolvedFinding>();
  for (const finding of baseline) {
    if (currentIds.has(finding.id) || resolved.has(finding.id) || !covered(finding)) continue;
    resolved.set(finding.id, {
      id: finding.id,
      ruleId: finding.ruleId,
      subject: finding.subject,
      severity: finding.severity,
      roleArn: finding.roleArn,
      title: finding.title,
      ...(finding.subject === 'function'
        ? { functionName: finding.functionName ?? '', functionArn: finding.functionArn ?? '' }
        : {}),
    });
  }
  const resolvedList = [...resolved.values()].sort(
    (a, b) => compareSeverity(b.severity, a.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const newCount = findings.filter((finding) => finding.status === 'new' && !finding.muted).length;
  return {
    report: {
      ...current,
      summary: { ...current.summary, new: newCount, resolved: resolvedList.length },
      findings: findings.sort(compareFixOrder),
      resolved: resolvedList,
    },
    previous: 'compared',
  };
}

/**
 * Whether a report may become the baseline of the next comparison (SPEC §8): only a complete run of the
 * full scope (the configured regions, no function filter). A severity filter does not matter: the
 * archived report holds every finding.
 */
export function isBaseline(report: AuditReport): boolean {
  return report.status === 'complete' && report.scope.full;
}

/**
 * Marks each finding `new` or `unchanged` against the baseline and lists the findings that are gone as
 * `resolved`. Without a usable baseline the result carries no history at all; use
 * {@link compareReports} to learn why a baseline was ignored.
 *
 * @example
 * const report = diffReports(current, previous);
 * report.summary.new; // unmuted findings that were not in `previous`
 */
export function diffReports(current: AuditReport, previous: unknown): AuditReport {
  return compareReports(current, previous).report;
}

function withoutHistory(current: AuditReport): AuditReport {
  const { new: _new, resolved: _resolved, ...summary } = current.summary;
  const { resolved: _list, ...rest } = current;
  return {
    ...rest,
    summary,
    findings: current.findings.map(({ status: _status, ...finding }) => finding as Finding),
  };
}

/** The regions a baseline covered: `scope.regions` (schemaVersion 2) or `regions` (schemaVersion 1). */
function regionsOf(previous: PlainObject): string[] {
  const scope = isPlainObject(previous.scope) ? previous.scope : undefined;
  const regions = scope ? scope.regions : previous.regions;
  return Array.isArray(regions)
    ? regions.filter((region): region is string => typeof region === 'string')
    : [];
}

/**
 * The baseline's findings. A schemaVersion 1 report named every role fact once per function: those
 * collapse into one role finding per rule and role, with the id a schemaVersion 2 report gives it.
 */
function previousFindings(previous: PlainObject): PreviousFinding[] {
  const version1 = previous.schemaVersion === 1;
  const seen = new Set<string>();
  const list: PreviousFinding[] = [];
  for (const raw of previous.findings as unknown[]) {
    if (!isPlainObject(raw)) continue;
    const ruleId = text(raw.ruleId);
    const roleArn = text(raw.roleArn);
    const subject: FindingSubject = version1
      ? ROLE_RULE_IDS.has(ruleId)
        ? 'role'
        : 'function'
      : raw.subject === 'role'
        ? 'role'
        : 'function';
    const id = version1 && subject === 'role' ? roleFindingId(ruleId, roleArn) : text(raw.id);
    if (id === '' || seen.has(id)) continue;
    seen.add(id);
    const finding: PreviousFinding = {
      id,
      ruleId,
      subject,
      severity: isSeverity(raw.severity) ? raw.severity : 'info',
      roleArn,
      title: text(raw.title),
    };
    if (subject === 'function') {
      finding.functionName = text(raw.functionName);
      finding.functionArn = text(raw.functionArn);
      finding.region = text(raw.region);
    }
    list.push(finding);
  }
  return list;
}

/**
 * Decides which baseline findings the current run looked at, so that their absence means "fixed".
 * Absence outside that scope (another region, a filtered-out function, a role that could not be read, a
 * part a partial run never reached) proves nothing.
 */
function coverage(current: AuditReport): (finding: PreviousFinding) => boolean {
  const wholeAccount = current.scope.full && current.status === 'complete';
  const roleOfFunction = new Map<string, string>();
  for (const role of current.roles) {
    for (const arn of role.functions) roleOfFunction.set(splitFunctionArn(arn).unqualified, role.roleArn);
  }
  const auditedRoles = new Set(current.roles.map((role) => role.roleArn));
  // A role that could not be read now hides every fact about it and its functions' logging.
  const unreadRoles = new Set(
    current.findings
      .filter((finding) => finding.ruleId === 'role-unreadable')
      .map((finding) => finding.roleArn),
  );
  const notAudited = new Set(current.partial?.notAudited ?? []);
  const regions = new Set(current.scope.regions);
  const globs = current.scope.functions;
  return (finding) => {
    if (unreadRoles.has(finding.roleArn) || notAudited.has(finding.roleArn)) return false;
    // Only a run that read last-accessed data can tell that a usage finding went away.
    if (REQUIRES_USAGE.has(finding.ruleId) && !current.usage) return false;
    if (finding.subject === 'role') {
      if (wholeAccount) return true;
      return auditedRoles.has(finding.roleArn) && !SCOPE_DEPENDENT.has(finding.ruleId);
    }
    const arn = splitFunctionArn(finding.functionArn ?? '').unqualified;
    const roleNow = roleOfFunction.get(arn);
    if (roleNow !== undefined && unreadRoles.has(roleNow)) return false;
    if (wholeAccount) return true;
    if (notAudited.has(arn) || notAudited.has(finding.functionArn ?? '')) return false;
    if (finding.region && !regions.has(finding.region)) return false;
    if (globs && !globs.some((glob) => matchesWildcard(glob, finding.functionName ?? ''))) return false;
    // A partial run proves it looked at a function only by listing it.
    return current.status === 'complete' || roleNow !== undefined;
  };
}
