import { readFileSync } from 'node:fs';
import { auditSnapshot } from '../../src/audit/audit.js';
import { summarize } from '../../src/audit/summary.js';
import { parseSuppressions } from '../../src/audit/suppressions.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { AuditReport } from '../../src/model/report.js';

function readDemoFile(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../examples/demo-account/${file}`, import.meta.url), 'utf8'));
}

let cached: AuditReport | undefined;

/**
 * The real audit of `examples/demo-account/` with its suppressions file: 18 functions and 18 roles in two
 * regions, 21 findings (19 unmuted: 3 critical, 7 high, 4 medium, 2 low, 3 info; 11 roles to fix), one
 * muted by role tag, one muted by file, one expired suppression and one error. Each call returns a copy.
 */
export function demoReport(): AuditReport {
  if (!cached) {
    const snapshot = loadOfflineSnapshot({
      authDetails: readDemoFile('auth-details.json'),
      functions: readDemoFile('functions.json'),
    });
    cached = auditSnapshot(snapshot, {
      now: new Date('2026-11-26T03:00:00Z'),
      suppressions: parseSuppressions(readDemoFile('suppressions.json')),
    });
  }
  return structuredClone(cached);
}

/** Recounts `summary` as the audit does after a test changed the findings, roles or errors. */
export function recount(report: AuditReport): AuditReport {
  const { new: fresh, resolved } = report.summary;
  report.summary = {
    ...summarize(report.findings, report.roles, {
      functions: report.summary.functions,
      errors: report.errors.length,
    }),
    ...(fresh === undefined ? {} : { new: fresh }),
    ...(resolved === undefined ? {} : { resolved }),
  };
  return report;
}

/** The demo report cut down to the findings of the named roles (by role name), recounted. */
export function demoReportOfRoles(...roleNames: string[]): AuditReport {
  const report = demoReport();
  const wanted = (roleArn: string) => roleNames.some((name) => roleArn.endsWith(`/${name}`));
  report.findings = report.findings.filter((finding) => wanted(finding.roleArn));
  return recount(report);
}
