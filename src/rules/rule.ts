import type { Evidence } from '../model/report.js';
import type { Severity } from '../model/severity.js';
import type { AccountSnapshot, FunctionRecord, RoleReadFailure, RoleRecord } from '../model/snapshot.js';
import type { ActionCatalog } from '../policy/catalog.js';
import type { EffectivePermissions } from '../policy/effective.js';
import type { ParsedPolicy } from '../policy/policy.js';
import type { LogGroupArns } from './logging.js';

/** What a rule is, as the catalog lists it. */
export interface RuleMetadata {
  id: string;
  severity: Severity;
  title: string;
  risk: string;
  remediation: string;
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

/** Facts that earlier role rules leave for later ones (subsumption and no double counting). */
export interface RoleFacts {
  admin: boolean;
  /** Lower-case action keys named by `privilege-escalation`. */
  escalationActions: Set<string>;
  /** Service prefixes reported by `service-wildcard`. */
  wildcardServices: Set<string>;
}

export interface RoleContext {
  role: RoleRecord;
  permissions: EffectivePermissions;
  /** Undefined when the trust policy could not be parsed (an error entry says why). */
  trust: ParsedPolicy | undefined;
  catalog: ActionCatalog;
  facts: RoleFacts;
}

export interface FunctionContext {
  fn: FunctionRecord;
  snapshot: AccountSnapshot;
  /** The analysed role, when it could be read. */
  role: RoleContext | undefined;
  /** Why the role could not be read, when it could not. */
  roleFailure: (RoleReadFailure & { missing: boolean }) | undefined;
  /** Other functions that use the same role: how many, and the first few names. */
  sharedWith: { sample: string[]; count: number };
  /** The function's log group ARNs, worked out by the first logging rule that asks. */
  logGroupArns?: LogGroupArns;
}

export interface RoleRule {
  scope: 'role';
  meta: RuleMetadata;
  check(context: RoleContext): RuleHit[];
}

export interface FunctionRule {
  scope: 'function';
  meta: RuleMetadata;
  check(context: FunctionContext): RuleHit[];
}

export type Rule = RoleRule | FunctionRule;
