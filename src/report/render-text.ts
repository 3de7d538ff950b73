import type { AuditReport, Evidence, Finding, Muting } from '../model/report.js';
import { compareSeverity, SEVERITIES } from '../model/severity.js';

/** Email clients and SNS digests read best at this width; long ARNs may still exceed it. */
const DIGEST_WIDTH = 100;
/** How many actions, resources, … of one evidence entry a digest shows before "… and N more". */
const LIST_PREVIEW = 3;
/** How many evidence entries of one finding a digest shows. */
const EVIDENCE_PREVIEW = 3;
/** How many not-audited items a partial notice names. */
const NOT_AUDITED_PREVIEW = 5;

/**
 * One-line, ASCII-only summary of the unmuted counts (plus new, fixed, muted and errors), shared by the
 * renderers and the SNS subject.
 *
 * Counts come from `report.summary`, not from `findings`, because a truncated report lacks some findings.
 *
 * @example
 * summaryLine(report); // '1 critical, 4 high, 2 medium (3 muted, 1 error)' or 'no findings'
 */
export function summaryLine(report: AuditReport): string {
  const summary = report.summary;
  const counts = SEVERITIES.filter((severity) => countOf(summary?.findings?.[severity]) > 0).map(
    (severity) => `${countOf(summary.findings[severity])} ${severity}`,
  );
  const extras: string[] = [];
  if (countOf(summary?.new) > 0) extras.push(`${countOf(summary.new)} new`);
  if (countOf(summary?.resolved) > 0) extras.push(`${countOf(summary.resolved)} fixed`);
  if (countOf(summary?.muted) > 0) extras.push(`${countOf(summary.muted)} muted`);
  if (countOf(summary?.errors) > 0) extras.push(pluralize(countOf(summary.errors), 'error'));
  const head = counts.length > 0 ? counts.join(', ') : 'no findings';
  return extras.length > 0 ? `${head} (${extras.join(', ')})` : head;
}

/**
 * Returns a copy of the findings ordered for reading: highest severity first, then function name, region
 * and rule id, so that the order is the same on every run.
 *
 * @example
 * sortFindings(report.findings)[0]?.severity; // 'critical' when there is one
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      compareSeverity(b.severity, a.severity) ||
      compareText(a.functionName, b.functionName) ||
      compareText(a.region, b.region) ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.functionArn, b.functionArn) ||
      compareText(a.id, b.id),
  );
}

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
export function functionLabel(finding: Pick<Finding, 'functionName' | 'functionArn'>): string {
  const name = hasText(finding.functionName) ? finding.functionName : '(unknown function)';
  // arn:partition:lambda:region:account:function:name[:qualifier]
  const qualifier = typeof finding.functionArn === 'string' ? finding.functionArn.split(':')[7] : undefined;
  return hasText(qualifier) ? `${name} version ${qualifier}` : name;
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
export function partialNotice(partial: NonNullable<AuditReport['partial']>): string {
  const notAudited = Array.isArray(partial.notAudited) ? partial.notAudited : [];
  const reason = hasText(partial.reason) ? partial.reason : 'the run stopped early';
  const missing =
    notAudited.length > 0
      ? ` Not audited (${notAudited.length}): ${previewList(notAudited, NOT_AUDITED_PREVIEW)}.`
      : '';
  return `Partial report: ${reason}.${missing}`;
}

/** Describes the truncation notice of a report trimmed to fit a message size limit. */
export function truncatedNotice(truncated: NonNullable<AuditReport['truncated']>): string {
  const omitted = countOf(truncated.omittedFindings);
  const where = hasText(truncated.fullReport) ? ` Full report: ${truncated.fullReport}` : '';
  return `Truncated: ${pluralize(omitted, 'lower-severity finding')} omitted to fit the size limit.${where}`;
}

