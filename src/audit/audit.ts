import * as crypto from 'node:crypto';
import type { AuditReport, Finding, SeverityCounts } from '../model/report.js';
import { atLeast, compareSeverity, lowerSeverity, type Severity } from '../model/severity.js';
import type {
  AccountSnapshot,
  AuditError,
  FunctionRecord,
  RoleReadFailure,
  RoleRecord,
} from '../model/snapshot.js';
import { parseArn } from '../policy/arn.js';
import { type ActionCatalog, defaultCatalog } from '../policy/catalog.js';
import { EffectivePermissions } from '../policy/effective.js';
import { type ParsedPolicy, parsePolicy } from '../policy/policy.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { FUNCTION_RULES, ROLE_RULES } from '../rules/index.js';
import type { FunctionContext, RoleContext, RuleHit, RuleMetadata } from '../rules/rule.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { applySuppressions, type Suppression, suppressionsFromTags } from './suppressions.js';

export interface AuditOptions {
  catalog?: ActionCatalog;
  suppressions?: Suppression[];
  now?: Date;
  /** Findings below this severity are left out of the report. */
  minSeverity?: Severity;
  /** Globs on function names; only matching functions are audited. */
  functions?: string[];
}

interface RoleAnalysis {
  context: RoleContext;
  hits: Array<{ meta: RuleMetadata; hit: RuleHit }>;
}

/** The functions (one record per unqualified ARN) that run as one role, in the order first seen. */
class RoleUsers {
  readonly byArn = new Map<string, FunctionRecord>();
  /** Unqualified ARNs of the first `sampleSize + 1` users: all that any sample can name. */
  private firstArns: string[] | undefined;
  /** Their labels: `name`, or `name (region)` where the name alone is ambiguous among all users. */
  private firstLabels: string[] = [];
  /** The answer for every function outside the first users: the same sample, shared. */
  private sharedAnswer: SharedWith | undefined;

  constructor(private readonly sampleSize: number) {}

  /** Up to `sampleSize` labels of the role's other users (`self` is one of its users), and how many there are. */
  othersOf(self: string): SharedWith {
    const { sampleSize } = this;
    const position = this.buildLabels().indexOf(self);
    const count = this.byArn.size - 1;
    if (position >= 0 && position < sampleSize) {
      const sample = this.firstLabels.slice(0, sampleSize + 1);
      sample.splice(position, 1);
      if (sample.length > sampleSize) sample.length = sampleSize;
      return { sample, count };
    }
    // Frozen: the findings of every such function share it.
    this.sharedAnswer ??= { sample: Object.freeze(this.firstLabels.slice(0, sampleSize)) as string[], count };
    return this.sharedAnswer;
  }

  private buildLabels(): string[] {
    if (this.firstArns) return this.firstArns;
    const firstArns: string[] = [];
    const firstUsers: FunctionRecord[] = [];
    for (const [arn, user] of this.byArn) {
      if (firstArns.length > this.sampleSize) break;
      firstArns.push(arn);
      firstUsers.push(user);
    }
    // Only the names of the first users are labelled: count how often each occurs among all users.
    const counts = new Map<string, number>();
    for (const user of firstUsers) counts.set(user.functionName, 0);
    for (const user of this.byArn.values()) {
      const seen = counts.get(user.functionName);
      if (seen !== undefined) counts.set(user.functionName, seen + 1);
    }
    this.firstLabels = firstUsers.map((user) =>
      (counts.get(user.functionName) ?? 0) > 1 ? `${user.functionName} (${user.region})` : user.functionName,
    );
    this.firstArns = firstArns;
    return firstArns;
  }
}

type SharedWith = FunctionContext['sharedWith'];

/** How many other users of a shared role a finding names; the count says how many there are in all. */
const SHARED_WITH_SAMPLE = 20;

/** One-shot hashing where Node has it (20.12+), the same digest through a Hash object elsewhere. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The unqualified ARN of a function record (`…:function:name`), also for published versions. */
export function unqualifiedArn(fn: FunctionRecord): string {
  if (fn.version === '$LATEST') return fn.functionArn;
  const suffix = `:${fn.version}`;
  return fn.functionArn.endsWith(suffix) ? fn.functionArn.slice(0, -suffix.length) : fn.functionArn;
}

/** A finding's id: stable across runs for the same rule, function (or version) and role. */
export function findingId(ruleId: string, functionArn: string, roleArn: string): string {
  return sha256Hex(`${ruleId}\n${functionArn}\n${roleArn}`).slice(0, 16);
}

