import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { parseSuppressions } from '../../src/audit/suppressions.js';
import { loadLastAccessed } from '../../src/load/last-accessed.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { AuditReport, Evidence, Finding } from '../../src/model/report.js';
import { functionNameFromArn } from '../../src/policy/arn.js';
import { type ExpectedFinding, loadRuleCases, withAwsManagedPolicies } from '../support/fixtures.js';

const folder = fileURLToPath(new URL('../fixtures/rules', import.meta.url));
const cases = loadRuleCases(folder);

function sameSet(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return false;
    const left = [...actual].map(String).sort();
    const right = [...expected].map(String).sort();
    return left.length === right.length && left.every((value, index) => value === right[index]);
  }
  return actual === expected;
}

function evidenceMatches(actual: Evidence[], expected: Record<string, unknown>): boolean {
  return actual.some((entry) =>
    Object.entries(expected).every(([key, value]) => sameSet((entry as Record<string, unknown>)[key], value)),
  );
}

function describeFinding(finding: Finding): string {
  const subject = finding.subject === 'role' ? `role ${finding.roleArn}` : finding.functionName;
  return `${finding.ruleId} ${subject} ${finding.severity}${finding.conditional ? ' conditional' : ''}`;
}

/** Function names per role ARN, from the report's roles index. */
function functionNamesOfRoles(report: AuditReport): Map<string, Set<string>> {
  return new Map(
    report.roles.map((role) => [role.roleArn, new Set(role.functions.map(functionNameFromArn))]),
  );
}

// Which rules need cases, and that each has one where it fires and one where it does not, is checked
// by the catalog test (test/rules/catalog.test.ts).
describe('Rule fixtures', () => {
  it.each(cases.map((ruleCase) => [ruleCase.file, ruleCase] as const))('%s', (_file, ruleCase) => {
    // Prepare
    const snapshot = loadOfflineSnapshot({
      authDetails: withAwsManagedPolicies(ruleCase.authDetails),
      functions: ruleCase.functions,
      ...(ruleCase.resourcePolicies === undefined ? {} : { resourcePolicies: ruleCase.resourcePolicies }),
    });
    const suppressions = ruleCase.suppressions ? parseSuppressions(ruleCase.suppressions) : [];
    if (ruleCase.lastAccessed)
      snapshot.usage = loadLastAccessed(ruleCase.lastAccessed, 'last-accessed').usage;

    // Act
    const report = auditSnapshot(snapshot, {
      suppressions,
      now: new Date(ruleCase.now ?? '2026-11-26T00:00:00Z'),
      ...(ruleCase.usageDays ? { usageDays: ruleCase.usageDays } : {}),
    });

    // Assess
    const namesOfRole = functionNamesOfRoles(report);
    const unmatched = new Set(report.findings);
    const problems: string[] = [];
    for (const expected of ruleCase.expect.findings) {
      const finding = report.findings.find(
        (candidate) =>
          candidate.ruleId === expected.ruleId &&
          (candidate.subject === 'function'
            ? candidate.functionName === expected.functionName
            : (namesOfRole.get(candidate.roleArn)?.has(expected.functionName) ?? false)),
      );
      if (!finding) {
        problems.push(`missing ${expected.ruleId} on ${expected.functionName}`);
        continue;
      }
      unmatched.delete(finding);
      checkFinding(finding, expected, problems);
    }
    for (const finding of unmatched)
      problems.push(`unexpected ${describeFinding(finding)}: ${finding.message}`);
    for (const expectedError of ruleCase.expect.errors ?? []) {
      const found = report.errors.some((error) =>
        Object.entries(expectedError).every(
          ([key, value]) => (error as unknown as Record<string, unknown>)[key] === value,
        ),
      );
      if (!found)
        problems.push(`missing error ${JSON.stringify(expectedError)} in ${JSON.stringify(report.errors)}`);
    }
    expect(problems, ruleCase.description).toEqual([]);
  });
});

function checkFinding(finding: Finding, expected: ExpectedFinding, problems: string[]): void {
  const label = `${expected.ruleId} on ${expected.functionName}`;
  if (expected.subject && finding.subject !== expected.subject) {
    problems.push(`${label}: subject ${finding.subject}, expected ${expected.subject}`);
  }
  if (
    expected.functionCount !== undefined &&
    (finding.subject !== 'role' || finding.functionCount !== expected.functionCount)
  ) {
    problems.push(
      `${label}: functionCount ${JSON.stringify((finding as { functionCount?: number }).functionCount)}, expected ${expected.functionCount}`,
    );
  }
  if (expected.severity && finding.severity !== expected.severity) {
    problems.push(`${label}: severity ${finding.severity}, expected ${expected.severity}`);
  }
  if (expected.conditional !== undefined && finding.conditional !== expected.conditional) {
    problems.push(`${label}: conditional ${finding.conditional}, expected ${expected.conditional}`);
  }
  if (expected.muted !== undefined && (finding.muted !== null) !== expected.muted) {
    problems.push(`${label}: muted ${JSON.stringify(finding.muted)}, expected ${expected.muted}`);
  }
  if (expected.evidenceCount !== undefined && finding.evidence.length !== expected.evidenceCount) {
    problems.push(
      `${label}: ${finding.evidence.length} evidence entries, expected ${expected.evidenceCount}: ${JSON.stringify(finding.evidence)}`,
    );
  }
  for (const evidence of expected.evidence ?? []) {
    if (!evidenceMatches(finding.evidence, evidence)) {
      problems.push(
        `${label}: no evidence like ${JSON.stringify(evidence)} in ${JSON.stringify(finding.evidence)}`,
      );
    }
  }
}
