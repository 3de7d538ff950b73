import { describe, expect, it } from 'vitest';
import type { AuditReport, FunctionFinding } from '../../src/model/report.js';
import { ASFF_SCHEMA_VERSION, productArnOf, toSecurityHubFindings } from '../../src/publish/security-hub.js';
import {
  failedReport,
  functionArn,
  roleArn,
  roleFinding,
  sampleFinding,
  sampleReportWithHistory,
} from '../report/sample-report.js';

const TARGET = { region: 'eu-west-1' };
const PRODUCT = 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default';

function findingsOf(report: AuditReport) {
  return toSecurityHubFindings(report, TARGET);
}

describe('toSecurityHubFindings', () => {
  it('maps every finding and every resolved finding once, under the own product ARN with stable ids', () => {
    // Prepare
    const report = sampleReportWithHistory();

    // Act
    const findings = findingsOf(report);

    // Assess
    expect(findings).toHaveLength(report.findings.length + report.resolved!.length);
    expect(new Set(findings.map((finding) => finding.Id)).size).toBe(findings.length);
    expect(findings.map((finding) => finding.Id)).toEqual([
      ...report.findings.map((finding) => `lambda-role-auditor/123456789012/${finding.id}`),
      ...report.resolved!.map((resolved) => `lambda-role-auditor/123456789012/${resolved.id}`),
    ]);
    for (const finding of findings) {
      expect(finding).toMatchObject({
        SchemaVersion: ASFF_SCHEMA_VERSION,
        ProductArn: PRODUCT,
        AwsAccountId: '123456789012',
        CreatedAt: report.generatedAt,
        UpdatedAt: report.generatedAt,
      });
    }
    expect(findingsOf(sampleReportWithHistory()).map((finding) => finding.Id)).toEqual(
      findings.map((finding) => finding.Id),
    );
  });

  it('reports a role finding on the role, with the functions that run as it', () => {
    // Prepare
    const report = sampleReportWithHistory();
    const admin = sampleFinding(report, 'admin-access', 'orders-api-role');

    // Act
    const finding = findingsOf(report).find((candidate) => candidate.Id?.endsWith(admin.id))!;

    // Assess
    expect(finding).toMatchObject({
      GeneratorId: 'admin-access',
      Title: admin.title,
      Severity: { Label: 'CRITICAL', Original: 'critical' },
      FindingProviderFields: { Severity: { Label: 'CRITICAL' } },
      Types: ['Software and Configuration Checks/AWS Security Best Practices/Least Privilege'],
      Remediation: { Recommendation: { Text: admin.remediation } },
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
    });
    expect(finding.Description).toContain('Role orders-api-role allows every action on every resource.');
    expect(finding.Description).toContain('Execution role of 5 functions.');
    expect(finding.Description).toContain('policy arn:aws:iam::aws:policy/AdministratorAccess');
    expect(finding.Resources!.map((resource) => [resource.Type, resource.Id, resource.Region])).toEqual([
      ['AwsIamRole', roleArn('orders-api-role'), 'eu-west-1'],
      ['AwsLambdaFunction', functionArn('us-east-1', 'orders-api'), 'us-east-1'],
      ['AwsLambdaFunction', functionArn('us-east-1', 'orders-worker'), 'us-east-1'],
      ['AwsLambdaFunction', functionArn('us-east-1', 'orders-refund'), 'us-east-1'],
      ['AwsLambdaFunction', functionArn('us-east-1', 'orders-audit'), 'us-east-1'],
      ['AwsLambdaFunction', functionArn('eu-west-1', 'orders-export'), 'eu-west-1'],
    ]);
    expect(finding.Resources![1]!.Details).toEqual({
      AwsLambdaFunction: { FunctionName: 'orders-api', Role: roleArn('orders-api-role') },
    });
    expect(finding.Resources![0]!.Details).toEqual({ AwsIamRole: { RoleName: 'orders-api-role' } });
  });

  it('reports a function finding on the function, then its role; a version keeps its qualifier', () => {
    // Prepare
    const report = sampleReportWithHistory();
    const secret = sampleFinding(report, 'secrets-in-environment', 'orders-export') as FunctionFinding;
    report.findings.push({
      ...secret,
      id: 'version-3',
      functionArn: functionArn('us-east-1', 'orders-api', '3'),
      functionName: 'orders-api',
      region: 'us-east-1',
    });

    // Act
    const findings = findingsOf(report);
    const finding = findings.find((candidate) => candidate.Id?.endsWith(secret.id))!;
    const version = findings.find((candidate) => candidate.Id?.endsWith('/version-3'))!;

    // Assess
    expect(finding.GeneratorId).toBe('secrets-in-environment');
    expect(finding.Types).toEqual(['Sensitive Data Identifications/Passwords']);
    expect(finding.Severity?.Label).toBe('HIGH');
    expect(finding.Resources!.map((resource) => [resource.Type, resource.Id])).toEqual([
      ['AwsLambdaFunction', functionArn('eu-west-1', 'orders-export')],
      ['AwsIamRole', roleArn('orders-api-role')],
    ]);
    expect(finding.Description).toContain('variables: STRIPE_API_KEY');
    expect(version.Resources![0]!.Details?.AwsLambdaFunction).toEqual({
      FunctionName: 'orders-api',
      Role: roleArn('orders-api-role'),
      Version: '3',
    });
  });

  it('never imports a muted finding as active, and says why it is muted', () => {
    // Prepare
    const report = sampleReportWithHistory();
    const muted = sampleFinding(report, 'role-shared', 'image-resizer-role');

    // Act
    const finding = findingsOf(report).find((candidate) => candidate.Id?.endsWith(muted.id))!;

    // Assess
    expect(finding.RecordState).toBe('ARCHIVED');
    expect(finding.ProductFields?.['lambda-role-auditor/muted']).toBe(
      'Image pipeline workers share one role by design (until 2027-01-31, owner media-team, suppressions file)',
    );
    const active = findingsOf(report).filter((candidate) => candidate.RecordState === 'ACTIVE');
    expect(active.map((candidate) => candidate.Id)).toEqual(
      report.findings
        .filter((candidate) => !candidate.muted)
        .map((candidate) => `lambda-role-auditor/123456789012/${candidate.id}`),
    );
  });

  it('archives the findings resolved since the last run as passed', () => {
    // Prepare
    const report = sampleReportWithHistory();
    const [fixedFunction, fixedRole] = report.resolved!;

    // Act
    const findings = findingsOf(report);
    const byId = (id: string) => findings.find((candidate) => candidate.Id?.endsWith(`/${id}`))!;

    // Assess
    for (const fixed of [byId(fixedFunction!.id), byId(fixedRole!.id)]) {
      expect(fixed).toMatchObject({
        RecordState: 'ARCHIVED',
        Compliance: { Status: 'PASSED' },
        Severity: { Label: 'INFORMATIONAL' },
      });
      expect(fixed.Description).toMatch(/^Resolved: the audit of 2026-07-08T02:00:13.512Z no longer finds/);
    }
    expect(byId(fixedFunction!.id).Resources!.map((resource) => resource.Type)).toEqual([
      'AwsLambdaFunction',
      'AwsIamRole',
    ]);
    expect(byId(fixedRole!.id)).toMatchObject({
      GeneratorId: 'service-wildcard',
      Resources: [{ Type: 'AwsIamRole', Id: roleArn('old-etl-role') }],
    });
  });

  it('lists at most 32 resources: the role and its first 31 functions, and says so', () => {
    // Prepare
    const report = sampleReportWithHistory();
    const busy = roleArn('busy-role');
    const functions = Array.from({ length: 40 }, (_, index) => functionArn('us-east-1', `busy-${index}`));
    report.roles.push({ roleArn: busy, functions });
    report.findings.push(
      roleFinding({
        ruleId: 'unscoped-read',
        severity: 'low',
        title: 'Data-reading actions allowed on all resources',
        roleArn: busy,
        functionCount: 40,
        message: 'x'.repeat(3000),
        remediation: 'y'.repeat(900),
        conditional: true,
      }),
    );

    // Act
    const finding = findingsOf(report).find((candidate) => candidate.Resources?.[0]?.Id === busy)!;

    // Assess
    expect(finding.Resources).toHaveLength(32);
    expect(finding.Resources!.at(-1)!.Id).toBe(functions[30]);
    expect(finding.Description!.length).toBeLessThanOrEqual(1024);
    expect(finding.Remediation!.Recommendation!.Text!.length).toBeLessThanOrEqual(512);
    expect(finding.ProductFields).toMatchObject({
      'lambda-role-auditor/functionCount': '40',
      'lambda-role-auditor/conditional': 'true',
    });
  });

  it('exports nothing for a failed run: it looked at nothing', () => {
    // Act
    const findings = findingsOf(failedReport());

    // Assess
    expect(findings).toEqual([]);
  });

  it.each([
    ['us-east-1', 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default'],
    ['us-gov-west-1', 'arn:aws-us-gov:securityhub:us-gov-west-1:123456789012:product/123456789012/default'],
    ['cn-north-1', 'arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default'],
  ])('names the own product ARN in %s', (region, expected) => {
    // Act
    const arn = productArnOf({ region }, '123456789012');

    // Assess
    expect(arn).toBe(expected);
  });
});
