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

export interface Finding {
  id: string;
  ruleId: string;
  severity: Severity;
  title: string;
  functionName: string;
  functionArn: string;
  region: string;
  roleArn: string;
  message: string;
  evidence: Evidence[];
  remediation: string;
  conditional: boolean;
  muted: Muting | null;
  /** Set when a previous report was available to compare with. */
  status?: FindingStatus;
}

export interface ResolvedFinding {
  id: string;
  ruleId: string;
  severity: Severity;
  functionName: string;
  roleArn: string;
  title: string;
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

/** The counts at the top of a report. */
export interface ReportSummary {
  functions: number;
  roles: number;
  findings: SeverityCounts;
  muted: number;
  errors: number;
  new?: number;
  resolved?: number;
}

export interface AuditReport {
  schemaVersion: 1;
  tool: { name: 'lambda-role-auditor'; version: string; iamDataVersion: string };
  generatedAt: string;
  account: string;
  regions: string[];
  summary: ReportSummary;
  findings: Finding[];
  errors: AuditError[];
  expiredSuppressions?: ExpiredSuppression[];
  resolved?: ResolvedFinding[];
  partial?: { reason: string; notAudited: string[] };
  truncated?: { omittedFindings: number; fullReport?: string };
  location?: string;
}
