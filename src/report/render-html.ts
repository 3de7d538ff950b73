import type { AuditReport, Finding, Proposal } from '../model/report.js';
import { compareSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { roleNameFromArn } from '../policy/arn.js';
import { affectedNames, type PlanRole, planRoles, rolesBySeverity, rollupByRule } from './fix-plan.js';
import {
  countOf,
  describeMuting,
  formatCount,
  hasHistory,
  hasText,
  partialNotice,
  pluralize,
  statusLabel,
  subjectLabel,
  summaryLine,
  truncatedNotice,
} from './format.js';
import { REPORT_CSP, REPORT_SCRIPT, REPORT_STYLE } from './html-assets.js';

/** Fix-plan rows visible before "Show more": the first screen lays out only these. */
export const HTML_PAGE_ROWS = 50;
/** Items of the muted, fixed and error sections written into the page; the rest renders on request. */
export const HTML_SECTION_ITEMS = 100;
/** How many function names a fix-plan row names before "and N more". */
const ROW_NAMES = 3;

export interface HtmlOptions {
  /** Where the JSON report is (the archive's location), named in the footer; default `report.location`. */
  jsonLocation?: string;
}

/**
 * Renders the report as one self-contained HTML page (SPEC §14): status and summary, the fix plan (roles
 * ranked exactly as in the digest, with the functions affected and `NEW` marks) with filters by
 * severity, rule and text, a chart of findings by rule and severity in inline SVG, each role's evidence
 * and proposed policy folded under it, then what was fixed, muted or failed. Every string of the report
 * is escaped (names come from audited accounts); the page loads nothing (a strict Content-Security-Policy
 * allows only its own inline style and script). The fix plan's rows are HTML; the findings are embedded
 * once as JSON, from which a role's details are drawn when it is unfolded, so the file stays close to
 * the JSON report's size and the first screen is light.
 *
 * @example
 * await writeFile('report.html', renderHtml(report));
 */
export function renderHtml(report: AuditReport, options: HtmlOptions = {}): string {
  return [...preparePage(report, options).chunks()].join('');
}

/**
 * {@link renderHtml} as bytes, for the archive: written chunk by chunk into one buffer sized by a first
 * pass, so that the page (as large as the JSON report) is never also held as strings and copies of
 * them. The page is ASCII, so its characters are its bytes.
 *
 * @example
 * await s3.send(new PutObjectCommand({ Bucket, Key, Body: renderHtmlBytes(report), ContentType: 'text/html' }));
 */
export function renderHtmlBytes(report: AuditReport, options: HtmlOptions = {}): Uint8Array {
  const page = preparePage(report, options);
  let length = 0;
  for (const chunk of page.chunks()) length += chunk.length;
  const bytes = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const chunk of page.chunks()) offset += bytes.write(chunk, offset, 'latin1');
  return offset === length ? bytes : bytes.subarray(0, offset);
}

