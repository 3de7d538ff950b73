import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type Partition,
  type Resource,
  SecurityHubClient,
  type SeverityLabel,
} from '@aws-sdk/client-securityhub';
import type { AuditReport, Finding, ResolvedFinding } from '../model/report.js';
import type { Severity } from '../model/severity.js';
import type { AuditError } from '../model/snapshot.js';
import { parseArn, roleNameFromArn, splitFunctionArn } from '../policy/arn.js';
import { describeEvidence, describeMuting } from '../report/format.js';

/** The ASFF version Security Hub reads. */
export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** `BatchImportFindings` takes at most 100 findings a request. */
export const SECURITY_HUB_BATCH_SIZE = 100;
/** `BatchImportFindings` allows 10 requests a second (bursts of 30): the export stays under it. */
export const SECURITY_HUB_REQUESTS_PER_SECOND = 10;
/** A finding names at most 32 resources: the role and its first 31 functions. */
const MAX_RESOURCES = 32;

const TOOL = 'lambda-role-auditor';

const SEVERITY_LABELS: Record<Severity, SeverityLabel> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

const LEAST_PRIVILEGE = 'Software and Configuration Checks/AWS Security Best Practices/Least Privilege';

/** ASFF finding types (namespace/category/classifier) by rule; other rules are best-practice checks. */
const TYPES_BY_RULE: Record<string, string[]> = {
  'admin-access': [LEAST_PRIVILEGE],
  'privilege-escalation': ['TTPs/Privilege Escalation', LEAST_PRIVILEGE],
  'service-wildcard': [LEAST_PRIVILEGE],
  'unscoped-write': [LEAST_PRIVILEGE],
  'unscoped-read': [LEAST_PRIVILEGE],
  'not-action-allow': [LEAST_PRIVILEGE],
  'role-shared': [LEAST_PRIVILEGE],
  'unused-services': [LEAST_PRIVILEGE],
  'unused-actions': [LEAST_PRIVILEGE],
  'role-unused': [LEAST_PRIVILEGE],
  'trust-too-broad': ['Software and Configuration Checks/AWS Security Best Practices/Trust Policy'],
  'trust-not-lambda': ['Software and Configuration Checks/AWS Security Best Practices/Trust Policy'],
  'secrets-in-environment': ['Sensitive Data Identifications/Passwords'],
  'logging-missing': ['Software and Configuration Checks/AWS Security Best Practices/Logging'],
  'log-group-create-missing': ['Software and Configuration Checks/AWS Security Best Practices/Logging'],
  'public-invoke': ['Effects/Data Exposure', 'Software and Configuration Checks/AWS Security Best Practices'],
  'function-url-public': [
    'Effects/Data Exposure',
    'Software and Configuration Checks/AWS Security Best Practices',
  ],
};
const DEFAULT_TYPES = ['Software and Configuration Checks/AWS Security Best Practices'];

/** Where findings go: the Security Hub of the auditor's own account and region. */
export interface SecurityHubTarget {
  region: string;
  /** Defaults to the partition of the region (`aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`). */
  partition?: string;
}

/** What an export did: counts, and one `errors[]` entry per batch Security Hub still refused after a retry. */
export interface SecurityHubExport {
  productArn: string;
  /** Active findings imported (unmuted findings of this run). */
  active: number;
  /** Findings imported as `ARCHIVED`: resolved since the last run, or muted. */
  archived: number;
  /** Findings Security Hub did not take, after the retry. */
  failed: number;
  /** `BatchImportFindings` requests sent, retries included. */
  requests: number;
  errors: AuditError[];
}

export interface SecurityHubOptions {
  /** Requests a second the export keeps under (default {@link SECURITY_HUB_REQUESTS_PER_SECOND}). */
  requestsPerSecond?: number;
  /** Waits between requests; injected by tests. */
  sleep?: (milliseconds: number) => Promise<void>;
  /**
   * Milliseconds the run has left (the Lambda's remaining time): no request starts with less than
   * `reserveMs` left, so that archiving and publishing the report still fit; what was not sent is an
   * `errors[]` entry.
   */
  remainingTime?: () => number;
  reserveMs?: number;
}

