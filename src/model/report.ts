import { roleNameFromArn } from '../policy/arn.js';
import type { Severity } from './severity.js';
import type { AuditError } from './snapshot.js';

/** Where in the account a finding comes from. Policy evidence names the policy and statement. */
export interface Evidence {
  policy?: string;
  statement?: string;
  actions?: string[];
  resources?: string[];
  /** Concrete catalog actions a statement's patterns granted, where the rule counts actions. */
  matchedActions?: string[];
  principals?: string[];
  variables?: string[];
  functions?: string[];
  services?: string[];
  detail?: string;
}

export interface Muting {
  reason: string;
  source: 'file' | 'tag';
  owner?: string;
  until?: string;
}

export type FindingStatus = 'new' | 'unchanged';

/**
 * What a finding is about (SPEC §4): a `role` finding is a fact about one execution role, reported once
 * for all the functions that use it; a `function` finding is about one function or published version.
 */
export type FindingSubject = 'role' | 'function';

interface FindingBase {
  id: string;
  ruleId: string;
  subject: FindingSubject;
  severity: Severity;
  title: string;
  roleArn: string;
  message: string;
  evidence: Evidence[];
  remediation: string;
  conditional: boolean;
  muted: Muting | null;
  /** Set when a previous report was available to compare with. */
  status?: FindingStatus;
}

/** A fact about an execution role; its functions are listed once, in `AuditReport.roles`. */
export interface RoleFinding extends FindingBase {
  subject: 'role';
  /** How many audited functions run as the role (versions of one function count once). */
  functionCount: number;
}

/** A fact about one function, or one published version (version-qualified ARN). */
export interface FunctionFinding extends FindingBase {
  subject: 'function';
  functionName: string;
  functionArn: string;
  region: string;
}

export type Finding = RoleFinding | FunctionFinding;

/** One audited role and the ARNs of its audited functions (each function ARN appears once in the report). */
export interface RoleEntry {
  roleArn: string;
  functions: string[];
}

export interface ResolvedFinding {
  id: string;
  ruleId: string;
  subject: FindingSubject;
  severity: Severity;
  roleArn: string;
  title: string;
  /** Function findings only. */
  functionName?: string;
  functionArn?: string;
}

export interface ExpiredSuppression {
  rule?: string;
  function?: string;
  role?: string;
  reason: string;
  until: string;
  source: 'file' | 'tag';
}

export type SeverityCounts = Record<Severity, number>;

/**
 * `complete`: everything in scope was read; `partial`: something that should have been readable was not
 * (a region, a role of the account, the suppressions file, the deadline); `failed`: nothing could be
 * audited. Only a complete full-scope run becomes the baseline of the next comparison.
 */
export type RunStatus = 'complete' | 'partial' | 'failed';

/** What a run covered: a run with a function filter, or fewer regions than configured, is scoped. */
export interface ReportScope {
  regions: string[];
  /** Function-name globs, or `null` for every function. */
  functions: string[] | null;
  /** The severity filter of what was printed or published (the archived report keeps every finding). */
  minSeverity: Severity | null;
  /** True when the run covered the configured regions with no function filter. */
  full: boolean;
}

/** The counts at the top of a report. */
export interface ReportSummary {
  functions: number;
  roles: number;
  /** Unmuted findings by severity; a role finding counts once. */
  findings: SeverityCounts;
  /** Distinct functions by the highest severity of their own and their role's unmuted findings. */
  functionsAffected: SeverityCounts;
  muted: number;
  errors: number;
  new?: number;
  resolved?: number;
}

/**
 * A policy offered to replace a role's identity policies (SPEC §4c), proven before it is offered: it allows
 * nothing the role cannot do now, keeps every action the role used, and audits without `admin-access` or
 * `service-wildcard`. `removed` names the services and actions it takes away.
 */
export interface Proposal {
  roleArn: string;
  policy: { Version: string; Statement: unknown[] };
  removed: { services: string[]; actions: string[] };
  /** When IAM's last-accessed data behind it was taken (the job's completion time). */
  dataAsOf: string;
  /** The usage window, in days. */
  days: number;
}

/**
 * Something a reader should know that is neither a finding nor an error: actions of a service the IAM
 * catalog does not know (a service newer than the catalog), evaluated by their pattern (SPEC §4).
 */
export interface AuditNote {
  scope: 'role' | 'policy';
  arn: string;
  code: 'UncataloguedService';
  message: string;
}

/** What a run that read last-accessed data analysed: the window, and how many roles had data. */
export interface UsageSummary {
  days: number;
  roles: number;
}

export interface AuditReport {
  schemaVersion: 2;
  tool: { name: 'lambda-role-auditor'; version: string; iamDataVersion: string };
  generatedAt: string;
  account: string;
  status: RunStatus;
  scope: ReportScope;
  summary: ReportSummary;
  roles: RoleEntry[];
  /** Ordered as a fix plan: severity, then functions affected, then id. */
  findings: Finding[];
  errors: AuditError[];
  /** Only when there is something to say: see {@link AuditNote}. */
  notes?: AuditNote[];
  expiredSuppressions?: ExpiredSuppression[];
  resolved?: ResolvedFinding[];
  /** What a partial or failed run could not read. */
  partial?: { reason: string; notAudited: string[] };
  /** Set on a report trimmed to fit a message: what was left out, by severity, and where the whole is. */
  truncated?: { omitted: SeverityCounts; fullReport?: string };
  proposals?: Proposal[];
  /** Set when the run read last-accessed data: findings of usage rules can only be resolved by such runs. */
  usage?: UsageSummary;
  location?: string;
}

/** How many functions a finding affects: its role's functions, or the one function. */
export function functionsAffectedBy(finding: Finding): number {
  return finding.subject === 'role' ? finding.functionCount : 1;
}

/** What a finding is about, in a few words: the role's name, or the function (and version). */
export function subjectName(finding: Finding): string {
  return finding.subject === 'role' ? roleNameFromArn(finding.roleArn) : finding.functionName;
}
