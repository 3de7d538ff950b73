import type { AuditReport, Finding, SeverityCounts } from '../../src/model/report.js';

const account = '123456789012';

function roleArn(name: string): string {
  return `arn:aws:iam::${account}:role/${name}`;
}

function functionArn(region: string, name: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
}

/** Findings of a realistic account: two regions, a published version, a cross-account role, two mutes. */
function sampleFindings(): Finding[] {
  return [
    {
      id: 'a3f1c2d4e5b60718',
      ruleId: 'inline-policy',
      severity: 'info',
      title: 'Role has inline policies',
      functionName: 'orders-api',
      functionArn: functionArn('us-east-1', 'orders-api'),
      region: 'us-east-1',
      roleArn: roleArn('orders-api-role'),
      message: 'Role orders-api-role has 1 inline policy (orders-table-access).',
      evidence: [{ policy: 'orders-table-access' }],
      remediation:
        'Move inline policies into customer managed policies so they are named, versioned and reusable.',
      conditional: false,
      muted: null,
    },
    {
      id: '0b9e7d2c1a3f4e56',
      ruleId: 'admin-access',
      severity: 'critical',
      title: 'Role grants full administrator access',
      functionName: 'orders-api',
      functionArn: functionArn('us-east-1', 'orders-api'),
      region: 'us-east-1',
      roleArn: roleArn('orders-api-role'),
      message: 'Role orders-api-role allows every action on every resource.',
      evidence: [
        {
          policy: 'arn:aws:iam::aws:policy/AdministratorAccess',
          statement: '0',
          actions: ['*'],
          resources: ['*'],
        },
      ],
      remediation:
        'Detach AdministratorAccess and grant only the actions the function calls, on the resources it uses.',
      conditional: false,
      muted: null,
    },
    {
      id: '5c4d3e2f1a0b9c8d',
      ruleId: 'unscoped-write',
      severity: 'medium',
      title: 'Write actions allowed on all resources',
      functionName: 'image-resizer',
      functionArn: functionArn('eu-west-1', 'image-resizer'),
      region: 'eu-west-1',
      roleArn: roleArn('image-resizer-role'),
      message:
        'Role image-resizer-role allows 12 write actions on "*" although they can be scoped to resources.',
      evidence: [
        {
          policy: 'image-resizer-s3',
          statement: 'WriteImages',
          actions: [
            's3:PutObject',
            's3:DeleteObject',
            's3:PutObjectAcl',
            's3:PutObjectTagging',
            's3:DeleteObjectTagging',
            's3:PutBucketPolicy',
            's3:DeleteBucket',
            's3:PutBucketAcl',
            's3:PutLifecycleConfiguration',
            's3:PutBucketCors',
            's3:RestoreObject',
            's3:AbortMultipartUpload',
          ],
          resources: ['*'],
        },
      ],
      remediation:
        'Restrict Resource to the bucket ARNs the function writes, e.g. arn:aws:s3:::images-bucket/*.',
      conditional: false,
      muted: null,
    },
    {
      id: '9a8b7c6d5e4f3a2b',
      ruleId: 'privilege-escalation',
      severity: 'high',
      title: 'Role can escalate its own privileges',
      functionName: 'deploy-helper',
      functionArn: functionArn('us-east-1', 'deploy-helper'),
      region: 'us-east-1',
      roleArn: roleArn('deploy-helper-role'),
      message:
        'Role deploy-helper-role can pass any role to a new Lambda function (iam:PassRole with lambda:CreateFunction).',
      evidence: [
        {
          policy: `arn:aws:iam::${account}:policy/deploy-helper`,
          statement: 'Deploy',
          actions: ['iam:PassRole', 'lambda:CreateFunction'],
          resources: ['*'],
          detail:
            'method: PassRole + lambda:CreateFunction; allowed only when aws:RequestedRegion is us-east-1',
        },
      ],
      remediation: 'Limit iam:PassRole to the specific role ARNs the function deploys with.',
      conditional: true,
      muted: null,
    },
    {
      id: '1f2e3d4c5b6a7980',
      ruleId: 'trust-too-broad',
      severity: 'high',
      title: 'Trust policy lets other principals assume the role',
      functionName: 'report-builder',
      functionArn: functionArn('eu-west-1', 'report-builder'),
      region: 'eu-west-1',
      roleArn: roleArn('report-builder-role'),
      message: 'The trust policy of report-builder-role also trusts ec2.amazonaws.com.',
      evidence: [{ policy: 'trust policy', statement: '0', principals: ['ec2.amazonaws.com'] }],
      remediation: 'Remove every principal except lambda.amazonaws.com from the trust policy.',
      conditional: false,
      muted: null,
    },
    {
      id: '2a3b4c5d6e7f8091',
      ruleId: 'logging-missing',
      severity: 'high',
      title: 'Function cannot write its logs',
      functionName: 'report-builder',
      functionArn: functionArn('eu-west-1', 'report-builder'),
      region: 'eu-west-1',
      roleArn: roleArn('report-builder-role'),
      message:
        'Role report-builder-role cannot logs:PutLogEvents on log group /aws/lambda/report-builder in eu-west-1.',
      evidence: [],
      remediation: 'Attach AWSLambdaBasicExecutionRole or allow logs:CreateLogStream and logs:PutLogEvents.',
      conditional: false,
      muted: null,
    },
    {
      id: '3b4c5d6e7f809102',
      ruleId: 'trust-not-lambda',
      severity: 'high',
      title: 'Lambda cannot assume the role',
      functionName: 'orders-api',
      functionArn: `${functionArn('us-east-1', 'orders-api')}:3`,
      region: 'us-east-1',
      roleArn: roleArn('orders-api-legacy-role'),
      message: 'The trust policy of orders-api-legacy-role does not let lambda.amazonaws.com sts:AssumeRole.',
      evidence: [{ policy: 'trust policy', statement: '0', principals: ['ec2.amazonaws.com'] }],
      remediation: 'Add lambda.amazonaws.com as a service principal with sts:AssumeRole.',
      conditional: false,
      muted: null,
    },
    {
      id: '4c5d6e7f80910213',
      ruleId: 'role-unreadable',
      severity: 'info',
      title: 'Role could not be read',
      functionName: 'partner-sync',
      functionArn: functionArn('us-east-1', 'partner-sync'),
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::210987654321:role/partner-sync-role',
      message: 'The role is in account 210987654321; the function is not fully audited.',
      evidence: [],
      remediation: 'Audit the role from account 210987654321, or use a role of this account.',
      conditional: false,
      muted: null,
    },
    {
      id: '5d6e7f8091021324',
      ruleId: 'role-shared',
      severity: 'low',
      title: 'Role is shared by several functions',
      functionName: 'thumbnail-worker',
      functionArn: functionArn('eu-west-1', 'thumbnail-worker'),
      region: 'eu-west-1',
      roleArn: roleArn('image-resizer-role'),
      message: 'Role image-resizer-role is the execution role of 2 functions.',
      evidence: [{ functions: ['image-resizer', 'thumbnail-worker'] }],
      remediation: 'Give each function its own role with only what it needs.',
      conditional: false,
      muted: {
        reason: 'Image pipeline workers share one role by design',
        source: 'file',
        owner: 'media-team',
        until: '2027-01-31',
      },
    },
    {
      id: '6e7f809102132435',
      ruleId: 'not-action-allow',
      severity: 'medium',
      title: 'Allow statement uses NotAction or NotResource',
      functionName: 'image-resizer',
      functionArn: functionArn('eu-west-1', 'image-resizer'),
      region: 'eu-west-1',
      roleArn: roleArn('image-resizer-role'),
      message: 'Statement DenyNothing of image-resizer-s3 allows with NotAction.',
      evidence: [{ policy: 'image-resizer-s3', statement: 'DenyNothing', actions: ['iam:*'] }],
      remediation: 'List the allowed actions explicitly.',
      conditional: false,
      muted: { reason: 'Reviewed in SEC-1234', source: 'tag' },
    },
  ];
}