/** What every pass over the page shares: the static part and the plan, computed once. */
function preparePage(report: AuditReport, options: HtmlOptions): { chunks: () => Generator<string> } {
  const plan = planRoles(report);
  const findings = Array.isArray(report.findings) ? report.findings : [];
  const indexOf = new Map<Finding, number>();
  findings.forEach((finding, index) => {
    indexOf.set(finding, index);
  });
  const out: string[] = [];
  const title = `lambda-role-auditor ${report.account}: ${summaryLine(report, plan)}`;
  out.push(
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_STYLE}</style></head>\n<body><main>`,
  );
  header(out, report, plan);
  fixPlan(out, report, plan);
  chart(out, report);
  fixedSection(out, report);
  mutedSection(out, findings);
  expiredSection(out, report);
  errorsSection(out, report);
  notesSection(out, report);
  footer(out, report, options.jsonLocation ?? report.location);
  // The script comes before the data: the page is interactive while the browser still reads the data.
  out.push(`</main>\n<script>${REPORT_SCRIPT}</script>\n<script type="application/json" id="report-data">`);
  const top = out.join('');
  const data = reportData(report, plan, indexOf);
  return {
    *chunks() {
      yield top;
      yield* dataChunks(data);
      yield '</script>\n</body></html>\n';
    },
  };
}

function header(out: string[], report: AuditReport, plan: readonly PlanRole[]): void {
  const summary = report.summary;
  const regions = report.scope?.regions ?? [];
  const status = report.status === 'failed' || report.status === 'partial' ? report.status : 'complete';
  out.push(
    `<header><h1>lambda-role-auditor: account ${escapeHtml(report.account)}</h1>`,
    `<p><span class="status status-${status}">${escapeHtml(statusLabel(report))}</span> `,
    `<span class="muted">${escapeHtml(
      `Audited ${pluralize(countOf(summary?.functions), 'function')} and ${pluralize(countOf(summary?.roles), 'role')} ` +
        `in ${regions.join(', ') || 'no region'} at ${report.generatedAt}` +
        `${report.scope && !report.scope.full ? ` (scoped run${report.scope.functions ? `: functions ${report.scope.functions.join(', ')}` : ''})` : ''}` +
        `${report.scope?.minSeverity ? `; showing ${report.scope.minSeverity} and above` : ''}.`,
    )}</span></p>`,
  );
  if (report.status === 'failed') {
    out.push(
      `<p class="notice failed"><b>AUDIT FAILED: nothing could be audited, so this is NOT an all-clear.</b> ${escapeHtml(report.partial?.reason ?? '')}</p>`,
    );
  } else {
    out.push(`<p class="headline">${escapeHtml(summaryLine(report, plan))}</p>`);
  }
  if (report.status === 'partial' && report.partial)
    out.push(`<p class="notice">${escapeHtml(partialNotice(report.partial))}</p>`);
  if (report.truncated) out.push(`<p class="notice">${escapeHtml(truncatedNotice(report.truncated))}</p>`);

  // Roles to fix and the functions they affect, by severity (low and info only when there are some).
  const bySeverity = rolesBySeverity(plan);
  if (report.status !== 'failed') {
    out.push('<div class="cards">');
    for (const severity of SEVERITIES) {
      if (bySeverity[severity] === 0 && (severity === 'info' || severity === 'low')) continue;
      out.push(
        `<div class="card c-${severity}"><b>${formatCount(bySeverity[severity])}</b> ${severity} ` +
          `role${bySeverity[severity] === 1 ? '' : 's'}<span>${pluralize(countOf(summary?.functionsAffected?.[severity]), 'function')}</span></div>`,
      );
    }
    out.push('</div>');
  }
  const muted = countOf(summary?.muted);
  const links: Array<[string, string, boolean]> = [
    ['plan', `Fix first (${formatCount(plan.length)})`, true],
    ['chart', 'Findings by rule', true],
    ['fixed', `Fixed (${formatCount(report.resolved?.length ?? 0)})`, (report.resolved?.length ?? 0) > 0],
    ['muted', `Muted (${formatCount(muted)})`, muted > 0],
    [
      'expired',
      `Expired suppressions (${formatCount(report.expiredSuppressions?.length ?? 0)})`,
      (report.expiredSuppressions?.length ?? 0) > 0,
    ],
    ['errors', `Errors (${formatCount(report.errors?.length ?? 0)})`, (report.errors?.length ?? 0) > 0],
    ['notes', `Notes (${formatCount(report.notes?.length ?? 0)})`, (report.notes?.length ?? 0) > 0],
  ];
  out.push(
    `<nav>${links
      .filter(([, , shown]) => shown)
      .map(([id, label]) => `<a href="#${id}">${label}</a>`)
      .join('')}</nav></header>`,
  );
}

function fixPlan(out: string[], report: AuditReport, plan: readonly PlanRole[]): void {
  out.push('<section id="plan"><h2>Fix first</h2>');
  const rules = rollupByRule(report);
  const rolesAt = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  const tokensOf = plan.map((role) => {
    const tokens = new Set<string>();
    for (const finding of role.roleFindings) tokens.add(`${token(finding.ruleId)}:${finding.severity}`);
    for (const rule of role.functionFindings)
      for (const finding of rule.findings) tokens.add(`${token(finding.ruleId)}:${finding.severity}`);
    const severities = new Set([...tokens].map((entry) => entry.slice(entry.lastIndexOf(':') + 1)));
    for (const severity of severities) rolesAt[severity as Severity] += 1;
    return [...tokens].join(' ');
  });
  // Without roles to fix there is nothing to filter.
  const hidden = plan.length === 0 ? ' hidden' : '';
  out.push(`<form id="filters" class="filters" role="search" aria-label="Filter the fix plan"${hidden}>`);
  out.push('<fieldset><legend>Severity</legend>');
  for (const severity of SEVERITIES) {
    out.push(
      `<label><input type="checkbox" name="sev" value="${severity}" checked> ${severity} <span class="count">${formatCount(rolesAt[severity])}</span></label>`,
    );
  }
  out.push('</fieldset><label>Rule <select name="rule"><option value="">all rules</option>');
  for (const rule of rules) {
    out.push(
      `<option value="${escapeHtml(token(rule.ruleId))}">${escapeHtml(rule.ruleId)} (${pluralize(rule.roles, 'role')})</option>`,
    );
  }
  out.push('</select></label>');
  if (hasHistory(report)) out.push('<label><input type="checkbox" name="onlyNew"> new only</label>');
  out.push(
    '<input type="search" name="q" placeholder="Filter by role, function, rule or text (/)" aria-label="Text filter">',
    '<button type="reset">Reset</button></form>',
  );
  out.push(`<p id="shown" aria-live="polite"${hidden}>${pluralize(plan.length, 'role')} to fix</p>`);
  out.push(
    `<ol id="roles" class="roles" data-page="${HTML_PAGE_ROWS}">`,
    ...plan.map((role, index) => planRow(role, index, tokensOf[index]!)),
    '</ol>',
  );
  out.push('<p id="none" hidden>No role to fix matches the filters.</p>');
  out.push(
    '<p><button type="button" id="more" hidden>Show more</button> <button type="button" id="all" hidden>Show all</button></p>',
  );
  if (plan.length === 0 && report.status !== 'failed') {
    out.push(
      `<p>${report.status === 'complete' ? 'Nothing to fix.' : 'No problems found in what could be read; this is NOT an all-clear.'}</p>`,
    );
  }
  out.push(
    '<noscript><p>Unfolding roles, filters and the rows after the first page need JavaScript; the JSON report has everything.</p></noscript>',
  );
  out.push('</section>');
}

/** One row of the fix plan: rank, severity, `NEW`, the role, the functions affected and the rules. */
function planRow(role: PlanRole, index: number, tokens: string): string {
  const rules = [
    ...new Set([
      ...role.roleFindings.map((finding) => finding.ruleId),
      ...role.functionFindings.map((rule) => rule.ruleId),
    ]),
  ];
  const names = affectedNames(role);
  const shownNames = names.slice(0, ROW_NAMES).join(', ');
  const rest = role.affected - Math.min(ROW_NAMES, names.length);
  const phrase =
    role.affected === role.functionCount
      ? pluralize(role.functionCount, 'function')
      : `${formatCount(role.affected)} of ${pluralize(role.functionCount, 'function')}`;
  const meta = `${phrase}${shownNames ? `: ${shownNames}${rest > 0 ? ` and ${formatCount(rest)} more` : ''}` : ''} · ${rules.join(', ')}`;
  return (
    `<li data-i="${index}" data-m="${escapeHtml(tokens)}"${role.isNew ? ' data-new="1"' : ''}${index >= HTML_PAGE_ROWS ? ' hidden' : ''}>` +
    `<div class="sum" role="button" tabindex="0" aria-expanded="false"><span class="rank">${index + 1}.</span>` +
    `<span class="sev sev-${role.severity}">${role.severity}</span>` +
    `${role.isNew ? '<span class="new">NEW</span>' : ''}<span class="name">${escapeHtml(role.roleName)}</span>` +
    `<span class="meta">${escapeHtml(meta)}</span></div></li>\n`
  );
}

/** Bar width of the chart's longest bar, in the SVG's user units. */
const BAR_UNITS = 1000;

/** Unmuted findings by rule (rules in roll-up order) and severity, as stacked horizontal bars. */
function chart(out: string[], report: AuditReport): void {
  const rules = rollupByRule(report);
  const counts = new Map<string, Record<Severity, number>>();
  for (const finding of report.findings ?? []) {
    if (finding.muted) continue;
    let row = counts.get(finding.ruleId);
    if (!row) {
      row = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
      counts.set(finding.ruleId, row);
    }
    row[finding.severity] += 1;
  }
  const totalOf = (row: Record<Severity, number>) =>
    SEVERITIES.reduce((sum, severity) => sum + row[severity], 0);
  const largest = Math.max(1, ...[...counts.values()].map(totalOf));
  out.push('<section id="chart"><h2>Findings by rule</h2>');
  if (rules.length === 0) {
    out.push('<p class="muted">No unmuted findings.</p></section>');
    return;
  }
  out.push(
    '<p class="legend">',
    ...SEVERITIES.map((severity) => `<span><span class="swatch b-${severity}"></span>${severity}</span>`),
    '<span>Select a rule to filter the fix plan.</span></p><div class="bars">',
  );
  for (const rule of rules) {
    const row = counts.get(rule.ruleId)!;
    const total = totalOf(row);
    const parts = SEVERITIES.filter((severity) => row[severity] > 0).map(
      (severity) => `${formatCount(row[severity])} ${severity}`,
    );
    let x = 0;
    const rects = SEVERITIES.filter((severity) => row[severity] > 0).map((severity) => {
      const width = Math.max(2, Math.round((row[severity] / largest) * BAR_UNITS));
      const rect = `<rect class="b-${severity}" x="${x}" y="0" width="${width}" height="14"><title>${escapeHtml(`${rule.ruleId}: ${formatCount(row[severity])} ${severity}`)}</title></rect>`;
      x += width;
      return rect;
    });
    const label = `${rule.ruleId}: ${parts.join(', ')}; ${pluralize(rule.roles, 'role')}, ${pluralize(rule.functions, 'function')}`;
    out.push(
      `<button type="button" class="bar" data-rule="${escapeHtml(token(rule.ruleId))}" aria-label="${escapeHtml(label)}">`,
      `<code>${escapeHtml(rule.ruleId)}</code>`,
      `<svg viewBox="0 0 ${BAR_UNITS} 14" preserveAspectRatio="none" role="img" aria-hidden="true">${rects.join('')}</svg>`,
      `<span class="small muted">${formatCount(total)} &middot; ${pluralize(rule.roles, 'role')} &middot; ${pluralize(rule.functions, 'function')}</span></button>`,
    );
  }
  out.push('</div></section>');
}

/** Writes a section's first items, and a button that renders the rest from the embedded data. */
function restButton(
  out: string[],
  kind: 'muted' | 'resolved' | 'errors',
  total: number,
  target: string,
): void {
  if (total <= HTML_SECTION_ITEMS) return;
  out.push(
    `<p><button type="button" data-rest="${kind}" data-from="${HTML_SECTION_ITEMS}" data-target="${target}">Show all ${formatCount(total)}</button></p>`,
  );
}

function fixedSection(out: string[], report: AuditReport): void {
  const resolved = hasHistory(report) ? (report.resolved ?? []) : [];
  if (resolved.length === 0) return;
  out.push(
    `<section id="fixed"><h2>Fixed since the last run (${formatCount(resolved.length)})</h2><ul id="fixed-list" class="plain">`,
  );
  for (const fixed of resolved.slice(0, HTML_SECTION_ITEMS)) {
    const subject =
      fixed.subject === 'function' ? (fixed.functionName ?? '') : `role ${roleNameFromArn(fixed.roleArn)}`;
    out.push(
      `<li>${severityBadge(fixed.severity)} <code>${escapeHtml(fixed.ruleId)}</code> ${escapeHtml(subject)}: ${escapeHtml(fixed.title)}</li>`,
    );
  }
  out.push('</ul>');
  restButton(out, 'resolved', resolved.length, 'fixed-list');
  out.push('</section>');
}

function mutedSection(out: string[], findings: readonly Finding[]): void {
  const muted = findings.filter((finding) => finding.muted);
  if (muted.length === 0) return;
  out.push(
    `<section id="muted"><h2>Muted (${formatCount(muted.length)})</h2>`,
    '<p class="muted small">Suppressed findings: not counted, not alerted on, kept here with their reason.</p><ul id="muted-list" class="plain">',
  );
  for (const finding of muted.slice(0, HTML_SECTION_ITEMS)) {
    out.push(
      `<li>${severityBadge(finding.severity, finding.conditional)} <code>${escapeHtml(finding.ruleId)}</code> ` +
        `${escapeHtml(`${subjectLabel(finding)}: ${describeMuting(finding.muted!)}`)}</li>`,
    );
  }
  out.push('</ul>');
  restButton(out, 'muted', muted.length, 'muted-list');
  out.push('</section>');
}

function expiredSection(out: string[], report: AuditReport): void {
  const expired = report.expiredSuppressions ?? [];
  if (expired.length === 0) return;
  out.push(
    `<section id="expired"><h2>Expired suppressions (${formatCount(expired.length)})</h2>`,
    '<p class="muted small">These no longer mute anything; renew or remove them.</p><ul class="plain">',
  );
  for (const suppression of expired) {
    out.push(
      `<li>${escapeHtml(
        `rule ${suppression.rule ?? '*'}, function ${suppression.function ?? '*'}, role ${suppression.role ?? '*'}: ` +
          `expired ${suppression.until} (${suppression.reason})`,
      )}</li>`,
    );
  }
  out.push('</ul></section>');
}

function errorsSection(out: string[], report: AuditReport): void {
  const errors = report.errors ?? [];
  if (errors.length === 0) return;
  out.push(
    `<section id="errors"><h2>Errors (${formatCount(errors.length)})</h2>`,
    '<p class="muted small">What could not be read or evaluated; the rest of the audit went on.</p>',
    '<table><thead><tr><th>scope</th><th>ARN</th><th>code</th><th>message</th></tr></thead><tbody id="errors-list">',
  );
  for (const error of errors.slice(0, HTML_SECTION_ITEMS)) {
    out.push(
      `<tr><td>${escapeHtml(error.scope)}</td><td class="mono">${escapeHtml(error.arn)}</td><td>${escapeHtml(error.code)}</td><td>${escapeHtml(error.message)}</td></tr>`,
    );
  }
  out.push('</tbody></table>');
  restButton(out, 'errors', errors.length, 'errors-list');
  out.push('</section>');
}

/** Notes (actions of services the IAM catalog does not know): the first ones, the rest are in the JSON. */
function notesSection(out: string[], report: AuditReport): void {
  const notes = report.notes ?? [];
  if (notes.length === 0) return;
  out.push(
    `<section id="notes"><h2>Notes (${formatCount(notes.length)})</h2>`,
    '<p class="muted small">Neither findings nor errors: actions of services the IAM catalog does not know, evaluated by their pattern.</p>',
    '<ul class="plain">',
  );
  for (const note of notes.slice(0, HTML_SECTION_ITEMS))
    out.push(
      `<li>${escapeHtml(note.scope)} <code>${escapeHtml(note.arn)}</code>: ${escapeHtml(note.message)}</li>`,
    );
  out.push('</ul>');
  if (notes.length > HTML_SECTION_ITEMS)
    out.push(
      `<p class="muted small">and ${formatCount(notes.length - HTML_SECTION_ITEMS)} more in the JSON report (notes).</p>`,
    );
  out.push('</section>');
}

function footer(out: string[], report: AuditReport, jsonLocation: string | undefined): void {
  out.push(
    '<footer><p>',
    escapeHtml(
      `${report.tool?.name ?? 'lambda-role-auditor'} ${report.tool?.version ?? ''}, IAM data ${report.tool?.iamDataVersion ?? 'unknown'}; ` +
        `generated ${report.generatedAt}.`,
    ),
    hasText(jsonLocation) ? ` JSON report: <code>${escapeHtml(jsonLocation)}</code>` : '',
    '</p></footer>',
  );
}

function severityBadge(severity: Severity, conditional = false): string {
  const known = (SEVERITIES as readonly string[]).includes(severity) ? severity : 'info';
  return `<span class="sev sev-${known}">${escapeHtml(String(severity))}${conditional ? '*' : ''}</span>`;
}

/** A rule id as one token of the row's `data-m` list: no spaces, no colon. */
function token(ruleId: string): string {
  return String(ruleId).replace(/[\s:]/g, '_');
}

/** What the page's script draws a role's details from: every finding once, and the plan by index. */
interface ReportData {
  findings: Finding[];
  plan: Array<{ role: string; findings: number[]; fix?: number; functions: string[]; proposal?: Proposal }>;
  resolved: NonNullable<AuditReport['resolved']>;
  errors: AuditReport['errors'];
}

/**
 * The data as JSON in pieces of one finding, plan entry or error each: the whole is never one string
 * (the findings alone are as large as the JSON report).
 */
function* dataChunks(data: ReportData): Generator<string> {
  const fields = Object.entries(data) as Array<[keyof ReportData, unknown[]]>;
  yield '{';
  for (const [position, [field, items]] of fields.entries()) {
    yield `${position === 0 ? '' : ','}${JSON.stringify(field)}:[`;
    for (const [index, item] of items.entries()) yield `${index === 0 ? '' : ','}${scriptJson(item)}`;
    yield ']';
  }
  yield '}';
}

function reportData(
  report: AuditReport,
  plan: readonly PlanRole[],
  indexOf: Map<Finding, number>,
): ReportData {
  const functionsOf = new Map<string, string[]>();
  for (const role of report.roles ?? []) functionsOf.set(role.roleArn, role.functions);
  const proposals = new Map<string, Proposal>();
  for (const proposal of report.proposals ?? []) proposals.set(proposal.roleArn, proposal);
  return {
    findings: report.findings ?? [],
    plan: plan.map((role) => {
      const ordered = [...role.roleFindings, ...role.functionFindings.flatMap((rule) => rule.findings)];
      // The step the digest names first: the most severe role finding, else the worst function rule.
      const worstRole = role.roleFindings[0];
      const fixFinding =
        worstRole && compareSeverity(worstRole.severity, role.severity) === 0
          ? worstRole
          : (role.functionFindings[0]?.findings[0] ?? worstRole);
      const fix = fixFinding ? indexOf.get(fixFinding) : undefined;
      const proposal = proposals.get(role.roleArn);
      return {
        role: role.roleArn,
        findings: ordered.map((finding) => indexOf.get(finding)!),
        ...(fix === undefined ? {} : { fix }),
        functions: functionsOf.get(role.roleArn) ?? [],
        ...(proposal ? { proposal } : {}),
      };
    }),
    resolved: hasHistory(report) ? (report.resolved ?? []) : [],
    errors: report.errors ?? [],
  };
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML content and quoted attribute values; characters outside ASCII become numeric
 * references, so that the page is ASCII whatever names the account holds, and control characters
 * U+FFFD, so that no name can hide text.
 *
 * @example
 * escapeHtml('<img src=x onerror=alert(1)>'); // '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(text: string): string {
  return String(text).replace(NEEDS_ESCAPE, (character) => {
    const escaped = HTML_ESCAPES[character];
    if (escaped) return escaped;
    const code = character.codePointAt(0)!;
    // Control characters (other than tab and newline) are shown as U+FFFD, as the other formats do.
    return `&#x${code < 0x20 || (code >= 0x7f && code <= 0x9f) ? 'fffd' : code.toString(16)};`;
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces.
const NEEDS_ESCAPE = /[&<>"']|[\u0000-\u0008\u000b-\u001f]|[^\u0000-\u007f]/gu;

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` escaped so the text can never
 * close the element or open a comment, and characters outside ASCII as `\u` escapes.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u007f-\uffff]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Where the HTML report archived beside a JSON report is: the same key with `.html`.
 *
 * @example
 * htmlLocationOf('s3://reports/reports/123456789012/2026-11-26T03-00-00.000Z-run.json');
 * // 's3://reports/reports/123456789012/2026-11-26T03-00-00.000Z-run.html'
 */
export function htmlLocationOf(jsonLocation: string): string {
  return jsonLocation.endsWith('.json')
    ? `${jsonLocation.slice(0, -'.json'.length)}.html`
    : `${jsonLocation}.html`;
}
