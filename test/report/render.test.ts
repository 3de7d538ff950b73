import { describe, expect, it } from 'vitest';
import type { AuditReport, Finding } from '../../src/model/report.js';
import { SEVERITIES, type Severity } from '../../src/model/severity.js';
import {
  isReportFormat,
  renderReport,
  summaryLine,
  UnknownReportFormatError,
} from '../../src/report/render.js';
import { DIGEST_WIDTH, renderText } from '../../src/report/render-text.js';
import { generatedAccount } from './large-report.js';
import {
  emptyReport,
  failedReport,
  functionArn,
  functionFinding,
  partialCleanReport,
  partialReport,
  roleArn,
  roleFinding,
  sampleFinding,
  sampleReport,
  sampleReportWithHistory,
} from './sample-report.js';

const ESCAPE = '\u001b';
const ANSI_SEQUENCE = new RegExp(`${ESCAPE}\\[[\\d;]*m`, 'g');

function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}

/** Index of the first line containing `needle`, after line `from`; -1 when absent. */
function lineIndex(lines: readonly string[], needle: string, from = 0): number {
  const index = lines.slice(from).findIndex((line) => line.includes(needle));
  return index === -1 ? -1 : index + from;
}

/** Whether line `index` of a digest is a section heading (underlined with dashes). */
function isHeading(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? '';
  const underline = lines[index + 1] ?? '';
  return line !== '' && /^-+$/.test(underline) && underline.length === Math.min(line.length, DIGEST_WIDTH);
}

/** The headings of a digest, in order. */
function headings(lines: readonly string[]): string[] {
  return lines.filter((_line, index) => isHeading(lines, index));
}

/** The lines of a digest section below its underline, up to the next section or the full-report pointer. */
function sectionLines(lines: readonly string[], title: string): string[] {
  const start = lines.indexOf(title);
  if (start === -1 || !isHeading(lines, start)) throw new Error(`no section "${title}"`);
  let end = start + 2;
  while (end < lines.length && !isHeading(lines, end) && !lines[end]!.startsWith('Full report:')) end += 1;
  return lines.slice(start + 2, end - 1);
}

/** The paragraph that starts with `prefix`, its wrapped lines joined with spaces. */
function paragraph(lines: readonly string[], prefix: string): string {
  const start = lines.findIndex((line) => line.startsWith(prefix));
  if (start === -1) return '';
  const end = lines.indexOf('', start);
  return lines
    .slice(start, end === -1 ? undefined : end)
    .map((line) => line.trim())
    .join(' ');
}

/** The numbered roles of "Fix first": `[SEVERITY, role name]`, in order. */
function rankedRoles(lines: readonly string[]): string[][] {
  return lines.flatMap((line) => {
    const match = /^\d+\. ([A-Z]+) (\S+)/.exec(line);
    return match ? [[match[1]!, match[2]!]] : [];
  });
}

/** Lines longer than the digest width that are more than one unbreakable token. */
function overlongLines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > DIGEST_WIDTH && /\s/.test(line.trim()));
}

/** A report whose names are as long as IAM (64) and Lambda (64) allow, with a long rule title. */
function longNamesReport(): AuditReport {
  const report = sampleReport();
  const longRole = roleArn(`r${'x'.repeat(62)}e`);
  const names = Array.from({ length: 5 }, (_, index) => `${index}${'f'.repeat(63)}`);
  report.roles.push({ roleArn: longRole, functions: names.map((name) => functionArn('us-east-1', name)) });
  report.findings.unshift(
    roleFinding({
      ruleId: 'admin-access',
      severity: 'critical',
      title: `An unusually long title that goes on ${'and on '.repeat(20)}`,
      roleArn: longRole,
      functionCount: 5,
      message: 'Allows everything.',
      remediation: `Detach ${'AdministratorAccess '.repeat(10)}`,
    }),
    ...names.map((name) =>
      functionFinding({
        ruleId: 'logging-missing',
        severity: 'critical',
        title: 'Function cannot write its logs',
        functionArn: functionArn('us-east-1', name),
        region: 'us-east-1',
        roleArn: longRole,
        message: 'No logs.',
        evidence: [
          { variables: ['A_VERY_LONG_VARIABLE_NAME_THAT_HOLDS_A_SECRET_TOKEN_FOR_THE_PARTNER_API'] },
        ],
        remediation: 'Allow logging.',
      }),
    ),
  );
  return report;
}

