import * as crypto from 'node:crypto';
import type {
  AuditNote,
  AuditReport,
  Finding,
  FunctionFinding,
  Proposal,
  RoleEntry,
  RoleFinding,
} from '../model/report.js';
import { lowerSeverity, type Severity } from '../model/severity.js';
import type {
  AccountSnapshot,
  AuditError,
  FunctionRecord,
  RoleReadFailure,
  RoleRecord,
} from '../model/snapshot.js';
import { parseArn, splitFunctionArn } from '../policy/arn.js';
import { type ActionCatalog, defaultCatalog } from '../policy/catalog.js';
import type { UnknownAction } from '../policy/compiled-statement.js';
import { EffectivePermissions, type PolicySet } from '../policy/effective.js';
import { type ParsedPolicy, parsePolicy } from '../policy/policy.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { FUNCTION_RULES, ROLE_REFERENCE_RULES, ROLE_RULES } from '../rules/index.js';
import type {
  FunctionContext,
  RoleContext,
  RoleRule,
  RoleUsers,
  RuleHit,
  RuleMetadata,
} from '../rules/rule.js';
import { DEFAULT_USAGE_DAYS, mergePartial, usageGaps } from '../usage/coverage.js';
import { proposePolicy } from '../usage/proposal.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { decideStatus } from './status.js';
import { compareFixOrder, summarize } from './summary.js';
import { applySuppressions, type Suppression, suppressionsFromTags } from './suppressions.js';

export interface AuditOptions {
  catalog?: ActionCatalog;
  suppressions?: Suppression[];
  now?: Date;
  /**
   * The severity filter of what the run prints and publishes, recorded in `scope`; the report itself keeps
   * every finding (apply {@link withMinSeverity} to show it).
   */
  minSeverity?: Severity;
  /** Globs on function names; only matching functions are audited (a scoped run). */
  functions?: string[];
  /** The run covers fewer regions than configured (a scoped run). */
  regionsScoped?: boolean;
  /** The usage window of the usage rules, in days (SPEC §4c); they run when the snapshot has usage data. */
  usageDays?: number;
}

interface RoleAnalysis {
  context: RoleContext;
  hits: Array<{ meta: RuleMetadata; hit: RuleHit }>;
  /** The policies behind `context.permissions`, for a proposed replacement. */
  policies: PolicySet;
}

/** A function record to audit and, for a published version running as its `$LATEST`'s role, that `$LATEST`. */
interface AuditItem {
  fn: FunctionRecord;
  latest: FunctionRecord | undefined;
}

/** One role as the audited functions name it. */
interface RoleGroup {
  roleArn: string;
  /** The report's `roles[]` entry: unqualified ARNs, version-qualified for versions with their own role. */
  entries: string[];
  /** One record per function (versions of one function count once), in the order first seen. */
  users: Map<string, FunctionRecord>;
  items: AuditItem[];
}

/** How many names of a role's functions a finding shows; `roles[]` lists them all. */
const USER_SAMPLE = 5;

/** One-shot hashing where Node has it (20.12+), the same digest through a Hash object elsewhere. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The unqualified ARN of a function record (`…:function:name`), also for published versions. */
export function unqualifiedArn(fn: FunctionRecord): string {
  if (fn.version === '$LATEST') return fn.functionArn;
  return splitFunctionArn(fn.functionArn).unqualified;
}

/** A function finding's id: stable across runs for the same rule, function (or version) and role. */
export function findingId(ruleId: string, functionArn: string, roleArn: string): string {
  return sha256Hex(`${ruleId}\n${functionArn}\n${roleArn}`).slice(0, 16);
}

/** A role finding's id: stable across runs for the same rule and role, whatever functions use it. */
export function roleFindingId(ruleId: string, roleArn: string): string {
  return sha256Hex(`${ruleId}\nrole\n${roleArn}`).slice(0, 16);
}

/**
 * Checks the role rules on one analysed role, in the order given, and leaves out the rules that a rule
 * which fired subsumes (its metadata's `subsumes`). Rules never see each other's results, so the
 * outcome does not depend on the order; rules that subsume others run first only so that the rules
 * they hide need not be checked at all.
 *
 * @example
 * checkRoleRules(context).map(({ rule }) => rule.meta.id); // ['admin-access', 'inline-policy']
 */
