import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditReport, Finding } from '../../src/model/report.js';
import { planRoles } from '../../src/report/fix-plan.js';
import { REPORT_CSP, REPORT_SCRIPT, REPORT_STYLE } from '../../src/report/html-assets.js';
import { renderReport } from '../../src/report/render.js';
import {
  escapeHtml,
  HTML_PAGE_ROWS,
  htmlLocationOf,
  renderHtml,
  renderHtmlBytes,
  scriptJson,
} from '../../src/report/render-html.js';
import { renderText } from '../../src/report/render-text.js';
import { generatedAccount } from './large-report.js';
import {
  emptyReport,
  failedReport,
  partialCleanReport,
  partialReport,
  roleArn,
  sampleReport,
  sampleReportWithHistory,
} from './sample-report.js';

/** The role names of the fix plan's rows, in page order. */
function rowNames(page: string): string[] {
  return [...page.matchAll(/<span class="name">([^<]*)<\/span>/g)].map((match) => match[1]!);
}

/** The embedded report data, as the page's script reads it. */
function embeddedData(page: string): {
  findings: Finding[];
  plan: Array<{ role: string; findings: number[]; fix?: number; functions: string[] }>;
  errors: unknown[];
  resolved: unknown[];
} {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page);
  if (!match) throw new Error('no report data in the page');
  return JSON.parse(match[1]!);
}

function hostileReport(): AuditReport {
  const report = sampleReport();
  const evil = '<img src=x onerror=alert(1)>"\'&</script><!--';
  const admin = report.findings.find((finding) => finding.ruleId === 'admin-access')!;
  // A role name cannot hold "/", which starts the next segment of its ARN.
  const arn = roleArn('x<img src=x onerror=alert(1)>"\'&<!--');
  report.roles[0]!.roleArn = arn;
  for (const finding of report.findings) if (finding.roleArn === admin.roleArn) finding.roleArn = arn;
  admin.message = `Role ${evil} allows \u001b[31mevery\u0007 action ✓ 🙂`;
  admin.evidence = [{ policy: evil, actions: [evil], detail: evil }];
  return report;
}