describe('summaryLine', () => {
  it.each([
    [
      'the sample report',
      sampleReport(),
      '7 roles to fix (1 critical, 4 high, 1 medium, 1 info), 15 of 17 functions affected (2 muted, 2 errors)',
    ],
    [
      'a report with history',
      sampleReportWithHistory(),
      '7 roles to fix (1 critical, 4 high, 1 medium, 1 info), 15 of 17 functions affected ' +
        '(2 new, 2 fixed, 2 muted, 2 errors)',
    ],
    ['an empty report', emptyReport(), 'nothing to fix'],
    ['a failed run', failedReport(), 'AUDIT FAILED: nothing could be audited (2 errors)'],
    [
      'a partial run without findings',
      partialCleanReport(),
      'no problems found in what could be read (1 error)',
    ],
  ])('summarises %s', (_name, report, expected) => {
    // Prepare: the report of the table row

    // Act
    const line = summaryLine(report);

    // Assess
    expect(line).toBe(expected);
  });
});

describe('renderReport: json', () => {
  it('prints the report contract unchanged, indented, with a final newline', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const output = renderReport(report, 'json');

    // Assess
    expect(JSON.parse(output)).toEqual(report);
    expect(output.endsWith('}\n')).toBe(true);
    expect(output).toContain('\n  "schemaVersion": 2,');
  });
});

