import type { AuditReport } from '../model/report.js';
import { compareSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { roleNameFromArn } from '../policy/arn.js';
import { affectedNames, type PlanRole, planRoles, rollupByRule } from './fix-plan.js';
import {
  changeSummary,
  countOf,
  describeMuting,
  fixSummary,
  formatCount,
  hasHistory,
  hasText,
  partialNotice,
  pluralize,
  previewList,
  severityLabel,
  statusLabel,
  subjectLabel,
  truncatedNotice,
  wrapText,
} from './format.js';
import { proposedRoles } from './proposals.js';
import { htmlLocationOf } from './render-html.js';

/** The digest's line width: an email client on a phone shows 78 characters without re-wrapping. */
export const DIGEST_WIDTH = 78;

/** How much of each list a digest shows; the full report has the rest. Lowered to fit a size limit. */
export interface DigestLimits {
  /** Roles shown as a block (problems, functions, fix) at the top of "Fix first". */
  detailed: number;
  /** Further critical and high roles shown on one line each (all of them, unless a size limit forbids). */
  urgent: number;
  /** Further medium, low and info roles shown on one line each. */
  others: number;
  /** Roles whose function findings are named in "Function findings by role". */
  functionRoles: number;
  /** Entries of the fixed, muted, expired-suppression and error lists. */
  lists: number;
}

export const DEFAULT_DIGEST_LIMITS: DigestLimits = {
  detailed: 10,
  urgent: Number.POSITIVE_INFINITY,
  others: 15,
  functionRoles: 15,
  lists: 10,
};

export interface DigestOptions {
  width?: number;
  limits?: Partial<DigestLimits>;
  /** Where the whole report is (JSON, and HTML beside it), when the report does not say. */
  fullReport?: string;
}

/** How many names of a role's functions a line shows before "and N more". */
const NAMES = 3;

/**
 * Renders the plain-text digest (SPEC §7): a fix plan a person reads on a phone. Status and one summary
 * line; "Fix first": roles ranked by severity and functions affected, each with its problems one line
 * each, three function names, the one remediation step and `NEW` marks; a roll-up by rule; function
 * findings grouped by role; what was fixed, muted or failed; where the full report is. Lines are at most
 * `width` (78) characters except a single unbreakable token such as an ARN. Bounded for any account size:
 * what is not shown is counted, and is in the full report.
 *
 * @example
 * const body = renderText(report); // the email digest, also `--format text`
 */
export function renderText(report: AuditReport, options: DigestOptions = {}): string {
  return renderDigest(report, planRoles(report), options);
}

/** {@link renderText} with the fix plan computed once by the caller (who may render several times). */
export function renderDigest(
  report: AuditReport,
  plan: readonly PlanRole[],
  options: DigestOptions = {},
): string {
  const width = Math.max(30, options.width ?? DIGEST_WIDTH);
  const limits = { ...DEFAULT_DIGEST_LIMITS, ...options.limits };
  const out: string[] = [];
  const push = (text: string, indent = 0, hanging = indent): void => {
    wrapText(text, width - hanging).forEach((line, index) => {
      out.push(`${' '.repeat(index === 0 ? indent : hanging)}${line}`);
    });
  };
  /** One line, shortened with `…` when longer than the width (the full report has the rest). */
  const line = (text: string, indent = 0): void => {
    const room = width - indent;
    out.push(`${' '.repeat(indent)}${text.length > room ? `${text.slice(0, room - 1)}…` : text}`);
  };
  const section = (title: string): void => {
    out.push('', title, '-'.repeat(Math.min(title.length, width)));
  };

  const summary = report.summary;
  const regions = report.scope?.regions ?? [];
  push(`lambda-role-auditor: account ${report.account} - ${statusLabel(report)}`);
  if (report.status === 'failed') {
    push('AUDIT FAILED: nothing could be audited, so this is NOT an all-clear.');
  } else {
    const extras = changeSummary(report);
    push(`${fixSummary(report, plan)}${extras.length > 0 ? `; ${extras.join(', ')}` : ''}.`);
  }
  push(
    `Audited ${pluralize(countOf(summary?.functions), 'function')} and ${pluralize(countOf(summary?.roles), 'role')} ` +
      `in ${regions.join(', ') || 'no region'} at ${report.generatedAt}` +
      `${report.scope && !report.scope.full ? ` (scoped run${report.scope.functions ? `: functions ${report.scope.functions.join(', ')}` : ''})` : ''}` +
      `${report.scope?.minSeverity ? `; showing ${report.scope.minSeverity} and above` : ''}.`,
  );
  if (report.status !== 'complete' && report.partial) push(partialNotice(report.partial, report.status));
  if (report.truncated) push(truncatedNotice(report.truncated));

  // Fix first: detailed blocks, then one line for every other critical and high role, then a few others.
  const detailed = plan.slice(0, limits.detailed);
  const rest = plan.slice(detailed.length);
  const urgent = rest.filter((role) => role.severity === 'critical' || role.severity === 'high');
  const others = rest.filter((role) => role.severity !== 'critical' && role.severity !== 'high');
  const urgentShown = urgent.slice(0, limits.urgent);
  const othersShown = others.slice(0, limits.others);
  const proposed = proposedRoles(report);
  if (plan.length > 0) {
    section('Fix first');
    detailed.forEach((role, index) => {
      out.push('');
      line(`${index + 1}. ${role.severity.toUpperCase()}${role.isNew ? ' NEW' : ''} ${role.roleName}`);
      push(`${functionsPhrase(role)}: ${previewNames(affectedNames(role), role.affected)}`, 3, 5);
      // The role's problems, most severe first: its own findings, then its functions' by rule.
      const problems = [
        ...role.roleFindings.map((finding) => ({
          severity: finding.severity,
          text: `- ${severityLabel(finding)} ${finding.ruleId}${finding.status === 'new' ? ' NEW' : ''}: ${finding.title}`,
        })),
        ...role.functionFindings.map((rule) => {
          const names = rule.findings.map((finding) => finding.functionName);
          return {
            severity: rule.severity,
            text: `- ${rule.severity} ${rule.ruleId}${rule.isNew ? ' NEW' : ''}: ${previewNames(names, names.length, 2)}`,
          };
        }),
      ];
      problems.sort((a, b) => compareSeverity(b.severity, a.severity));
      for (const problem of problems) line(problem.text, 3);
      push(`Fix: ${role.remediation}`, 3, 5);
      if (proposed.has(role.roleArn))
        push('Replace with: the proposed policy in the full report (proposals), or --proposals-dir', 3, 5);
      push(`Role: ${role.roleArn}`, 3, 5);
    });
    if (urgentShown.length > 0) {
      out.push('');
      push(`Also critical or high (${formatCount(urgent.length)}):`);
      for (const role of urgentShown) line(compactRole(role), 2);
    }
    if (othersShown.length > 0) {
      out.push('');
      push(`Also to fix (${formatCount(others.length)}):`);
      for (const role of othersShown) line(compactRole(role), 2);
    }
    const notShown = countBySeverity([
      ...urgent.slice(urgentShown.length),
      ...others.slice(othersShown.length),
    ]);
    if (notShown.length > 0) {
      out.push('');
      push(`Not shown here: ${notShown.join(', ')} role(s) to fix; see the full report.`);
    }
  } else if (report.status !== 'failed') {
    out.push('');
    push(
      report.status === 'complete'
        ? 'Nothing to fix.'
        : 'No problems found in what could be read; this is NOT an all-clear.',
    );
  }

  const rules = rollupByRule(report);
  if (rules.length > 0) {
    section('By rule');
    for (const rule of rules) {
      line(
        `${rule.severity} ${rule.ruleId}: ${pluralize(rule.roles, 'role')}, ${pluralize(rule.functions, 'function')}`,
      );
    }
  }

  const withFunctionFindings = plan.filter((role) => role.functionFindings.length > 0);
  if (withFunctionFindings.length > 0) {
    section('Function findings by role');
    for (const role of withFunctionFindings.slice(0, limits.functionRoles)) {
      out.push('');
      line(`${role.roleName} (${pluralize(role.functionCount, 'function')})`);
      for (const rule of role.functionFindings) {
        const names = rule.findings.map((finding) => {
          const variables = (finding.evidence ?? []).flatMap((evidence) => evidence?.variables ?? []);
          return variables.length > 0
            ? `${finding.functionName} (${variables.join(', ')})`
            : finding.functionName;
        });
        push(`${rule.severity} ${rule.ruleId} (${names.length}): ${previewNames(names, names.length)}`, 2, 4);
      }
    }
    const hidden = withFunctionFindings.length - Math.min(limits.functionRoles, withFunctionFindings.length);
    if (hidden > 0) {
      out.push('');
      push(`And ${pluralize(hidden, 'more role')} with function findings; see the full report.`);
    }
  }

  if (hasHistory(report) && (report.resolved?.length ?? 0) > 0) {
    const resolved = report.resolved ?? [];
    section(`Fixed since the last run (${formatCount(resolved.length)})`);
    for (const fixed of resolved.slice(0, limits.lists)) {
      const subject =
        fixed.subject === 'function' ? (fixed.functionName ?? '') : `role ${roleNameFromArn(fixed.roleArn)}`;
      line(`- ${fixed.severity} ${fixed.ruleId}: ${subject}`);
    }
    more(resolved.length, limits.lists, push);
  }

  const muted = (report.findings ?? []).filter((finding) => finding.muted);
  if (muted.length > 0) {
    section(`Muted (${formatCount(muted.length)})`);
    for (const finding of muted.slice(0, limits.lists)) {
      push(
        `- ${finding.severity} ${finding.ruleId}: ${subjectLabel(finding)}: ${describeMuting(finding.muted!)}`,
        0,
        2,
      );
    }
    more(muted.length, limits.lists, push);
  }

  const expired = report.expiredSuppressions ?? [];
  if (expired.length > 0) {
    section(`Expired suppressions (${expired.length})`);
    push('These no longer mute anything; renew or remove them.');
    for (const suppression of expired.slice(0, limits.lists)) {
      push(
        `- rule ${suppression.rule ?? '*'}, function ${suppression.function ?? '*'}, role ${suppression.role ?? '*'}: ` +
          `expired ${suppression.until} (${suppression.reason})`,
        0,
        2,
      );
    }
    more(expired.length, limits.lists, push);
  }

  const errors = report.errors ?? [];
  if (errors.length > 0) {
    section(`Errors (${formatCount(errors.length)})`);
    for (const error of errors.slice(0, limits.lists)) {
      const message = error.message.length > 200 ? `${error.message.slice(0, 199)}…` : error.message;
      push(`- ${error.scope} ${error.arn}: ${error.code}: ${message}`, 0, 2);
    }
    more(errors.length, limits.lists, push);
  }

  const notes = report.notes ?? [];
  if (notes.length > 0) {
    section(`Notes (${formatCount(notes.length)})`);
    for (const note of notes.slice(0, limits.lists))
      push(`- ${note.scope} ${note.arn}: ${note.message}`, 0, 2);
    more(notes.length, limits.lists, push);
  }

  const fullReport = hasText(report.location)
    ? report.location
    : (report.truncated?.fullReport ?? options.fullReport);
  out.push('');
  if (hasText(fullReport)) {
    push(`Full report: ${fullReport}`);
    // The archive writes an HTML page beside every JSON report.
    if (/^s3:\/\/.+\.json$/.test(fullReport)) push(`Full report (HTML): ${htmlLocationOf(fullReport)}`);
  } else push('Full report: run with --format json (or --report-bucket to archive it).');
  out.push(
    `-- ${report.tool?.name ?? 'lambda-role-auditor'} ${report.tool?.version ?? ''}, IAM data ` +
      `${report.tool?.iamDataVersion ?? 'unknown'}`,
  );
  return `${out.join('\n')}\n`;
}

function more(total: number, shown: number, push: (text: string) => void): void {
  if (total > shown) push(`… and ${formatCount(total - shown)} more in the full report.`);
}

/** `352 functions` or `3 of 352 functions`, as many as the role's worst problem affects. */
function functionsPhrase(role: PlanRole): string {
  if (role.affected === role.functionCount) return pluralize(role.functionCount, 'function');
  return `${formatCount(role.affected)} of ${pluralize(role.functionCount, 'function')}`;
}

/** The first few names and how many more: `a, b, c and 349 more`. */
function previewNames(names: readonly string[], total: number, limit = NAMES): string {
  const shown = names.slice(0, limit).join(', ');
  const rest = total - Math.min(limit, names.length);
  return rest > 0 ? `${shown} and ${formatCount(rest)} more` : shown;
}

/** One line per role: severity, name, functions, rules. */
function compactRole(role: PlanRole): string {
  const rules = [
    ...role.roleFindings.map((finding) => finding.ruleId),
    ...role.functionFindings.map((rule) => rule.ruleId),
  ];
  return `${role.severity}${role.isNew ? ' NEW' : ''} ${role.roleName} (${formatCount(role.functionCount)} fn): ${previewList([...new Set(rules)], 3)}`;
}

function countBySeverity(roles: readonly PlanRole[]): string[] {
  const counts = new Map<Severity, number>();
  for (const role of roles) counts.set(role.severity, (counts.get(role.severity) ?? 0) + 1);
  return SEVERITIES.filter((severity) => counts.has(severity)).map(
    (severity) => `${formatCount(counts.get(severity)!)} ${severity}`,
  );
}
