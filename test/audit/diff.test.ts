import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type AuditOptions, auditSnapshot, findingId, roleFindingId } from '../../src/audit/audit.js';
import { compareReports, diffReports, isBaseline } from '../../src/audit/diff.js';
import { parseSuppressions } from '../../src/audit/suppressions.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { AuditReport, Finding } from '../../src/model/report.js';
import type { AccountSnapshot } from '../../src/model/snapshot.js';
import { functionNameFromArn } from '../../src/policy/arn.js';
import { demoReport, recount } from '../publish/demo-report.js';

const ACCOUNT = '123456789012';
const NOW = new Date('2026-11-27T03:00:00Z');

function readDemoFile(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../examples/demo-account/${file}`, import.meta.url), 'utf8'));
}

function roleArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

/** Audits the demo account, with its suppressions file, after `change` edited the snapshot. */
function auditDemo(
  change: (snapshot: AccountSnapshot) => void = () => {},
  options: AuditOptions = {},
): AuditReport {
  const snapshot = loadOfflineSnapshot({
    authDetails: readDemoFile('auth-details.json'),
    functions: readDemoFile('functions.json'),
  });
  change(snapshot);
  return auditSnapshot(snapshot, {
    now: NOW,
    suppressions: parseSuppressions(readDemoFile('suppressions.json')),
    ...options,
  });
}

/** Snapshot edits: the account as it is after someone fixed, broke or could not read something. */
const edits = {
  secretRemovedFrom(name: string) {
    return (snapshot: AccountSnapshot) => {
      for (const fn of snapshot.functions) if (fn.functionName === name) fn.secretSuspects = [];
    };
  },
  policyDetached(role: string, policyArn: string) {
    return (snapshot: AccountSnapshot) => {
      const record = snapshot.roles.get(roleArn(role))!;
      record.attachedPolicyArns = record.attachedPolicyArns.filter((arn) => arn !== policyArn);
    };
  },
  roleUnreadable(role: string) {
    return (snapshot: AccountSnapshot) => {
      snapshot.roles.delete(roleArn(role));
      snapshot.roleFailures.set(roleArn(role), {
        code: 'AccessDenied',
        message: `User is not authorized to perform iam:GetRole on ${role}`,
      });
    };
  },
  regionNotListed(region: string) {
    return (snapshot: AccountSnapshot) => {
      snapshot.functions = snapshot.functions.filter((fn) => fn.region !== region);
      snapshot.errors.push({
        scope: 'region',
        arn: region,
        code: 'AccessDeniedException',
        message: 'ListFunctions failed: not authorized',
      });
    };
  },
  onlyRegion(region: string) {
    return (snapshot: AccountSnapshot) => {
      snapshot.functions = snapshot.functions.filter((fn) => fn.region === region);
      snapshot.regions = [region];
    };
  },
  /** Two more functions run as data-migration-role (AdministratorAccess): three in all. */
  adminRoleForThreeFunctions(snapshot: AccountSnapshot) {
    const original = snapshot.functions.find((fn) => fn.functionName === 'data-migration')!;
    for (const [name, region] of [
      ['data-migration-backfill', 'us-east-1'],
      ['data-migration-eu', 'eu-west-1'],
    ] as const) {
      snapshot.functions.push({
        ...original,
        functionName: name,
        functionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`,
        region,
      });
    }
  },
};

function combine(...changes: Array<(snapshot: AccountSnapshot) => void>) {
  return (snapshot: AccountSnapshot) => {
    for (const change of changes) change(snapshot);
  };
}

/** A role finding by rule and role name, or a function finding by rule and function name. */
function findingOf(report: AuditReport, ruleId: string, subject: string): Finding {
  const finding = report.findings.find(
    (entry) =>
      entry.ruleId === ruleId &&
      (entry.subject === 'role' ? entry.roleArn === roleArn(subject) : entry.functionName === subject),
  );
  if (!finding) throw new Error(`the report has no ${ruleId} finding on ${subject}`);
  return finding;
}