describe('renderReport: text (the digest)', () => {
  it('puts status, summary, fix plan, roll-up, function findings, history, mutes, errors and the full report in that order', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    expect(lines[0]).toBe('lambda-role-auditor: account 123456789012 - COMPLETE');
    expect(lines.slice(1, 3)).toEqual([
      '7 roles to fix (1 critical, 4 high, 1 medium, 1 info), 15 of 17 functions',
      'affected; 2 new, 2 fixed, 2 muted, 2 errors.',
    ]);
    expect(headings(lines)).toEqual([
      'Fix first',
      'By rule',
      'Function findings by role',
      'Fixed since the last run (2)',
      'Muted (2)',
      'Expired suppressions (1)',
      'Errors (2)',
    ]);
    const pointer = lineIndex(lines, 'Full report:');
    expect(pointer).toBeGreaterThan(lines.indexOf('Errors (2)'));
    expect(lines[pointer + 1]).toBe(
      's3://audit-reports-123456789012/reports/123456789012/2026-07-08T02-00-13.512Z-run-1.json',
    );
    expect(lines.at(-2)).toBe('-- lambda-role-auditor 0.1.0, IAM data 0.21.202609261');
  });

  it('ranks the roles to fix by severity, then by how many functions the worst problem affects', () => {
    // Prepare: high roles affecting 3, 2, 1 and 1 functions; by name alone billing-role would lead
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    expect(rankedRoles(lines)).toEqual([
      ['CRITICAL', 'orders-api-role'],
      ['HIGH', 'report-builder-role'],
      ['HIGH', 'billing-role'],
      ['HIGH', 'deploy-helper-role'],
      ['HIGH', 'orders-api-legacy-role'],
      ['MEDIUM', 'image-resizer-role'],
      ['INFO', 'partner-sync-role'],
    ]);
    // The names are those of the affected functions (billing-export has no high finding).
    expect(lines[lineIndex(lines, '3. HIGH billing-role') + 1]).toBe(
      '   2 of 4 functions: billing-api, billing-cron',
    );
  });

  it('gives a role its problems one line each, three function names and how many more, the fix and the ARN', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    const start = lines.indexOf('1. CRITICAL orders-api-role');
    expect(lines.slice(start, lines.indexOf('2. HIGH report-builder-role'))).toEqual([
      '1. CRITICAL orders-api-role',
      '   5 functions: orders-api, orders-worker, orders-refund and 2 more',
      '   - critical admin-access: Role grants full administrator access',
      '   - high secrets-in-environment: orders-export',
      '   - info inline-policy: Role has inline policies',
      '   Fix: Detach AdministratorAccess and grant only the actions the functions',
      '     call.',
      '   Role: arn:aws:iam::123456789012:role/orders-api-role',
      '',
    ]);
    const billing = lines.slice(
      lines.indexOf('3. HIGH billing-role'),
      lines.indexOf('4. HIGH deploy-helper-role'),
    );
    expect(billing).toContain('   - high logging-missing: billing-api, billing-cron');
    expect(billing).toContain('   - low log-group-create-missing: billing-sync');
    expect(lines).toContain('   - high* privilege-escalation: Role can escalate its own privileges');
    expect(lines).toContain('   1 function: orders-api');
  });

  it('marks new roles and new problems NEW only when a previous run is known', () => {
    // Prepare: admin-access on orders-api-role and logging-missing on billing-api are new
    const withHistory = sampleReportWithHistory();
    const withoutHistory = sampleReport();

    // Act
    const lines = renderReport(withHistory, 'text').split('\n');
    const plain = renderReport(withoutHistory, 'text');

    // Assess
    expect(lines.filter((line) => / NEW\b/.test(line))).toEqual([
      '1. CRITICAL NEW orders-api-role',
      '   - critical admin-access NEW: Role grants full administrator access',
      '3. HIGH NEW billing-role',
      '   - high logging-missing NEW: billing-api, billing-cron',
    ]);
    expect(plain).not.toMatch(/ NEW\b/);
    expect(plain).not.toContain('Fixed since the last run');
  });

  it('rolls the findings up by rule with the roles and functions each concerns', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    expect(sectionLines(lines, 'By rule')).toEqual([
      'critical admin-access: 1 role, 5 functions',
      'high trust-too-broad: 1 role, 3 functions',
      'high logging-missing: 1 role, 2 functions',
      'high privilege-escalation: 1 role, 1 function',
      'high secrets-in-environment: 1 role, 1 function',
      'high trust-not-lambda: 1 role, 1 function',
      'medium unscoped-write: 1 role, 2 functions',
      'low log-group-create-missing: 1 role, 1 function',
      'info inline-policy: 1 role, 5 functions',
      'info role-unreadable: 1 role, 1 function',
    ]);
  });

  it('groups function findings by role, naming the variables of a secret but never a value', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    expect(sectionLines(lines, 'Function findings by role')).toEqual([
      '',
      'orders-api-role (5 functions)',
      '  high secrets-in-environment (1): orders-export (STRIPE_API_KEY)',
      '',
      'billing-role (4 functions)',
      '  high logging-missing (2): billing-api, billing-cron',
      '  low log-group-create-missing (1): billing-sync',
    ]);
  });

  it('lists the fixed findings, muted ones with reasons, expired suppressions and errors', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    expect(sectionLines(lines, 'Fixed since the last run (2)')).toEqual([
      '- high secrets-in-environment: payments-webhook',
      '- high service-wildcard: role old-etl-role',
    ]);
    expect(sectionLines(lines, 'Muted (2)').join(' ').replace(/\s+/g, ' ')).toBe(
      '- medium not-action-allow: role image-resizer-role: Reviewed in SEC-1234 (role tag) ' +
        '- low role-shared: role image-resizer-role: Image pipeline workers share one role by design ' +
        '(until 2027-01-31, owner media-team, suppressions file)',
    );
    expect(sectionLines(lines, 'Expired suppressions (1)').join(' ').replace(/\s+/g, ' ')).toBe(
      'These no longer mute anything; renew or remove them. ' +
        '- rule unscoped-write, function image-*, role *: expired 2026-06-30 (Migration to per-bucket policies)',
    );
    const errors = sectionLines(lines, 'Errors (2)').join(' ').replace(/\s+/g, ' ');
    expect(errors).toContain(
      '- role arn:aws:iam::210987654321:role/partner-sync-role: CrossAccount: Role belongs',
    );
    expect(errors).toContain(
      '- policy arn:aws:iam::123456789012:policy/legacy-batch: MalformedPolicyDocument: Statement 2 has no Effect.',
    );
  });

  it('says right under the status what a partial run missed and what a trimmed copy left out', () => {
    // Prepare
    const report = partialReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    const fixFirst = lines.indexOf('Fix first');
    const partial = lineIndex(lines, 'Partial report:');
    const truncated = lineIndex(lines, 'Truncated to fit');
    expect(partial).toBeGreaterThan(0);
    expect(truncated).toBeGreaterThan(partial);
    expect(fixFirst).toBeGreaterThan(truncated);
    const notices = lines.slice(partial, fixFirst - 1).join(' ');
    expect(notices).toContain(
      'Partial report: remaining time fell below 60 seconds. Not audited (7): region',
    );
    expect(notices).toContain('legacy-mailer … and 2 more.');
    expect(notices).toContain(
      'Truncated to fit the message size limit: left out 3 medium, 5 low, 4 info finding(s). ' +
        'Full report: s3://audit-reports/reports/123456789012/full.json',
    );
    expect(lines).toContain('Full report: s3://audit-reports/reports/123456789012/full.json');
  });

  it.each<[string, AuditReport, string]>([
    ['a failed run', failedReport(), 'AUDIT FAILED'],
    ['a partial run with findings', partialReport(), 'PARTIAL'],
    ['a partial run without findings', partialCleanReport(), 'PARTIAL'],
  ])('says so at the top of %s and never that there is nothing to fix', (_name, report, label) => {
    // Prepare: the report of the table row

    // Act
    const output = renderReport(report, 'text');

    // Assess
    const lines = output.split('\n');
    expect(lines[0]).toBe(`lambda-role-auditor: account 123456789012 - ${label}`);
    expect(output).not.toMatch(/nothing to fix/i);
    expect(lines.slice(0, 8).join(' ')).toContain(`${report.partial!.reason}.`);
  });

  it('says that a failed run is not an all-clear and lists why', () => {
    // Prepare
    const report = failedReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    expect(paragraph(lines, 'AUDIT FAILED')).toBe(
      'AUDIT FAILED: nothing could be audited, so this is NOT an all-clear. ' +
        'Audited 0 functions and 0 roles in us-east-1, eu-west-1 at 2026-07-08T02:00:13.512Z. ' +
        'Audit failed: ListFunctions failed in us-east-1, eu-west-1. Not audited (2): region us-east-1, region eu-west-1.',
    );
    expect(headings(lines)).toEqual(['Errors (2)']);
  });

  it('says "Nothing to fix." for a complete run without findings', () => {
    // Prepare
    const report = emptyReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    expect(lines.slice(0, 5)).toEqual([
      'lambda-role-auditor: account 123456789012 - COMPLETE',
      'nothing to fix.',
      'Audited 3 functions and 3 roles in us-east-1 at 2026-07-08T02:00:13.512Z.',
      '',
      'Nothing to fix.',
    ]);
    expect(headings(lines)).toEqual([]);
  });

  it.each<[string, () => AuditReport]>([
    ['the sample report', sampleReportWithHistory],
    ['a partial, trimmed report', partialReport],
    ['a failed run', failedReport],
    ['the longest names IAM and Lambda allow', longNamesReport],
    ['an account of 3,000 roles', () => generatedAccount(3_000).report],
  ])('keeps every line of %s within 78 characters, except a lone unbreakable token', (_name, build) => {
    // Prepare
    const report = build();

    // Act
    const output = renderText(report);

    // Assess
    expect(overlongLines(output)).toEqual([]);
    expect(output).not.toContain(ESCAPE);
  });

  it('lets only a lone unbreakable token, such as a long location, run past 78 characters', () => {
    // Prepare: the sample's location is 88 characters long
    const report = sampleReport();

    // Act
    const lines = renderText(report).split('\n');

    // Assess
    const long = lines.filter((line) => line.length > DIGEST_WIDTH);
    expect(long).toEqual([report.location, report.location!.replace(/\.json$/, '.html')]);
  });

  it('names the HTML page archived beside the JSON report', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderText(report).split('\n');

    // Assess
    const pointer = lines.indexOf('Full report (HTML):');
    expect(pointer).toBeGreaterThan(lines.indexOf('Full report:'));
    expect(lines[pointer + 1]).toBe(
      's3://audit-reports-123456789012/reports/123456789012/2026-07-08T02-00-13.512Z-run-1.html',
    );
  });

  describe('an account with thousands of roles', () => {
    const { report, severityOfRole } = generatedAccount(3_000);
    const lines = renderText(report).split('\n');
    const roles = [...severityOfRole];
    const urgent = roles.filter(([, severity]) => severity === 'critical' || severity === 'high');
    const others = roles.filter(([, severity]) => severity !== 'critical' && severity !== 'high');

    it('names every critical and high role on a line of its own', () => {
      // Prepare: 150 critical and 300 high roles among 2,850 roles to fix

      // Act
      const named = new Set(
        lines.flatMap((line) => {
          const match = /^(?:\d+\. [A-Z]+| {2}(?:critical|high)) (\S+)/.exec(line);
          return match ? [match[1]!] : [];
        }),
      );

      // Assess
      expect(urgent).toHaveLength(450);
      expect(urgent.filter(([name]) => !named.has(name))).toEqual([]);
      expect(rankedRoles(lines)).toHaveLength(10);
      expect(lines).toContain(`Also critical or high (${urgent.length - 10}):`);
    });

    it('counts the roles it does not show, by severity, exactly', () => {
      // Prepare: 15 of the other roles are shown, most severe first
      const shown = 15;
      const sortedOthers = [...others].sort(([, a], [, b]) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b));
      const expected = new Map<Severity, number>();
      for (const [, severity] of sortedOthers.slice(shown))
        expected.set(severity, (expected.get(severity) ?? 0) + 1);

      // Act
      const text = paragraph(lines, 'Not shown here:');

      // Assess
      expect([...expected]).toEqual([
        ['medium', 885],
        ['low', 1_200],
        ['info', 300],
      ]);
      expect(text).toBe(
        'Not shown here: 885 medium, 1,200 low, 300 info role(s) to fix; see the full report.',
      );
      expect(lines).toContain(`Also to fix (${others.length.toLocaleString('en-US')}):`);
      const compact = lines.filter((line) => /^ {2}(medium|low|info) team-/.test(line));
      expect(compact).toHaveLength(shown);
    });

    it('stays bounded: a line per critical or high role, and a fixed number of others', () => {
      // Prepare: the function findings of 1,500 roles

      // Act
      const more = paragraph(lines, 'And ');

      // Assess
      expect(lines.length).toBeLessThan(urgent.length + 200);
      const rolesWithFunctionFindings = new Set(
        report.findings.filter((finding) => finding.subject === 'function').map((finding) => finding.roleArn),
      ).size;
      const hidden = Number(
        /^And ([\d,]+) more roles with function findings/.exec(more)?.[1]?.replaceAll(',', ''),
      );
      expect(hidden).toBe(rolesWithFunctionFindings - 15);
    });
  });
});

