import { describe, expect, it } from 'vitest';
import type { AuditReport, Finding } from '../../src/model/report.js';
import {
  isReportFormat,
  renderReport,
  summaryLine,
  UnknownReportFormatError,
} from '../../src/report/render.js';
import { emptyReport, sampleReport, sampleReportWithHistory } from './sample-report.js';

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

/** Rule ids of the sample's unmuted findings, in the expected reading order. */
const EXPECTED_ORDER = [
  'admin-access', // critical, orders-api
  'privilege-escalation', // high (conditional), deploy-helper
  'trust-not-lambda', // high, orders-api version 3
  'logging-missing', // high, report-builder
  'trust-too-broad', // high, report-builder
  'unscoped-write', // medium, image-resizer
  'inline-policy', // info, orders-api
  'role-unreadable', // info, partner-sync
];

function partialReport(): AuditReport {
  const report = sampleReport();
  report.partial = {
    reason: 'remaining time fell below 60 seconds',
    notAudited: [
      'ap-southeast-2',
      'orders-batch',
      'orders-export',
      'legacy-cron',
      'legacy-mailer',
      'b1',
      'b2',
    ],
  };
  report.truncated = { omittedFindings: 12, fullReport: 's3://audit-reports/reports/full.json' };
  delete report.location;
  return report;
}

