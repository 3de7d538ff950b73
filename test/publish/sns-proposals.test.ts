import { describe, expect, it } from 'vitest';
import type { AuditReport, Proposal } from '../../src/model/report.js';
import { buildMessage, SNS_MESSAGE_LIMIT_BYTES } from '../../src/publish/sns.js';
import { demoReport } from './demo-report.js';

const LOCATION = 's3://audit-reports/reports/123456789012/2026-11-26T03-00-00.000Z-run-1.json';

/** A proposal of about 6 KB, the most a managed policy holds. */
function bigProposal(roleArn: string): Proposal {
  const actions = Array.from({ length: 200 }, (_, index) => `s3:GetSomethingNumber${index}`);
  return {
    roleArn,
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] },
    removed: { services: ['sns'], actions: [] },
    dataAsOf: '2026-11-26T18:05:41.512Z',
    days: 90,
  };
}

describe('buildMessage: proposed policies', () => {
  it('keeps the proposals of a report that fits', () => {
    // prepare
    const report: AuditReport = {
      ...demoReport(),
      proposals: [bigProposal(demoReport().findings[0]!.roleArn)],
    };

    // act
    const built = buildMessage(report, { fullReportLocation: LOCATION });

    // assess
    expect(built.report.proposals).toEqual(report.proposals);
    expect(built.digest).toContain('Replace with: the proposed policy in the full report');
  });

  it('fits 256 KB with a proposal per role, keeping a few of the roles it kept and leaving the rest to the archive', () => {
    // prepare: 80 roles with a 6 KB proposal each, about 500 KB
    const base = demoReport();
    const roles = Array.from({ length: 80 }, (_, index) => `arn:aws:iam::123456789012:role/r-${index}`);
    const report: AuditReport = {
      ...base,
      proposals: [...new Set(base.findings.map((finding) => finding.roleArn)), ...roles].map(bigProposal),
    };

    // act
    const built = buildMessage(report, { fullReportLocation: LOCATION });

    // assess
    expect(JSON.stringify(report).length).toBeGreaterThan(2 * SNS_MESSAGE_LIMIT_BYTES);
    expect(built.bytes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
    const keptRoles = new Set(built.report.findings.map((finding) => finding.roleArn));
    expect(built.report.proposals?.length).toBeGreaterThan(0);
    expect(built.report.proposals?.length).toBeLessThanOrEqual(10);
    expect(built.report.proposals?.every((proposal) => keptRoles.has(proposal.roleArn))).toBe(true);
    expect(built.report.truncated?.fullReport).toBe(LOCATION);
  });
});
