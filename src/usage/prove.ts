/**
 * The proof a proposed policy must pass before it is offered (SPEC §4c), with the project's evaluator:
 *
 * 1. It allows nothing the role cannot do now: every action the proposal grants (the catalog's actions ×
 *    the resources the proposal names, under its conditions) is covered by a current Allow statement
 *    without a condition or with the same one; the current Deny statements are all kept, and the
 *    permissions boundary stays attached, so what holds for the Allows holds for the effective
 *    permissions.
 * 2. Every action the role used, or may have used, is still allowed wherever it is allowed now (the
 *    three logging actions on the role's functions' log groups).
 * 3. Audited as the role's policy, it has no `admin-access` and no `service-wildcard` finding.
 * 4. It fits IAM's size limit for a managed policy, so it is ready for `aws iam create-policy`.
 *
 * Anything the proof cannot show counts as a failure: a proposal is offered only when all of it holds.
 */
import { isPlainObject } from '../model/json.js';
import type { FunctionRecord } from '../model/snapshot.js';
import { parseArn } from '../policy/arn.js';
import type { ActionCatalog } from '../policy/catalog.js';
import { actionCovers, resourceCovers } from '../policy/containment.js';
import { EffectivePermissions, type PolicySet } from '../policy/effective.js';
import { type ParsedPolicy, parsePolicy, type Statement } from '../policy/policy.js';
import { hasWildcard, matchesWildcard } from '../policy/wildcard.js';
import { adminAccess } from '../rules/admin-access.js';
import { logGroupNameFor } from '../rules/logging.js';
import type { RoleContext } from '../rules/rule.js';
import { serviceWildcard } from '../rules/service-wildcard.js';
import { alwaysKept, couldApply, grantedActionsByService, type UsageAnalysis } from './analysis.js';

/** IAM's limit for a managed policy document, in characters without whitespace. */
export const MANAGED_POLICY_MAX_CHARACTERS = 6_144;

/** The logging actions a proposal scopes to the functions' own log groups. */
export const LOG_ACTIONS = ['logs:createloggroup', 'logs:createlogstream', 'logs:putlogevents'] as const;

export type ProofResult =
  | { ok: true }
  | { ok: false; check: 'policy' | 'no-new-access' | 'keeps-used' | 'audit' | 'size'; reason: string };

export interface ProofInput {
  /** The role's current identity policies and permissions boundary. */
  current: PolicySet;
  /** The evaluator's view of `current`, when the caller has it already (the audit does). */
  currentPermissions?: EffectivePermissions;
  /** The proposed policy document. */
  proposal: unknown;
  catalog: ActionCatalog;
  /** The role's usage analysis: which actions it used, or may have used. */
  analysis: UsageAnalysis;
  /** The role's context, for auditing the proposal as the role's policy. */
  context: RoleContext;
  /** The role's functions: the log groups the logging actions are kept on. */
  functions: readonly FunctionRecord[];
  /** Lambda@Edge writes logs in every region it runs in: its logging actions are kept as they are. */
  edge: boolean;
}

/** A condition block in one canonical text: keys sorted at every level, value lists sorted. */
export function canonicalCondition(condition: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value))
      return value
        .map(canonical)
        .map((item) => JSON.stringify(item))
        .sort();
    if (isPlainObject(value))
      return Object.fromEntries(
        Object.keys(value)
          .map((key) => [key.toLowerCase(), canonical(value[key])] as const)
          .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)),
      );
    return [JSON.stringify(value)];
  };
  return JSON.stringify(canonical(condition ?? null));
}

/** A statement as one canonical text, to compare Deny statements. */
function canonicalStatement(statement: Statement): string {
  return JSON.stringify({
    effect: statement.effect,
    actions: statement.actions ? [...statement.actions].sort() : null,
    notActions: statement.notActions ? [...statement.notActions].sort() : null,
    resources: statement.resources ? [...statement.resources].sort() : null,
    notResources: statement.notResources ? [...statement.notResources].sort() : null,
    condition: statement.condition ? canonicalCondition(statement.condition) : null,
  });
}

/** Whether `outer`'s condition holds whenever `inner`'s does: none at all, or the very same one. */
function conditionCovers(outer: Statement, inner: Statement | null): boolean {
  if (!outer.condition) return true;
  if (!inner?.condition) return false;
  return canonicalCondition(outer.condition) === canonicalCondition(inner.condition);
}

