import { auditSnapshot } from '../../src/audit/audit.js';
import { loadOfflineSnapshot } from '../../src/load/offline.js';
import {
  type AuditReport,
  type Finding,
  type FunctionFinding,
  type RoleFinding,
  subjectName,
} from '../../src/model/report.js';
import { functionNameFromArn, roleNameFromArn } from '../../src/policy/arn.js';

/**
 * Builds the two AWS CLI outputs the offline loader reads (`get-account-authorization-details`,
 * `list-functions`) around hostile documents and names. Every account also holds two well-behaved
 * functions whose findings are known, so that a test can show that one bad input changes nothing else.
 */

export const ACCOUNT = '123456789012';
export const BASIC_EXECUTION = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

export const roleArnOf = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const functionArnOf = (name: string, region = 'us-east-1'): string =>
  `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;

export const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

const BASIC_EXECUTION_DETAIL = {
  PolicyName: 'AWSLambdaBasicExecutionRole',
  Arn: BASIC_EXECUTION,
  DefaultVersionId: 'v1',
  PolicyVersionList: [
    {
      VersionId: 'v1',
      IsDefaultVersion: true,
      Document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: '*',
          },
        ],
      },
    },
  ],
};

export interface RoleOptions {
  trust?: unknown;
  /** Inline policy documents by name, as the file holds them (object, JSON text, URL-encoded text, anything). */
  inline?: Record<string, unknown>;
  attached?: string[];
}

/** A `RoleDetailList` entry: Lambda trust and AWSLambdaBasicExecutionRole unless told otherwise. */
export function roleDetail(name: string, options: RoleOptions = {}): Record<string, unknown> {
  return {
    Path: '/',
    RoleName: name,
    Arn: roleArnOf(name),
    AssumeRolePolicyDocument: 'trust' in options ? options.trust : LAMBDA_TRUST,
    RolePolicyList: Object.entries(options.inline ?? {}).map(([PolicyName, PolicyDocument]) => ({
      PolicyName,
      PolicyDocument,
    })),
    AttachedManagedPolicies: (options.attached ?? [BASIC_EXECUTION]).map((PolicyArn) => ({
      PolicyArn,
      PolicyName: PolicyArn.slice(PolicyArn.lastIndexOf('/') + 1),
    })),
    Tags: [],
  };
}

/** A `list-functions` entry in us-east-1; `extra` overrides or adds fields. */
export function functionEntry(
  name: string,
  roleName: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    FunctionName: name,
    FunctionArn: functionArnOf(name),
    Runtime: 'nodejs20.x',
    Role: roleArnOf(roleName),
    Handler: 'index.handler',
    Version: '$LATEST',
    ...extra,
  };
}

/** A function with a clean role (no findings) and one with an administrator role (admin-access). */
export const REFERENCE_ROLES = [
  roleDetail('steady-role'),
  roleDetail('reference-admin', {
    inline: {
      everything: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    },
  }),
];
export const REFERENCE_FUNCTIONS = [
  functionEntry('steady', 'steady-role'),
  functionEntry('reference', 'reference-admin'),
];

const REFERENCE_NAMES = new Set(['steady', 'reference']);
const REFERENCE_ROLE_ARNS = new Set([roleArnOf('steady-role'), roleArnOf('reference-admin')]);

/**
 * The findings about the reference functions and their roles, as `ruleId subject` (the role's name for a
 * role finding, the function's name for a function finding).
 */
export function referenceFindings(report: AuditReport): string[] {
  return summarise(
    report.findings.filter((finding) =>
      finding.subject === 'role'
        ? REFERENCE_ROLE_ARNS.has(finding.roleArn)
        : REFERENCE_NAMES.has(finding.functionName),
    ),
  );
}

/** What the reference functions yield on their own: two findings about the administrator role, once. */
export const REFERENCE_EXPECTED = ['admin-access reference-admin', 'inline-policy reference-admin'];

export interface HostileAccount {
  roles?: Array<Record<string, unknown>>;
  functions?: unknown[];
  policies?: Array<Record<string, unknown>>;
}

/** The two AWS CLI outputs of an account with the reference functions plus the given entries. */
export function cliOutputs(account: HostileAccount): { authDetails: unknown; functions: unknown } {
  return {
    authDetails: {
      RoleDetailList: [...REFERENCE_ROLES, ...(account.roles ?? [])],
      Policies: [BASIC_EXECUTION_DETAIL, ...(account.policies ?? [])],
    },
    functions: { Functions: [...REFERENCE_FUNCTIONS, ...(account.functions ?? [])] },
  };
}

/** The whole offline audit: loader, then audit (what `audit --auth-details --functions` runs). */
export function auditOffline(account: HostileAccount): AuditReport {
  return auditSnapshot(loadOfflineSnapshot(cliOutputs(account)), { now: new Date('2026-11-26T03:00:00Z') });
}

/** Findings as `ruleId subject` (role name or function name), sorted. */
export function summarise(findings: Finding[]): string[] {
  return findings.map((finding) => `${finding.ruleId} ${subjectName(finding)}`).sort();
}

/** The roles whose entry in `roles[]` lists a function of that name (a version counts as its function). */
export function rolesOf(report: AuditReport, functionName: string): string[] {
  return report.roles
    .filter((role) => role.functions.some((arn) => functionNameFromArn(arn) === functionName))
    .map((role) => role.roleArn);
}

/**
 * What one function is exposed to, as `ruleId severity[ conditional]`: its own findings and the findings
 * of its role, found through the report's `roles[]` index.
 */
export function findingsOf(report: AuditReport, functionName: string): string[] {
  const roles = new Set(rolesOf(report, functionName));
  return report.findings
    .filter((finding) =>
      finding.subject === 'role' ? roles.has(finding.roleArn) : finding.functionName === functionName,
    )
    .map((finding) => `${finding.ruleId} ${finding.severity}${finding.conditional ? ' conditional' : ''}`)
    .sort();
}

/** The findings about one role, as `ruleId functionCount`: each role finding is reported once. */
export function roleFindingsOf(report: AuditReport, roleName: string): string[] {
  return report.findings
    .filter(
      (finding): finding is RoleFinding =>
        finding.subject === 'role' && roleNameFromArn(finding.roleArn) === roleName,
    )
    .map((finding) => `${finding.ruleId} ${finding.functionCount}`)
    .sort();
}

/** The findings about single functions (or versions). */
export function functionFindings(report: AuditReport, ruleId?: string): FunctionFinding[] {
  return report.findings.filter(
    (finding): finding is FunctionFinding =>
      finding.subject === 'function' && (ruleId === undefined || finding.ruleId === ruleId),
  );
}

/** Nests `inner` `depth` levels deep in single-key objects. */
export function nested(depth: number, inner: unknown): unknown {
  let value = inner;
  for (let level = 0; level < depth; level += 1) value = { [`level${level % 10}`]: value };
  return value;
}

/** The same nesting as JSON text, built without recursion (JSON.stringify would overflow the stack). */
export function nestedJson(depth: number, innerJson: string): string {
  return `${'{"level":'.repeat(depth)}${innerJson}${'}'.repeat(depth)}`;
}
