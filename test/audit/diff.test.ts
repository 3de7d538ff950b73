import { describe, expect, it } from 'vitest';
import { compareReports, diffReports } from '../../src/audit/diff.js';
import type { AuditReport, Finding } from '../../src/model/report.js';
import { demoReport, recount } from '../publish/demo-report.js';

function findingOf(report: AuditReport, functionName: string, ruleId: string): Finding {
  const finding = report.findings.find(
    (entry) => entry.functionName === functionName && entry.ruleId === ruleId,
  );
  if (!finding) throw new Error(`the demo report has no ${ruleId} finding on ${functionName}`);
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

describe('diffReports', () => {
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

  it('marks new and unchanged findings by id and lists the findings that are gone as resolved', () => {
    // Prepare: admin-access on data-migration appeared since; secrets on csv-importer was fixed since
    const full = demoReport();
    const appeared = findingOf(full, 'data-migration', 'admin-access');
    const fixed = findingOf(full, 'csv-importer', 'secrets-in-environment');
    const previous = without(full, appeared);
    const current = without(full, fixed);

    // Act
    const report = diffReports(current, previous);

    // Assess
    const statuses = statusById(report);
    expect(statuses.get(appeared.id)).toBe('new');
    expect([...statuses].filter(([, status]) => status === 'new').map(([id]) => id)).toEqual([appeared.id]);
    expect([...statuses.values()].filter((status) => status === 'unchanged')).toHaveLength(
      current.findings.length - 1,
    );
    expect(report.resolved).toEqual([
      {
        id: fixed.id,
        ruleId: 'secrets-in-environment',
        severity: 'high',
        functionName: 'csv-importer',
        roleArn: fixed.roleArn,
        title: fixed.title,
      },
    ]);
    expect(report.summary.new).toBe(1);
    expect(report.summary.resolved).toBe(1);
    expect(report.summary.findings).toEqual(current.summary.findings);
  });

  it('does not change its inputs', () => {
    // Prepare
    const full = demoReport();
    const current = without(full, findingOf(full, 'partner-sync', 'not-action-allow'));
    const previous = without(full, findingOf(full, 'legacy-cron', 'role-missing'));
    const currentBefore = structuredClone(current);
    const previousBefore = structuredClone(previous);

    // Act
    diffReports(current, previous);

    // Assess
    expect(current).toEqual(currentBefore);
    expect(previous).toEqual(previousBefore);
  });

  it('marks a muted new finding new but does not count it in summary.new', () => {
    // Prepare: the previous run had neither of the two role-shared findings, which are muted by role tag
    const current = demoReport();
    const shared = current.findings.filter((finding) => finding.ruleId === 'role-shared');
    expect(shared.length).toBe(2);
    expect(shared.every((finding) => finding.muted !== null)).toBe(true);
    const appeared = findingOf(current, 'thumbnail-resizer', 'service-wildcard');
    const previous = without(current, ...shared, appeared);

    // Act
    const report = diffReports(current, previous);

    // Assess
    const statuses = statusById(report);
    expect(shared.map((finding) => statuses.get(finding.id))).toEqual(['new', 'new']);
    expect(statuses.get(appeared.id)).toBe('new');
    expect(report.summary.new).toBe(1);
  });

  it('does not resolve previous findings of regions the current run did not audit', () => {
    // Prepare: the current run covered us-east-1 only; every eu-west-1 finding is absent from it
    const previous = demoReport();
    const current = recount({
      ...demoReport(),
      regions: ['us-east-1'],
      findings: demoReport().findings.filter((finding) => finding.region === 'us-east-1'),
    });
    expect(previous.findings.some((finding) => finding.region === 'eu-west-1')).toBe(true);

    // Act
    const report = diffReports(current, previous);

    // Assess
    expect(report.resolved).toEqual([]);
    expect(report.summary.resolved).toBe(0);
  });

  describe('a partial current report', () => {
    function partialCase() {
      const previous = demoReport();
      // csv-importer keeps one finding (so it was audited) and lost another; nightly-report was not reached.
      const fixedOnAudited = findingOf(previous, 'csv-importer', 'secrets-in-environment');
      const unreached = previous.findings.filter((finding) => finding.functionName === 'nightly-report');
      const current = without(previous, fixedOnAudited, ...unreached);
      // The collector does not always know what it missed (a listing that stopped early names its region).
      current.partial = { reason: 'time limit: collection stopped with 28 s left', notAudited: [] };
      return { previous, current, fixedOnAudited, unreached };
    }

    it('resolves only findings of functions it proves it audited', () => {
      // Prepare
      const { previous, current, fixedOnAudited } = partialCase();

      // Act
      const report = diffReports(current, previous);

      // Assess
      expect(report.resolved?.map((finding) => finding.id)).toEqual([fixedOnAudited.id]);
      expect(report.summary.resolved).toBe(1);
      expect(report.summary.new).toBe(0);
    });

    it('resolves findings of clean functions the caller says were audited, except those not audited', () => {
      // Prepare: ses-bounce-handler was audited and is clean now; nightly-report is named in notAudited
      const { previous, current, fixedOnAudited, unreached } = partialCase();
      const cleaned = previous.findings.filter((finding) => finding.functionName === 'ses-bounce-handler');
      const cleanedCurrent = without(current, ...cleaned);
      cleanedCurrent.partial = { ...current.partial!, notAudited: [unreached[0]!.functionArn] };
      const audited = [
        ...new Set(
          [...cleanedCurrent.findings, ...cleaned, fixedOnAudited, ...unreached].map((f) => f.functionArn),
        ),
      ];

      // Act
      const report = diffReports(cleanedCurrent, previous, { auditedFunctionArns: audited });

      // Assess
      const resolvedIds = new Set(report.resolved?.map((finding) => finding.id));
      expect(resolvedIds).toEqual(new Set([fixedOnAudited.id, ...cleaned.map((finding) => finding.id)]));
      expect(unreached.some((finding) => resolvedIds.has(finding.id))).toBe(false);
    });

    it('resolves nothing in a region whose listing stopped early', () => {
      // Prepare: the region of every eu-west-1 finding is named by a notAudited entry
      const previous = demoReport();
      const fixed = previous.findings.filter((finding) => finding.region === 'eu-west-1');
      const current = without(previous, ...fixed);
      current.partial = {
        reason: 'time limit: collection stopped with 28 s left',
        notAudited: ['region eu-west-1: listing stopped after 50 functions'],
      };
      const audited = previous.findings.map((finding) => finding.functionArn);

      // Act
      const report = diffReports(current, previous, { auditedFunctionArns: audited });

      // Assess
      expect(fixed.length).toBeGreaterThan(0);
      expect(report.resolved).toEqual([]);
    });
  });

  describe('an unusable previous report', () => {
    it.each([
      ['a newer schema', { ...demoReport(), schemaVersion: 2 }, 'schemaVersion 2, expected 1'],
      ['a string', 'not a report', 'not a JSON object'],
      ['a list', [demoReport()], 'not a JSON object'],
      ['no findings list', { schemaVersion: 1, account: '123456789012' }, 'no findings list'],
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
      const fixed = findingOf(full, 'legacy-cron', 'role-missing');
      const current = without(full, fixed);
      const previous = { ...full, findings: [...full.findings, null, 42, { ruleId: 'no-id' }] };

      // Act
      const comparison = compareReports(current, previous);

      // Assess
      expect(comparison.previous).toBe('compared');
      expect(comparison.report.resolved?.map((finding) => finding.id)).toEqual([fixed.id]);
    });
  });
});
