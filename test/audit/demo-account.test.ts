import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditSnapshot, findingId, roleFindingId } from '../../src/audit/audit.js';
import { compareFixOrder } from '../../src/audit/summary.js';
import { loadLastAccessed } from '../../src/load/last-accessed.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import type { Finding } from '../../src/model/report.js';
import { functionNameFromArn, splitFunctionArn } from '../../src/policy/arn.js';
import { planRoles } from '../../src/report/fix-plan.js';
import { RULES } from '../../src/rules/index.js';

const read = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../examples/demo-account/${file}`, import.meta.url), 'utf8'));

/** One line of `expected.json`: a finding as it concerns one function (or published version). */
interface ExpectedDemoFinding {
  functionName: string;
  version: string;
  ruleId: string;
  severity: string;
  conditional: boolean;
}

function key(finding: ExpectedDemoFinding): string {
  return `${finding.functionName}@${finding.version} ${finding.ruleId} ${finding.severity}${finding.conditional ? ' conditional' : ''}`;
}

describe('Demo account', () => {
  const snapshot = loadOfflineSnapshot({
    authDetails: read('auth-details.json'),
    functions: read('functions.json'),
    resourcePolicies: read('resource-policies.json'),
  });
  const report = auditSnapshot(snapshot, { now: new Date('2026-11-26T00:00:00Z') });
  const expected = read('expected.json') as {
    findings: ExpectedDemoFinding[];
    cleanFunctions: string[];
    withLastAccessed: { findings: ExpectedDemoFinding[]; proposals: string[] };
  };
  const functionsOfRole = new Map(report.roles.map((role) => [role.roleArn, role.functions]));

  /** What a finding says about each function: a role finding about every function of its role. */
  function perFunction(finding: Finding): ExpectedDemoFinding[] {
    const arns =
      finding.subject === 'role' ? (functionsOfRole.get(finding.roleArn) ?? []) : [finding.functionArn];
    return arns.map((arn) => ({
      functionName: functionNameFromArn(arn),
      version: splitFunctionArn(arn).qualifier ?? '$LATEST',
      ruleId: finding.ruleId,
      severity: finding.severity,
      conditional: finding.conditional,
    }));
  }

  it('is a complete audit of the whole account', () => {
    expect(report.schemaVersion).toBe(2);
    expect(report.status).toBe('complete');
    expect(report.scope).toEqual({
      regions: ['eu-west-1', 'us-east-1'],
      functions: null,
      minSeverity: null,
      full: true,
    });
    expect(report.summary.functions).toBe(18);
    expect(report.summary.roles).toBe(18);
  });

  // The demo shows the common mistakes; a new rule need not fire in it (its fixture folder proves it fires).
  it('fires only registered rules, each of them named in expected.json', () => {
    const fired = new Set(report.findings.map((finding) => finding.ruleId));
    const registered = new Set(RULES.map((rule) => rule.meta.id));
    expect([...fired].filter((id) => !registered.has(id))).toEqual([]);
    expect([...fired].sort()).toEqual(
      [...new Set(expected.findings.map((finding) => finding.ruleId))].sort(),
    );
  });

  const usageSnapshot = loadOfflineSnapshot({
    authDetails: read('auth-details.json'),
    functions: read('functions.json'),
    resourcePolicies: read('resource-policies.json'),
  });
  usageSnapshot.usage = loadLastAccessed(read('last-accessed.json'), 'last-accessed.json').usage;
  const withUsage = auditSnapshot(usageSnapshot, { now: new Date('2026-11-27T00:00:00Z') });

  it('adds exactly the usage findings the account was designed to have, with its last-accessed data', () => {
    const actual = withUsage.findings.flatMap(perFunction).map(key);
    expect(withUsage.status).toBe('complete');
    expect(withUsage.usage).toEqual({ days: 90, roles: 16 });
    expect(actual.sort()).toEqual(
      [...expected.findings, ...expected.withLastAccessed.findings].map(key).sort(),
    );
  });

  it('offers a proven replacement policy for its over-broad roles', () => {
    const proposals = withUsage.proposals ?? [];
    expect(proposals.map((proposal) => proposal.roleArn.split('/').pop()).sort()).toEqual(
      expected.withLastAccessed.proposals,
    );
    const thumbnails = proposals.find((proposal) => proposal.roleArn.endsWith('/thumbnail-resizer-role'))!;
    expect(thumbnails.removed.services).toEqual(['s3-object-lambda']);
    expect(JSON.stringify(thumbnails.policy)).not.toContain('"s3:*"');
    expect(withUsage.errors.map((error) => error.code)).toEqual(['CrossAccount']);
  });

  it('produces exactly the findings the account was designed to have, role findings through the roles index', () => {
    const actual = report.findings.flatMap(perFunction).map(key);
    expect(actual.sort()).toEqual(expected.findings.map(key).sort());
  });

  it('reports each role finding once per role, with its role id and the number of functions using the role', () => {
    const roleFindings = report.findings.filter((finding) => finding.subject === 'role');
    const keys = roleFindings.map((finding) => `${finding.ruleId} ${finding.roleArn}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const finding of roleFindings) {
      expect(finding.id).toBe(roleFindingId(finding.ruleId, finding.roleArn));
      const functions = new Set(
        (functionsOfRole.get(finding.roleArn) ?? []).map((arn) => splitFunctionArn(arn).unqualified),
      );
      expect(finding.functionCount, finding.id).toBe(functions.size);
    }
    const shared = roleFindings.find((finding) => finding.ruleId === 'role-shared');
    expect(shared).toMatchObject({
      roleArn: 'arn:aws:iam::123456789012:role/webhooks-role',
      functionCount: 2,
      muted: { source: 'tag' },
    });
    expect(shared?.evidence[0]?.functions).toEqual(['github-webhook', 'stripe-webhook']);
  });

  it('reports function findings per function, with the id of rule, function and role', () => {
    const functionFindings = report.findings.filter((finding) => finding.subject === 'function');
    expect(functionFindings.map((finding) => `${finding.ruleId} ${finding.functionName}`).sort()).toEqual([
      'cross-account-invoke partner-sync',
      'function-url-public data-migration',
      'invoke-service-unscoped ses-bounce-handler',
      'log-group-create-missing ses-bounce-handler',
      'logging-missing ses-bounce-handler',
      'public-invoke csv-importer',
      'secrets-in-environment csv-importer',
      'secrets-in-environment legacy-cron',
    ]);
    for (const finding of functionFindings) {
      expect(finding.id).toBe(findingId(finding.ruleId, finding.functionArn, finding.roleArn));
    }
  });

  it('lists every audited function once in the roles index, a version with its own role by its qualified ARN', () => {
    const arns = report.roles.flatMap((role) => role.functions);
    expect(new Set(arns).size).toBe(arns.length);
    expect(arns).toContain('arn:aws:lambda:eu-west-1:123456789012:function:invoice-generator:2');
    expect(arns).not.toContain('arn:aws:lambda:eu-west-1:123456789012:function:invoice-generator:3');
    expect(arns).not.toContain('arn:aws:lambda:us-east-1:123456789012:function:edge-security-headers:1');
  });

  it('orders the findings as a fix plan', () => {
    expect([...report.findings].sort(compareFixOrder).map((finding) => finding.id)).toEqual(
      report.findings.map((finding) => finding.id),
    );
    expect(report.findings[0]?.severity).toBe('critical');
  });

  it('puts the public function URL on the administrator role at the top of the fix plan', () => {
    const [first] = planRoles(report);
    expect(first).toMatchObject({
      roleName: 'data-migration-role',
      severity: 'critical',
      publiclyInvocable: true,
      functionNames: ['data-migration'],
    });
    expect(first?.remediation).toMatch(
      /^Close the URL \(aws lambda update-function-url-config --region us-east-1/,
    );
    expect(report.findings[0]).toMatchObject({
      ruleId: 'function-url-public',
      functionName: 'data-migration',
      severity: 'critical',
      evidence: expect.arrayContaining([
        {
          resources: ['https://q4xk2m7ntb6vwz3rcdpah5yeju0slgfo.lambda-url.us-east-1.on.aws/'],
          detail: expect.any(String),
        },
      ]),
    });
  });

  it('leaves the clean functions without findings', () => {
    const withFindings = new Set(report.findings.flatMap(perFunction).map((finding) => finding.functionName));
    expect(expected.cleanFunctions.length).toBeGreaterThanOrEqual(5);
    for (const name of expected.cleanFunctions) expect(withFindings.has(name), name).toBe(false);
  });
});