describe('summaryLine', () => {
  it.each([
    ['the sample report', sampleReport(), '1 critical, 4 high, 1 medium, 2 info (2 muted, 2 errors)'],
    [
      'a report with history',
      sampleReportWithHistory(),
      '1 critical, 4 high, 1 medium, 2 info (2 new, 1 fixed, 2 muted, 2 errors)',
    ],
    ['an empty report', emptyReport(), 'no findings'],
    [
      'an empty report with one error',
      { ...emptyReport(), summary: { ...emptyReport().summary, errors: 1 } },
      'no findings (1 error)',
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
    expect(output).toContain('\n  "schemaVersion": 1,');
  });
});

describe('renderReport: table', () => {
  it('prints the header, the counts and the findings sorted by severity then function', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'table').split('\n');

    // Assess
    expect(lines[0]).toContain('Account 123456789012');
    expect(lines[0]).toContain('regions us-east-1, eu-west-1');
    expect(lines.join('\n')).toContain('lambda-role-auditor 0.1.0 (IAM data 0.21.202609261)');
    expect(lines.join('\n')).toContain('critical 1  high 4  medium 1  low 0  info 2  muted 2  errors 2');
    const header = lineIndex(lines, 'SEVERITY');
    expect(lines[header]).toMatch(/^SEVERITY\s+RULE\s+FUNCTION\s+REGION\s+DETAIL$/);
    const positions = EXPECTED_ORDER.map((ruleId) => lineIndex(lines, ` ${ruleId} `, header));
    expect(positions.every((position) => position > header)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(lines[positions[2]!]).toContain('orders-api version 3');
  });

  it('marks conditional findings with an asterisk and explains it once', () => {
    // Prepare
    const report = sampleReport();
    const unconditional = sampleReport();
    for (const finding of unconditional.findings) finding.conditional = false;

    // Act
    const output = renderReport(report, 'table');
    const withoutConditional = renderReport(unconditional, 'table');

    // Assess
    const row = output.split('\n').find((line) => line.includes('privilege-escalation'));
    expect(row).toMatch(/^high\*\s+privilege-escalation\s+deploy-helper/);
    expect(output.match(/\* conditional/g)).toHaveLength(1);
    expect(withoutConditional).not.toContain('* conditional');
    expect(withoutConditional).not.toMatch(/high\*/);
  });

  it('shows muted findings only in their own section, with reason, owner and expiry', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const output = renderReport(report, 'table', { width: 200 });

    // Assess
    const [main, muted] = output.split('Muted (2)');
    expect(main).not.toContain('role-shared');
    expect(main).not.toContain('not-action-allow');
    expect(muted).toMatch(/SEVERITY\s+RULE\s+FUNCTION\s+REGION\s+REASON/);
    expect(muted).toContain('Reviewed in SEC-1234 (role tag)');
    expect(muted).toContain('Image pipeline workers share one role by design');
    expect(muted).toContain('until 2027-01-31, owner media-team, suppressions file');
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
    expect(output).toContain(
      'Full report: s3://audit-reports-123456789012/reports/2026-07-08T02-00-13Z.json',
    );
  });

  it.each([120, 80, 60, 40])('keeps every line within a width of %i and every finding visible', (width) => {
    // Prepare
    const report = partialReport();

    // Act
    const output = renderReport(report, 'table', { width });

    // Assess
    const tooLong = output.split('\n').filter((line) => line.length > width);
    expect(tooLong).toEqual([]);
    for (const ruleId of EXPECTED_ORDER) expect(output).toContain(ruleId);
  });

  it('colours severities only when asked to', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const plain = renderReport(report, 'table', { width: 100 });
    const coloured = renderReport(report, 'table', { width: 100, color: true });

    // Assess
    expect(plain).not.toContain(ESCAPE);
    const criticalRow = coloured.split('\n').find((line) => line.includes('admin-access'));
    expect(criticalRow).toContain(`${ESCAPE}[1;31mcritical`);
    expect(coloured.split('\n').find((line) => line.includes('trust-too-broad'))).toContain(
      `${ESCAPE}[31mhigh`,
    );
    expect(coloured.split('\n').find((line) => line.includes('unscoped-write'))).toContain(
      `${ESCAPE}[33mmedium`,
    );
    expect(stripAnsi(coloured)).toBe(plain);
  });

  it('says "No findings." for an empty report and still prints the counts', () => {
    // Prepare
    const report = emptyReport();

    // Act
    const output = renderReport(report, 'table');

    // Assess
    expect(output).toContain('3 functions, 3 roles audited: no findings');
    expect(output).toContain('critical 0  high 0  medium 0  low 0  info 0  muted 0  errors 0');
    expect(output).toContain('\nNo findings.\n');
    expect(output).not.toContain('SEVERITY');
    expect(output).not.toContain('Errors');
  });

  it('prints the partial and truncated notices', () => {
    // Prepare
    const report = partialReport();

    // Act
    const output = renderReport(report, 'table', { width: 200 });

    // Assess
    expect(output).toContain(
      'Partial report: remaining time fell below 60 seconds. Not audited (7): ap-southeast-2, orders-batch, ' +
        'orders-export, legacy-cron, legacy-mailer … and 2 more.',
    );
    expect(output).toContain('Truncated: 12 lower-severity findings omitted');
    expect(output).toContain('Full report: s3://audit-reports/reports/full.json');
  });

  it('marks new findings and lists the fixed ones when a previous run is known', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const lines = renderReport(report, 'table', { width: 160 }).split('\n');

    // Assess
    expect(lines[lineIndex(lines, 'admin-access')]).toContain('[new] Role orders-api-role');
    expect(lines[lineIndex(lines, 'trust-too-broad')]).not.toContain('[new]');
    expect(lines.join('\n')).toContain('new 2  resolved 1');
    const fixed = lineIndex(lines, 'Fixed since last run (1)');
    expect(fixed).toBeGreaterThan(-1);
    expect(lines[fixed + 1]).toBe(
      '- high secrets-in-environment payments-webhook: Environment variable looks like a plaintext secret',
    );
  });
});