function without(report: AuditReport, ...removed: Finding[]): AuditReport {
  const ids = new Set(removed.map((finding) => finding.id));
  return recount({
    ...structuredClone(report),
    findings: report.findings.filter((finding) => !ids.has(finding.id)),
  });
}

function statusById(report: AuditReport): Map<string, string | undefined> {
  return new Map(report.findings.map((finding) => [finding.id, finding.status]));
}

function resolvedIds(report: AuditReport): string[] {
  return (report.resolved ?? []).map((finding) => finding.id);
}

/**
 * The same report as a schemaVersion 1 report would have said it: every role finding once per function
 * of the role, with the per-function id, the function's name, ARN and region; no subject, status,
 * scope or roles index.
 */
function asVersion1(report: AuditReport): Record<string, unknown> {
  const functionsOf = new Map(report.roles.map((role) => [role.roleArn, role.functions]));
  const findings = report.findings.flatMap((finding) => {
    if (finding.subject === 'function') {
      const { subject: _subject, ...fields } = finding;
      return [fields];
    }
    const { subject: _subject, functionCount: _count, ...fields } = finding;
    return (functionsOf.get(finding.roleArn) ?? []).map((arn) => ({
      ...fields,
      id: findingId(finding.ruleId, arn, finding.roleArn),
      functionName: functionNameFromArn(arn),
      functionArn: arn,
      region: arn.split(':')[3],
    }));
  });
  const { status: _status, scope, roles: _roles, ...rest } = report;
  return { ...rest, schemaVersion: 1, regions: scope.regions, findings };
}