/** What a statement's resources cover: a list of patterns, or everything except some (`NotResource`). */
type ResourceScope =
  | { kind: 'only'; patterns: readonly string[] }
  | { kind: 'except'; patterns: readonly string[] };

function scopeOf(statement: Statement): ResourceScope {
  return statement.notResources
    ? { kind: 'except', patterns: statement.notResources }
    : { kind: 'only', patterns: statement.resources ?? [] };
}

/** Whether a statement's resources cover one resource pattern. */
function coversPattern(statement: Statement, pattern: string): boolean {
  if (statement.notResources) return false; // overlap with the exclusions cannot be ruled out
  return (statement.resources ?? []).some((resource) => resourceCovers(resource, pattern));
}

/** Whether a statement's resources cover "everything except `excluded`". */
function coversAllExcept(statement: Statement, excluded: readonly string[]): boolean {
  if (statement.notResources)
    return statement.notResources.every((own) => excluded.some((pattern) => resourceCovers(pattern, own)));
  return (statement.resources ?? []).includes('*');
}

/** Whether the statements cover an action's scope, each under a condition at least as wide as `condition`'s. */
function someCovers(
  statements: readonly Statement[],
  scope: ResourceScope,
  condition: Statement | null,
): boolean {
  const usable = statements.filter((statement) => conditionCovers(statement, condition));
  // "Everything except …" is one set: one statement must cover it; listed patterns may be covered one by one.
  if (scope.kind === 'except') return usable.some((statement) => coversAllExcept(statement, scope.patterns));
  return scope.patterns.every((pattern) => usable.some((statement) => coversPattern(statement, pattern)));
}

/**
 * Whether the current policies allow an action on a resource pattern under a condition (or without one
 * when `condition` is null): an Allow statement that matches the action covers the pattern with no
 * condition or the same one. The boundary and Denies are the evaluator's.
 *
 * @example
 * currentAllows(permissions, 'logs:putlogevents', 'arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/app:*', null);
 */
export function currentAllows(
  permissions: EffectivePermissions,
  action: string,
  resource: string,
  condition: Statement | null = null,
): boolean {
  const grant = permissions.grantOnAnyResource(action);
  if (!grant) return false;
  return someCovers(grant.statements, { kind: 'only', patterns: [resource] }, condition);
}

/** The log group ARNs of the role's functions: each group, and everything in it. */
export function logGroupResources(functions: readonly FunctionRecord[]): {
  groups: string[];
  contents: string[];
} {
  const groups = new Set<string>();
  for (const fn of functions) {
    const parts = parseArn(fn.functionArn);
    if (!parts) continue;
    groups.add(
      `arn:${parts.partition}:logs:${fn.region}:${parts.account}:log-group:${logGroupNameFor(fn.functionName, fn.logGroup)}`,
    );
  }
  const sorted = [...groups].sort();
  return { groups: sorted, contents: sorted.map((group) => `${group}:*`) };
}

/** Where each logging action must stay allowed: the functions' log groups the role may use now. */
export function requiredLogResources(
  permissions: EffectivePermissions,
  functions: readonly FunctionRecord[],
): Map<string, string[]> {
  const { groups, contents } = logGroupResources(functions);
  const required = new Map<string, string[]>();
  for (const action of LOG_ACTIONS) {
    const candidates = action === 'logs:createloggroup' ? [...groups, ...contents] : contents;
    const allowed = candidates.filter((resource) => currentAllows(permissions, action, resource));
    if (allowed.length > 0) required.set(action, allowed);
  }
  return required;
}

/**
 * The actions the role used or may have used, which a proposal must keep wherever they are allowed now:
 * every granted action of a service used in the window except the tracked ones not attempted, the
 * platform permissions and the actions IAM never tracks.
 */
export function actionsToKeep(
  permissions: EffectivePermissions,
  catalog: ActionCatalog,
  analysis: UsageAnalysis,
): string[] {
  const verdicts = new Map(analysis.services.map((verdict) => [verdict.service, verdict]));
  const keep: string[] = [];
  for (const [service, actions] of grantedActionsByService(permissions, catalog)) {
    const verdict = verdicts.get(service);
    const unused = new Set(verdict?.unusedActions.map((action) => action.key));
    for (const action of actions) {
      if (alwaysKept(action.key)) keep.push(action.key);
      else if (verdict?.state === 'used' && !unused.has(action.key)) keep.push(action.key);
    }
  }
  return keep;
}