/** Locale-independent string order: the same report on every machine, and far cheaper than localeCompare. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function errorKey(error: AuditError): string {
  return `${error.arn}\n${error.code}\n${error.message}`;
}

function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}

/**
 * Audits an account snapshot: evaluates every function's execution role and applies the rule
 * catalog. Pure: no AWS calls. One bad role or policy becomes an entry in `errors`, never a throw.
 *
 * @example
 * const report = auditSnapshot(snapshot, { minSeverity: 'medium' });
 * console.log(report.summary.findings.critical);
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
  private readonly roleAnalyses = new Map<string, RoleAnalysis | null>();
  private readonly unknownReported = new Set<string>();
  private readonly tagSuppressionsByRole = new Map<string, Suppression[]>();
  /** Roles present in the snapshot that still cannot be audited (a policy of theirs is missing). */
  private readonly unreadableRoles = new Map<string, RoleReadFailure>();

  constructor(
    private readonly snapshot: AccountSnapshot,
    private readonly options: AuditOptions,
  ) {
    this.catalog = options.catalog ?? defaultCatalog();
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
    const now = options.now ?? new Date();
    const globs = options.functions;
    const functions = globs?.length
      ? snapshot.functions.filter((fn) => globs.some((glob) => matchesWildcard(glob, fn.functionName)))
      : snapshot.functions;

    const latestRole = new Map<string, FunctionRecord>();
    const usersOfRole = new Map<string, RoleUsers>();
    const unqualifiedArns = functions.map(unqualifiedArn);
    for (let index = 0; index < functions.length; index += 1) {
      const fn = functions[index]!;
      const unqualified = unqualifiedArns[index]!;
      if (fn.version === '$LATEST') latestRole.set(unqualified, fn);
      let users = usersOfRole.get(fn.roleArn);
      if (!users) {
        users = new RoleUsers(SHARED_WITH_SAMPLE);
        usersOfRole.set(fn.roleArn, users);
      }
      if (!users.byArn.has(unqualified) || fn.version === '$LATEST') users.byArn.set(unqualified, fn);
    }

    // Functions are audited role by role, the roles in the order the original list first needs their
    // analysis: errors come out in the same order, and what is built per role is used while it is at hand.
    const byRole = new Map<string, Array<{ index: number; sameRoleAsLatest: boolean }>>();
    const waiting = new Map<string, Array<{ index: number; sameRoleAsLatest: boolean }>>();
    for (let index = 0; index < functions.length; index += 1) {
      const fn = functions[index]!;
      const latest = latestRole.get(unqualifiedArns[index]!);
      const sameRoleAsLatest =
        fn.version !== '$LATEST' && latest !== undefined && latest.roleArn === fn.roleArn;
      if (sameRoleAsLatest) {
        // The version runs as the same role as $LATEST: only its own configuration can add findings.
        const latestSecrets = new Set(latest.secretSuspects.map((suspect) => suspect.name));
        if (fn.secretSuspects.every((suspect) => latestSecrets.has(suspect.name))) continue;
      }
      const item = { index, sameRoleAsLatest };
      const group = byRole.get(fn.roleArn);
      if (group) group.push(item);
      else if (sameRoleAsLatest) {
        // Needs no analysis: the role's place is where a function first needs it analysed.
        const early = waiting.get(fn.roleArn);
        if (early) early.push(item);
        else waiting.set(fn.roleArn, [item]);
      } else {
        byRole.set(fn.roleArn, [...(waiting.get(fn.roleArn) ?? []), item]);
        waiting.delete(fn.roleArn);
      }
    }
    const findings: Finding[] = [];
    // Nothing stays waiting: a version that needs no analysis has its $LATEST, with the same role, in the list.
    for (const group of byRole.values()) {
      for (const { index, sameRoleAsLatest } of group) {
        this.auditFunction(
          functions[index]!,
          unqualifiedArns[index]!,
          usersOfRole,
          sameRoleAsLatest,
          findings,
        );
      }
    }

    const roles = new Set(functions.map((fn) => fn.roleArn));
    const expiredSuppressions = applySuppressions(
      findings,
      options.suppressions ?? [],
      (roleArn) => this.tagSuppressions(roleArn),
      now,
    );
    const kept = options.minSeverity
      ? findings.filter((f) => atLeast(f.severity, options.minSeverity!))
      : findings;
    kept.sort(
      (a, b) =>
        compareSeverity(b.severity, a.severity) ||
        byCodeUnits(a.functionName, b.functionName) ||
        byCodeUnits(a.functionArn, b.functionArn) ||
        byCodeUnits(a.ruleId, b.ruleId),
    );
    const counts = emptyCounts();
    let muted = 0;
    for (const finding of kept) {
      if (finding.muted) muted += 1;
      else counts[finding.severity] += 1;
    }
    const report: AuditReport = {
      schemaVersion: 1,
      tool: { name: TOOL_NAME, version: TOOL_VERSION, iamDataVersion: this.catalog.version },
      generatedAt: now.toISOString(),
      account: snapshot.account,
      regions: [...snapshot.regions],
      summary: {
        functions: new Set(unqualifiedArns).size,
        roles: roles.size,
        findings: counts,
        muted,
        errors: this.errors.length,
      },
      findings: kept,
      errors: this.errors,
    };
    if (expiredSuppressions.length > 0) report.expiredSuppressions = expiredSuppressions;
    if (snapshot.partial) report.partial = snapshot.partial;
    return report;
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

  /** Adds the function's findings to `findings`. */
  private auditFunction(
    fn: FunctionRecord,
    unqualified: string,
    usersOfRole: Map<string, RoleUsers>,
    sameRoleAsLatest: boolean,
    findings: Finding[],
  ): void {
    const analysis = sameRoleAsLatest ? undefined : this.analyseRole(fn.roleArn);
    const failure = sameRoleAsLatest ? undefined : this.roleFailure(fn.roleArn);
    const users = usersOfRole.get(fn.roleArn);
    const context: FunctionContext = {
      fn,
      snapshot: this.snapshot,
      role: analysis?.context,
      roleFailure: failure,
      sharedWith: sameRoleAsLatest || !users ? { sample: [], count: 0 } : users.othersOf(unqualified),
    };
    if (analysis) for (const { meta, hit } of analysis.hits) findings.push(this.toFinding(fn, meta, hit));
    for (const rule of FUNCTION_RULES) {
      if (sameRoleAsLatest && rule.meta.id !== 'secrets-in-environment') continue;
      for (const hit of rule.check(context)) findings.push(this.toFinding(fn, rule.meta, hit));
    }
  }

  private toFinding(fn: FunctionRecord, meta: RuleMetadata, hit: RuleHit): Finding {
    const conditional = hit.conditional ?? false;
    const severity = hit.severity ?? (conditional ? lowerSeverity(meta.severity) : meta.severity);
    return {
      id: findingId(meta.id, fn.functionArn, fn.roleArn),
      ruleId: meta.id,
      severity,
      title: meta.title,
      functionName: fn.functionName,
      functionArn: fn.functionArn,
      region: fn.region,
      roleArn: fn.roleArn,
      message: hit.message,
      // A role's hits are frozen and shared by the findings of all its functions.
      evidence: hit.evidence,
      remediation: hit.remediation ?? meta.remediation,
      conditional,
      muted: null,
    };
  }

  private roleFailure(roleArn: string): (RoleReadFailure & { missing: boolean }) | undefined {
    const unreadable = this.unreadableRoles.get(roleArn);
    if (unreadable) return { ...unreadable, missing: false };
    if (this.snapshot.roles.has(roleArn)) return undefined;
    const parsed = parseArn(roleArn);
    if (parsed?.service !== 'iam' || !parsed.resource.startsWith('role/')) {
      // Lambda only accepts role ARNs; a hand-written file may hold anything else.
      const message = `"${roleArn.slice(0, 200)}" is not an IAM role ARN`;
      this.addError({ scope: 'function', arn: roleArn, code: 'InvalidRoleArn', message });
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
    if (this.roleAnalyses.has(roleArn)) return this.roleAnalyses.get(roleArn) ?? undefined;
    const role = this.snapshot.roles.get(roleArn);
    const analysis = role ? this.buildAnalysis(role) : null;
    this.roleAnalyses.set(roleArn, analysis);
    return analysis ?? undefined;
  }

  private buildAnalysis(role: RoleRecord): RoleAnalysis | null {
    // Auditing a role without one of its policies would state findings the role may not have
    // (logging-missing) or miss a Deny: like the collector, call the role unreadable instead.
    const absent = [
      ...role.attachedPolicyArns,
      ...(role.permissionsBoundaryArn ? [role.permissionsBoundaryArn] : []),
    ].filter((arn) => !this.snapshot.managedPolicies.has(arn));
    if (absent.length > 0) {
      const message = `polic${absent.length === 1 ? 'y' : 'ies'} ${absent.join(', ')} not in the snapshot: the role cannot be audited`;
      this.unreadableRoles.set(role.arn, { code: 'PolicyUnreadable', message });
      this.addError({ scope: 'role', arn: role.arn, code: 'PolicyUnreadable', message });
      return null;
    }
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
    const context: RoleContext = {
      role,
      permissions,
      trust,
      catalog: this.catalog,
      facts: { admin: false, escalationActions: new Set(), wildcardServices: new Set() },
    };
    const hits: RoleAnalysis['hits'] = [];
    for (const rule of ROLE_RULES) {
      for (const hit of rule.check(context)) {
        for (const evidence of hit.evidence) Object.freeze(evidence);
        Object.freeze(hit.evidence);
        hits.push({ meta: rule.meta, hit });
      }
    }
    return { context, hits };
  }

  private reportUnknownActions(permissions: EffectivePermissions, roleArn: string): void {
    const byPolicy = new Map<string, string[]>();
    for (const unknown of permissions.unknownActions) {
      const key = `${unknown.policy}\n${unknown.action}`;
      if (this.unknownReported.has(key)) continue;
      this.unknownReported.add(key);
      const list = byPolicy.get(unknown.policy) ?? [];
      list.push(unknown.action);
      byPolicy.set(unknown.policy, list);
    }
    for (const [policy, actions] of byPolicy) {
      const isManaged = policy.startsWith('arn:');
      this.addError({
        scope: isManaged ? 'policy' : 'role',
        arn: isManaged ? policy : roleArn,
        code: 'UnknownAction',
        message: `${policy} names action${actions.length === 1 ? '' : 's'} not in the IAM catalog: ${actions
          .slice(0, 10)
          .map((action) => (action.length > 80 ? `${action.slice(0, 79)}…` : action))
          .join(', ')}${actions.length > 10 ? ` and ${actions.length - 10} more` : ''}`,
      });
    }
  }
}
