import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { splitFunctionArn } from '../../src/policy/arn.js';
import {
  auditOffline,
  functionArnOf,
  functionEntry,
  functionFindings,
  roleArnOf,
  roleDetail,
  roleFindingsOf,
} from './account.js';

const FLEET = roleArnOf('fleet-admin');
const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * An account where one administrator role runs `count` functions in us-east-1, plus `fleet-0` again in
 * eu-west-1 (one name, two functions), a published version of `fleet-1` that keeps the role, and a
 * published version of `fleet-2` that runs as the steady role.
 */
function auditFleet(count: number): AuditReport {
  const names = Array.from({ length: count }, (_, index) => `fleet-${index}`);
  return auditOffline({
    roles: [roleDetail('fleet-admin', { inline: { everything: ADMIN } })],
    functions: [
      ...names.map((name) =>
        functionEntry(
          name,
          'fleet-admin',
          name === 'fleet-3' ? { Environment: { Variables: { DB_PASSWORD: 'p4ss-w0rd' } } } : {},
        ),
      ),
      functionEntry('fleet-0', 'fleet-admin', { FunctionArn: functionArnOf('fleet-0', 'eu-west-1') }),
      functionEntry('fleet-1', 'fleet-admin', { Version: '1', FunctionArn: `${functionArnOf('fleet-1')}:1` }),
      functionEntry('fleet-2', 'steady-role', { Version: '1', FunctionArn: `${functionArnOf('fleet-2')}:1` }),
    ],
  });
}

describe('Hostile scale: one role used by hundreds of functions (offline audit)', () => {
  it('reports the role admin-access once, counting every function that runs as the role', () => {
    // act
    const report = auditFleet(300);

    // assess
    const admin = report.findings.filter((finding) => finding.ruleId === 'admin-access');
    expect(admin.map((finding) => finding.roleArn)).toEqual([FLEET, roleArnOf('reference-admin')]);
    expect(admin[0]).toMatchObject({ subject: 'role', severity: 'critical', functionCount: 301 });
    expect(admin[0]).not.toHaveProperty('functionName');
    expect(admin[0]).not.toHaveProperty('functionArn');
    expect(admin[0]!.evidence[0]).toEqual(
      expect.objectContaining({ policy: 'fleet-admin/everything', actions: ['*'], resources: ['*'] }),
    );
    expect(roleFindingsOf(report, 'fleet-admin')).toEqual([
      'admin-access 301',
      'inline-policy 301',
      'role-shared 301',
    ]);
    // The fix plan starts with the finding that affects the most functions.
    expect(report.findings[0]).toBe(admin[0]);
    expect(report.summary.findings.critical).toBe(2);
    expect(report.summary.functionsAffected.critical).toBe(302);
    expect(report.summary.functions).toBe(303);
  });

  it('lists each function ARN once under its role, versions only where they run as another role', () => {
    // act
    const report = auditFleet(300);

    // assess
    const listed = report.roles.flatMap((role) => role.functions);
    expect(new Set(listed).size).toBe(listed.length);
    const fleet = report.roles.find((role) => role.roleArn === FLEET)!;
    expect(fleet.functions).toHaveLength(301);
    expect(fleet.functions).toContain(functionArnOf('fleet-0', 'eu-west-1'));
    expect(fleet.functions).not.toContain(`${functionArnOf('fleet-1')}:1`);
    expect(report.roles.find((role) => role.roleArn === roleArnOf('steady-role'))?.functions).toEqual([
      functionArnOf('steady'),
      `${functionArnOf('fleet-2')}:1`,
    ]);
    expect(report.summary.roles).toBe(report.roles.length);
    expect(report.summary.roles).toBe(3);
    // A role finding's count is the role's functions, a version counting as its function.
    expect(new Set(fleet.functions.map((arn) => splitFunctionArn(arn).unqualified)).size).toBe(301);
  });

  it('names a few of the functions in role-shared and tells same-named functions apart by region', () => {
    // act
    const report = auditFleet(300);

    // assess
    const shared = report.findings.find(
      (finding) => finding.ruleId === 'role-shared' && finding.roleArn === FLEET,
    )!;
    expect(shared.message).toMatch(/^The role is the execution role of 301 functions: /);
    expect(shared.evidence).toEqual([
      {
        resources: [FLEET],
        functions: ['fleet-0 (us-east-1)', 'fleet-1', 'fleet-2', 'fleet-3', 'fleet-4'],
        detail: 'and 296 more functions (listed under roles in the report)',
      },
    ]);
  });

  it('keeps function findings per function, with the function named', () => {
    // act
    const report = auditFleet(300);

    // assess
    expect(functionFindings(report)).toEqual([
      expect.objectContaining({
        ruleId: 'secrets-in-environment',
        functionName: 'fleet-3',
        functionArn: functionArnOf('fleet-3'),
        region: 'us-east-1',
        roleArn: FLEET,
        evidence: [expect.objectContaining({ variables: ['DB_PASSWORD'] })],
      }),
    ]);
    expect(functionFindings(report)[0]).not.toHaveProperty('functionCount');
    expect(JSON.stringify(report)).not.toContain('p4ss-w0rd');
  });

  it('grows by the functions listed, never by findings per function', () => {
    // act
    const small = auditFleet(30);
    const large = auditFleet(300);

    // assess
    expect(large.findings.map((finding) => finding.id)).toEqual(small.findings.map((finding) => finding.id));
    expect(large.findings.map((finding) => finding.ruleId)).toEqual(
      small.findings.map((finding) => finding.ruleId),
    );
    expect(roleFindingsOf(small, 'fleet-admin')).toEqual([
      'admin-access 31',
      'inline-policy 31',
      'role-shared 31',
    ]);
  });
});