export function checkRoleRules(
  context: RoleContext,
  rules: readonly RoleRule[] = ROLE_RULES,
): Array<{ rule: RoleRule; hits: RuleHit[] }> {
  const hitsOf = new Map<RoleRule, RuleHit[]>();
  const subsumed = new Set<string>();
  for (const rule of rules) {
    if (!rule.meta.subsumes?.length) continue;
    const hits = rule.check(context);
    hitsOf.set(rule, hits);
    if (hits.length > 0) for (const id of rule.meta.subsumes) subsumed.add(id);
  }
  const results: Array<{ rule: RoleRule; hits: RuleHit[] }> = [];
  for (const rule of rules) {
    if (subsumed.has(rule.meta.id)) continue;
    const hits = hitsOf.get(rule) ?? rule.check(context);
    if (hits.length > 0) results.push({ rule, hits });
  }
  return results;
}

function errorKey(error: AuditError): string {
  return `${error.arn}\n${error.code}\n${error.message}`;
}

/**
 * Audits an account snapshot: evaluates every execution role once and applies the rule catalog, role
 * findings once per role and function findings per function. Pure: no AWS calls. One bad role or policy
 * becomes an entry in `errors`, never a throw.
 *
 * @example
 * const report = auditSnapshot(snapshot, { suppressions });
 * console.log(report.status, report.summary.findings.critical);
 */
export function auditSnapshot(snapshot: AccountSnapshot, options: AuditOptions = {}): AuditReport {
  return new Auditor(snapshot, options).run();
}

class Auditor {
  private readonly catalog: ActionCatalog;
  private readonly errors: AuditError[];
  private readonly errorKeys = new Set<string>();
  private readonly parsedManaged = new Map<string, ParsedPolicy | null>();
  private readonly permissionsBySet = new Map<string, EffectivePermissions>();
  private readonly unknownReported = new Set<string>();
  private readonly notes: AuditNote[] = [];
  private readonly tagSuppressionsByRole = new Map<string, Suppression[]>();
  private readonly now: Date;
  private readonly proposals: Proposal[] = [];

  constructor(
    private readonly snapshot: AccountSnapshot,
    private readonly options: AuditOptions,
  ) {
    this.catalog = options.catalog ?? defaultCatalog();
    this.now = options.now ?? new Date();
    this.errors = [...snapshot.errors];
    for (const error of this.errors) this.errorKeys.add(errorKey(error));
  }

  private addError(error: AuditError): void {
    const key = errorKey(error);
    if (this.errorKeys.has(key)) return;
    this.errorKeys.add(key);
    this.errors.push(error);
  }

