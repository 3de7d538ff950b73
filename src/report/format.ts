import type { AuditReport, Evidence, Finding, FunctionFinding, Muting } from '../model/report.js';
import { SEVERITIES } from '../model/severity.js';
import { roleNameFromArn, splitFunctionArn } from '../policy/arn.js';
import { type PlanRole, planRoles, rolesBySeverity } from './fix-plan.js';

/** How many actions, resources, … of one evidence entry a line shows before "… and N more". */
const LIST_PREVIEW = 3;
/** How many not-audited items a partial notice names. */
const NOT_AUDITED_PREVIEW = 5;

/** Locale-independent comparison, so that the output does not depend on the machine that renders it. */
export function compareText(a: string | undefined, b: string | undefined): number {
  const left = a ?? '';
  const right = b ?? '';
  if (left < right) return -1;
  return left > right ? 1 : 0;
}

/**
 * Word-wraps `text` into lines of at most `width` characters; words longer than `width` are cut only with
 * `hardBreak` (tables need it, while a digest keeps ARNs whole so they can be copied).
 *
 * @example
 * wrapText('one two three', 7); // ['one two', 'three']
 */
export function wrapText(text: string, width: number, options: { hardBreak?: boolean } = {}): string[] {
  const limit = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  let current = '';
  for (const originalWord of text.split(/\s+/)) {
    let word = originalWord;
    if (word === '') continue;
    if (options.hardBreak && word.length > limit) {
      if (current !== '') lines.push(current);
      current = '';
      while (word.length > limit) {
        const cut = breakPoint(word, limit);
        lines.push(word.slice(0, cut));
        word = word.slice(cut);
      }
    }
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= limit) current = `${current} ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}

/** Where to cut a word that is too long: after a separator of names and ARNs when one is near the end. */
function breakPoint(word: string, limit: number): number {
  const piece = word.slice(0, limit);
  const separator = Math.max(...[...'-/:._,'].map((character) => piece.lastIndexOf(character)));
  return separator + 1 >= limit / 2 ? separator + 1 : limit;
}

/**
 * Joins the first `limit` items and says how many were left out.
 *
 * @example
 * previewList(['a', 'b', 'c', 'd'], 2); // 'a, b … and 2 more'
 */
export function previewList(
  items: readonly string[] | undefined,
  limit: number,
  quote: (text: string) => string = (text) => text,
): string {
  if (!Array.isArray(items) || items.length === 0) return '';
  const shown = items.slice(0, limit).map(quote).join(', ');
  const rest = items.length - limit;
  return rest > 0 ? `${shown} … and ${rest} more` : shown;
}

/**
 * Summarises one evidence entry on one line: where (policy and statement), then the first few actions,
 * resources, principals, variables, functions or services, then the free-text detail.
 *
 * @example
 * describeEvidence({ policy: 'AdministratorAccess', statement: '0', actions: ['*'], resources: ['*'] });
 * // 'policy AdministratorAccess, statement 0; actions: *; resources: *'
 */
export function describeEvidence(
  evidence: Evidence,
  limit = LIST_PREVIEW,
  markup: { quote: (text: string) => string; escape: (text: string) => string } = {
    quote: (text) => text,
    escape: (text) => text,
  },
): string {
  const parts: string[] = [];
  const where: string[] = [];
  if (hasText(evidence.policy)) where.push(`policy ${markup.quote(evidence.policy)}`);
  if (hasText(evidence.statement)) where.push(`statement ${markup.quote(evidence.statement)}`);
  if (where.length > 0) parts.push(where.join(', '));
  const lists: [string, string[] | undefined][] = [
    ['actions', evidence.actions],
    ['resources', evidence.resources],
    ['principals', evidence.principals],
    ['variables', evidence.variables],
    ['functions', evidence.functions],
    ['services', evidence.services],
  ];
  for (const [label, items] of lists) {
    const preview = previewList(items, limit, markup.quote);
    if (preview !== '') parts.push(`${label}: ${preview}`);
  }
  if (hasText(evidence.detail)) parts.push(markup.escape(evidence.detail));
  return parts.join('; ');
}

/**
 * Describes why a finding is muted: the reason, then until when, by whom and from where.
 *
 * @example
 * describeMuting({ reason: 'Shared by design', source: 'tag', until: '2027-01-31' });
 * // 'Shared by design (until 2027-01-31, role tag)'
 */
export function describeMuting(muting: Muting): string {
  const details: string[] = [];
  if (hasText(muting.until)) details.push(`until ${muting.until}`);
  if (hasText(muting.owner)) details.push(`owner ${muting.owner}`);
  details.push(muting.source === 'tag' ? 'role tag' : 'suppressions file');
  const reason = hasText(muting.reason) ? muting.reason : 'no reason given';
  return `${reason} (${details.join(', ')})`;
}

/**
 * Names the function of a finding, with the version when the finding is about a published version.
 *
 * @example
 * functionLabel({ functionName: 'orders-api', functionArn: 'arn:aws:lambda:us-east-1:1:function:orders-api:3' });
 * // 'orders-api version 3'
 */
export function functionLabel(finding: Pick<FunctionFinding, 'functionName' | 'functionArn'>): string {
  const name = hasText(finding.functionName) ? finding.functionName : '(unknown function)';
  const qualifier =
    typeof finding.functionArn === 'string' ? splitFunctionArn(finding.functionArn).qualifier : undefined;
  return hasText(qualifier) ? `${name} version ${qualifier}` : name;
}

/** What a finding is about, for lists: `role <name>` or the function label. */
export function subjectLabel(finding: Finding): string {
  return finding.subject === 'role' ? `role ${roleNameFromArn(finding.roleArn)}` : functionLabel(finding);
}

/** The severity as shown in lists and tables: a trailing `*` marks a conditional grant. */
export function severityLabel(finding: Pick<Finding, 'severity' | 'conditional'>): string {
  return `${finding.severity}${finding.conditional ? '*' : ''}`;
}

/** Footnote explaining the `*` of {@link severityLabel}. */
export const CONDITIONAL_FOOTNOTE =
  '* conditional: the permission is granted only under a policy Condition; severity lowered one level.';

/** True when the report carries a comparison with a previous run. */
export function hasHistory(report: AuditReport): boolean {
  return (
    report.summary?.new !== undefined ||
    report.summary?.resolved !== undefined ||
    report.resolved !== undefined ||
    (report.findings ?? []).some((finding) => finding.status !== undefined)
  );
}

/** Describes the partial-run notice, naming the first few items that were not audited. */
export function partialNotice(
  partial: NonNullable<AuditReport['partial']>,
  status: AuditReport['status'] = 'partial',
): string {
  const notAudited = Array.isArray(partial.notAudited) ? partial.notAudited : [];
  const reason = hasText(partial.reason) ? partial.reason : 'the run stopped early';
  const missing =
    notAudited.length > 0
      ? ` Not audited (${notAudited.length}): ${previewList(notAudited, NOT_AUDITED_PREVIEW)}.`
      : '';
  return `${status === 'failed' ? 'Audit failed' : 'Partial report'}: ${reason}.${missing}`;
}

/** Describes the truncation notice of a report trimmed to fit a message size limit: what was left out. */
export function truncatedNotice(truncated: NonNullable<AuditReport['truncated']>): string {
  const omitted = SEVERITIES.filter((severity) => countOf(truncated.omitted?.[severity]) > 0).map(
    (severity) => `${countOf(truncated.omitted[severity])} ${severity}`,
  );
  const where = hasText(truncated.fullReport) ? ` Full report: ${truncated.fullReport}` : '';
  return `Truncated to fit the message size limit: ${omitted.length > 0 ? `left out ${omitted.join(', ')} finding(s)` : 'lists shortened'}.${where}`;
}

export function pluralize(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

export function hasText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** A count with thousands separators, the same on every machine: `12345` → `12,345`. */
export function formatCount(value: number): string {
  return String(Math.trunc(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The run's status in words for headlines: `COMPLETE`, `PARTIAL` or `AUDIT FAILED`. */
export function statusLabel(report: Pick<AuditReport, 'status'>): string {
  if (report.status === 'failed') return 'AUDIT FAILED';
  return report.status === 'partial' ? 'PARTIAL' : 'COMPLETE';
}

/**
 * One line saying what to fix: roles to fix by their worst severity and the functions they affect, or
 * that nothing is to fix. Counts roles from the fix plan, functions from `summary`.
 *
 * @example
 * fixSummary(report, planRoles(report)); // '3 roles to fix (1 critical, 2 high), 40 of 1,200 functions affected'
 */
export function fixSummary(report: AuditReport, plan: readonly PlanRole[]): string {
  // A partial run that found nothing has not shown that nothing is wrong.
  if (plan.length === 0)
    return report.status === 'partial' ? 'no problems found in what could be read' : 'nothing to fix';
  const bySeverity = rolesBySeverity(plan);
  const counts = SEVERITIES.filter((severity) => bySeverity[severity] > 0).map(
    (severity) => `${formatCount(bySeverity[severity])} ${severity}`,
  );
  const affected = SEVERITIES.reduce(
    (total, severity) => total + countOf(report.summary?.functionsAffected?.[severity]),
    0,
  );
  const roles = `${formatCount(plan.length)} role${plan.length === 1 ? '' : 's'} to fix (${counts.join(', ')})`;
  return `${roles}, ${formatCount(affected)} of ${formatCount(countOf(report.summary?.functions))} functions affected`;
}

/** The counters beside the fix summary: new and fixed since the last run, muted findings, errors. */
export function changeSummary(report: AuditReport): string[] {
  const summary = report.summary;
  const extras: string[] = [];
  if (countOf(summary?.new) > 0) extras.push(`${formatCount(countOf(summary.new))} new`);
  if (countOf(summary?.resolved) > 0) extras.push(`${formatCount(countOf(summary.resolved))} fixed`);
  if (countOf(summary?.muted) > 0) extras.push(`${formatCount(countOf(summary.muted))} muted`);
  if (countOf(summary?.errors) > 0) extras.push(pluralize(countOf(summary.errors), 'error'));
  return extras;
}

/**
 * One-line summary shared by the renderers and the SNS subject: what to fix, then new, fixed, muted
 * and errors; a failed run says so instead.
 *
 * @example
 * summaryLine(report); // '3 roles to fix (1 critical, 2 high), 40 of 1,200 functions affected (2 new)'
 */
export function summaryLine(report: AuditReport, plan: readonly PlanRole[] = planRoles(report)): string {
  const extras = changeSummary(report);
  const head =
    report.status === 'failed' ? 'AUDIT FAILED: nothing could be audited' : fixSummary(report, plan);
  return extras.length > 0 ? `${head} (${extras.join(', ')})` : head;
}