describe('renderReport: table', () => {
  it('prints the header, the counts and the findings in fix-plan order', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'table').split('\n');

    // Assess
    expect(lines[0]).toBe(
      'Account 123456789012 | COMPLETE | regions us-east-1, eu-west-1 | generated 2026-07-08T02:00:13.512Z',
    );
    expect(lines[1]).toBe('lambda-role-auditor 0.1.0 (IAM data 0.21.202609261)');
    expect(lines.join('\n')).toContain('critical 1  high 6  medium 1  low 1  info 2  muted 2  errors 2');
    const header = lineIndex(lines, 'SEVERITY');
    expect(lines[header]).toMatch(/^SEVERITY\s+RULE\s+ROLE OR FUNCTION\s+DETAIL$/);
    const active = report.findings.filter((finding) => !finding.muted);
    const rows = lines.slice(header + 1).filter((line) => /^[a-z]+\*?\s/.test(line));
    expect(rows.slice(0, active.length).map((line) => line.split(/\s+/)[1])).toEqual(
      active.map((finding) => finding.ruleId),
    );
  });

  it('shows a role finding once, with how many functions use the role', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'table', { width: 160 }).split('\n');

    // Assess
    const adminRows = lines.filter((line) => line.includes('admin-access'));
    expect(adminRows).toHaveLength(1);
    expect(adminRows[0]).toMatch(
      /^critical\s+admin-access\s+role orders-api-role \(5 fn\)\s+Role orders-api-role/,
    );
    expect(lines.filter((line) => line.includes('logging-missing'))).toEqual([
      expect.stringMatching(/^high\s+logging-missing\s+billing-api \(us-east-1\)\s+Role billing-role/),
      expect.stringMatching(/^high\s+logging-missing\s+billing-cron \(us-east-1\)\s+Role billing-role/),
    ]);
    expect(lines.filter((line) => line.includes('orders-export'))).toHaveLength(1);
  });

  it('lists muted findings with their reasons', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'table', { width: 160 }).split('\n');

    // Assess
    const muted = lines.slice(lineIndex(lines, 'Muted (2)'));
    expect(muted[1]).toMatch(/^SEVERITY\s+RULE\s+ROLE OR FUNCTION\s+REASON$/);
    expect(muted[2]).toMatch(
      /^medium\s+not-action-allow\s+role image-resizer-role \(2 fn\)\s+Reviewed in SEC-1234/,
    );
    expect(muted[3]).toContain(
      'Image pipeline workers share one role by design (until 2027-01-31, owner media-team',
    );
  });

  it('lists the errors and where the full report is', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const output = renderReport(report, 'table');

    // Assess
    expect(output).toContain('Errors (2)');
    expect(output).toContain('- role arn:aws:iam::210987654321:role/partner-sync-role: CrossAccount:');
    expect(output).toContain('MalformedPolicyDocument: Statement 2 has no Effect.');
    expect(output).toContain(`Full report: ${report.location}`);
  });

  it.each([120, 80, 60, 40])('keeps every line within a width of %i and every finding visible', (width) => {
    // Prepare
    const report = partialReport();

    // Act
    const output = renderReport(report, 'table', { width });

    // Assess
    const tooLong = output.split('\n').filter((line) => line.length > width);
    expect(tooLong).toEqual([]);
    for (const finding of report.findings) expect(output).toContain(finding.ruleId);
  });

  it('colours severities only when asked to', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const plain = renderReport(report, 'table', { width: 100 });
    const coloured = renderReport(report, 'table', { width: 100, color: true });

    // Assess
    expect(plain).not.toContain(ESCAPE);
    const row = (ruleId: string) => coloured.split('\n').find((line) => line.includes(ruleId));
    expect(row('admin-access')).toContain(`${ESCAPE}[1;31mcritical`);
    expect(row('trust-too-broad')).toContain(`${ESCAPE}[31mhigh`);
    expect(row('unscoped-write')).toContain(`${ESCAPE}[33mmedium`);
    expect(stripAnsi(coloured)).toBe(plain);
  });

  it('says "No findings." for an empty report and still prints the counts', () => {
    // Prepare
    const report = emptyReport();

    // Act
    const output = renderReport(report, 'table');

    // Assess
    expect(output).toContain('3 functions, 3 roles audited: nothing to fix');
    expect(output).toContain('critical 0  high 0  medium 0  low 0  info 0  muted 0  errors 0');
    expect(output).toContain('\nNo findings.\n');
    expect(output).not.toContain('SEVERITY');
    expect(output).not.toContain('Errors');
  });

  it.each<[string, AuditReport, string]>([
    ['a partial run', partialReport(), 'PARTIAL'],
    ['a failed run', failedReport(), 'AUDIT FAILED'],
  ])('names the status of %s in the header', (_name, report, label) => {
    // Prepare: the report of the table row

    // Act
    const lines = renderReport(report, 'table', { width: 200 }).split('\n');

    // Assess
    expect(lines[0]).toContain(`Account 123456789012 | ${label} |`);
    expect(lines.join('\n')).not.toMatch(/nothing to fix/i);
  });

  it('prints the partial and truncated notices', () => {
    // Prepare
    const report = partialReport();

    // Act
    const output = renderReport(report, 'table', { width: 300 });

    // Assess
    expect(output).toContain(
      'Partial report: remaining time fell below 60 seconds. Not audited (7): region ap-southeast-2, ' +
        'arn:aws:lambda:us-east-1:123456789012:function:orders-batch, orders-export-v2, legacy-cron, ' +
        'legacy-mailer … and 2 more.',
    );
    expect(output).toContain(
      'Truncated to fit the message size limit: left out 3 medium, 5 low, 4 info finding(s). ' +
        'Full report: s3://audit-reports/reports/123456789012/full.json',
    );
  });

  it('marks new findings and lists the fixed ones when a previous run is known', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const lines = renderReport(report, 'table', { width: 200 }).split('\n');

    // Assess
    expect(lines[lineIndex(lines, 'admin-access')]).toContain('[new] Role orders-api-role');
    expect(lines[lineIndex(lines, 'billing-api')]).toContain('[new] Role billing-role');
    expect(lines[lineIndex(lines, 'billing-cron')]).not.toContain('[new]');
    expect(lines.join('\n')).toContain('new 2  resolved 2');
    const fixed = lineIndex(lines, 'Fixed since last run (2)');
    expect(lines.slice(fixed + 1, fixed + 3)).toEqual([
      '- high secrets-in-environment payments-webhook: Environment variable looks like a plaintext secret',
      '- high service-wildcard role old-etl-role: Role allows every action of a service',
    ]);
  });
});