function fail(check: Exclude<ProofResult, { ok: true }>['check'], reason: string): ProofResult {
  return { ok: false, check, reason };
}

/**
 * The actions a proposal statement names, expanded against the catalog; patterns that may reach services
 * the catalog does not know (`*`, `newservice:*`) as they are, and names of known services that are no
 * action of them (a typo) apart.
 */
function namedActions(
  statement: Statement,
  catalog: ActionCatalog,
): { keys: string[]; uncatalogued: string[]; invalid: string[] } {
  const keys: string[] = [];
  const uncatalogued: string[] = [];
  const invalid: string[] = [];
  for (const pattern of statement.actions ?? []) {
    const separator = pattern.indexOf(':');
    const prefix = separator < 0 ? pattern : pattern.slice(0, separator);
    if (separator < 0 || hasWildcard(prefix)) {
      for (const service of catalog.serviceNames) {
        if (!matchesWildcard(prefix, service)) continue;
        for (const action of catalog.actionsOf(service))
          if (matchesWildcard(pattern, action.key)) keys.push(action.key);
      }
      uncatalogued.push(pattern);
    } else if (catalog.hasService(prefix)) {
      const matched = catalog.actionsOf(prefix).filter((action) => matchesWildcard(pattern, action.key));
      if (matched.length === 0) invalid.push(pattern);
      for (const action of matched) keys.push(action.key);
    } else {
      uncatalogued.push(pattern);
    }
  }
  return { keys, uncatalogued, invalid };
}

/** A statement's action patterns for one service the catalog does not know (`*` becomes `service:*`). */
function patternsForService(statement: Statement, service: string): string[] {
  if (!statement.actions) return [`${service}:*`];
  return statement.actions.flatMap((pattern) => {
    const separator = pattern.indexOf(':');
    const prefix = separator < 0 ? pattern : pattern.slice(0, separator);
    if (!matchesWildcard(prefix, service)) return [];
    return [`${service}:${separator < 0 ? '*' : pattern.slice(separator + 1)}`];
  });
}

/**
 * Proves a proposed policy (see the module comment); the result names the first check that failed.
 *
 * @example
 * const result = proveProposal({ current, proposal, catalog, analysis, context, functions, edge: false });
 * if (!result.ok) console.log(result.check, result.reason);
 */
