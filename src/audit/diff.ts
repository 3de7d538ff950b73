import { isPlainObject, type PlainObject } from '../model/json.js';
import type { AuditReport, Finding, ResolvedFinding } from '../model/report.js';
import { compareSeverity, isSeverity } from '../model/severity.js';

/** How the previous report was used: compared with, absent, or present but unusable (see `problem`). */
export type PreviousReportUse = 'compared' | 'none' | 'ignored';

export interface ReportComparison {
  /** The current report with `status`, `resolved`, `summary.new` and `summary.resolved` filled in. */
  report: AuditReport;
  previous: PreviousReportUse;
  /** Why the previous report was ignored, for the caller to log. */
  problem?: string;
}

export interface DiffOptions {
  /**
   * ARNs (as in `Finding.functionArn`) of every function the current run audited, findings or not.
   * When given, only previous findings of these functions can be resolved; without it, a partial
   * report can only resolve findings of functions that still have a finding now.
   */
  auditedFunctionArns?: Iterable<string>;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Says why a previous report cannot be compared with `current`, or `undefined` when it can (or is absent).
 *
 * @example
 * previousReportProblem({ schemaVersion: 2 }, report); // 'the previous report has schemaVersion 2, expected 1'
 */
export function previousReportProblem(previous: unknown, current: AuditReport): string | undefined {
  if (previous === undefined || previous === null) return undefined;
  if (!isPlainObject(previous)) return 'the previous report is not a JSON object';
  if (previous.schemaVersion !== 1) {
    return `the previous report has schemaVersion ${JSON.stringify(previous.schemaVersion) ?? 'undefined'}, expected 1`;
  }
  if (!Array.isArray(previous.findings)) return 'the previous report has no findings list';
  if (typeof previous.account === 'string' && previous.account !== current.account) {
    return `the previous report is of account ${previous.account}, not ${current.account}`;
  }
  return undefined;
}

/**
 * Compares the current report with the previous run's and says whether the previous one was usable.
 * Pure: returns a new report and leaves both inputs unchanged.
 *
 * @example
 * const { report, previous, problem } = compareReports(current, await readLatestReport(s3, bucket, account));
 * if (previous === 'ignored') logger.warn('previous report ignored', { problem });
 */
export function compareReports(
  current: AuditReport,
  previous: unknown,
  options: DiffOptions = {},
): ReportComparison {
  const problem = previousReportProblem(previous, current);
  if (previous === undefined || previous === null || problem !== undefined) {
    return {
      report: withoutHistory(current),
      previous: problem === undefined ? 'none' : 'ignored',
      ...(problem === undefined ? {} : { problem }),
    };
  }
  const previousFindings = (previous as { findings: unknown[] }).findings.filter(
    (finding): finding is PlainObject => isPlainObject(finding) && text(finding.id) !== '',
  );
  const previousIds = new Set(previousFindings.map((finding) => text(finding.id)));
  const currentIds = new Set(current.findings.map((finding) => finding.id));

  const findings: Finding[] = current.findings.map((finding) => ({
    ...finding,
    status: previousIds.has(finding.id) ? 'unchanged' : 'new',
  }));
  const mayBeResolved = resolutionScope(current, options);
  const resolved = new Map<string, ResolvedFinding>();
  for (const finding of previousFindings) {
    const id = text(finding.id);
    if (currentIds.has(id) || resolved.has(id) || !mayBeResolved(finding)) continue;
    resolved.set(id, {
      id,
      ruleId: text(finding.ruleId),
      severity: isSeverity(finding.severity) ? finding.severity : 'info',
      functionName: text(finding.functionName),
      roleArn: text(finding.roleArn),
      title: text(finding.title),
    });
  }
  const resolvedList = [...resolved.values()].sort((a, b) => compareSeverity(b.severity, a.severity));
  const newCount = findings.filter((finding) => finding.status === 'new' && !finding.muted).length;
  return {
    report: {
      ...current,
      summary: { ...current.summary, new: newCount, resolved: resolvedList.length },
      findings,
      resolved: resolvedList,
    },
    previous: 'compared',
  };
}

/**
 * Marks each finding `new` or `unchanged` against the previous run's report and lists the findings that
 * are gone as `resolved`. Without a usable previous report the result carries no history at all; use
 * {@link compareReports} to learn why a previous report was ignored.
 *
 * @example
 * const report = diffReports(current, previous);
 * report.summary.new; // unmuted findings that were not in `previous`
 */
export function diffReports(current: AuditReport, previous: unknown, options: DiffOptions = {}): AuditReport {
  return compareReports(current, previous, options).report;
}

function withoutHistory(current: AuditReport): AuditReport {
  const { new: _new, resolved: _resolved, ...summary } = current.summary;
  const { resolved: _list, ...rest } = current;
  return {
    ...rest,
    summary,
    findings: current.findings.map(({ status: _status, ...finding }) => finding),
  };
}

/**
 * Decides which previous findings the current run looked at, so that their absence means "fixed".
 * Absence outside that scope (another region, a function a partial run never reached) proves nothing.
 */
function resolutionScope(current: AuditReport, options: DiffOptions): (finding: PlainObject) => boolean {
  const regions = new Set(current.regions ?? []);
  const audited = options.auditedFunctionArns ? new Set(options.auditedFunctionArns) : undefined;
  const partial = current.partial;
  // A partial run cannot prove it looked at a function unless told so or the function still has a finding.
  const provenAudited =
    partial && !audited ? new Set(current.findings.map((finding) => finding.functionArn)) : audited;
  const blocked = notAuditedMatcher(partial?.notAudited ?? []);
  return (finding) => {
    const functionArn = text(finding.functionArn);
    const region = text(finding.region);
    if (regions.size > 0 && !regions.has(region)) return false;
    if (provenAudited && !provenAudited.has(functionArn)) return false;
    return !blocked(functionArn, text(finding.functionName), region);
  };
}

/**
 * Matches a previous finding against the free-form `partial.notAudited` entries: ARNs name a function
 * (qualified or not); other entries (`region eu-west-1: listing stopped …`, bare names) block every
 * function or region whose name they contain as a word.
 */
function notAuditedMatcher(
  entries: readonly unknown[],
): (functionArn: string, name: string, region: string) => boolean {
  const arns = new Set<string>();
  const words = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== 'string') continue;
    if (entry.startsWith('arn:')) arns.add(unqualifiedFunctionArn(entry));
    else for (const word of entry.split(/[\s,;]+|:(?=\s|$)/)) if (word !== '') words.add(word);
  }
  return (functionArn, name, region) =>
    arns.has(unqualifiedFunctionArn(functionArn)) || words.has(name) || words.has(region);
}

/** `arn:aws:lambda:region:account:function:name[:qualifier]` without its qualifier. */
function unqualifiedFunctionArn(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 && parts[5] === 'function' ? parts.slice(0, 7).join(':') : arn;
}