describe('renderReport: incomplete findings', () => {
  it.each(['table', 'text', 'markdown', 'json'] as const)(
    'renders findings without evidence, message or remediation in the %s format',
    (format) => {
      // Prepare: shapes a hand-written JSON file may have
      const report = emptyReport();
      const sparse = {
        id: 'sparse-1',
        ruleId: 'secrets-in-environment',
        subject: 'function',
        severity: 'high',
        title: 'Environment variable looks like a plaintext secret',
        functionName: 'orphan-function',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orphan-function',
        region: 'us-east-1',
        roleArn: '',
        conditional: false,
        muted: null,
      } as unknown as Finding;
      const emptyEvidence = {
        id: 'sparse-2',
        ruleId: 'inline-policy',
        subject: 'role',
        severity: 'info',
        title: 'Execution role has inline policies',
        roleArn: roleArn('lonely-role'),
        functionCount: 1,
        evidence: [{}],
        message: '',
        remediation: 'Move inline policies into customer managed policies.',
        conditional: false,
        muted: null,
      } as unknown as Finding;
      report.findings.push(sparse, emptyEvidence);
      report.summary.findings.high = 1;
      report.summary.findings.info = 1;

      // Act
      const output = renderReport(report, format);

      // Assess
      expect(output).toContain('secrets-in-environment');
      expect(output).toContain('orphan-function');
      expect(output).toContain('inline-policy');
      expect(output).not.toContain('undefined');
      expect(output).not.toContain('NaN');
    },
  );
});