export function proveProposal(input: ProofInput): ProofResult {
  const { current, catalog, analysis, context, functions, edge } = input;
  const parsed = parsePolicy(input.proposal, 'proposed policy');
  if (!parsed.ok) return fail('policy', parsed.message);
  if (parsed.policy.problems.length > 0) return fail('policy', parsed.policy.problems.join('; '));
  if (!isPlainObject(input.proposal) || input.proposal.Version !== '2012-10-17')
    return fail('policy', 'the policy must have Version 2012-10-17');
  const proposal: ParsedPolicy = parsed.policy;
  const currentPermissions = input.currentPermissions ?? new EffectivePermissions(current, catalog);
  const proposed = new EffectivePermissions(
    { identity: [proposal], ...(current.boundary ? { boundary: current.boundary } : {}) },
    catalog,
  );

  // 1. Nothing new: the same Denies, and every Allow covered by a current one.
  const currentDenies = current.identity.flatMap((policy) =>
    policy.statements.filter((s) => s.effect === 'Deny'),
  );
  const proposedDenies = proposal.statements.filter((statement) => statement.effect === 'Deny');
  const denyTexts = currentDenies.map(canonicalStatement).sort();
  const proposedDenyTexts = proposedDenies.map(canonicalStatement).sort();
  if (JSON.stringify(denyTexts) !== JSON.stringify(proposedDenyTexts))
    return fail(
      'no-new-access',
      'the proposal must keep exactly the Deny statements of the current policies',
    );
  const currentAllows = current.identity.flatMap((policy) =>
    policy.statements.filter((s) => s.effect === 'Allow'),
  );
  for (const statement of proposal.statements) {
    if (statement.effect !== 'Allow') continue;
    if (!statement.actions) return fail('no-new-access', `statement ${statement.id} uses NotAction`);
    const scope = scopeOf(statement);
    const { keys, uncatalogued, invalid } = namedActions(statement, catalog);
    if (invalid.length > 0)
      return fail('no-new-access', `${invalid.join(', ')}: not an action of the IAM catalog`);
    for (const key of keys) {
      const grant = proposed.grantOnAnyResource(key);
      if (!grant?.statements.includes(statement)) continue;
      const now = currentPermissions.grantOnAnyResource(key);
      if (!now || !someCovers(now.statements, scope, statement))
        return fail(
          'no-new-access',
          `${key} on ${describeScope(scope)} is not allowed by the current policies`,
        );
    }
    for (const pattern of uncatalogued) {
      const covering = currentAllows.filter((allow) =>
        allow.actions?.some((outer) => actionCovers(outer, pattern)),
      );
      if (!someCovers(covering, scope, statement))
        return fail(
          'no-new-access',
          `${pattern} on ${describeScope(scope)} is not allowed by the current policies`,
        );
    }
  }

  // 2. Everything used, or perhaps used, stays allowed where it is allowed now.
  const logs = edge ? undefined : requiredLogResources(currentPermissions, functions);
  for (const key of actionsToKeep(currentPermissions, catalog, analysis)) {
    const proposedGrant = proposed.grantOnAnyResource(key);
    if (logs && (LOG_ACTIONS as readonly string[]).includes(key)) {
      for (const resource of logs.get(key) ?? []) {
        if (
          !proposedGrant ||
          !someCovers(proposedGrant.statements, { kind: 'only', patterns: [resource] }, null)
        )
          return fail('keeps-used', `${key} is no longer allowed on ${resource}`);
      }
      continue;
    }
    const now = currentPermissions.grantOnAnyResource(key);
    for (const statement of now?.statements ?? []) {
      let scope = scopeOf(statement);
      // An always-kept action granted on other services' resources grants nothing to keep there.
      if (scope.kind === 'only' && alwaysKept(key))
        scope = { kind: 'only', patterns: scope.patterns.filter((resource) => couldApply(key, resource)) };
      if (scope.kind === 'only' && scope.patterns.length === 0) continue;
      if (!proposedGrant || !someCovers(proposedGrant.statements, scope, statement))
        return fail(
          'keeps-used',
          `${key}, which the role used or may have used, is no longer allowed on ${describeScope(scope)}`,
        );
    }
  }
  // A service the catalog does not know is judged by the report alone: used, its patterns stay.
  for (const [service, state] of analysis.reported) {
    if (!state.used || catalog.hasService(service)) continue;
    for (const statement of currentAllows) {
      for (const pattern of patternsForService(statement, service)) {
        const kept = proposal.statements.filter(
          (allow) => allow.effect === 'Allow' && allow.actions?.some((outer) => actionCovers(outer, pattern)),
        );
        if (!someCovers(kept, scopeOf(statement), statement))
          return fail(
            'keeps-used',
            `${pattern} (a service the role used that the IAM catalog does not know) is no longer allowed`,
          );
      }
    }
  }

  // 3. Audited as the role's policy: no admin-access, no service-wildcard.
  const audited: RoleContext = {
    role: context.role,
    permissions: proposed,
    trust: context.trust,
    catalog,
  };
  for (const rule of [adminAccess, serviceWildcard]) {
    const hits = rule.check(audited);
    if (hits.length > 0)
      return fail('audit', `the proposal itself has a ${rule.meta.id} finding: ${hits[0]!.message}`);
  }

  // 4. Ready for aws iam create-policy.
  const compact = JSON.stringify(input.proposal);
  if (compact.replace(/\s+/g, '').length > MANAGED_POLICY_MAX_CHARACTERS)
    return fail(
      'size',
      `the policy has ${compact.length} characters, more than IAM's ${MANAGED_POLICY_MAX_CHARACTERS} for a managed policy`,
    );
  return { ok: true };
}

function describeScope(scope: ResourceScope): string {
  const list =
    scope.patterns.length > 3 ? `${scope.patterns.slice(0, 3).join(', ')}, …` : scope.patterns.join(', ');
  return scope.kind === 'except' ? `every resource except ${list}` : list || 'no resource';
}