/** Counts unmuted findings by severity, as the audit does for `summary.findings`. */
export function countFindings(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of findings) if (!finding.muted) counts[finding.severity] += 1;
  return counts;
}

/**
 * A realistic report: 1 critical, 4 high (one of them a conditional grant lowered from critical),
 * 1 medium, 2 info, 2 muted, 2 errors. Each call returns a fresh object that tests may change.
 */
export function sampleReport(): AuditReport {
  const findings = sampleFindings();
  return {
    schemaVersion: 1,
    tool: { name: 'lambda-role-auditor', version: '0.1.0', iamDataVersion: '0.21.202609261' },
    generatedAt: '2026-07-08T02:00:13.512Z',
    account,
    regions: ['us-east-1', 'eu-west-1'],
    summary: {
      functions: 7,
      roles: 6,
      findings: countFindings(findings),
      muted: findings.filter((finding) => finding.muted).length,
      errors: 2,
    },
    findings,
    errors: [
      {
        scope: 'role',
        arn: 'arn:aws:iam::210987654321:role/partner-sync-role',
        code: 'CrossAccount',
        message: 'Role belongs to account 210987654321 and cannot be read from 123456789012.',
      },
      {
        scope: 'policy',
        arn: `arn:aws:iam::${account}:policy/legacy-batch`,
        code: 'MalformedPolicyDocument',
        message: 'Statement 2 has no Effect.',
      },
    ],
    expiredSuppressions: [
      {
        rule: 'unscoped-write',
        function: 'image-*',
        reason: 'Migration to per-bucket policies',
        until: '2026-06-30',
        source: 'file',
      },
    ],
    location: 's3://audit-reports-123456789012/reports/2026-07-08T02-00-13Z.json',
  };
}

/** A report of an account without findings, errors or history. */
export function emptyReport(): AuditReport {
  return {
    schemaVersion: 1,
    tool: { name: 'lambda-role-auditor', version: '0.1.0', iamDataVersion: '0.21.202609261' },
    generatedAt: '2026-07-08T02:00:13.512Z',
    account,
    regions: ['us-east-1'],
    summary: {
      functions: 3,
      roles: 3,
      findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      muted: 0,
      errors: 0,
    },
    findings: [],
    errors: [],
  };
}

/** The sample report compared with a previous run: two findings are new, one was fixed. */
export function sampleReportWithHistory(): AuditReport {
  const report = sampleReport();
  const newIds = new Set(['0b9e7d2c1a3f4e56', '2a3b4c5d6e7f8091']);
  for (const finding of report.findings) finding.status = newIds.has(finding.id) ? 'new' : 'unchanged';
  report.resolved = [
    {
      id: '7f8091021324354a',
      ruleId: 'secrets-in-environment',
      severity: 'high',
      functionName: 'payments-webhook',
      roleArn: roleArn('payments-webhook-role'),
      title: 'Environment variable looks like a plaintext secret',
    },
  ];
  report.summary.new = 2;
  report.summary.resolved = 1;
  return report;
}
