import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { compareReports } from '../../src/audit/diff.js';
import { loadLastAccessed } from '../../src/load/last-accessed.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { AccountSnapshot } from '../../src/model/snapshot.js';

const NOW = new Date('2026-11-27T03:00:00Z');
const USAGE_RULES = ['role-unused', 'unused-services', 'unused-actions'];

const read = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../examples/demo-account/${file}`, import.meta.url), 'utf8'));

/** The demo account, with or without its last-accessed data. */
function demo(withUsage: boolean, change: (snapshot: AccountSnapshot) => void = () => {}) {
  const snapshot = loadOfflineSnapshot({
    authDetails: read('auth-details.json'),
    functions: read('functions.json'),
  });
  if (withUsage) snapshot.usage = loadLastAccessed(read('last-accessed.json'), 'last-accessed.json').usage;
  change(snapshot);
  return auditSnapshot(snapshot, { now: NOW });
}

describe('Diff of usage findings', () => {
  it('never resolves them in a run that read no last-accessed data', () => {
    // prepare
    const baseline = demo(true);

    // act
    const { report } = compareReports(demo(false), baseline);

    // assess
    expect(
      baseline.findings.filter((finding) => USAGE_RULES.includes(finding.ruleId)).length,
    ).toBeGreaterThan(3);
    expect(report.resolved?.filter((finding) => USAGE_RULES.includes(finding.ruleId))).toEqual([]);
  });

  it('resolves them in a complete run that read the data and no longer sees them', () => {
    // prepare: sns of nightly-report-role was used again since
    const baseline = demo(true);
    const later = demo(true, (snapshot) => {
      const usage = snapshot.usage!.roles.get('arn:aws:iam::123456789012:role/nightly-report-role')!;
      for (const service of usage.services) service.lastAuthenticated = '2026-11-26T02:00:00+00:00';
    });

    // act
    const { report } = compareReports(later, baseline);

    // assess
    expect(
      report.resolved?.map((finding) => `${finding.ruleId} ${finding.roleArn.split('/').pop()}`),
    ).toEqual(['unused-services nightly-report-role']);
  });
});
