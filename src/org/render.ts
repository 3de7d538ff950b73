/**
 * The organization roll-up for people and machines: a text digest (78 columns, like the account
 * digest), markdown, one self-contained HTML page and JSON (the SPEC §9b contract).
 */
import { createHash } from 'node:crypto';
import { SEVERITIES, type Severity } from '../model/severity.js';
import { formatCount, pluralize, wrapText } from '../report/format.js';
import { REPORT_STYLE } from '../report/html-assets.js';
import { withoutControlCharacters } from '../report/render.js';
import { escapeHtml } from '../report/render-html.js';
import { code, escapeText } from '../report/render-markdown.js';
import { DIGEST_WIDTH } from '../report/render-text.js';
import {
  ACCOUNT_STATUSES,
  type AccountStatus,
  type OrganizationAccount,
  type OrganizationReport,
  type OrganizationRole,
} from './rollup.js';

export const ORGANIZATION_FORMATS = ['text', 'json', 'markdown', 'html'] as const;
export type OrganizationFormat = (typeof ORGANIZATION_FORMATS)[number];

/** How many accounts the digest, markdown and HTML list before "and N more" (JSON has them all). */
export const LISTED_ACCOUNTS = 30;

/**
 * Renders the roll-up in one format; strings from the bucket never carry control characters.
 *
 * @example
 * process.stdout.write(renderOrganization(organization, 'text'));
 */
export function renderOrganization(report: OrganizationReport, format: OrganizationFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const clean = withoutControlCharacters(report);
  if (format === 'markdown') return renderOrganizationMarkdown(clean);
  if (format === 'html') return renderOrganizationHtml(clean);
  return renderOrganizationText(clean);
}

function statusWord(status: AccountStatus): string {
  return status === 'complete' ? 'complete' : status.toUpperCase();
}

