import { describe, expect, it } from 'vitest';
import { renderOrganization } from '../../src/org/render.js';
import { type AccountReports, type OrganizationReport, rollUpOrganization } from '../../src/org/rollup.js';
import { accountReport } from './org-reports.js';

const now = new Date('2026-11-30T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();

function both(report: ReturnType<typeof accountReport>): AccountReports {
  return {
    account: report.account,
    newest: { key: 'run.json', report },
    baseline: { key: 'latest.json', report },
  };
}

function organization(roleName = 'admin-role'): OrganizationReport {
  return rollUpOrganization(
    [
      both(
        accountReport({
          account: '111111111111',
          generatedAt: hoursAgo(2),
          roles: [
            { name: roleName, functions: 5, findings: [{ ruleId: 'admin-access', severity: 'critical' }] },
            { name: 'web-role', functions: 3, findings: [{ ruleId: 'unscoped-write', severity: 'high' }] },
          ],
        }),
      ),
      both(accountReport({ account: '333333333333', generatedAt: hoursAgo(72), roles: [] })),
    ],
    { now },
  );
}

describe('renderOrganization', () => {
  it('text: names the worst account and role first, in lines of at most 78 columns', () => {
    // act
    const text = renderOrganization(organization(), 'text');
    const lines = text.trimEnd().split('\n');

    // assess
    expect(lines[0]).toBe('lambda-role-auditor: organization - 2 accounts: 1 complete, 1 STALE');
    expect(lines[1]).toBe('Fix first: account 111111111111, role admin-role (critical, 5 functions). 2');
    expect(text).toContain(' 1. CRITICAL 111111111111 admin-role: 5 of 5 functions');
    expect(text).toContain('111111111111 complete: roles to fix: 1 critical, 1 high; worst admin-role');
    expect(text).toContain('admin-access (critical): 1 account, 1 role, 5 functions');
    expect(text).toContain('333333333333 STALE (last report 2026-11-27T12:00:00.000Z)');
    expect(lines.filter((line) => line.length > 78)).toEqual([]);
  });

  it('text: an account that is not complete is never said to have nothing to fix', () => {
    // prepare: the stale account's last findings were clean; a complete one is clean too
    const report = rollUpOrganization(
      [
        both(accountReport({ account: '333333333333', generatedAt: hoursAgo(72), roles: [] })),
        both(accountReport({ account: '444444444444', generatedAt: hoursAgo(1), roles: [] })),
      ],
      { now },
    );

    // act
    const text = renderOrganization(report, 'text');

    // assess
    expect(text).toContain('333333333333 STALE: nothing known to fix');
    expect(text).toContain('444444444444 complete: nothing to fix');
  });

  it('json: the SPEC §9b contract, with every account', () => {
    // act
    const parsed = JSON.parse(renderOrganization(organization(), 'json'));

    // assess
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion',
      'kind',
      'generatedAt',
      'accounts',
      'summary',
      'stale',
    ]);
    expect(
      parsed.accounts.map((account: { account: string; status: string }) => [
        account.account,
        account.status,
      ]),
    ).toEqual([
      ['111111111111', 'complete'],
      ['333333333333', 'stale'],
    ]);
    expect(parsed.accounts[0].top[0]).toMatchObject({
      roleName: 'admin-role',
      severity: 'critical',
      rules: ['admin-access'],
    });
    expect(parsed.stale).toEqual(['333333333333']);
  });

  it('html: escapes a hostile role name and runs no script', () => {
    // prepare
    const hostile = '<img src=x onerror=alert(1)>"\u001b[31m';

    // act
    const html = renderOrganization(organization(hostile), 'html');

    // assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('\u001b');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;');
    expect(html).toMatch(
      /Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/,
    );
  });

  it('markdown: a hostile role name can neither add table cells, links nor HTML', () => {
    // prepare
    const hostile = 'x|[click](javascript:alert(1))<b>`';

    // act
    const markdown = renderOrganization(organization(hostile), 'markdown');
    const topRow = markdown.split('\n').find((line) => line.startsWith('| 1 |'));

    // assess
    expect(topRow).toBeDefined();
    // Seven cells: the pipe inside the name is escaped.
    expect(topRow!.split(/(?<!\\)\|/).length - 2).toBe(7);
    // Outside code spans (which show their text literally), nothing is left unescaped.
    const outsideCode = markdown.replace(/``.*?``|`[^`]*`/g, '');
    expect(outsideCode).not.toMatch(/(?<!\\)<b>|(?<!\\)\]\(/);
    expect(topRow).toContain('`` x\\|[click](javascript:alert(1))<b>` ``');
    expect(markdown).toContain('| `111111111111` | complete | 1 critical, 1 high |');
  });
});
