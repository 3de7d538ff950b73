import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import { RULES } from '../../src/rules/index.js';

const read = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../examples/demo-account/${file}`, import.meta.url), 'utf8'));

interface ExpectedDemoFinding {
  functionName: string;
  version: string;
  ruleId: string;
  severity: string;
  conditional: boolean;
}

describe('Demo account', () => {
  const snapshot = loadOfflineSnapshot({
    authDetails: read('auth-details.json'),
    functions: read('functions.json'),
  });
  const report = auditSnapshot(snapshot, { now: new Date('2026-11-26T00:00:00Z') });
  const expected = read('expected.json') as { findings: ExpectedDemoFinding[]; cleanFunctions: string[] };

  it('fires every rule of the catalog at least once', () => {
    const fired = new Set(report.findings.map((finding) => finding.ruleId));
    expect([...fired].sort()).toEqual(RULES.map((rule) => rule.meta.id).sort());
  });

  it('produces exactly the findings the account was designed to have', () => {
    const key = (
      f: { functionName: string; ruleId: string; severity: string; conditional: boolean },
      version: string,
    ) => `${f.functionName}@${version} ${f.ruleId} ${f.severity}${f.conditional ? ' conditional' : ''}`;
    const actual = report.findings.map((finding) => {
      const version = /:function:[^:]+:(\d+)$/.exec(finding.functionArn)?.[1] ?? '$LATEST';
      return key(finding, version);
    });
    expect(actual.sort()).toEqual(expected.findings.map((finding) => key(finding, finding.version)).sort());
  });

  it('leaves the clean functions without findings', () => {
    const withFindings = new Set(report.findings.map((finding) => finding.functionName));
    expect(expected.cleanFunctions.length).toBeGreaterThanOrEqual(5);
    for (const name of expected.cleanFunctions) expect(withFindings.has(name), name).toBe(false);
  });
});
