import type { AuditReport, Evidence, Finding } from '../model/report.js';
import { SEVERITIES } from '../model/severity.js';
import { roleNameFromArn } from '../policy/arn.js';
import { planRoles } from './fix-plan.js';
import {
  CONDITIONAL_FOOTNOTE,
  describeEvidence,
  describeMuting,
  formatCount,
  functionLabel,
  hasHistory,
  hasText,
  partialNotice,
  pluralize,
  severityLabel,
  statusLabel,
  summaryLine,
  truncatedNotice,
} from './format.js';
import { PROPOSALS_TITLE, removedSummary } from './proposals.js';

/** Markdown is read rendered (job summaries, pull-request comments), so it can afford longer previews. */
const LIST_PREVIEW = 5;

/**
 * Renders a GitHub-flavoured Markdown summary: heading, counts, the fix plan (roles ranked), the
 * findings table, details per role, muted findings, fixed findings and errors.
 *
 * @example
 * await appendFile(process.env.GITHUB_STEP_SUMMARY!, renderMarkdown(report));
 */
export function renderMarkdown(report: AuditReport): string {
  const out: string[] = [];
  const findings = Array.isArray(report.findings) ? report.findings : [];
  // Findings come in fix-plan order (severity, functions affected, id).
  const active = findings.filter((finding) => !finding.muted);
  const muted = findings.filter((finding) => finding.muted);
  const errors = Array.isArray(report.errors) ? report.errors : [];
  const summary = report.summary;
  const tool = report.tool;
  const plan = planRoles(report);

  out.push(`# lambda-role-auditor: account ${escapeText(report.account)} (${statusLabel(report)})`, '');
  out.push(
    `Generated ${escapeText(report.generatedAt)} for ${(report.scope?.regions ?? []).map((region) => code(region)).join(', ') || 'no region'} ` +
      `by ${escapeText(tool?.name ?? 'lambda-role-auditor')} ${escapeText(tool?.version ?? '')} ` +
      `(IAM data ${escapeText(tool?.iamDataVersion ?? 'unknown')}). ` +
      `${summary?.functions ?? 0} functions and ${summary?.roles ?? 0} roles audited.`,
    '',
    `**${escapeText(summaryLine(report, plan))}**`,
    '',
  );

  if (report.partial)
    out.push(`> [!WARNING]`, `> ${escapeText(partialNotice(report.partial, report.status))}`, '');
  if (report.truncated) out.push(`> [!WARNING]`, `> ${escapeText(truncatedNotice(report.truncated))}`, '');

  out.push('| Severity | Findings | Functions affected |', '| --- | ---: | ---: |');
  for (const severity of SEVERITIES)
    out.push(
      `| ${severity} | ${summary?.findings?.[severity] ?? 0} | ${summary?.functionsAffected?.[severity] ?? 0} |`,
    );
  out.push(`| muted | ${summary?.muted ?? 0} | |`, `| errors | ${summary?.errors ?? 0} | |`);
  if (summary?.new !== undefined) out.push(`| new since last run | ${summary.new} | |`);
  if (summary?.resolved !== undefined) out.push(`| fixed since last run | ${summary.resolved} | |`);
  out.push('');

  if (plan.length > 0) {
    out.push(
      '## Fix first',
      '',
      '| # | Severity | Role | Functions | Problems |',
      '| ---: | --- | --- | ---: | --- |',
    );
    plan.forEach((role, index) => {
      const rules = [
        ...role.roleFindings.map((finding) => finding.ruleId),
        ...role.functionFindings.map((rule) => rule.ruleId),
      ];
      out.push(
        tableRow([
          String(index + 1),
          `${role.severity}${role.isNew ? ' **new**' : ''}`,
          code(role.roleName, { inTable: true }),
          formatCount(role.functionCount),
          [...new Set(rules)].map((rule) => code(rule, { inTable: true })).join(', '),
        ]),
      );
    });
    out.push('');
  }

  out.push('## Findings', '');
  if (active.length === 0) {
    out.push('No findings.', '');
  } else {
    out.push('| Severity | Rule | Role or function | Detail |', '| --- | --- | --- | --- |');
    for (const finding of active) {
      const detail = `${finding.status === 'new' ? '**new** ' : ''}${escapeText(finding.message ?? '')}`;
      out.push(findingRow(finding, detail));
    }
    out.push('');
    if (active.some((finding) => finding.conditional)) out.push(escapeText(CONDITIONAL_FOOTNOTE), '');

    out.push('## Details', '');
    for (const role of plan) {
      out.push(
        `### Role ${escapeText(role.roleName)} (${pluralize(role.functionCount, 'function')})`,
        '',
        `Role: ${code(role.roleArn || '(unknown role)')}`,
        '',
      );
      for (const finding of [
        ...role.roleFindings,
        ...role.functionFindings.flatMap((rule) => rule.findings),
      ]) {
        const flags = [finding.conditional ? 'conditional' : '', finding.status === 'new' ? 'new' : '']
          .filter(hasText)
          .join(', ');
        const where =
          finding.subject === 'function'
            ? ` ${escapeText(functionLabel(finding))} (${escapeText(finding.region)}):`
            : ':';
        out.push(
          `- **${finding.severity}** ${code(finding.ruleId)}${where} ${escapeText(finding.title ?? '')}` +
            (flags ? ` (${flags})` : ''),
        );
        if (hasText(finding.message)) out.push(`  - ${escapeText(finding.message)}`);
        for (const evidence of Array.isArray(finding.evidence) ? finding.evidence : []) {
          const described = describeEvidenceMarkdown(evidence ?? {});
          if (described !== '') out.push(`  - Evidence: ${described}`);
        }
        if (hasText(finding.remediation)) out.push(`  - Remediation: ${escapeText(finding.remediation)}`);
      }
      out.push('');
    }
  }

  if ((report.proposals ?? []).length > 0) {
    out.push(`## ${escapeText(PROPOSALS_TITLE)}`, '');
    for (const proposal of report.proposals ?? []) {
      out.push(
        `- ${code(roleNameFromArn(proposal.roleArn))}: ${escapeText(removedSummary(proposal))}`,
        '',
        '  <details><summary>Policy document</summary>',
        '',
        '  ```json',
        ...JSON.stringify(proposal.policy, null, 2)
          .split('\n')
          .map((line) => `  ${line}`),
        '  ```',
        '',
        '  </details>',
        '',
      );
    }
  }

  if (muted.length > 0) {
    out.push(`## Muted (${muted.length})`, '', '| Severity | Rule | Role or function | Reason |');
    out.push('| --- | --- | --- | --- |');
    for (const finding of muted) {
      out.push(findingRow(finding, escapeText(describeMuting(finding.muted!))));
    }
    out.push('');
  }

  if (hasHistory(report) && Array.isArray(report.resolved) && report.resolved.length > 0) {
    out.push(`## Fixed since last run (${report.resolved.length})`, '');
    for (const finding of report.resolved) {
      const subject =
        finding.subject === 'function'
          ? (finding.functionName ?? '')
          : `role ${roleNameFromArn(finding.roleArn)}`;
      out.push(
        `- **${finding.severity}** ${code(finding.ruleId)} ${escapeText(subject)}: ` +
          escapeText(finding.title),
      );
    }
    out.push('');
  }

  const expired = Array.isArray(report.expiredSuppressions) ? report.expiredSuppressions : [];
  if (expired.length > 0) {
    out.push(`## Expired suppressions (${expired.length})`, '');
    for (const suppression of expired) {
      out.push(
        `- rule ${code(suppression.rule ?? '*')}, function ${code(suppression.function ?? '*')}, role ` +
          `${code(suppression.role ?? '*')}: expired ${escapeText(suppression.until)} ` +
          `(${escapeText(suppression.reason)})`,
      );
    }
    out.push('');
  }

  if (errors.length > 0) {
    out.push(`## Errors (${errors.length})`, '');
    for (const error of errors) {
      out.push(
        `- ${escapeText(error.scope)} ${code(error.arn)}: ${code(error.code)} ${escapeText(error.message)}`,
      );
    }
    out.push('');
  }

  const notes = Array.isArray(report.notes) ? report.notes : [];
  if (notes.length > 0) {
    out.push(`## Notes (${notes.length})`, '');
    for (const note of notes)
      out.push(`- ${escapeText(note.scope)} ${code(note.arn)}: ${escapeText(note.message)}`);
    out.push('');
  }

  if (hasText(report.location)) out.push(`Full report: ${code(report.location)}`, '');
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * Escapes text for Markdown inline content and table cells: pipes (which would split a table cell),
 * emphasis and link characters, angle brackets (raw HTML) and line breaks.
 *
 * @example
 * escapeText('a|b'); // 'a\\|b'
 */
export function escapeText(value: unknown): string {
  return String(value ?? '')
    .replace(/[\\`*_[\]<>|]/g, (character) => `\\${character}`)
    .replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * Formats an identifier as a code span; in a table cell a pipe is escaped because GitHub splits cells on
 * it even inside code spans (and drops the backslash), while elsewhere a backslash would show literally.
 *
 * @example
 * code('admin-access'); // '`admin-access`'
 */
export function code(value: unknown, options: { inTable?: boolean } = {}): string {
  const flat = String(value ?? '').replace(/[\r\n]+/g, ' ');
  const text = options.inTable ? flat.replace(/\|/g, '\\|') : flat;
  const fence = text.includes('`') ? '``' : '`';
  const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A row of the findings and muted tables: severity, rule, role or function, then the last cell as given. */
function findingRow(finding: Finding, last: string): string {
  const subject =
    finding.subject === 'role'
      ? `role ${escapeText(roleNameFromArn(finding.roleArn))} (${pluralize(finding.functionCount, 'function')})`
      : `${escapeText(functionLabel(finding))} (${escapeText(finding.region)})`;
  return tableRow([
    escapeText(severityLabel(finding)),
    code(finding.ruleId, { inTable: true }),
    subject,
    last,
  ]);
}

function describeEvidenceMarkdown(evidence: Evidence): string {
  return describeEvidence(evidence, LIST_PREVIEW, { quote: (text) => code(text), escape: escapeText });
}
