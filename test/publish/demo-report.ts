import { readFileSync } from 'node:fs';
import { auditSnapshot } from '../../src/audit/audit.js';
import { parseSuppressions } from '../../src/audit/suppressions.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { AuditReport, Finding } from '../../src/model/report.js';
import { SEVERITIES } from '../../src/model/severity.js';
import type { AuditError } from '../../src/model/snapshot.js';

function readDemoFile(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../examples/demo-account/${file}`, import.meta.url), 'utf8'));
}

let cached: AuditReport | undefined;

/**
 * The real audit of `examples/demo-account/` with its suppressions file: 22 findings in two regions, two
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

/** Recounts `summary.findings` and `summary.muted` after a test changed the findings. */
export function recount(report: AuditReport): AuditReport {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of report.findings) if (!finding.muted) counts[finding.severity] += 1;
  report.summary.findings = counts;
  report.summary.muted = report.findings.filter((finding) => finding.muted).length;
  report.summary.errors = report.errors.length;
  return report;
}

/**
 * A very large account: the demo findings repeated over `count` distinct functions (ids unique), sorted
 * highest severity first as the audit sorts them, plus `errorCount` role errors.
 */
export function largeReport(count: number, errorCount = 0): AuditReport {
  const report = demoReport();
  const templates = report.findings;
  const findings: Finding[] = [];
  for (let index = 0; index < count; index += 1) {
    const template = templates[index % templates.length]!;
    const functionName = `${template.functionName}-${String(index).padStart(5, '0')}`;
    findings.push({
      ...structuredClone(template),
      id: `${template.id.slice(0, 10)}${index.toString(16).padStart(6, '0')}`,
      functionName,
      functionArn: template.functionArn.replace(
        `:function:${template.functionName}`,
        `:function:${functionName}`,
      ),
    });
  }
  findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const errors: AuditError[] = Array.from({ length: errorCount }, (_, index) => ({
    scope: 'role',
    arn: `arn:aws:iam::123456789012:role/team-${index}-role`,
    code: 'AccessDenied',
    message: `User is not authorized to perform iam:GetRole on role team-${index}-role (request ${index}).`,
  }));
  report.findings = findings;
  report.errors = [...report.errors, ...errors];
  return recount(report);
}