  run(): AuditReport {
    const { snapshot, options } = this;
    const now = this.now;
    const globs = options.functions?.length ? options.functions : undefined;
    const functions = globs
      ? snapshot.functions.filter((fn) => globs.some((glob) => matchesWildcard(glob, fn.functionName)))
      : snapshot.functions;
    const groups = groupByRole(functions);

    const findings: Finding[] = [];
    // Roles of the audited account that functions name, with why each could not be read: decides the status.
    const accountRoles = new Map<string, { code: string } | undefined>();
    for (const group of groups.values()) {
      const failure = this.roleFailure(group);
      const parsed = parseArn(group.roleArn);
      if (parsed?.account === snapshot.account && failure?.code !== 'InvalidRoleArn')
        accountRoles.set(group.roleArn, failure);
      const analysis = failure ? undefined : (this.analyseRole(group.roleArn) ?? undefined);
      const users = usersOf(group);
      const functionCount = group.users.size;
      const firstRoleFinding = findings.length;
      for (const rule of ROLE_REFERENCE_RULES) {
        for (const hit of rule.check({ roleArn: group.roleArn, users, failure }))
          findings.push(this.roleFinding(group.roleArn, functionCount, rule.meta, hit));
      }
      if (analysis) {
        for (const { meta, hit } of analysis.hits)
          findings.push(this.roleFinding(group.roleArn, functionCount, meta, hit));
        if (analysis.context.usage) this.propose(analysis, group);
      }
      // What invoking one of the role's functions gives: the invoke rules' blast radius.
      const roleFindings = new Map<string, Severity>();
      for (const finding of findings.slice(firstRoleFinding))
        roleFindings.set(finding.ruleId, finding.severity);
      for (const { fn, latest } of group.items) {
        const context: FunctionContext = {
          fn,
          snapshot,
          role: analysis?.context,
          roleFindings,
          ...(latest ? { latest } : {}),
        };
        for (const rule of FUNCTION_RULES) {
          if (latest && !rule.meta.appliesToSameRoleVersions) continue;
          for (const hit of rule.check(context)) findings.push(this.functionFinding(fn, rule.meta, hit));
        }
      }
    }

    const roles: RoleEntry[] = [...groups.values()].map((group) => ({
      roleArn: group.roleArn,
      functions: group.entries,
    }));
    const expiredSuppressions = applySuppressions(
      findings,
      options.suppressions ?? [],
      (roleArn) => this.tagSuppressions(roleArn),
      (roleArn) => groups.get(roleArn)?.users.values() ?? [],
      now,
    );
    findings.sort(compareFixOrder);
    const readable = [...accountRoles].filter(([, failure]) => !failure).map(([roleArn]) => roleArn);
    const decision = decideStatus({
      regions: snapshot.regions,
      errors: this.errors,
      stopped: mergePartial(snapshot.partial, usageGaps(snapshot, readable, this.usageDays, now)),
      roles: accountRoles,
    });
    const functionsAudited = new Set<string>();
    for (const group of groups.values()) for (const arn of group.users.keys()) functionsAudited.add(arn);
    const report: AuditReport = {
      schemaVersion: 2,
      tool: { name: TOOL_NAME, version: TOOL_VERSION, iamDataVersion: this.catalog.version },
      generatedAt: now.toISOString(),
      account: snapshot.account,
      status: decision.status,
      scope: {
        regions: [...snapshot.regions],
        functions: globs ? [...globs] : null,
        minSeverity: options.minSeverity ?? null,
        full: !globs && !options.regionsScoped,
      },
      summary: summarize(findings, roles, { functions: functionsAudited.size, errors: this.errors.length }),
      roles,
      findings,
      errors: this.errors,
    };
    if (this.notes.length > 0) report.notes = this.notes;
    if (expiredSuppressions.length > 0) report.expiredSuppressions = expiredSuppressions;
    if (decision.partial) report.partial = decision.partial;
    if (snapshot.usage) {
      report.usage = {
        days: this.usageDays,
        roles: readable.filter((arn) => snapshot.usage!.roles.has(arn)).length,
      };
      if (this.proposals.length > 0) report.proposals = this.proposals;
    }
    return report;
  }

  private get usageDays(): number {
    return this.options.usageDays ?? DEFAULT_USAGE_DAYS;
  }

  /** Offers the role a proven replacement policy; a proposal that fails its proof is an error entry. */
  private propose(analysis: RoleAnalysis, group: RoleGroup): void {
    const outcome = proposePolicy({
      context: analysis.context,
      policies: analysis.policies,
      functions: [...group.users.values()],
      ruleIds: new Set(analysis.hits.map(({ meta }) => meta.id)),
    });
    if (outcome.kind === 'proposal') this.proposals.push(outcome.proposal);
    else if (outcome.kind === 'rejected')
      this.addError({
        scope: 'role',
        arn: group.roleArn,
        code: 'ProposalNotProven',
        message: `no replacement policy is offered: the one built from last-accessed data failed its proof (${outcome.reason})`,
      });
  }

  /** A role's tag suppressions, read once per role. */
  private tagSuppressions(roleArn: string): Suppression[] {
    let suppressions = this.tagSuppressionsByRole.get(roleArn);
    if (suppressions) return suppressions;
    const role = this.snapshot.roles.get(roleArn);
    if (role) {
      const read = suppressionsFromTags(role);
      suppressions = read.suppressions;
      if (read.problem)
        this.addError({ scope: 'role', arn: roleArn, code: 'InvalidSuppression', message: read.problem });
    } else {
      suppressions = [];
    }
    this.tagSuppressionsByRole.set(roleArn, suppressions);
    return suppressions;
  }