describe('renderReport: text', () => {
  it('groups findings by function with role, severity, rule, title, message and remediation', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    expect(lines[0]).toBe(
      'lambda-role-auditor 123456789012: 1 critical, 4 high, 1 medium, 2 info (2 muted, 2 errors)',
    );
    const group = lineIndex(lines, 'report-builder (eu-west-1)');
    const nextGroup = lineIndex(lines, 'image-resizer (eu-west-1)', group);
    expect(group).toBeGreaterThan(-1);
    expect(nextGroup).toBeGreaterThan(group);
    const block = lines.slice(group, nextGroup).join('\n');
    expect(block).toContain('  Role: arn:aws:iam::123456789012:role/report-builder-role');
    expect(block).toContain('[high] logging-missing: Function cannot write its logs');
    expect(block).toContain('[high] trust-too-broad: Trust policy lets other principals assume the role');
    expect(block).toContain('Remediation: Remove every principal except lambda.amazonaws.com');
    expect(block).toContain('- policy trust policy, statement 0; principals: ec2.amazonaws.com');
  });

  it('orders groups by their highest severity and gives a published version its own group', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = renderReport(report, 'text').split('\n');

    // Assess
    const groups = [
      'orders-api (us-east-1)',
      'deploy-helper (us-east-1)',
      'orders-api version 3 (us-east-1)',
      'report-builder (eu-west-1)',
      'image-resizer (eu-west-1)',
      'partner-sync (us-east-1)',
    ].map((heading) => lines.indexOf(heading));
    expect(groups.every((position) => position > -1)).toBe(true);
    expect([...groups].sort((a, b) => a - b)).toEqual(groups);
    expect(lines[groups[2]! + 1]).toBe('  Role: arn:aws:iam::123456789012:role/orders-api-legacy-role');
    expect(lines[lineIndex(lines, 'privilege-escalation:')]).toContain('(conditional)');
  });

  it('summarises long evidence with "… and N more"', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const output = renderReport(report, 'text');

    // Assess
    expect(output).toContain('s3:PutObject, s3:DeleteObject,');
    expect(output).toContain('s3:PutObjectAcl … and 9 more; resources: *');
    expect(output).not.toContain('s3:AbortMultipartUpload');
  });

  it('stays plain text within 100 characters a line', () => {
    // Prepare
    const report = partialReport();

    // Act
    const output = renderReport(report, 'text');

    // Assess
    expect(output).not.toContain(ESCAPE);
    expect(output.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });

  it('lists muted findings with reasons, expired suppressions, errors and where the full report is', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const output = renderReport(report, 'text');

    // Assess
    const muted = output.indexOf('Muted (2)');
    const errors = output.indexOf('Errors (2)');
    const location = output.indexOf(
      'Full report: s3://audit-reports-123456789012/reports/2026-07-08T02-00-13Z.json',
    );
    expect(muted).toBeGreaterThan(output.indexOf('Findings by function'));
    expect(errors).toBeGreaterThan(muted);
    expect(location).toBeGreaterThan(errors);
    expect(output).toContain(
      '- medium not-action-allow: image-resizer (eu-west-1): Reviewed in SEC-1234 (role tag)',
    );
    expect(output.slice(0, muted)).not.toContain('role-shared');
    const expired = output.indexOf('Expired suppressions (1)');
    expect(expired).toBeGreaterThan(muted);
    expect(output.slice(expired)).toContain(
      '- rule unscoped-write, function image-*, role *: expired 2026-06-30 (Migration to per-bucket',
    );
    expect(output).toContain(
      '- policy arn:aws:iam::123456789012:policy/legacy-batch: MalformedPolicyDocument:',
    );
  });

  it('has "New since last run" and "Fixed since last run" sections only when a previous run is known', () => {
    // Prepare
    const withHistory = sampleReportWithHistory();
    const withoutHistory = sampleReport();

    // Act
    const output = renderReport(withHistory, 'text');
    const plain = renderReport(withoutHistory, 'text');

    // Assess
    const newSection = output.slice(
      output.indexOf('New since last run (2)'),
      output.indexOf('Fixed since last run'),
    );
    expect(newSection).toContain(
      '- critical admin-access: orders-api (us-east-1): Role grants full administrator access',
    );
    expect(newSection).toContain('- high logging-missing: report-builder (eu-west-1)');
    expect(newSection).not.toContain('trust-too-broad');
    expect(output).toContain('Fixed since last run (1)');
    expect(output).toContain('- high secrets-in-environment: payments-webhook: Environment variable');
    expect(plain).not.toContain('since last run');
  });

  it('puts the partial and truncated notices right under the title and points to the full report', () => {
    // Prepare
    const report = partialReport();

    // Act
    const output = renderReport(report, 'text');

    // Assess
    const partial = output.indexOf('Partial report: remaining time fell below 60 seconds.');
    expect(partial).toBeGreaterThan(-1);
    expect(partial).toBeLessThan(output.indexOf('Findings by function'));
    expect(output).toContain('legacy-mailer … and 2 more.');
    expect(output).toContain('Truncated: 12 lower-severity findings omitted');
    expect(output).toContain('Full report: s3://audit-reports/reports/full.json\n');
  });

  it('says "No findings." for an empty report', () => {
    // Prepare
    const report = emptyReport();

    // Act
    const output = renderReport(report, 'text');

    // Assess
    expect(output.split('\n')[0]).toBe('lambda-role-auditor 123456789012: no findings');
    expect(output).toContain('3 functions and 3 roles audited in us-east-1');
    expect(output).toContain('\nNo findings.\n');
    expect(output).not.toContain('Errors');
  });
});