/** `3 accounts: 1 complete, 1 FAILED, 1 STALE`. */
export function statusCounts(report: OrganizationReport): string {
  const parts = ACCOUNT_STATUSES.filter((status) => report.summary.status[status] > 0).map(
    (status) => `${formatCount(report.summary.status[status])} ${statusWord(status)}`,
  );
  return `${pluralize(report.summary.accounts, 'account')}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

function severityCounts(counts: Record<Severity, number>): string {
  const parts = SEVERITIES.filter((severity) => counts[severity] > 0).map(
    (severity) => `${formatCount(counts[severity])} ${severity}`,
  );
  return parts.join(', ');
}

/** One sentence on what to fix in the whole organization. */
export function organizationHeadline(report: OrganizationReport): string {
  const [first] = report.summary.topRoles;
  if (!first) {
    return report.summary.accounts === 0
      ? 'No account has archived a report in this bucket.'
      : 'Nothing to fix in the accounts whose findings are known.';
  }
  const roles = SEVERITIES.reduce((sum, severity) => sum + report.summary.rolesToFix[severity], 0);
  return (
    `Fix first: account ${first.account}, role ${first.roleName} (${first.severity}, ` +
    `${pluralize(first.functionsAffected, 'function')}). ` +
    `${pluralize(roles, 'role')} to fix (${severityCounts(report.summary.rolesToFix)}) in ` +
    `${pluralize(report.accounts.filter((account) => account.top.length > 0).length, 'account')}.`
  );
}

function accountLine(account: OrganizationAccount): string {
  const worst = account.top[0];
  const what = worst
    ? `roles to fix: ${severityCounts(account.rolesToFix)}; worst ${worst.roleName}`
    : !account.summary
      ? 'findings unknown'
      : account.status === 'complete'
        ? 'nothing to fix'
        : 'nothing known to fix';
  return `${account.account} ${statusWord(account.status)}: ${what}`;
}

/** What else a reader of an account's line must know: why it is not complete, how old its findings are. */
function accountNotes(account: OrganizationAccount): string[] {
  const notes = account.reason ? [account.reason] : [];
  if (account.baselineAt && account.baselineAt !== account.generatedAt)
    notes.push(`findings as of ${account.baselineAt}`);
  return notes;
}

function roleLine(role: OrganizationRole): string {
  return (
    `${role.severity.toUpperCase()} ${role.account} ${role.roleName}: ` +
    `${formatCount(role.functionsAffected)} of ${pluralize(role.functionCount, 'function')}` +
    `${role.publiclyInvocable ? ', invocable by anyone' : ''}${role.new ? ' NEW' : ''}`
  );
}

/**
 * The digest: status counts and the role to fix first, accounts worst first, the top roles across the
 * organization, totals by rule, accounts that are not complete. At most 78 columns (an unbreakable
 * token such as an ARN excepted), and bounded: lists stop at {@link LISTED_ACCOUNTS} with "and N more".
 *
 * @example
 * renderOrganizationText(organization).split('\n')[1]; // 'Fix first: account 111111111111, role admin …'
 */
export function renderOrganizationText(report: OrganizationReport): string {
  const width = DIGEST_WIDTH;
  const out: string[] = [];
  const push = (text: string, indent = 0, hanging = indent): void => {
    wrapText(text, width - hanging).forEach((line, index) => {
      out.push(`${' '.repeat(index === 0 ? indent : hanging)}${line}`);
    });
  };
  const section = (title: string): void => {
    out.push('', title, '-'.repeat(title.length));
  };
  push(`lambda-role-auditor: organization - ${statusCounts(report)}`);
  push(organizationHeadline(report));
  const totals = severityCounts(report.summary.findings);
  push(
    `Findings: ${totals || 'none'} across ${pluralize(report.summary.functions, 'function')} and ` +
      `${pluralize(report.summary.roles, 'role')}${report.summary.muted > 0 ? `; ${formatCount(report.summary.muted)} muted` : ''}. ` +
      `Rolled up at ${report.generatedAt}.`,
  );

  if (report.accounts.length > 0) {
    section('Accounts, worst first');
    const shown = report.accounts.slice(0, LISTED_ACCOUNTS);
    for (const account of shown) {
      push(accountLine(account), 0, 2);
      for (const note of accountNotes(account)) push(note, 2);
    }
    if (report.accounts.length > shown.length)
      push(`... and ${formatCount(report.accounts.length - shown.length)} more accounts (see --format json)`);
  }

  if (report.summary.topRoles.length > 0) {
    section('Top roles across the organization');
    report.summary.topRoles.forEach((role, index) => {
      // Ranks right-aligned: wrapping would drop a leading space, so it goes in the indent.
      push(`${index + 1}. ${roleLine(role)}`, index < 9 ? 1 : 0, 4);
      push(`Rules: ${role.rules.join(', ')}`, 4);
      if (role.remediation) push(`Fix: ${role.remediation}`, 4);
    });
  }

  if (report.summary.rules.length > 0) {
    section('Totals by rule');
    for (const rule of report.summary.rules) {
      push(
        `${rule.ruleId} (${rule.severity}): ${pluralize(rule.accounts, 'account')}, ` +
          `${pluralize(rule.roles, 'role')}, ${pluralize(rule.functions, 'function')}`,
        0,
        2,
      );
    }
  }

  const notComplete = report.accounts.filter((account) => account.status !== 'complete');
  if (notComplete.length > 0) {
    section('Not complete: partial, failed or stale');
    for (const account of notComplete.slice(0, LISTED_ACCOUNTS)) {
      push(
        `${account.account} ${statusWord(account.status)}${account.generatedAt ? ` (last report ${account.generatedAt})` : ''}`,
        0,
        2,
      );
    }
    if (notComplete.length > LISTED_ACCOUNTS)
      push(`... and ${formatCount(notComplete.length - LISTED_ACCOUNTS)} more`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The roll-up as GitHub-flavoured markdown; every name is escaped (or a code span), so an account's
 * role names cannot add links, HTML or table cells.
 *
 * @example
 * await writeFile('organization.md', renderOrganizationMarkdown(organization));
 */
export function renderOrganizationMarkdown(report: OrganizationReport): string {
  const lines: string[] = [];
  lines.push('# lambda-role-auditor: organization roll-up', '');
  lines.push(`**${escapeText(statusCounts(report))}**`, '');
  lines.push(escapeText(organizationHeadline(report)), '');
  lines.push(`Rolled up at ${escapeText(report.generatedAt)}.`, '');

  if (report.accounts.length > 0) {
    lines.push('## Accounts, worst first', '');
    lines.push('| account | status | roles to fix | worst role | note |', '|---|---|---|---|---|');
    for (const account of report.accounts.slice(0, LISTED_ACCOUNTS)) {
      const worst = account.top[0];
      lines.push(
        `| ${code(account.account, { inTable: true })} | ${escapeText(statusWord(account.status))} | ` +
          `${escapeText(severityCounts(account.rolesToFix) || (account.summary ? 'none' : 'unknown'))} | ` +
          `${worst ? `${code(worst.roleName, { inTable: true })} (${escapeText(worst.severity)})` : ''} | ` +
          `${escapeText(accountNotes(account).join('; '))} |`,
      );
    }
    if (report.accounts.length > LISTED_ACCOUNTS)
      lines.push('', `… and ${formatCount(report.accounts.length - LISTED_ACCOUNTS)} more accounts.`);
    lines.push('');
  }

  if (report.summary.topRoles.length > 0) {
    lines.push('## Top roles across the organization', '');
    lines.push(
      '| # | severity | account | role | functions | rules | fix |',
      '|---|---|---|---|---|---|---|',
    );
    report.summary.topRoles.forEach((role, index) => {
      lines.push(
        `| ${index + 1} | ${escapeText(role.severity)}${role.new ? ' NEW' : ''} | ${code(role.account, { inTable: true })} | ` +
          `${code(role.roleName, { inTable: true })} | ${formatCount(role.functionsAffected)} of ${formatCount(role.functionCount)} | ` +
          `${role.rules.map((rule) => code(rule, { inTable: true })).join(', ')} | ${escapeText(role.remediation)} |`,
      );
    });
    lines.push('');
  }

  if (report.summary.rules.length > 0) {
    lines.push('## Totals by rule', '');
    lines.push('| rule | severity | accounts | roles | functions |', '|---|---|---|---|---|');
    for (const rule of report.summary.rules) {
      lines.push(
        `| ${code(rule.ruleId, { inTable: true })} | ${escapeText(rule.severity)} | ${formatCount(rule.accounts)} | ` +
          `${formatCount(rule.roles)} | ${formatCount(rule.functions)} |`,
      );
    }
    lines.push('');
  }
  if (report.stale.length > 0) {
    lines.push('## Stale accounts', '');
    lines.push(report.stale.map((account) => code(account)).join(', '), '');
  }
  return lines.join('\n');
}

/** The page's policy: nothing loads, no script runs; only the report's own style sheet applies. */
const ORGANIZATION_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(REPORT_STYLE).digest('base64')}'; img-src data:; base-uri 'none'; form-action 'none'`;

/** Severities come from stored reports, which anyone with write access to a prefix could have edited. */
function severityBadge(severity: Severity): string {
  const text = escapeHtml(severity);
  return `<span class="sev sev-${text}">${text}</span>`;
}

/**
 * The roll-up as one self-contained HTML page with the account report's style sheet: cards by status,
 * accounts worst first, top roles and totals by rule. Every string is escaped; the page runs no script
 * and loads nothing (Content-Security-Policy).
 *
 * @example
 * await writeFile('organization.html', renderOrganizationHtml(organization));
 */
export function renderOrganizationHtml(report: OrganizationReport): string {
  const e = escapeHtml;
  const parts: string[] = [];
  parts.push(
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${e(ORGANIZATION_CSP)}">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<link rel="icon" href="data:,">',
    `<title>lambda-role-auditor: organization (${e(statusCounts(report))})</title>`,
    `<style>${REPORT_STYLE}</style></head><body><main>`,
    '<h1>lambda-role-auditor: organization roll-up</h1>',
    `<p class="headline">${e(organizationHeadline(report))}</p>`,
    `<p class="muted small">Rolled up at ${e(report.generatedAt)}.</p>`,
    '<div class="cards">',
  );
  for (const status of ACCOUNT_STATUSES) {
    const tone = status === 'complete' ? 'low' : status === 'partial' ? 'high' : 'critical';
    parts.push(
      `<div class="card c-${tone}"><b>${formatCount(report.summary.status[status])}</b><span>${e(status)}</span></div>`,
    );
  }
  for (const severity of SEVERITIES.slice(0, 4)) {
    parts.push(
      `<div class="card c-${severity}"><b>${formatCount(report.summary.findings[severity])}</b><span>${severity} findings</span></div>`,
    );
  }
  parts.push('</div>');

  if (report.accounts.length > 0) {
    parts.push('<h2>Accounts, worst first</h2><table><thead><tr>');
    parts.push('<th>account</th><th>status</th><th>roles to fix</th><th>worst role</th><th>note</th>');
    parts.push('</tr></thead><tbody>');
    for (const account of report.accounts.slice(0, LISTED_ACCOUNTS)) {
      const worst = account.top[0];
      parts.push(
        `<tr><td><code>${e(account.account)}</code></td>`,
        `<td><span class="status status-${account.status === 'stale' ? 'failed' : e(account.status)}">${e(statusWord(account.status))}</span></td>`,
        `<td>${e(severityCounts(account.rolesToFix) || (account.summary ? 'none' : 'unknown'))}</td>`,
        `<td>${worst ? `${severityBadge(worst.severity)} <code>${e(worst.roleName)}</code>` : ''}</td>`,
        `<td class="small">${e(accountNotes(account).join('; '))}${account.location ? ` <span class="muted">${e(account.location)}</span>` : ''}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
    if (report.accounts.length > LISTED_ACCOUNTS)
      parts.push(
        `<p class="muted">… and ${formatCount(report.accounts.length - LISTED_ACCOUNTS)} more accounts (JSON has them all).</p>`,
      );
  }

  if (report.summary.topRoles.length > 0) {
    parts.push('<h2>Top roles across the organization</h2><ol class="roles">');
    for (const role of report.summary.topRoles) {
      parts.push(
        `<li><div class="sum">${severityBadge(role.severity)}${role.new ? ' <span class="new">NEW</span>' : ''}`,
        ` <span class="name">${e(role.roleName)}</span> <span class="muted">account <code>${e(role.account)}</code>, `,
        `${formatCount(role.functionsAffected)} of ${e(pluralize(role.functionCount, 'function'))}</span>`,
        `<span class="meta">${role.rules.map((rule) => `<code>${e(rule)}</code>`).join(', ')}: ${e(role.remediation)}</span></div></li>`,
      );
    }
    parts.push('</ol>');
  }

  if (report.summary.rules.length > 0) {
    parts.push('<h2>Totals by rule</h2><table><thead><tr>');
    parts.push('<th>rule</th><th>severity</th><th>accounts</th><th>roles</th><th>functions</th>');
    parts.push('</tr></thead><tbody>');
    for (const rule of report.summary.rules) {
      parts.push(
        `<tr><td><code>${e(rule.ruleId)}</code></td><td>${severityBadge(rule.severity)}</td>`,
        `<td>${formatCount(rule.accounts)}</td><td>${formatCount(rule.roles)}</td><td>${formatCount(rule.functions)}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  }
  parts.push('</main></body></html>\n');
  return parts.join('');
}