  private roleFinding(roleArn: string, functionCount: number, meta: RuleMetadata, hit: RuleHit): RoleFinding {
    const conditional = hit.conditional ?? false;
    return {
      id: roleFindingId(meta.id, roleArn),
      ruleId: meta.id,
      subject: 'role',
      severity: hit.severity ?? (conditional ? lowerSeverity(meta.severity) : meta.severity),
      title: meta.title,
      roleArn,
      functionCount,
      message: hit.message,
      evidence: hit.evidence,
      remediation: hit.remediation ?? meta.remediation,
      conditional,
      muted: null,
    };
  }

  private functionFinding(fn: FunctionRecord, meta: RuleMetadata, hit: RuleHit): FunctionFinding {
    const conditional = hit.conditional ?? false;
    return {
      id: findingId(meta.id, fn.functionArn, fn.roleArn),
      ruleId: meta.id,
      subject: 'function',
      severity: hit.severity ?? (conditional ? lowerSeverity(meta.severity) : meta.severity),
      title: meta.title,
      functionName: fn.functionName,
      functionArn: fn.functionArn,
      region: fn.region,
      roleArn: fn.roleArn,
      message: hit.message,
      evidence: hit.evidence,
      remediation: hit.remediation ?? meta.remediation,
      conditional,
      muted: null,
    };
  }

  /** Why a role cannot be audited (error entries say so once), or `undefined` when it can. */
  private roleFailure(group: RoleGroup): (RoleReadFailure & { missing: boolean }) | undefined {
    const { roleArn } = group;
    const role = this.snapshot.roles.get(roleArn);
    if (role) {
      const absent = this.absentPolicies(role);
      if (absent.length === 0) return undefined;
      // Auditing a role without one of its policies would state findings the role may not have
      // (logging-missing) or miss a Deny: like the collector, call the role unreadable instead.
      const message = `polic${absent.length === 1 ? 'y' : 'ies'} ${absent.join(', ')} not in the snapshot: the role cannot be audited`;
      this.addError({ scope: 'role', arn: roleArn, code: 'PolicyUnreadable', message });
      return { code: 'PolicyUnreadable', message, missing: false };
    }
    const parsed = parseArn(roleArn);
    if (parsed?.service !== 'iam' || !parsed.resource.startsWith('role/')) {
      // Lambda only accepts role ARNs; a hand-written file may hold anything else: say which functions name it.
      const message = `the execution role "${roleArn.slice(0, 200)}" is not an IAM role ARN`;
      for (const fn of group.users.values())
        this.addError({ scope: 'function', arn: fn.functionArn, code: 'InvalidRoleArn', message });
      return { code: 'InvalidRoleArn', message, missing: false };
    }
    const known = this.snapshot.roleFailures.get(roleArn);
    if (known) {
      const missing = known.code === 'NoSuchEntity';
      const alreadyReported = this.errors.some((error) => error.arn === roleArn && error.code === known.code);
      if (!missing && !alreadyReported)
        this.addError({ scope: 'role', arn: roleArn, code: known.code, message: known.message });
      return { ...known, missing };
    }
    const account = parsed.account;
    if (account && account !== this.snapshot.account) {
      const message = `role is in account ${account}, not in the audited account ${this.snapshot.account}`;
      this.addError({ scope: 'role', arn: roleArn, code: 'CrossAccount', message });
      return { code: 'CrossAccount', message, missing: false };
    }
    return { code: 'NoSuchEntity', message: 'the role is not in the account', missing: true };
  }

  private absentPolicies(role: RoleRecord): string[] {
    const absent = role.attachedPolicyArns.filter((arn) => !this.snapshot.managedPolicies.has(arn));
    if (role.permissionsBoundaryArn && !this.snapshot.managedPolicies.has(role.permissionsBoundaryArn))
      absent.push(role.permissionsBoundaryArn);
    return absent;
  }