describe('renderHtml', () => {
  it('ranks the fix plan exactly as the digest does', () => {
    // Prepare
    const { report } = generatedAccount(400);

    // Act
    const page = renderHtml(report);
    const digest = renderText(report).split('\n');

    // Assess
    const digestRanks = digest.flatMap(
      (line) => /^\d+\. [A-Z]+(?: NEW)? (\S+)/.exec(line)?.slice(1, 2) ?? [],
    );
    expect(digestRanks).toHaveLength(10);
    expect(rowNames(page).slice(0, 10)).toEqual(digestRanks);
    expect(rowNames(page)).toEqual(planRoles(report).map((role) => role.roleName));
  });

  it('shows the first page of roles and hides the rest until asked', () => {
    // Prepare
    const { report } = generatedAccount(400);

    // Act
    const page = renderHtml(report);

    // Assess
    const rows = [...page.matchAll(/<li data-i="(\d+)"[^>]*?( hidden)?>/g)];
    expect(rows.length).toBe(planRoles(report).length);
    expect(rows.filter((row) => !row[2]).map((row) => Number(row[1]))).toEqual(
      Array.from({ length: HTML_PAGE_ROWS }, (_, index) => index),
    );
  });

  it('marks new roles and names the functions the worst problem affects', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const page = renderHtml(report);

    // Assess
    expect(page).toContain(
      '<span class="sev sev-critical">critical</span><span class="new">NEW</span><span class="name">orders-api-role</span>' +
        '<span class="meta">5 functions: orders-api, orders-worker, orders-refund and 2 more &#xb7; admin-access, inline-policy, secrets-in-environment</span>',
    );
    expect(page).toContain(
      '<span class="new">NEW</span><span class="name">billing-role</span><span class="meta">2 of 4 functions: billing-api, billing-cron',
    );
    expect(page).toContain('<label><input type="checkbox" name="onlyNew"> new only</label>');
    expect(page).toContain('<section id="fixed"><h2>Fixed since the last run (2)</h2>');
    expect(page).toContain('<section id="muted"><h2>Muted (2)</h2>');
    expect(page).toContain('<section id="errors"><h2>Errors (2)</h2>');
    expect(page).toContain('<section id="expired"><h2>Expired suppressions (1)</h2>');
  });

  it('tells the filters which rules and severities each row has', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const page = renderHtml(report);

    // Assess
    const tokens = [...page.matchAll(/<li data-i="\d+" data-m="([^"]*)"/g)].map((match) => match[1]);
    expect(tokens[0]).toBe('admin-access:critical inline-policy:info secrets-in-environment:high');
    expect(tokens[2]).toBe('logging-missing:high log-group-create-missing:low');
    expect(page).toContain(
      '<label><input type="checkbox" name="sev" value="high" checked> high <span class="count">5</span></label>',
    );
    expect(page).toContain('<option value="logging-missing">logging-missing (1 role)</option>');
  });

  it('draws findings by rule and severity as inline SVG bars, one per rule', () => {
    // Prepare
    const report = sampleReport();
    report.findings.find((finding) => finding.ruleId === 'trust-too-broad')!.severity = 'critical';

    // Act
    const page = renderHtml(report);

    // Assess
    const bars = [...page.matchAll(/<button type="button" class="bar" data-rule="([^"]+)"/g)].map(
      (match) => match[1],
    );
    expect(bars).toEqual([
      'admin-access',
      'trust-too-broad',
      'logging-missing',
      'privilege-escalation',
      'secrets-in-environment',
      'trust-not-lambda',
      'unscoped-write',
      'log-group-create-missing',
      'inline-policy',
      'role-unreadable',
    ]);
    const logging = /data-rule="logging-missing"[\s\S]*?<\/svg>/.exec(page)![0];
    expect(logging).toContain('<rect class="b-high" x="0" y="0" width="1000" height="14">');
    expect(logging).toContain('<title>logging-missing: 2 high</title>');
  });

  it('embeds every finding once and the plan by index, for the details drawn on demand', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const data = embeddedData(renderHtml(report));

    // Assess
    expect(data.findings).toEqual(report.findings);
    const plan = planRoles(report);
    expect(data.plan.map((entry) => entry.role)).toEqual(plan.map((role) => role.roleArn));
    const first = data.plan[0]!;
    expect(first.findings.map((index) => data.findings[index]!.ruleId)).toEqual([
      'admin-access',
      'inline-policy',
      'secrets-in-environment',
    ]);
    expect(data.findings[first.fix!]!.remediation).toBe(plan[0]!.remediation);
    expect(data.plan[2]!.functions).toHaveLength(4);
    expect(data.errors).toEqual(report.errors);
  });

  it('escapes every name from the account: nothing in it becomes markup, and the page stays ASCII', () => {
    // Prepare
    const report = hostileReport();

    // Act
    const page = renderReport(report, 'html');

    // Assess
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<!--');
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    expect(page).toContain(
      '<span class="name">x&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&lt;!--</span>',
    );
    const printable = (character: string) =>
      character === '\t' || character === '\n' || (character >= ' ' && character <= '~');
    expect([...page].filter((character) => !printable(character))).toEqual([]);
    expect(embeddedData(page).findings[0]!.message).toBe(report.findings[0]!.message);
  });

  it('allows only its own style and script, by hash, and loads nothing', () => {
    // Prepare
    const page = renderHtml(sampleReport());
    const hash = (text: string) => createHash('sha256').update(text).digest('base64');

    // Act
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)![1];

    // Assess
    expect(csp).toBe(REPORT_CSP);
    expect(csp).toContain(`script-src 'sha256-${hash(REPORT_SCRIPT)}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(REPORT_STYLE)}'`);
    expect(csp).toMatch(/^default-src 'none';/);
    expect(page).toContain(`<style>${REPORT_STYLE}</style>`);
    expect(page).toContain(`<script>${REPORT_SCRIPT}</script>`);
    expect(page).not.toMatch(/\b(?:src|href)="(?!#|data:)/);
    expect(page).not.toMatch(/https?:\/\//);
    expect(`${REPORT_STYLE}${REPORT_SCRIPT}`).not.toContain('</');
  });

  it.each<[string, AuditReport, string[]]>([
    ['a complete run without findings', emptyReport(), ['Nothing to fix.', 'No unmuted findings.']],
    ['a partial run without findings', partialCleanReport(), ['NOT an all-clear', 'Partial report:']],
    [
      'a partial, truncated run',
      partialReport(),
      ['Partial report:', 'Truncated to fit the message size limit'],
    ],
    [
      'a failed run',
      failedReport(),
      ['AUDIT FAILED: nothing could be audited, so this is NOT an all-clear.'],
    ],
  ])('says what %s means', (_name, report, expected) => {
    // Act
    const page = renderHtml(report);

    // Assess
    for (const text of expected) expect(page).toContain(text);
    if (report.status !== 'complete') expect(page).not.toContain('Nothing to fix.');
  });

  it('stays under 1.5 times the size of the JSON report of a large account', () => {
    // Prepare
    const { report } = generatedAccount(2_000);

    // Act
    const page = renderHtml(report);

    // Assess
    const json = JSON.stringify(report);
    expect(page.length / json.length).toBeLessThanOrEqual(1.5);
  });
});

describe('renderHtmlBytes', () => {
  it('gives the bytes of the same page, hostile names and all', () => {
    // Prepare
    const report = hostileReport();

    // Act
    const bytes = renderHtmlBytes(report, { jsonLocation: 's3://bucket/reports/1/run.json' });

    // Assess
    const page = renderHtml(report, { jsonLocation: 's3://bucket/reports/1/run.json' });
    expect(bytes.length).toBe(page.length);
    expect(Buffer.from(bytes).toString('utf8')).toBe(page);
  });
});

describe('scriptJson', () => {
  it('can never close its script element or open a comment, and keeps every character', () => {
    // Prepare
    const value = { text: '</script><!-- & > \u2028 é 🙂' };

    // Act
    const text = scriptJson(value);

    // Assess
    expect(text).not.toMatch(/[<>&]|[^\x20-\x7e]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('escapeHtml', () => {
  it.each([
    ['<b>"x" & \'y\'</b>', '&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;'],
    ['caf\u00e9 \u{1f642}', 'caf&#xe9; &#x1f642;'],
    ['bell\u0007 escape\u001b csi\u009b', 'bell&#xfffd; escape&#xfffd; csi&#xfffd;'],
    ['tab\tnewline\n', 'tab\tnewline\n'],
  ])('escapes %j', (text, expected) => {
    // Act
    const escaped = escapeHtml(text);

    // Assess
    expect(escaped).toBe(expected);
  });
});

describe('htmlLocationOf', () => {
  it('names the page archived beside a JSON report', () => {
    // Act
    const location = htmlLocationOf('s3://bucket/reports/123456789012/2026-11-26T03-00-00.000Z-run.json');

    // Assess
    expect(location).toBe('s3://bucket/reports/123456789012/2026-11-26T03-00-00.000Z-run.html');
  });
});
