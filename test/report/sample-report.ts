import { findingId, roleFindingId } from '../../src/audit/audit.js';
import { compareFixOrder, summarize } from '../../src/audit/summary.js';
import type {
  AuditReport,
  Evidence,
  Finding,
  FunctionFinding,
  Muting,
  RoleEntry,
  RoleFinding,
} from '../../src/model/report.js';
import type { Severity } from '../../src/model/severity.js';

const account = '123456789012';

export function roleArn(name: string, inAccount = account): string {
  return `arn:aws:iam::${inAccount}:role/${name}`;
}

export function functionArn(region: string, name: string, version?: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}${version ? `:${version}` : ''}`;
}

interface RoleFindingFields {
  ruleId: string;
  severity: Severity;
  title: string;
  roleArn: string;
  functionCount: number;
  message: string;
  evidence?: Evidence[];
  remediation: string;
  conditional?: boolean;
  muted?: Muting | null;
}

/** A role finding with the id the audit gives it. */
export function roleFinding(fields: RoleFindingFields): RoleFinding {
  return {
    id: roleFindingId(fields.ruleId, fields.roleArn),
    ruleId: fields.ruleId,
    subject: 'role',
    severity: fields.severity,
    title: fields.title,
    roleArn: fields.roleArn,
    functionCount: fields.functionCount,
    message: fields.message,
    evidence: fields.evidence ?? [],
    remediation: fields.remediation,
    conditional: fields.conditional ?? false,
    muted: fields.muted ?? null,
  };
}

interface FunctionFindingFields {
  ruleId: string;
  severity: Severity;
  title: string;
  functionArn: string;
  region: string;
  roleArn: string;
  message: string;
  evidence?: Evidence[];
  remediation: string;
  muted?: Muting | null;
}

/** A function finding with the id the audit gives it; the name comes from the ARN. */
export function functionFinding(fields: FunctionFindingFields): FunctionFinding {
  const name = fields.functionArn.split(':function:')[1]!.split(':')[0]!;
  return {
    id: findingId(fields.ruleId, fields.functionArn, fields.roleArn),
    ruleId: fields.ruleId,
    subject: 'function',
    severity: fields.severity,
    title: fields.title,
    functionName: name,
    functionArn: fields.functionArn,
    region: fields.region,
    roleArn: fields.roleArn,
    message: fields.message,
    evidence: fields.evidence ?? [],
    remediation: fields.remediation,
    conditional: false,
    muted: fields.muted ?? null,
  };
}

/**
 * The roles of the sample account, each with the ARNs of its functions. 17 functions (the published
 * version `orders-api:3` runs as a role of its own but is the same function), 8 roles.
 */
function sampleRoles(): RoleEntry[] {
  return [
    {
      roleArn: roleArn('orders-api-role'),
      functions: [
        functionArn('us-east-1', 'orders-api'),
        functionArn('us-east-1', 'orders-worker'),
        functionArn('us-east-1', 'orders-refund'),
        functionArn('us-east-1', 'orders-audit'),
        functionArn('eu-west-1', 'orders-export'),
      ],
    },
    {
      roleArn: roleArn('report-builder-role'),
      functions: [
        functionArn('eu-west-1', 'report-builder'),
        functionArn('eu-west-1', 'report-mailer'),
        functionArn('eu-west-1', 'report-archiver'),
      ],
    },
    {
      roleArn: roleArn('billing-role'),
      functions: [
        functionArn('us-east-1', 'billing-api'),
        functionArn('us-east-1', 'billing-cron'),
        functionArn('us-east-1', 'billing-export'),
        functionArn('us-east-1', 'billing-sync'),
      ],
    },
    { roleArn: roleArn('deploy-helper-role'), functions: [functionArn('us-east-1', 'deploy-helper')] },
    {
      roleArn: roleArn('orders-api-legacy-role'),
      functions: [functionArn('us-east-1', 'orders-api', '3')],
    },
    {
      roleArn: roleArn('image-resizer-role'),
      functions: [functionArn('eu-west-1', 'image-resizer'), functionArn('eu-west-1', 'thumbnail-worker')],
    },
    {
      roleArn: roleArn('partner-sync-role', '210987654321'),
      functions: [functionArn('us-east-1', 'partner-sync')],
    },
    { roleArn: roleArn('ledger-role'), functions: [functionArn('eu-west-1', 'ledger-writer')] },
  ];
}

const LOGGING_REMEDIATION =
  'Attach AWSLambdaBasicExecutionRole or allow logs:CreateLogStream and logs:PutLogEvents.';

/**
 * Findings of a realistic account, in no particular order: role findings once per role (one of them
 * for 5 functions), function findings per function, a published version with its own role, a
 * cross-account role, a conditional grant and two muted findings.
 */
function sampleFindings(): Finding[] {
  return [
    roleFinding({
      ruleId: 'inline-policy',
      severity: 'info',
      title: 'Role has inline policies',
      roleArn: roleArn('orders-api-role'),
      functionCount: 5,
      message: 'Role orders-api-role has 1 inline policy (orders-table-access).',
      evidence: [{ policy: 'orders-table-access' }],
      remediation:
        'Move inline policies into customer managed policies so they are named, versioned and reusable.',
    }),
    roleFinding({
      ruleId: 'admin-access',
      severity: 'critical',
      title: 'Role grants full administrator access',
      roleArn: roleArn('orders-api-role'),
      functionCount: 5,
      message: 'Role orders-api-role allows every action on every resource.',
      evidence: [
        {
          policy: 'arn:aws:iam::aws:policy/AdministratorAccess',
          statement: '0',
          actions: ['*'],
          resources: ['*'],
        },
      ],
      remediation: 'Detach AdministratorAccess and grant only the actions the functions call.',
    }),
    functionFinding({
      ruleId: 'secrets-in-environment',
      severity: 'high',
      title: 'Environment variable looks like a plaintext secret',
      functionArn: functionArn('eu-west-1', 'orders-export'),
      region: 'eu-west-1',
      roleArn: roleArn('orders-api-role'),
      message: 'The environment variable STRIPE_API_KEY holds what looks like a plaintext secret.',
      evidence: [{ variables: ['STRIPE_API_KEY'] }],
      remediation: 'Store the secret in Secrets Manager and read it at runtime.',
    }),
    roleFinding({
      ruleId: 'trust-too-broad',
      severity: 'high',
      title: 'Trust policy lets other principals assume the role',
      roleArn: roleArn('report-builder-role'),
      functionCount: 3,
      message: 'The trust policy of report-builder-role also trusts ec2.amazonaws.com.',
      evidence: [{ policy: 'trust policy', statement: '0', principals: ['ec2.amazonaws.com'] }],
      remediation: 'Remove every principal except lambda.amazonaws.com from the trust policy.',
    }),
    ...['billing-api', 'billing-cron'].map((name) =>
      functionFinding({
        ruleId: 'logging-missing',
        severity: 'high',
        title: 'Function cannot write its logs',
        functionArn: functionArn('us-east-1', name),
        region: 'us-east-1',
        roleArn: roleArn('billing-role'),
        message: `Role billing-role cannot logs:PutLogEvents on log group /aws/lambda/${name} in us-east-1.`,
        remediation: LOGGING_REMEDIATION,
      }),
    ),
    functionFinding({
      ruleId: 'log-group-create-missing',
      severity: 'low',
      title: 'Function cannot create its log group',
      functionArn: functionArn('us-east-1', 'billing-sync'),
      region: 'us-east-1',
      roleArn: roleArn('billing-role'),
      message: 'Role billing-role cannot logs:CreateLogGroup on /aws/lambda/billing-sync.',
      remediation: 'Allow logs:CreateLogGroup, or create the log group beforehand.',
    }),
    roleFinding({
      ruleId: 'privilege-escalation',
      severity: 'high',
      title: 'Role can escalate its own privileges',
      roleArn: roleArn('deploy-helper-role'),
      functionCount: 1,
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
    }),
    roleFinding({
      ruleId: 'trust-not-lambda',
      severity: 'high',
      title: 'Lambda cannot assume the role',
      roleArn: roleArn('orders-api-legacy-role'),
      functionCount: 1,
      message: 'The trust policy of orders-api-legacy-role does not let lambda.amazonaws.com sts:AssumeRole.',
      evidence: [{ policy: 'trust policy', statement: '0', principals: ['ec2.amazonaws.com'] }],
      remediation: 'Add lambda.amazonaws.com as a service principal with sts:AssumeRole.',
    }),
    roleFinding({
      ruleId: 'unscoped-write',
      severity: 'medium',
      title: 'Write actions allowed on all resources',
      roleArn: roleArn('image-resizer-role'),
      functionCount: 2,
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
        'Restrict Resource to the bucket ARNs the functions write, e.g. arn:aws:s3:::images-bucket/*.',
    }),
    roleFinding({
      ruleId: 'role-unreadable',
      severity: 'info',
      title: 'Role could not be read',
      roleArn: roleArn('partner-sync-role', '210987654321'),
      functionCount: 1,
      message: 'The role is in account 210987654321; its function is not fully audited.',
      remediation: 'Audit the role from account 210987654321, or use a role of this account.',
    }),
    roleFinding({
      ruleId: 'role-shared',
      severity: 'low',
      title: 'Role is shared by several functions',
      roleArn: roleArn('image-resizer-role'),
      functionCount: 2,
      message: 'The role is the execution role of 2 functions: image-resizer, thumbnail-worker.',
      evidence: [
        { resources: [roleArn('image-resizer-role')], functions: ['image-resizer', 'thumbnail-worker'] },
      ],
      remediation: 'Give each function its own role with only what it needs.',
      muted: {
        reason: 'Image pipeline workers share one role by design',
        source: 'file',
        owner: 'media-team',
        until: '2027-01-31',
      },
    }),
    roleFinding({
      ruleId: 'not-action-allow',
      severity: 'medium',
      title: 'Allow statement uses NotAction or NotResource',
      roleArn: roleArn('image-resizer-role'),
      functionCount: 2,
      message: 'Statement DenyNothing of image-resizer-s3 allows with NotAction.',
      evidence: [{ policy: 'image-resizer-s3', statement: 'DenyNothing', actions: ['iam:*'] }],
      remediation: 'List the allowed actions explicitly.',
      muted: { reason: 'Reviewed in SEC-1234', source: 'tag' },
    }),
  ];
}

/**
 * A realistic complete report, findings in fix-plan order and counts as the audit computes them:
 * 7 roles to fix (1 critical, 4 high, 1 medium, 1 info), 15 of 17 functions affected; findings
 * 1 critical, 6 high, 1 medium, 1 low, 2 info; 2 muted, 2 errors, 1 expired suppression. Each call
 * returns a fresh object that tests may change.
 */
export function sampleReport(): AuditReport {
  const findings = sampleFindings().sort(compareFixOrder);
  const roles = sampleRoles();
  return {
    schemaVersion: 2,
    tool: { name: 'lambda-role-auditor', version: '0.1.0', iamDataVersion: '0.21.202609261' },
    generatedAt: '2026-07-08T02:00:13.512Z',
    account,
    status: 'complete',
    scope: { regions: ['us-east-1', 'eu-west-1'], functions: null, minSeverity: null, full: true },
    summary: summarize(findings, roles, { functions: 17, errors: 2 }),
    roles,
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
    location: 's3://audit-reports-123456789012/reports/123456789012/2026-07-08T02-00-13.512Z-run-1.json',
  };
}

/** Finds a finding of the sample by rule and role name (role findings) or function name. */
export function sampleFinding(report: AuditReport, ruleId: string, subject: string): Finding {
  const finding = report.findings.find(
    (candidate) =>
      candidate.ruleId === ruleId &&
      (candidate.subject === 'role'
        ? candidate.roleArn.endsWith(`/${subject}`)
        : candidate.functionName === subject),
  );
  if (!finding) throw new Error(`the sample has no ${ruleId} finding on ${subject}`);
  return finding;
}

/**
 * The sample compared with a previous run: admin-access on orders-api-role and logging-missing on
 * billing-api are new; a function finding and a role finding were fixed.
 */
export function sampleReportWithHistory(): AuditReport {
  const report = sampleReport();
  const newIds = new Set([
    sampleFinding(report, 'admin-access', 'orders-api-role').id,
    sampleFinding(report, 'logging-missing', 'billing-api').id,
  ]);
  for (const finding of report.findings) finding.status = newIds.has(finding.id) ? 'new' : 'unchanged';
  report.resolved = [
    {
      id: findingId(
        'secrets-in-environment',
        functionArn('us-east-1', 'payments-webhook'),
        roleArn('payments-role'),
      ),
      ruleId: 'secrets-in-environment',
      subject: 'function',
      severity: 'high',
      roleArn: roleArn('payments-role'),
      title: 'Environment variable looks like a plaintext secret',
      functionName: 'payments-webhook',
      functionArn: functionArn('us-east-1', 'payments-webhook'),
    },
    {
      id: roleFindingId('service-wildcard', roleArn('old-etl-role')),
      ruleId: 'service-wildcard',
      subject: 'role',
      severity: 'high',
      roleArn: roleArn('old-etl-role'),
      title: 'Role allows every action of a service',
    },
  ];
  report.summary.new = 2;
  report.summary.resolved = 2;
  return report;
}

/**
 * The sample as a partial run: the deadline left functions unread; a trimmed copy (`truncated`) with
 * the full report elsewhere.
 */
export function partialReport(): AuditReport {
  const report = sampleReport();
  report.status = 'partial';
  report.partial = {
    reason: 'remaining time fell below 60 seconds',
    notAudited: [
      'region ap-southeast-2',
      'arn:aws:lambda:us-east-1:123456789012:function:orders-batch',
      'orders-export-v2',
      'legacy-cron',
      'legacy-mailer',
      'b1',
      'b2',
    ],
  };
  report.truncated = {
    omitted: { critical: 0, high: 0, medium: 3, low: 5, info: 4 },
    fullReport: 's3://audit-reports/reports/123456789012/full.json',
  };
  delete report.location;
  return report;
}

/** A complete report of an account without findings, errors or history. */
export function emptyReport(): AuditReport {
  const roles: RoleEntry[] = [
    { roleArn: roleArn('a-role'), functions: [functionArn('us-east-1', 'a')] },
    { roleArn: roleArn('b-role'), functions: [functionArn('us-east-1', 'b')] },
    { roleArn: roleArn('c-role'), functions: [functionArn('us-east-1', 'c')] },
  ];
  return {
    schemaVersion: 2,
    tool: { name: 'lambda-role-auditor', version: '0.1.0', iamDataVersion: '0.21.202609261' },
    generatedAt: '2026-07-08T02:00:13.512Z',
    account,
    status: 'complete',
    scope: { regions: ['us-east-1'], functions: null, minSeverity: null, full: true },
    summary: summarize([], roles, { functions: 3, errors: 0 }),
    roles,
    findings: [],
    errors: [],
  };
}

/** A run that could not list any region: nothing was audited. */
export function failedReport(): AuditReport {
  return {
    ...emptyReport(),
    status: 'failed',
    scope: { regions: ['us-east-1', 'eu-west-1'], functions: null, minSeverity: null, full: true },
    summary: summarize([], [], { functions: 0, errors: 2 }),
    roles: [],
    errors: ['us-east-1', 'eu-west-1'].map((region) => ({
      scope: 'region' as const,
      arn: region,
      code: 'AccessDeniedException',
      message: 'User is not authorized to perform lambda:ListFunctions',
    })),
    partial: {
      reason: 'ListFunctions failed in us-east-1, eu-west-1',
      notAudited: ['region us-east-1', 'region eu-west-1'],
    },
  };
}

/** A partial run that read no role with a finding: one role of the account could not be read. */
export function partialCleanReport(): AuditReport {
  const report = emptyReport();
  const unread = roleArn('c-role');
  report.status = 'partial';
  report.errors = [{ scope: 'role', arn: unread, code: 'AccessDenied', message: 'iam:GetRole denied' }];
  report.summary.errors = 1;
  report.partial = { reason: '1 of 3 roles of the account could not be read', notAudited: [unread] };
  return report;
}