describe('renderReport: markdown', () => {
  it('has a heading with the status, the summary and counts of findings and functions affected', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const output = renderReport(report, 'markdown');

    // Assess
    expect(output.split('\n')[0]).toBe('# lambda-role-auditor: account 123456789012 (COMPLETE)');
    expect(output).toContain(
      '**7 roles to fix (1 critical, 4 high, 1 medium, 1 info), 15 of 17 functions affected (2 muted, 2 errors)**',
    );
    expect(output).toContain(
      '| critical | 1 | 5 |\n| high | 6 | 6 |\n| medium | 1 | 2 |\n| low | 1 | 1 |\n| info | 2 | 1 |',
    );
  });

  it('ranks the roles to fix in a table with their function counts and problems', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const lines = renderReport(report, 'markdown').split('\n');

    // Assess
    const start = lines.indexOf('## Fix first');
    expect(lines.slice(start + 2, start + 7)).toEqual([
      '| # | Severity | Role | Functions | Problems |',
      '| ---: | --- | --- | ---: | --- |',
      '| 1 | critical **new** | `orders-api-role` | 5 | `admin-access`, `inline-policy`, `secrets-in-environment` |',
      '| 2 | high | `report-builder-role` | 3 | `trust-too-broad` |',
      '| 3 | high **new** | `billing-role` | 4 | `logging-missing`, `log-group-create-missing` |',
    ]);
  });

  it('shows a role finding once in the findings table, with how many functions use the role', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'markdown').split('\n');

    // Assess
    const tableStart = lines.indexOf('| Severity | Rule | Role or function | Detail |');
    const rows = lines.slice(tableStart + 2, lines.indexOf('', tableStart));
    expect(rows.map((row) => /`([a-z-]+)`/.exec(row)?.[1])).toEqual(
      report.findings.filter((finding) => !finding.muted).map((finding) => finding.ruleId),
    );
    expect(rows[0]).toBe(
      '| critical | `admin-access` | role orders-api-role (5 functions) | ' +
        'Role orders-api-role allows every action on every resource. |',
    );
    expect(rows.filter((row) => row.includes('`logging-missing`'))).toEqual([
      expect.stringContaining('| billing-api (us-east-1) |'),
      expect.stringContaining('| billing-cron (us-east-1) |'),
    ]);
    expect(lines.filter((line) => line.includes('`admin-access`') && line.startsWith('|'))).toHaveLength(2);
  });

  it('escapes pipes so that a message cannot split a table row', () => {
    // Prepare
    const report = sampleReport();
    const finding = sampleFinding(report, 'unscoped-write', 'image-resizer-role');
    finding.message = 'Allows s3:Get* | s3:Put* on all buckets';
    finding.muted = { reason: 'Legacy | to be replaced', source: 'file' };

    // Act
    const output = renderReport(report, 'markdown');

    // Assess
    const tableRows = output
      .split('\n')
      .filter((line) => line.includes('unscoped-write') && line.startsWith('|'));
    expect(tableRows).toHaveLength(1);
    expect(tableRows[0]).toContain('Legacy \\| to be replaced');
    const unescapedPipes = tableRows[0]!.match(/(?<!\\)\|/g) ?? [];
    expect(unescapedPipes).toHaveLength(5);
    finding.muted = null;
    const activeRow = renderReport(report, 'markdown')
      .split('\n')
      .find((line) => line.startsWith('| medium | `unscoped-write` |'));
    expect(activeRow).toContain('Allows s3:Get\\* \\| s3:Put\\* on all buckets');
  });

  it('lists details per role, muted findings, fixed findings and errors', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const output = renderReport(report, 'markdown');

    // Assess
    expect(output).toContain(
      '### Role billing-role (4 functions)\n\nRole: `arn:aws:iam::123456789012:role/billing-role`\n\n' +
        '- **high** `logging-missing` billing-api (us-east-1): Function cannot write its logs (new)',
    );
    expect(output).toContain('- **critical** `admin-access`: Role grants full administrator access (new)');
    expect(output).toContain(
      '  - Evidence: policy `image-resizer-s3`, statement `WriteImages`; actions: `s3:PutObject`',
    );
    expect(output).toContain('… and 7 more; resources: `*`');
    expect(output).toContain('## Muted (2)');
    expect(output).toContain(
      '| low | `role-shared` | role image-resizer-role (2 functions) | Image pipeline workers share',
    );
    expect(output).toContain(
      '## Fixed since last run (2)\n\n' +
        '- **high** `secrets-in-environment` payments-webhook: Environment variable looks like a plaintext secret\n' +
        '- **high** `service-wildcard` role old-etl-role: Role allows every action of a service',
    );
    expect(output).toContain('## Errors (2)');
    expect(output).toContain('- role `arn:aws:iam::210987654321:role/partner-sync-role`: `CrossAccount`');
  });

  it.each<[string, AuditReport, string]>([
    ['a partial run', partialCleanReport(), 'PARTIAL'],
    ['a failed run', failedReport(), 'AUDIT FAILED'],
  ])('names the status of %s in the heading and warns', (_name, report, label) => {
    // Prepare: the report of the table row

    // Act
    const output = renderReport(report, 'markdown');

    // Assess
    expect(output.split('\n')[0]).toBe(`# lambda-role-auditor: account 123456789012 (${label})`);
    const notice = report.status === 'failed' ? 'Audit failed' : 'Partial report';
    expect(output).toContain(`> [!WARNING]\n> ${notice}: ${report.partial!.reason}.`);
    expect(output).not.toMatch(/nothing to fix/i);
  });

  it('says "No findings." for an empty report', () => {
    // Prepare
    const report = emptyReport();

    // Act
    const output = renderReport(report, 'markdown');

    // Assess
    expect(output).toContain('**nothing to fix**');
    expect(output).toContain('## Findings\n\nNo findings.');
    expect(output).not.toContain('## Fix first');
    expect(output).not.toContain('## Details');
  });
});

describe('renderReport: formats', () => {
  it('rejects an unknown format with a named error', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const render = () => renderReport(report, 'pdf' as never);

    // Assess
    expect(render).toThrow(UnknownReportFormatError);
    expect(render).toThrow('expected one of table, text, json, markdown, html');
    expect(isReportFormat('html')).toBe(true);
    expect(isReportFormat('pdf')).toBe(false);
  });
});