/**
 * The account's own product ARN, the only one an account may import its own findings under.
 *
 * @example
 * productArnOf({ region: 'eu-west-1' }, '123456789012');
 * // 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default'
 */
export function productArnOf(target: SecurityHubTarget, account: string): string {
  return `arn:${partitionOf(target)}:securityhub:${target.region}:${account}:product/${account}/default`;
}

function partitionOf(target: SecurityHubTarget): string {
  if (target.partition) return target.partition;
  if (target.region.startsWith('cn-')) return 'aws-cn';
  if (target.region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * A Security Hub client for the auditor's own region, with the SDK's adaptive retry (throttling slows
 * the export down, it does not fail it).
 */
export function createSecurityHubClient(): SecurityHubClient {
  return new SecurityHubClient({ retryMode: 'adaptive', maxAttempts: 8 });
}

/**
 * The report in the AWS Security Finding Format (SPEC §14): every finding with a stable `Id` (the
 * report's finding id), `GeneratorId` the rule id; role findings name the role (`AwsIamRole`) and the
 * functions that run as it (`AwsLambdaFunction`, up to Security Hub's 32 resources), function findings
 * the function and its role. Unmuted findings are `ACTIVE` and `FAILED`; muted ones `ARCHIVED` with the
 * reason in `ProductFields` (so they never show as active, and come back on their own once unmuted);
 * findings resolved since the last run are `ARCHIVED` and `PASSED`. A failed run exports nothing: it
 * looked at nothing, so it can neither raise nor resolve a finding.
 *
 * @example
 * const findings = toSecurityHubFindings(report, { region: 'eu-west-1' });
 */
export function toSecurityHubFindings(report: AuditReport, target: SecurityHubTarget): AwsSecurityFinding[] {
  if (report.status === 'failed') return [];
  const context: MappingContext = {
    report,
    partition: partitionOf(target),
    region: target.region,
    productArn: productArnOf(target, report.account),
    functionsOf: new Map((report.roles ?? []).map((role) => [role.roleArn, role.functions])),
  };
  return [
    ...(report.findings ?? []).map((finding) => activeFinding(finding, context)),
    ...(report.resolved ?? []).map((resolved) => resolvedFinding(resolved, context)),
  ];
}

interface MappingContext {
  report: AuditReport;
  partition: string;
  region: string;
  productArn: string;
  functionsOf: Map<string, string[]>;
}

function common(
  context: MappingContext,
  fields: { id: string; ruleId: string; severity: Severity; title: string },
): AwsSecurityFinding {
  const types = TYPES_BY_RULE[fields.ruleId] ?? DEFAULT_TYPES;
  const severity = { Label: SEVERITY_LABELS[fields.severity] ?? 'INFORMATIONAL', Original: fields.severity };
  const at = context.report.generatedAt;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: `${TOOL}/${context.report.account}/${fields.id}`,
    ProductArn: context.productArn,
    ProductName: TOOL,
    CompanyName: TOOL,
    GeneratorId: fields.ruleId,
    AwsAccountId: context.report.account,
    Region: context.region,
    Types: types,
    CreatedAt: at,
    UpdatedAt: at,
    Severity: severity,
    FindingProviderFields: { Severity: severity, Types: types },
    Title: clip(fields.title, 256),
    Description: '',
    Resources: [],
  };
}

function activeFinding(finding: Finding, context: MappingContext): AwsSecurityFinding {
  const asff = common(context, finding);
  const functions =
    finding.subject === 'role' ? (context.functionsOf.get(finding.roleArn) ?? []) : [finding.functionArn];
  const listed = functions.slice(0, MAX_RESOURCES - 1);
  const described = [
    finding.message,
    finding.subject === 'role'
      ? `Execution role of ${finding.functionCount} function${finding.functionCount === 1 ? '' : 's'}${listed.length < functions.length ? ` (the first ${listed.length} are listed as resources)` : ''}.`
      : `Function ${finding.functionName} in ${finding.region}, role ${roleNameFromArn(finding.roleArn)}.`,
    ...(finding.conditional ? ['Granted only under a policy Condition; severity lowered one level.'] : []),
    ...(finding.evidence ?? []).slice(0, 3).map((evidence) => `Evidence: ${describeEvidence(evidence)}.`),
  ];
  const productFields: Record<string, string> = {
    [`${TOOL}/ruleId`]: finding.ruleId,
    [`${TOOL}/subject`]: finding.subject,
    [`${TOOL}/functionCount`]: String(finding.subject === 'role' ? finding.functionCount : 1),
  };
  if (finding.conditional) productFields[`${TOOL}/conditional`] = 'true';
  if (finding.muted) productFields[`${TOOL}/muted`] = clip(describeMuting(finding.muted), 2048);
  if (context.report.location) productFields[`${TOOL}/report`] = clip(context.report.location, 2048);
  return {
    ...asff,
    Description: clip(described.join(' '), 1024),
    Remediation: { Recommendation: { Text: clip(finding.remediation, 512) } },
    ProductFields: productFields,
    Resources: [
      ...(finding.subject === 'role' ? [roleResource(finding.roleArn, context)] : []),
      ...listed.map((arn) => functionResource(arn, finding.roleArn, context)),
      ...(finding.subject === 'function' ? [roleResource(finding.roleArn, context)] : []),
    ],
    Compliance: { Status: 'FAILED' },
    RecordState: finding.muted ? 'ARCHIVED' : 'ACTIVE',
  };
}

function resolvedFinding(resolved: ResolvedFinding, context: MappingContext): AwsSecurityFinding {
  const asff = common(context, resolved);
  const what =
    resolved.subject === 'function'
      ? `function ${resolved.functionName ?? resolved.functionArn ?? ''}`
      : `role ${roleNameFromArn(resolved.roleArn)}`;
  const passed = { Label: 'INFORMATIONAL' as const, Original: resolved.severity };
  return {
    ...asff,
    Severity: passed,
    FindingProviderFields: { ...asff.FindingProviderFields, Severity: passed },
    Description: clip(
      `Resolved: the audit of ${context.report.generatedAt} no longer finds ${resolved.ruleId} on ${what} (fixed, or the ${resolved.subject} is gone).`,
      1024,
    ),
    ProductFields: { [`${TOOL}/ruleId`]: resolved.ruleId, [`${TOOL}/subject`]: resolved.subject },
    Resources:
      resolved.subject === 'function' && resolved.functionArn
        ? [
            functionResource(resolved.functionArn, resolved.roleArn, context),
            roleResource(resolved.roleArn, context),
          ]
        : [roleResource(resolved.roleArn, context)],
    Compliance: { Status: 'PASSED' },
    RecordState: 'ARCHIVED',
  };
}

function roleResource(roleArn: string, context: MappingContext): Resource {
  return {
    Type: 'AwsIamRole',
    Id: roleArn,
    Partition: (parseArn(roleArn)?.partition || context.partition) as Partition,
    Region: context.region,
    Details: { AwsIamRole: { RoleName: roleNameFromArn(roleArn) } },
  };
}

function functionResource(functionArn: string, roleArn: string, context: MappingContext): Resource {
  const parts = parseArn(functionArn);
  const { unqualified, qualifier } = splitFunctionArn(functionArn);
  return {
    Type: 'AwsLambdaFunction',
    Id: functionArn,
    Partition: (parts?.partition || context.partition) as Partition,
    Region: parts?.region || context.region,
    Details: {
      AwsLambdaFunction: {
        FunctionName: unqualified.slice(unqualified.lastIndexOf(':') + 1),
        Role: roleArn,
        ...(qualifier ? { Version: qualifier } : {}),
      },
    },
  };
}

function clip(text: string, limit: number): string {
  const value = String(text ?? '');
  return value.length <= limit ? value : `${value.slice(0, limit - 1)}…`;
}

/**
 * Imports the report into the Security Hub of the client's region (SPEC §14): batches of 100, paced
 * under the API's rate, throttling absorbed by the client's adaptive retry. A batch that still fails,
 * and findings Security Hub refuses one by one, are sent once more; what fails again becomes one
 * `errors[]` entry per batch (scope `account`, the product ARN), never an exception: Security Hub is
 * where people look, not what the audit depends on.
 *
 * @example
 * const result = await exportToSecurityHub(createSecurityHubClient(), report);
 * report.errors.push(...result.errors);
 */
export async function exportToSecurityHub(
  client: SecurityHubClient,
  report: AuditReport,
  options: SecurityHubOptions = {},
): Promise<SecurityHubExport> {
  const region = await client.config.region();
  const target: SecurityHubTarget = { region };
  const productArn = productArnOf(target, report.account);
  const findings = toSecurityHubFindings(report, target);
  const result: SecurityHubExport = {
    productArn,
    active: 0,
    archived: 0,
    failed: 0,
    requests: 0,
    errors: [],
  };
  const interval = 1000 / Math.max(0.1, options.requestsPerSecond ?? SECURITY_HUB_REQUESTS_PER_SECOND);
  const sleep =
    options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
  let lastRequestAt = Number.NEGATIVE_INFINITY;
  const send = async (batch: AwsSecurityFinding[]): Promise<BatchOutcome> => {
    const wait = lastRequestAt + interval - Date.now();
    if (wait > 0) await sleep(wait);
    lastRequestAt = Date.now();
    result.requests += 1;
    try {
      const response = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
      const failedIds = new Set((response.FailedFindings ?? []).map((failure) => failure.Id));
      const first = response.FailedFindings?.[0];
      return {
        imported: batch.filter((finding) => !failedIds.has(finding.Id)),
        failed: batch.filter((finding) => failedIds.has(finding.Id)),
        ...(first
          ? { problem: { code: first.ErrorCode ?? 'FailedFinding', message: first.ErrorMessage ?? '' } }
          : {}),
      };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      return { imported: [], failed: batch, problem: { code: name, message } };
    }
  };
  const count = (imported: AwsSecurityFinding[]) => {
    for (const finding of imported) {
      if (finding.RecordState === 'ARCHIVED') result.archived += 1;
      else result.active += 1;
    }
  };
  const outOfTime = () =>
    options.remainingTime !== undefined && options.remainingTime() < (options.reserveMs ?? 0);
  let unsent = 0;
  const retry: AwsSecurityFinding[] = [];
  for (const batch of chunks(findings, SECURITY_HUB_BATCH_SIZE)) {
    if (outOfTime()) {
      unsent += batch.length;
      continue;
    }
    const outcome = await send(batch);
    count(outcome.imported);
    retry.push(...outcome.failed);
  }
  for (const batch of chunks(retry, SECURITY_HUB_BATCH_SIZE)) {
    if (outOfTime()) {
      unsent += batch.length;
      continue;
    }
    const outcome = await send(batch);
    count(outcome.imported);
    if (outcome.failed.length === 0) continue;
    result.failed += outcome.failed.length;
    const ids = outcome.failed.map((finding) => finding.Id ?? '');
    result.errors.push({
      scope: 'account',
      arn: productArn,
      code: outcome.problem?.code ?? 'SecurityHubImportFailed',
      message:
        `Security Hub did not import ${outcome.failed.length} finding(s) after a retry ` +
        `(${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}): ${outcome.problem?.message ?? 'no reason given'}`,
    });
  }
  if (unsent > 0) {
    result.failed += unsent;
    result.errors.push({
      scope: 'account',
      arn: productArn,
      code: 'SecurityHubExportStopped',
      message: `${unsent} finding(s) were not sent to Security Hub: the run's time ran out (they go with the next run).`,
    });
  }
  return result;
}

interface BatchOutcome {
  imported: AwsSecurityFinding[];
  failed: AwsSecurityFinding[];
  problem?: { code: string; message: string };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
