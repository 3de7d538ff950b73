import type { Evidence, FindingSubject } from '../model/report.js';
import type { Severity } from '../model/severity.js';
import type { AccountSnapshot, FunctionRecord, RoleReadFailure, RoleRecord } from '../model/snapshot.js';
import type { RoleUsage } from '../model/usage.js';
import type { ActionCatalog } from '../policy/catalog.js';
import type { EffectivePermissions } from '../policy/effective.js';
import type { ParsedPolicy } from '../policy/policy.js';
import type { UsageAnalysis } from '../usage/analysis.js';
import type { FunctionInvokeAccess } from './invoke.js';

/** What a rule is, as the catalog lists it. */
export interface RuleMetadata {
  id: string;
  severity: Severity;
  title: string;
  risk: string;
  remediation: string;
  /**
   * Role rules only: the ids of role rules this one makes redundant for the same role. When this rule
   * fires, the audit does not report them (`admin-access` subsumes `service-wildcard`, …).
   */
  subsumes?: readonly string[];
  /**
   * The verdict depends on which functions the run covered (e.g. how many share a role): a run scoped to
   * some functions or regions cannot tell that such a finding was fixed.
   */
  scopeDependent?: boolean;
  /**
   * Function rules only: also checked for a published version that runs as its `$LATEST`'s role, whose
   * own configuration (environment) may differ; other rules' verdicts are the `$LATEST`'s.
   */
  appliesToSameRoleVersions?: boolean;
  /**
   * The verdict rests on IAM's last-accessed data (SPEC §4c): only a run that read that data for the role
   * can tell that such a finding was fixed.
   */
  requiresUsage?: boolean;
}

/** One reason a rule fired, before it becomes a finding. */
export interface RuleHit {
  message: string;
  evidence: Evidence[];
  /** The grant behind the hit holds only under a Condition: reported one severity lower. */
  conditional?: boolean;
  /** Overrides the rule's severity (for rules whose severity depends on what they found). */
  severity?: Severity;
  /** Overrides the rule's remediation when the fix depends on what was found. */
  remediation?: string;
}

export interface RoleContext {
  role: RoleRecord;
  permissions: EffectivePermissions;
  /** Undefined when the trust policy could not be parsed (an error entry says why). */
  trust: ParsedPolicy | undefined;
  catalog: ActionCatalog;
  /** The role's last-accessed data, when the run has it: the usage rules run only then. */
  usage?: RoleUsageContext;
}

/** Last-accessed data of one role and the window the usage rules judge it by (SPEC §4c). */
export interface RoleUsageContext {
  data: RoleUsage;
  /** The usage window in days (`--usage-days`, `USAGE_DAYS`). */
  days: number;
  /** When the audit runs: the age of the data is shown against it. */
  now: Date;
  /** Worked out by the first usage rule that asks, shared by the others and the proposal. */
  analysis?: UsageAnalysis;
}

/** The functions that run as one role: how many (versions of one function count once) and the first few names. */
export interface RoleUsers {
  count: number;
  sample: string[];
}

/** A role as the functions name it, read or not: for the rules about the reference itself. */
export interface RoleReferenceContext {
  roleArn: string;
  users: RoleUsers;
  /** Why the role could not be read, when it could not (`missing`: it does not exist). */
  failure: (RoleReadFailure & { missing: boolean }) | undefined;
}

export interface FunctionContext {
  fn: FunctionRecord;
  snapshot: AccountSnapshot;
  /** The analysed role, when it could be read. */
  role: RoleContext | undefined;
  /**
   * For a published version that runs as its `$LATEST`'s role: that `$LATEST`, whose findings stand
   * for the version. Only rules with `appliesToSameRoleVersions` see such a version, and they report
   * only what its own configuration adds.
   */
  latest?: FunctionRecord;
  /**
   * The severity of each finding of the function's role, by rule id: what whoever invokes the function
   * can do with it (the blast radius of the invoke rules).
   */
  roleFindings: ReadonlyMap<string, Severity>;
  /** Who may invoke the function, worked out by the first invoke rule that asks (`null`: nothing read). */
  invokeAccess?: FunctionInvokeAccess | null;
}

export interface RoleRule {
  scope: 'role';
  meta: RuleMetadata;
  check(context: RoleContext): RuleHit[];
}

/** A role rule about the role reference (exists, readable, shared), checked for read and unread roles alike. */
export interface RoleReferenceRule {
  scope: 'role-reference';
  meta: RuleMetadata;
  check(context: RoleReferenceContext): RuleHit[];
}

export interface FunctionRule {
  scope: 'function';
  meta: RuleMetadata;
  check(context: FunctionContext): RuleHit[];
}

export type Rule = RoleRule | RoleReferenceRule | FunctionRule;

/** What a rule's findings are about: role rules (read or reference) report once per role. */
export function ruleSubject(rule: Rule): FindingSubject {
  return rule.scope === 'function' ? 'function' : 'role';
}