describe('renderReport: incomplete findings', () => {
  it.each(['table', 'text', 'markdown', 'json'] as const)(
    'renders findings without evidence or optional fields in the %s format',
    (format) => {
      // Prepare: shapes a report read back from an older or hand-written JSON file may have
      const report = emptyReport();
      const sparse = {
        id: 'sparse-1',
        ruleId: 'role-missing',
        severity: 'high',
        title: 'Role does not exist',
        functionName: 'orphan-function',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orphan-function',
        region: 'us-east-1',
        roleArn: '',
        conditional: false,
        muted: null,
      } as unknown as Finding;
      const emptyEvidence: Finding = {
        ...sparse,
        id: 'sparse-2',
        ruleId: 'inline-policy',
        evidence: [{}],
        message: '',
      };
      report.findings.push(sparse, emptyEvidence);
      report.summary.findings.high = 2;

      // Act
      const output = renderReport(report, format);

      // Assess
      expect(output).toContain('role-missing');
      expect(output).toContain('orphan-function');
      expect(output).not.toContain('undefined');
    },
  );
});

describe('renderReport: markdown', () => {
  it('has a heading, a counts table and the findings table in severity order', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const output = renderReport(report, 'markdown');

    // Assess
    const lines = output.split('\n');
    expect(lines[0]).toBe('# lambda-role-auditor: account 123456789012');
    expect(output).toContain('**1 critical, 4 high, 1 medium, 2 info (2 muted, 2 errors)**');
    expect(output).toContain('| critical | 1 |\n| high | 4 |\n| medium | 1 |\n| low | 0 |\n| info | 2 |');
    const tableStart = lines.indexOf('| Severity | Rule | Function | Region | Detail |');
    const rows = EXPECTED_ORDER.map((ruleId) => lineIndex(lines, `| \`${ruleId}\` |`, tableStart));
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
    expect(rows[0]).toBe(tableStart + 2);
    expect(lines[rows[1]!]).toMatch(/^\| high\\\* \| `privilege-escalation` \| deploy-helper \|/);
  });

  it('escapes pipes so that a message cannot split a table row', () => {
    // Prepare
    const report = sampleReport();
    const finding = report.findings.find((candidate) => candidate.ruleId === 'unscoped-write')!;
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
    expect(unescapedPipes).toHaveLength(6);
    finding.muted = null;
    const activeRow = renderReport(report, 'markdown')
      .split('\n')
      .find((line) => line.includes('`unscoped-write` |'));
    expect(activeRow).toContain('Allows s3:Get\\* \\| s3:Put\\* on all buckets');
  });

  it('lists details per function, muted findings, fixed findings and errors', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const output = renderReport(report, 'markdown');

    // Assess
    expect(output).toContain(
      '### report-builder (eu-west-1)\n\nRole: `arn:aws:iam::123456789012:role/report-builder-role`',
    );
    expect(output).toContain('- **critical** `admin-access`: Role grants full administrator access (new)');
    expect(output).toContain(
      '  - Evidence: policy `image-resizer-s3`, statement `WriteImages`; actions: `s3:PutObject`',
    );
    expect(output).toContain('… and 7 more; resources: `*`');
    expect(output).toContain('## Muted (2)');
    expect(output).toContain(
      '| low | `role-shared` | thumbnail-worker | eu-west-1 | Image pipeline workers share',
    );
    expect(output).toContain('## Fixed since last run (1)');
    expect(output).toContain('## Errors (2)');
    expect(output).toContain('- role `arn:aws:iam::210987654321:role/partner-sync-role`: `CrossAccount`');
  });

  it('says "No findings." for an empty report', () => {
    // Prepare
    const report = emptyReport();

    // Act
    const output = renderReport(report, 'markdown');

    // Assess
    expect(output).toContain('**no findings**');
    expect(output).toContain('## Findings\n\nNo findings.');
    expect(output).not.toContain('## Details');
  });
});

describe('renderReport: formats', () => {
  it('rejects an unknown format with a named error', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const render = () => renderReport(report, 'html' as never);

    // Assess
    expect(render).toThrow(UnknownReportFormatError);
    expect(render).toThrow('expected one of table, text, json, markdown');
    expect(isReportFormat('markdown')).toBe(true);
    expect(isReportFormat('html')).toBe(false);
  });
});