describe('compareReports', () => {
  it('leaves statuses unset and adds no history without a previous report', () => {
    // Prepare: a current report that still carries history from an earlier comparison
    const current = demoReport();
    current.findings[0]!.status = 'new';
    current.summary.new = 1;
    current.resolved = [];

    // Act
    const comparison = compareReports(current, undefined);

    // Assess
    expect(comparison.previous).toBe('none');
    expect(comparison.problem).toBeUndefined();
    expect(comparison.report.findings.every((finding) => finding.status === undefined)).toBe(true);
    expect(comparison.report.summary.new).toBeUndefined();
    expect(comparison.report.summary.resolved).toBeUndefined();
    expect(comparison.report.resolved).toBeUndefined();
  });

  it('marks role findings new or unchanged by role id and lists a fixed role finding once, without a function', () => {
    // Prepare: admin-access on data-migration-role appeared since; service-wildcard on thumbnail-resizer-role was fixed
    const full = demoReport();
    const appeared = findingOf(full, 'admin-access', 'data-migration-role');
    const fixed = findingOf(full, 'service-wildcard', 'thumbnail-resizer-role');
    const previous = without(full, appeared);
    const current = without(full, fixed);

    // Act
    const report = diffReports(current, previous);

    // Assess
    expect(appeared.id).toBe(roleFindingId('admin-access', roleArn('data-migration-role')));
    const statuses = statusById(report);
    expect([...statuses].filter(([, status]) => status === 'new').map(([id]) => id)).toEqual([appeared.id]);
    expect([...statuses.values()].filter((status) => status === 'unchanged')).toHaveLength(
      current.findings.length - 1,
    );
    expect(report.resolved).toEqual([
      {
        id: fixed.id,
        ruleId: 'service-wildcard',
        subject: 'role',
        severity: 'high',
        roleArn: roleArn('thumbnail-resizer-role'),
        title: fixed.title,
      },
    ]);
    expect(report.summary.new).toBe(1);
    expect(report.summary.resolved).toBe(1);
    expect(report.summary.findings).toEqual(current.summary.findings);
  });

  it('lists a fixed function finding with its function', () => {
    // Prepare: the access key in csv-importer's environment was removed
    const previous = demoReport();
    const fixed = findingOf(previous, 'secrets-in-environment', 'csv-importer');

    // Act
    const report = diffReports(auditDemo(edits.secretRemovedFrom('csv-importer')), previous);

    // Assess
    expect(report.resolved).toEqual([
      {
        id: fixed.id,
        ruleId: 'secrets-in-environment',
        subject: 'function',
        severity: 'high',
        roleArn: roleArn('csv-importer-role'),
        title: fixed.title,
        functionName: 'csv-importer',
        functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:csv-importer`,
      },
    ]);
    expect(report.summary.new).toBe(0);
  });

  it('does not change its inputs', () => {
    // Prepare
    const full = demoReport();
    const current = without(full, findingOf(full, 'not-action-allow', 'partner-sync-role'));
    const previous = without(full, findingOf(full, 'role-missing', 'legacy-cron-role'));
    const currentBefore = structuredClone(current);
    const previousBefore = structuredClone(previous);

    // Act
    diffReports(current, previous);

    // Assess
    expect(current).toEqual(currentBefore);
    expect(previous).toEqual(previousBefore);
  });

  it('marks a muted new finding new but does not count it in summary.new', () => {
    // Prepare: the previous run had neither the role-shared finding (muted by role tag) nor service-wildcard
    const current = demoReport();
    const shared = findingOf(current, 'role-shared', 'webhooks-role');
    const appeared = findingOf(current, 'service-wildcard', 'thumbnail-resizer-role');
    const previous = without(current, shared, appeared);

    // Act
    const report = diffReports(current, previous);

    // Assess
    const statuses = statusById(report);
    expect(shared.muted).not.toBeNull();
    expect(statuses.get(shared.id)).toBe('new');
    expect(statuses.get(appeared.id)).toBe('new');
    expect(report.summary.new).toBe(1);
  });

  it('keeps the fix-plan order of the current report', () => {
    // Prepare
    const current = demoReport();
    const previous = without(current, findingOf(current, 'admin-access', 'data-migration-role'));

    // Act
    const report = diffReports(current, previous);

    // Assess
    expect(report.findings.map((finding) => finding.id)).toEqual(
      current.findings.map((finding) => finding.id),
    );
  });

  describe('a schemaVersion 1 baseline', () => {
    it('compares per-function copies of a role finding as one unchanged role finding', () => {
      // Prepare: data-migration-role (AdministratorAccess) runs three functions; v1 said admin-access three times
      const current = auditDemo(edits.adminRoleForThreeFunctions);
      const previous = asVersion1(current);
      const admin = findingOf(current, 'admin-access', 'data-migration-role');

      // Act
      const comparison = compareReports(current, previous);

      // Assess
      expect(admin.subject === 'role' && admin.functionCount).toBe(3);
      const copies = (previous.findings as Array<{ ruleId: string }>).filter(
        (f) => f.ruleId === 'admin-access',
      );
      expect(copies).toHaveLength(3);
      expect(comparison.previous).toBe('compared');
      expect(statusById(comparison.report).get(admin.id)).toBe('unchanged');
      expect(comparison.report.findings.every((finding) => finding.status === 'unchanged')).toBe(true);
      expect(comparison.report.summary.new).toBe(0);
      expect(comparison.report.resolved).toEqual([]);
    });

    it('resolves a role finding that v1 reported per function once, with the v2 id', () => {
      // Prepare: AmazonS3FullAccess was detached from thumbnail-resizer-role since the v1 baseline
      const previous = asVersion1(demoReport());
      const current = auditDemo(
        edits.policyDetached('thumbnail-resizer-role', 'arn:aws:iam::aws:policy/AmazonS3FullAccess'),
      );

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(report.resolved).toEqual([
        {
          id: roleFindingId('service-wildcard', roleArn('thumbnail-resizer-role')),
          ruleId: 'service-wildcard',
          subject: 'role',
          severity: 'high',
          roleArn: roleArn('thumbnail-resizer-role'),
          title: findingOf(demoReport(), 'service-wildcard', 'thumbnail-resizer-role').title,
        },
      ]);
      expect(report.summary.new).toBe(0);
    });
  });

  describe('a scoped run', () => {
    it('resolves nothing of the functions its globs leave out', () => {
      // Prepare: a run of csv-* after the access key was removed from csv-importer
      const previous = demoReport();
      const current = auditDemo(edits.secretRemovedFrom('csv-importer'), { functions: ['csv-*'] });

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(current.scope).toMatchObject({ functions: ['csv-*'], full: false });
      expect(current.findings.length).toBeLessThan(previous.findings.length - 10);
      expect(resolvedIds(report)).toEqual([findingOf(previous, 'secrets-in-environment', 'csv-importer').id]);
      expect(statusById(report).get(findingOf(previous, 'trust-not-lambda', 'csv-importer-role').id)).toBe(
        'unchanged',
      );
    });

    it('resolves a fixed role finding of a role it audited', () => {
      // Prepare: a run of thumbnail-* after AmazonS3FullAccess was detached
      const previous = demoReport();
      const current = auditDemo(
        edits.policyDetached('thumbnail-resizer-role', 'arn:aws:iam::aws:policy/AmazonS3FullAccess'),
        { functions: ['thumbnail-*'] },
      );

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(resolvedIds(report)).toEqual([
        findingOf(previous, 'service-wildcard', 'thumbnail-resizer-role').id,
      ]);
    });

    it.each<[string, AuditOptions]>([
      ['a function glob that takes one of its two functions', { functions: ['github-*'] }],
      ['a function glob that takes both of its functions', { functions: ['*-webhook'] }],
    ])('never resolves role-shared: %s', (_name, options) => {
      // Prepare: webhooks-role ran github-webhook (us-east-1) and stripe-webhook (eu-west-1); stripe-webhook
      // has another role now, so a full run sees role-shared fixed, but a scoped run cannot know
      // whether a function outside its scope still shares the role
      const previous = demoReport();
      const shared = findingOf(previous, 'role-shared', 'webhooks-role');
      const stripeMoved = (snapshot: AccountSnapshot) => {
        for (const fn of snapshot.functions) {
          if (fn.functionName === 'stripe-webhook') fn.roleArn = roleArn('csv-importer-role');
        }
      };
      const current = auditDemo(stripeMoved, options);

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(current.findings.some((finding) => finding.ruleId === 'role-shared')).toBe(false);
      expect(current.roles.map((role) => role.roleArn)).toContain(roleArn('webhooks-role'));
      expect(resolvedIds(report)).not.toContain(shared.id);
      expect(resolvedIds(diffReports(auditDemo(stripeMoved), previous))).toContain(shared.id);
    });

    it('resolves nothing in the regions it left out, and never role-shared across regions', () => {
      // Prepare: a us-east-1 run after the access key was removed from csv-importer (us-east-1)
      const previous = demoReport();
      const current = auditDemo(
        combine(edits.onlyRegion('us-east-1'), edits.secretRemovedFrom('csv-importer')),
        { regionsScoped: true },
      );

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(current.scope).toMatchObject({ regions: ['us-east-1'], full: false });
      expect(current.status).toBe('complete');
      expect(current.findings.some((finding) => finding.ruleId === 'role-shared')).toBe(false);
      expect(
        previous.findings.filter((f) => f.subject === 'function' && f.region === 'eu-west-1'),
      ).toHaveLength(2);
      expect(resolvedIds(report)).toEqual([findingOf(previous, 'secrets-in-environment', 'csv-importer').id]);
    });

    it('is scoped when it lists fewer regions than its baseline, even without being told (a CLI --region)', () => {
      // Prepare: a run of us-east-1 only that does not know it is narrower than the baseline
      const previous = demoReport();
      const current = auditDemo(
        combine(edits.onlyRegion('us-east-1'), edits.secretRemovedFrom('csv-importer')),
      );
      expect(current.scope.full).toBe(true);

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(report.scope.full).toBe(false);
      expect(isBaseline(report)).toBe(false);
      expect(resolvedIds(report)).toEqual([findingOf(previous, 'secrets-in-environment', 'csv-importer').id]);
    });
  });

  describe('a partial run', () => {
    it('resolves nothing in a region it could not list, and what it fixed where it could', () => {
      // Prepare: eu-west-1 could not be listed; the access key was removed from csv-importer (us-east-1)
      const previous = demoReport();
      const current = auditDemo(
        combine(edits.regionNotListed('eu-west-1'), edits.secretRemovedFrom('csv-importer')),
      );

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(current.status).toBe('partial');
      expect(current.partial?.notAudited).toEqual(['region eu-west-1']);
      expect(resolvedIds(report)).toEqual([findingOf(previous, 'secrets-in-environment', 'csv-importer').id]);
    });

    it.each([
      ['its role findings', 'csv-importer-role', ['trust-not-lambda', 'trust-too-broad']],
      [
        'its functions’ logging findings',
        'ses-bounce-handler-role',
        ['logging-missing', 'log-group-create-missing'],
      ],
    ])('resolves nothing of a role that became unreadable: %s', (_name, role, rules) => {
      // Prepare: iam:GetRole is denied for the role now
      const previous = demoReport();
      const before = previous.findings.filter((finding) => finding.roleArn === roleArn(role));
      const current = auditDemo(edits.roleUnreadable(role));

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(before.map((finding) => finding.ruleId)).toEqual(expect.arrayContaining(rules));
      expect(current.status).toBe('partial');
      expect(current.partial?.notAudited).toEqual([roleArn(role)]);
      for (const ruleId of rules) {
        expect(
          current.findings.some((finding) => finding.ruleId === ruleId && finding.roleArn === roleArn(role)),
        ).toBe(false);
      }
      expect(report.resolved).toEqual([]);
      const unreadable = findingOf(report, 'role-unreadable', role);
      expect(unreadable.status).toBe('new');
      expect(unreadable.evidence[0]?.detail).toContain('AccessDenied');
    });
  });

  describe('an unusable previous report', () => {
    it.each([
      ['a newer schema', { ...demoReport(), schemaVersion: 3 }, 'schemaVersion 3, expected 1 or 2'],
      ['a string', 'not a report', 'not a JSON object'],
      ['a list', [demoReport()], 'not a JSON object'],
      ['no findings list', { schemaVersion: 2, account: ACCOUNT }, 'no findings list'],
      ['another account', { ...demoReport(), account: '210987654321' }, 'of account 210987654321'],
    ])('ignores %s and says why', (_name, previous, problem) => {
      // Prepare
      const current = demoReport();

      // Act
      const comparison = compareReports(current, previous);

      // Assess
      expect(comparison.previous).toBe('ignored');
      expect(comparison.problem).toContain(problem);
      expect(comparison.report.findings.every((finding) => finding.status === undefined)).toBe(true);
      expect(comparison.report.summary.new).toBeUndefined();
      expect(comparison.report.resolved).toBeUndefined();
    });

    it('skips malformed entries of an otherwise valid previous report', () => {
      // Prepare: a previous report with junk entries and one real finding that is gone now
      const full = demoReport();
      const fixed = findingOf(full, 'role-missing', 'legacy-cron-role');
      const current = without(full, fixed);
      const previous = { ...full, findings: [...full.findings, null, 42, { ruleId: 'no-id' }] };

      // Act
      const comparison = compareReports(current, previous);

      // Assess
      expect(comparison.previous).toBe('compared');
      expect(resolvedIds(comparison.report)).toEqual([fixed.id]);
    });
  });
});

describe('isBaseline', () => {
  it.each<[string, () => AuditReport, boolean]>([
    ['a complete run of the configured regions', () => auditDemo(), true],
    ['a complete run under a severity filter', () => auditDemo(() => {}, { minSeverity: 'high' }), true],
    ['a run with a function filter', () => auditDemo(() => {}, { functions: ['csv-*'] }), false],
    [
      'a run of fewer regions',
      () => auditDemo(edits.onlyRegion('us-east-1'), { regionsScoped: true }),
      false,
    ],
    ['a partial run', () => auditDemo(edits.regionNotListed('eu-west-1')), false],
    [
      'a failed run',
      () => auditDemo(combine(edits.regionNotListed('eu-west-1'), edits.regionNotListed('us-east-1'))),
      false,
    ],
  ])('%s → %s', (_name, build, expected) => {
    // Prepare
    const report = build();

    // Act
    const baseline = isBaseline(report);

    // Assess
    expect(baseline).toBe(expected);
  });
});
