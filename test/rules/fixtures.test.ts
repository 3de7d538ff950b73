import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { parseSuppressions } from '../../src/audit/suppressions.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { Evidence, Finding } from '../../src/model/report.js';
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
  return `${finding.ruleId} ${finding.functionName} ${finding.severity}${finding.conditional ? ' conditional' : ''}`;
}

describe('Rule fixtures', () => {
  it('has cases for every rule', () => {
    const rules = new Set(cases.map((ruleCase) => ruleCase.file.split('/')[0]));
    expect(rules.size).toBe(15);
  });

  it.each(cases.map((ruleCase) => [ruleCase.file, ruleCase] as const))('%s', (_file, ruleCase) => {
    // Prepare
    const snapshot = loadOfflineSnapshot({
      authDetails: withAwsManagedPolicies(ruleCase.authDetails),
      functions: ruleCase.functions,
    });
    const suppressions = ruleCase.suppressions ? parseSuppressions(ruleCase.suppressions) : [];

    // Act
    const report = auditSnapshot(snapshot, {
      suppressions,
      now: new Date(ruleCase.now ?? '2026-11-26T00:00:00Z'),
    });

    // Assess
    const unmatched = [...report.findings];
    const problems: string[] = [];
    for (const expected of ruleCase.expect.findings) {
      const index = unmatched.findIndex(
        (finding) => finding.ruleId === expected.ruleId && finding.functionName === expected.functionName,
      );
      if (index < 0) {
        problems.push(`missing ${expected.ruleId} on ${expected.functionName}`);
        continue;
      }
      const finding = unmatched.splice(index, 1)[0]!;
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
  if (expected.severity && finding.severity !== expected.severity) {
    problems.push(`${label}: severity ${finding.severity}, expected ${expected.severity}`);
  }
  if (expected.conditional !== undefined && finding.conditional !== expected.conditional) {
    problems.push(`${label}: conditional ${finding.conditional}, expected ${expected.conditional}`);
  }
  if (expected.muted !== undefined && (finding.muted !== null) !== expected.muted) {
    problems.push(`${label}: muted ${JSON.stringify(finding.muted)}, expected ${expected.muted}`);
  }
  for (const evidence of expected.evidence ?? []) {
    if (!evidenceMatches(finding.evidence, evidence)) {
      problems.push(
        `${label}: no evidence like ${JSON.stringify(evidence)} in ${JSON.stringify(finding.evidence)}`,
      );
    }
  }
}