  private managedPolicy(arn: string, roleArn: string, purpose: string): ParsedPolicy | undefined {
    if (!this.parsedManaged.has(arn)) {
      const record = this.snapshot.managedPolicies.get(arn);
      if (!record) {
        this.addError({
          scope: 'role',
          arn: roleArn,
          code: 'PolicyUnreadable',
          message: `${purpose} ${arn} is not in the snapshot: the role's permissions may be understated`,
        });
        return undefined;
      }
      const parsed = parsePolicy(record.document, arn);
      if (parsed.ok) {
        this.reportProblems(parsed.policy, arn, 'policy');
        this.parsedManaged.set(arn, parsed.policy);
      } else {
        this.addError({ scope: 'policy', arn, code: parsed.code, message: parsed.message });
        this.parsedManaged.set(arn, null);
      }
    }
    return this.parsedManaged.get(arn) ?? undefined;
  }

  private reportProblems(policy: ParsedPolicy, arn: string, scope: 'policy' | 'role'): void {
    if (policy.problems.length === 0) return;
    this.addError({
      scope,
      arn,
      code: 'MalformedStatement',
      message: `${policy.label}: ${policy.problems.slice(0, 5).join('; ')}${policy.problems.length > 5 ? ` (and ${policy.problems.length - 5} more)` : ''}`,
    });
  }

  private analyseRole(roleArn: string): RoleAnalysis | undefined {
    const role = this.snapshot.roles.get(roleArn);
    if (!role) return undefined;
    const identity: ParsedPolicy[] = [];
    const setKey: string[] = [];
    for (const arn of [...role.attachedPolicyArns].sort()) {
      const policy = this.managedPolicy(arn, role.arn, 'attached policy');
      if (policy) {
        identity.push(policy);
        setKey.push(arn);
      }
    }
    for (const inline of role.inlinePolicies) {
      const label = `${role.name}/${inline.name}`;
      const parsed = parsePolicy(inline.document, label);
      if (parsed.ok) {
        this.reportProblems(parsed.policy, role.arn, 'role');
        identity.push(parsed.policy);
        setKey.push(`inline:${role.arn}:${inline.name}`);
      } else {
        this.addError({ scope: 'role', arn: role.arn, code: parsed.code, message: parsed.message });
      }
    }
    let boundary: ParsedPolicy | undefined;
    if (role.permissionsBoundaryArn) {
      boundary = this.managedPolicy(role.permissionsBoundaryArn, role.arn, 'permissions boundary');
      if (boundary) setKey.push(`boundary:${role.permissionsBoundaryArn}`);
    }
    const key = setKey.join('\n');
    let permissions = this.permissionsBySet.get(key);
    if (!permissions) {
      permissions = new EffectivePermissions({ identity, ...(boundary ? { boundary } : {}) }, this.catalog);
      this.permissionsBySet.set(key, permissions);
      this.reportUnknownActions(permissions, role.arn);
    }
    const trustParsed = parsePolicy(role.trustPolicy, 'trust-policy');
    let trust: ParsedPolicy | undefined;
    if (trustParsed.ok) {
      trust = trustParsed.policy;
      this.reportProblems(trust, role.arn, 'role');
    } else {
      this.addError({
        scope: 'role',
        arn: role.arn,
        code: trustParsed.code,
        message: `trust policy: ${trustParsed.message}`,
      });
    }
    const context: RoleContext = { role, permissions, trust, catalog: this.catalog };
    const usage = this.snapshot.usage?.roles.get(role.arn);
    if (usage) context.usage = { data: usage, days: this.usageDays, now: this.now };
    const hits: RoleAnalysis['hits'] = [];
    for (const { rule, hits: ruleHits } of checkRoleRules(context))
      for (const hit of ruleHits) hits.push({ meta: rule.meta, hit });
    return { context, hits, policies: { identity, ...(boundary ? { boundary } : {}) } };
  }