export function pluralize(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function hasText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Renders the plain-text digest sent by email (SPEC §7): summary, new and fixed since the last run,
 * findings grouped by function with evidence and remediation, muted findings, errors and where the full
 * report is. No ANSI codes; lines stay within `width` except for words (ARNs) longer than it.
 *
 * @example
 * const body = renderText(report);
 */
export function renderText(report: AuditReport, options: { width?: number } = {}): string {
  const width = Math.max(40, options.width ?? DIGEST_WIDTH);
  const out: string[] = [];
  const push = (text: string, indent = 0, hangingIndent = indent): void => {
    const first = ' '.repeat(indent);
    const rest = ' '.repeat(hangingIndent);
    wrapText(text, width - hangingIndent).forEach((line, index) => {
      out.push(`${index === 0 ? first : rest}${line}`);
    });
  };
  const section = (title: string): void => {
    out.push('', title, '-'.repeat(Math.min(title.length, width)));
  };

  const findings = Array.isArray(report.findings) ? report.findings : [];
  const active = sortFindings(findings.filter((finding) => !finding.muted));
  const muted = sortFindings(findings.filter((finding) => finding.muted));
  const errors = Array.isArray(report.errors) ? report.errors : [];

  const title = `lambda-role-auditor ${report.account}: ${summaryLine(report)}`;
  out.push(title, '='.repeat(Math.min(title.length, width)));
  push(
    `${pluralize(report.summary?.functions ?? 0, 'function')} and ${pluralize(report.summary?.roles ?? 0, 'role')} audited in ` +
      `${(report.regions ?? []).join(', ') || 'no region'} at ${report.generatedAt}.`,
  );
  if (report.partial) push(partialNotice(report.partial));
  if (report.truncated) push(truncatedNotice(report.truncated));

  if (hasHistory(report)) {
    const fresh = active.filter((finding) => finding.status === 'new');
    section(`New since last run (${fresh.length})`);
    if (fresh.length === 0) out.push('None.');
    for (const finding of fresh) {
      push(
        `- ${severityLabel(finding)} ${finding.ruleId}: ${functionLabel(finding)} (${finding.region}): ` +
          finding.title,
        0,
        2,
      );
    }
    const resolved = Array.isArray(report.resolved) ? report.resolved : [];
    section(`Fixed since last run (${resolved.length})`);
    if (resolved.length === 0) out.push('None.');
    for (const fixed of [...resolved].sort(
      (a, b) => compareSeverity(b.severity, a.severity) || compareText(a.functionName, b.functionName),
    )) {
      push(`- ${fixed.severity} ${fixed.ruleId}: ${fixed.functionName}: ${fixed.title}`, 0, 2);
    }
  }

  section('Findings by function');
  if (active.length === 0) out.push('No findings.');
  for (const group of groupByFunction(active)) {
    const first = group[0]!;
    out.push('');
    push(`${functionLabel(first)} (${first.region})`);
    push(`Role: ${first.roleArn || '(unknown role)'}`, 2, 4);
    for (const finding of group) {
      const flags = [finding.conditional ? 'conditional' : '', finding.status === 'new' ? 'new' : '']
        .filter(hasText)
        .join(', ');
      out.push('');
      push(
        `[${finding.severity}] ${finding.ruleId}: ${finding.title ?? ''}${flags ? ` (${flags})` : ''}`,
        2,
        4,
      );
      if (hasText(finding.message)) push(finding.message, 4);
      const evidence = Array.isArray(finding.evidence) ? finding.evidence : [];
      const described = evidence.map((entry) => describeEvidence(entry ?? {})).filter(hasText);
      if (described.length > 0) {
        push('Evidence:', 4);
        for (const line of described.slice(0, EVIDENCE_PREVIEW)) push(`- ${line}`, 6, 8);
        if (described.length > EVIDENCE_PREVIEW) {
          push(`… and ${pluralize(described.length - EVIDENCE_PREVIEW, 'more evidence entry')}`, 6);
        }
      }
      if (hasText(finding.remediation)) push(`Remediation: ${finding.remediation}`, 4, 6);
    }
  }

  if (muted.length > 0) {
    section(`Muted (${muted.length})`);
    for (const finding of muted) {
      push(
        `- ${severityLabel(finding)} ${finding.ruleId}: ${functionLabel(finding)} (${finding.region}): ` +
          describeMuting(finding.muted!),
        0,
        2,
      );
    }
  }

  const expired = Array.isArray(report.expiredSuppressions) ? report.expiredSuppressions : [];
  if (expired.length > 0) {
    section(`Expired suppressions (${expired.length})`);
    push('These suppressions no longer mute anything; renew or remove them.');
    for (const suppression of expired) {
      const scope = [
        `rule ${suppression.rule ?? '*'}`,
        `function ${suppression.function ?? '*'}`,
        `role ${suppression.role ?? '*'}`,
      ].join(', ');
      push(`- ${scope}: expired ${suppression.until} (${suppression.reason})`, 0, 2);
    }
  }

  if (errors.length > 0) {
    section(`Errors (${errors.length})`);
    for (const error of errors) {
      push(`- ${error.scope} ${error.arn}: ${error.code}: ${error.message}`, 0, 2);
    }
  }

  const fullReport = hasText(report.location) ? report.location : report.truncated?.fullReport;
  if (hasText(fullReport)) {
    out.push('');
    push(`Full report: ${fullReport}`);
  }
  out.push(
    '',
    `-- ${report.tool?.name ?? 'lambda-role-auditor'} ${report.tool?.version ?? ''}, IAM data ` +
      `${report.tool?.iamDataVersion ?? 'unknown'}`,
  );
  return `${out.join('\n')}\n`;
}

/** Groups findings of the same function (and role) together, in the order of their first finding. */
export function groupByFunction(sorted: readonly Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const finding of sorted) {
    const key = `${finding.functionArn}\u0000${finding.functionName}\u0000${finding.roleArn}`;
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()];
}
