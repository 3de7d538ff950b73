import { describe, expect, it } from 'vitest';
import {
  type AccountReports,
  accountsNeverHeardOf,
  organizationExitCode,
  rollUpOrganization,
} from '../../src/org/rollup.js';
import { accountReport } from './org-reports.js';

const now = new Date('2026-11-30T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();

/** An account whose newest run is also its baseline. */
function completeAccount(report: ReturnType<typeof accountReport>): AccountReports {
  return {
    account: report.account,
    newest: { key: `reports/${report.account}/run.json`, report },
    baseline: { key: `reports/${report.account}/latest.json`, report },
  };
}

/**
 * Four accounts: A complete with a critical role of 5 functions; B whose newest run failed, with a
 * baseline holding a critical role of 12 functions; C stale (72 h) with a high role of 40 functions;
 * D complete and clean.
 */
function organization(): AccountReports[] {
  const a = accountReport({
    account: '111111111111',
    generatedAt: hoursAgo(2),
    roles: [
      { name: 'admin-role', functions: 5, findings: [{ ruleId: 'admin-access', severity: 'critical' }] },
      { name: 'web-role', functions: 3, findings: [{ ruleId: 'unscoped-write', severity: 'high' }] },
      {
        name: 'legacy-role',
        functions: 1,
        findings: [{ ruleId: 'admin-access', severity: 'critical', muted: true }],
      },
    ],
  });
  const bBaseline = accountReport({
    account: '222222222222',
    generatedAt: hoursAgo(26),
    roles: [{ name: 'ci-role', functions: 12, findings: [{ ruleId: 'admin-access', severity: 'critical' }] }],
  });
  const bFailed = accountReport({ account: '222222222222', generatedAt: hoursAgo(1), status: 'failed' });
  const c = accountReport({
    account: '333333333333',
    generatedAt: hoursAgo(72),
    roles: [
      { name: 'batch-role', functions: 40, findings: [{ ruleId: 'unscoped-write', severity: 'high' }] },
    ],
  });
  const d = accountReport({
    account: '444444444444',
    generatedAt: hoursAgo(3),
    roles: [{ name: 'clean-role', functions: 2, findings: [] }],
  });
  return [
    completeAccount(d),
    completeAccount(c),
    {
      account: '222222222222',
      newest: { key: 'reports/222222222222/failed.json', report: bFailed },
      baseline: { key: 'reports/222222222222/latest.json', report: bBaseline },
    },
    completeAccount(a),
  ];
}

describe('rollUpOrganization', () => {
  it('ranks accounts by their worst role: severity, then functions affected; clean accounts last', () => {
    // act
    const report = rollUpOrganization(organization(), { now });

    // assess
    expect(report.accounts.map((account) => [account.account, account.top[0]?.roleName])).toEqual([
      ['222222222222', 'ci-role'],
      ['111111111111', 'admin-role'],
      ['333333333333', 'batch-role'],
      ['444444444444', undefined],
    ]);
    expect(
      report.accounts[1]?.top.map((role) => [role.roleName, role.severity, role.functionsAffected]),
    ).toEqual([
      ['admin-role', 'critical', 5],
      ['web-role', 'high', 3],
    ]);
  });

  it('gives each account the status of its newest run, stale after 48 hours, and says why', () => {
    // act
    const report = rollUpOrganization(organization(), { now });
    const byAccount = new Map(report.accounts.map((account) => [account.account, account]));

    // assess
    expect(byAccount.get('111111111111')).toMatchObject({ status: 'complete', lastRun: 'complete' });
    expect(byAccount.get('222222222222')).toMatchObject({
      status: 'failed',
      lastRun: 'failed',
      generatedAt: hoursAgo(1),
      baselineAt: hoursAgo(26),
      reason: 'every region listing failed',
    });
    expect(byAccount.get('333333333333')).toMatchObject({
      status: 'stale',
      lastRun: 'complete',
      reason: `no report since ${hoursAgo(72)} (more than 48 h)`,
    });
    expect(report.stale).toEqual(['333333333333']);
    expect(report.summary.status).toEqual({ complete: 2, partial: 0, failed: 1, stale: 1 });
  });

  it('honours another stale window', () => {
    // act
    const report = rollUpOrganization(organization(), { now, staleHours: 100 });

    // assess
    expect(report.stale).toEqual([]);
    expect(report.accounts.find((account) => account.account === '333333333333')?.status).toBe('complete');
  });

  it('totals unmuted findings by severity and by rule, and names the top roles across accounts', () => {
    // act
    const report = rollUpOrganization(organization(), { now });

    // assess
    expect(report).toMatchObject({ schemaVersion: 2, kind: 'organization', generatedAt: now.toISOString() });
    expect(report.summary.findings).toEqual({ critical: 2, high: 2, medium: 0, low: 0, info: 0 });
    expect(report.summary.muted).toBe(1);
    expect(report.summary.rolesToFix).toEqual({ critical: 2, high: 2, medium: 0, low: 0, info: 0 });
    expect(report.summary.rules).toEqual([
      { ruleId: 'admin-access', severity: 'critical', accounts: 2, roles: 2, functions: 17 },
      { ruleId: 'unscoped-write', severity: 'high', accounts: 2, roles: 2, functions: 43 },
    ]);
    expect(report.summary.topRoles.map((role) => `${role.account}/${role.roleName}`)).toEqual([
      '222222222222/ci-role',
      '111111111111/admin-role',
      '333333333333/batch-role',
      '111111111111/web-role',
    ]);
  });

  it('marks an account whose newest report is unreadable as failed, keeping its baseline findings', () => {
    // prepare
    const baseline = accountReport({
      account: '555555555555',
      generatedAt: hoursAgo(20),
      roles: [
        { name: 'app-role', functions: 1, findings: [{ ruleId: 'admin-access', severity: 'critical' }] },
      ],
    });

    // act
    const report = rollUpOrganization(
      [
        {
          account: '555555555555',
          newest: { key: 'reports/555555555555/run.json', problem: 'is not valid JSON (Unexpected token)' },
          baseline: { key: 'reports/555555555555/latest.json', report: baseline },
        },
      ],
      { now },
    );

    // assess
    expect(report.accounts[0]).toMatchObject({
      status: 'failed',
      generatedAt: null,
      reason: 'the newest report reports/555555555555/run.json is not valid JSON (Unexpected token)',
      baselineAt: hoursAgo(20),
    });
    expect(report.accounts[0]?.top.map((role) => role.roleName)).toEqual(['app-role']);
  });

  it('says the findings are unknown when the baseline is of an older schema, and leaves out unreadable findings', () => {
    // prepare
    const newest = accountReport({
      account: '666666666666',
      generatedAt: hoursAgo(1),
      roles: [
        { name: 'odd-role', functions: 1, findings: [{ ruleId: 'admin-access', severity: 'critical' }] },
      ],
    });
    (newest.findings[0] as { severity: string }).severity = 'apocalyptic';

    // act
    const report = rollUpOrganization(
      [
        {
          account: '666666666666',
          newest: { key: 'reports/666666666666/run.json', report: newest },
          baseline: { key: 'reports/666666666666/latest.json', report: { schemaVersion: 1 } },
        },
      ],
      { now },
    );

    // assess
    expect(report.accounts[0]).toMatchObject({
      status: 'complete',
      summary: null,
      top: [],
      reason: 'latest.json has schemaVersion 1, expected 2; no complete baseline yet: findings unknown',
    });
  });

  it('names an account of the organization that never reported as stale, before the others', () => {
    // act
    const found = organization();
    const missing = accountsNeverHeardOf(
      found.map((input) => input.account),
      ['111111111111', '999999999999', '999999999999'],
    );
    const report = rollUpOrganization([...found, ...missing.map((account) => ({ account }))], { now });

    // assess
    // Without findings, an account that cannot be trusted to be clean comes before a clean one.
    expect(report.accounts.slice(-2).map((account) => account.account)).toEqual([
      '999999999999',
      '444444444444',
    ]);
    expect(report.accounts.at(-2)).toMatchObject({
      account: '999999999999',
      status: 'stale',
      generatedAt: null,
      reason: 'no report at all',
      summary: null,
      top: [],
    });
    expect(report.stale).toEqual(['999999999999', '333333333333']);
    expect(report.accounts.filter((account) => account.account === '111111111111')).toHaveLength(1);
  });
});

describe('organizationExitCode', () => {
  it.each([
    ['no --fail-on', organization(), undefined, 0],
    ['a critical finding with --fail-on critical', organization(), 'critical', 1],
    ['only a clean complete account', organization().slice(0, 1), 'info', 0],
    ['a stale account even without findings at the threshold', organization().slice(0, 2), 'critical', 1],
    ['no account at all', [], 'critical', 1],
  ] as const)('%s', (_, inputs, failOn, expected) => {
    // act
    const code = organizationExitCode(rollUpOrganization(inputs, { now }), failOn);

    // assess
    expect(code).toBe(expected);
  });

  it('fails the gate for a complete account without a baseline (its findings are unknown)', () => {
    // prepare
    const scoped = accountReport({ account: '777777777777', generatedAt: hoursAgo(1) });
    scoped.scope.full = false;

    // act
    const code = organizationExitCode(
      rollUpOrganization([{ account: '777777777777', newest: { key: 'k', report: scoped } }], { now }),
      'critical',
    );

    // assess
    expect(code).toBe(1);
  });
});