  private reportUnknownActions(permissions: EffectivePermissions, roleArn: string): void {
    // A typo of a known service's action is an error; an action of a service the catalog does not know
    // is evaluated by its pattern and noted (SPEC §4).
    for (const [policy, actions] of this.newPerPolicy(permissions.unknownActions, 'unknown')) {
      const isManaged = policy.startsWith('arn:');
      this.addError({
        scope: isManaged ? 'policy' : 'role',
        arn: isManaged ? policy : roleArn,
        code: 'UnknownAction',
        message: `${policy} names action${actions.length === 1 ? '' : 's'} not in the IAM catalog: ${actionList(actions)}`,
      });
    }
    for (const [policy, actions] of this.newPerPolicy(permissions.uncataloguedServiceActions, 'service')) {
      const isManaged = policy.startsWith('arn:');
      this.notes.push({
        scope: isManaged ? 'policy' : 'role',
        arn: isManaged ? policy : roleArn,
        code: 'UncataloguedService',
        message: `${policy} names action${actions.length === 1 ? '' : 's'} of a service the IAM catalog (${this.catalog.version}) does not know, evaluated by pattern: ${actionList(actions)}`,
      });
    }
  }

  /** The actions not yet reported, by policy (each policy and action is reported once per run). */
  private newPerPolicy(unknown: readonly UnknownAction[], kind: string): Map<string, string[]> {
    const byPolicy = new Map<string, string[]>();
    for (const entry of unknown) {
      const key = `${kind}\n${entry.policy}\n${entry.action}`;
      if (this.unknownReported.has(key)) continue;
      this.unknownReported.add(key);
      const list = byPolicy.get(entry.policy) ?? [];
      list.push(entry.action);
      byPolicy.set(entry.policy, list);
    }
    return byPolicy;
  }
}

/** At most ten actions, each at most 80 characters, and how many more. */
function actionList(actions: readonly string[]): string {
  const shown = actions
    .slice(0, 10)
    .map((action) => (action.length > 80 ? `${action.slice(0, 79)}…` : action));
  return `${shown.join(', ')}${actions.length > 10 ? ` and ${actions.length - 10} more` : ''}`;
}

/**
 * Groups the functions by role, roles in the order first named. A published version running as its
 * `$LATEST`'s role is the same function: only rules that look at a version's own configuration
 * (`appliesToSameRoleVersions`) check it, and it is not listed in the roles index.
 */
function groupByRole(functions: readonly FunctionRecord[]): Map<string, RoleGroup> {
  const latestOf = new Map<string, FunctionRecord>();
  const unqualified = functions.map(unqualifiedArn);
  for (let index = 0; index < functions.length; index += 1) {
    const fn = functions[index]!;
    if (fn.version === '$LATEST') latestOf.set(unqualified[index]!, fn);
  }
  const groups = new Map<string, RoleGroup>();
  for (let index = 0; index < functions.length; index += 1) {
    const fn = functions[index]!;
    const arn = unqualified[index]!;
    let group = groups.get(fn.roleArn);
    if (!group) {
      group = { roleArn: fn.roleArn, entries: [], users: new Map(), items: [] };
      groups.set(fn.roleArn, group);
    }
    const latest = fn.version === '$LATEST' ? undefined : latestOf.get(arn);
    const sameRoleAsLatest = latest?.roleArn === fn.roleArn;
    if (!group.users.has(arn) || fn.version === '$LATEST') group.users.set(arn, fn);
    if (!sameRoleAsLatest) group.entries.push(fn.functionArn);
    group.items.push({ fn, latest: sameRoleAsLatest ? latest : undefined });
  }
  return groups;
}

/** How many functions use a role, and the first few names (`name (region)` where a name repeats). */
function usersOf(group: RoleGroup): RoleUsers {
  const first = [...take(group.users.values(), USER_SAMPLE)];
  const names = new Map<string, number>(first.map((fn) => [fn.functionName, 0]));
  for (const fn of group.users.values()) {
    const seen = names.get(fn.functionName);
    if (seen !== undefined) names.set(fn.functionName, seen + 1);
  }
  return {
    count: group.users.size,
    sample: first.map((fn) =>
      (names.get(fn.functionName) ?? 0) > 1 ? `${fn.functionName} (${fn.region})` : fn.functionName,
    ),
  };
}

function* take<T>(items: Iterable<T>, count: number): Iterable<T> {
  if (count <= 0) return;
  let taken = 0;
  for (const item of items) {
    yield item;
    taken += 1;
    if (taken >= count) return;
  }
}
