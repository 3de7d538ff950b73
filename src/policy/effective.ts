import { BoundedCache, memoizeByObject } from '../model/memo.js';
import { ArnToMatch, compileResourcePattern, isUnrestrictedResource, type ResourcePattern } from './arn.js';
import type { ActionCatalog, CatalogAction } from './catalog.js';
import { type ConditionOutcome, evaluateCondition, type RequestContext } from './condition.js';
import type { ParsedPolicy, Statement } from './policy.js';
import { hasWildcard, matchesWildcard } from './wildcard.js';

/** What a role gets for an action: the identity statements that allow it, and whether only conditionally. */
export interface Grant {
  conditional: boolean;
  statements: Statement[];
}

export type Access = 'allowed' | 'conditional' | 'denied' | 'not-allowed';

export interface UnknownAction {
  policy: string;
  statement: string;
  action: string;
}

/** The policies that decide a role's permissions. */
export interface PolicySet {
  identity: ParsedPolicy[];
  boundary?: ParsedPolicy;
}

/** How a statement's action list relates to all the actions of one service. */
type ServiceCoverage = 'all' | 'none' | 'some';

/**
 * Whether a wildcard pattern matches every `service:action` key of a service: it ends with `*` and
 * what comes before that star matches a prefix of `service:` (`*`, `s3:*`, `s3*`, `s?:*`).
 */
function coversWholeService(pattern: string, service: string): boolean {
  if (!pattern.endsWith('*')) return false;
  const head = pattern.slice(0, -1);
  const prefix = `${service}:`;
  for (let length = 0; length <= prefix.length; length += 1) {
    if (matchesWildcard(head, prefix.slice(0, length))) return true;
  }
  return false;
}

class CompiledStatement {
  readonly statement: Statement;
  /** Service prefixes the statement can match, or null when it can match any service. */
  readonly services: ReadonlySet<string> | null;
  /** Covers every resource: an unrestricted `Resource`, or `NotResource`. */
  readonly unrestricted: boolean;
  /** `Resource` lists `*`: the statement covers any resource whatever its ARN. */
  readonly everyResource: boolean;
  /** A `Resource` pattern with a wildcard, or `NotResource`: it covers resources of a name one can choose. */
  readonly choosableResource: boolean;
  readonly conditional: boolean;
  /** Actions of known services that the catalog does not know (typos, or newer than the catalog). */
  readonly unknownActions: readonly UnknownAction[];
  /** Actions of services the catalog does not know at all (retired or newer): evaluated by pattern. */
  readonly uncataloguedServiceActions: readonly UnknownAction[];
  /** `Resource` or `NotResource` patterns, prepared on first use. */
  private resourcePatterns: ResourcePattern[] | undefined;
  // Created only when the statement has entries of the kind: thousands of statements are compiled per run.
  private exact: Set<string> | undefined;
  /** Exact actions by service prefix. */
  private exactByService: Map<string, string[]> | undefined;
  /**
   * Wildcard patterns whose service part is literal (`s3:get*`), by that service: such a pattern
   * can only match actions of its own service, so an action is compared with its service's only.
   */
  private patternsByService: Map<string, string[]> | undefined;
  /** Wildcard patterns that may match several services (`*`, `s3*:get*`, no colon). */
  private anyServicePatterns: string[] | undefined;
  private readonly negated: boolean;
  private coverage: Map<string, ServiceCoverage> | undefined;
  /** Flags by catalog action list (lists live as long as the catalog, like the compiled statement). */
  private matchedAmong: Map<readonly CatalogAction[], Uint8Array> | undefined;

  constructor(statement: Statement, catalog: ActionCatalog) {
    this.statement = statement;
    this.conditional = statement.conditional;
    const list = statement.actions ?? statement.notActions ?? [];
    this.negated = statement.actions === null;
    for (const action of list) {
      if (!hasWildcard(action)) {
        this.exact ??= new Set();
        this.exact.add(action);
        const service = serviceOfKey(action);
        this.exactByService ??= new Map();
        const named = this.exactByService.get(service);
        if (named) named.push(action);
        else this.exactByService.set(service, [action]);
        continue;
      }
      const separator = action.indexOf(':');
      const prefix = separator < 0 ? '' : action.slice(0, separator);
      if (separator > 0 && !hasWildcard(prefix)) {
        this.patternsByService ??= new Map();
        const patterns = this.patternsByService.get(prefix);
        if (patterns) patterns.push(action);
        else this.patternsByService.set(prefix, [action]);
      } else {
        this.anyServicePatterns ??= [];
        this.anyServicePatterns.push(action);
      }
    }
    this.services = this.negated ? null : servicesOf(list, catalog);
    this.unrestricted =
      statement.notResources !== null ||
      (statement.resources ?? []).some((resource) => isUnrestrictedResource(resource));
    this.everyResource = statement.notResources === null && (statement.resources ?? []).includes('*');
    this.choosableResource =
      statement.notResources !== null ||
      (statement.resources ?? []).some((resource) => hasWildcard(resource));
    const unknown = unknownActionsIn(statement, catalog);
    this.unknownActions = unknown.ofKnownServices;
    this.uncataloguedServiceActions = unknown.ofUnknownServices;
  }

  /** Whether the statement's actions match an action key; `service` is the key's prefix. */
  matchesAction(key: string, service: string = serviceOfKey(key)): boolean {
    return this.listed(key, service) !== this.negated;
  }

  /**
   * Whether the statement matches an action through a wildcard pattern or as a `NotAction` exclusion
   * list: a grant that would also cover actions AWS adds to the service later.
   */
  matchesActionByPattern(key: string, service: string = serviceOfKey(key)): boolean {
    if (this.negated) return this.matchesAction(key, service);
    const specific = this.patternsByService?.get(service);
    if (specific) {
      for (const pattern of specific) if (matchesWildcard(pattern, key)) return true;
    }
    if (this.anyServicePatterns) {
      for (const pattern of this.anyServicePatterns) if (matchesWildcard(pattern, key)) return true;
    }
    return false;
  }

  private listed(key: string, service: string): boolean {
    if (this.exact?.has(key)) return true;
    const specific = this.patternsByService?.get(service);
    if (specific) {
      for (const pattern of specific) if (matchesWildcard(pattern, key)) return true;
    }
    if (this.anyServicePatterns) {
      for (const pattern of this.anyServicePatterns) if (matchesWildcard(pattern, key)) return true;
    }
    return false;
  }

  /**
   * Whether the statement matches all, none or only some of a service's actions; `some` is also the
   * answer when it cannot be told without looking at each action.
   */
  coverageOf(service: string): ServiceCoverage {
    this.coverage ??= new Map();
    let coverage = this.coverage.get(service);
    if (coverage) return coverage;
    const specific = this.patternsByService?.get(service) ?? [];
    const anyService = this.anyServicePatterns ?? [];
    const coversAll =
      specific.some((pattern) => coversWholeService(pattern, service)) ||
      anyService.some((pattern) => coversWholeService(pattern, service));
    const namesNone =
      !coversAll && !this.exactByService?.has(service) && specific.length === 0 && anyService.length === 0;
    if (this.negated) coverage = coversAll ? 'none' : namesNone ? 'all' : 'some';
    else coverage = coversAll ? 'all' : namesNone ? 'none' : 'some';
    this.coverage.set(service, coverage);
    return coverage;
  }

  /**
   * Which of a list of one service's actions the statement matches, as flags in list order. Kept per
   * list: rules ask with the same list for every role, and a managed policy's statements are shared
   * by every role that attaches it.
   */
  matchesAmong(actions: readonly CatalogAction[], service: string): Uint8Array {
    this.matchedAmong ??= new Map();
    let flags = this.matchedAmong.get(actions);
    if (!flags) {
      flags = new Uint8Array(actions.length);
      for (let index = 0; index < actions.length; index += 1) {
        if (this.matchesAction(actions[index]!.key, service)) flags[index] = 1;
      }
      this.matchedAmong.set(actions, flags);
    }
    return flags;
  }

  coversResource(target: ArnToMatch): boolean {
    if (this.everyResource) return true;
    const { notResources } = this.statement;
    this.resourcePatterns ??= (notResources ?? this.statement.resources ?? []).map(compileResourcePattern);
    if (notResources) {
      for (const pattern of this.resourcePatterns) if (pattern.matches(target)) return false;
      return true;
    }
    for (const pattern of this.resourcePatterns) if (pattern.matches(target)) return true;
    return false;
  }
}

function servicesOf(actions: string[], catalog: ActionCatalog): Set<string> | null {
  const services = new Set<string>();
  for (const action of actions) {
    const separator = action.indexOf(':');
    const prefix = separator < 0 ? action : action.slice(0, separator);
    if (!hasWildcard(prefix)) {
      services.add(prefix);
      continue;
    }
    if (prefix === '*' || separator < 0) return null;
    for (const service of catalog.serviceNames) if (matchesWildcard(prefix, service)) services.add(service);
  }
  return services;
}

/**
 * What a statement compiles to depends only on the statement and the catalog, and the statements
 * of a managed policy are shared by every role that attaches it: compiled once, not per role.
 */
const compiledStatementsOf = memoizeByObject(
  (_catalog: ActionCatalog) => new WeakMap<Statement, CompiledStatement>(),
);

function compiledStatement(statement: Statement, catalog: ActionCatalog): CompiledStatement {
  const compiled = compiledStatementsOf(catalog);
  let entry = compiled.get(statement);
  if (!entry) {
    entry = new CompiledStatement(statement, catalog);
    compiled.set(statement, entry);
  }
  return entry;
}

const NO_UNKNOWN_ACTIONS: readonly UnknownAction[] = Object.freeze([]);

/**
 * The actions of a statement that the catalog does not know: those of services it knows (a typo, or
 * an action newer than the catalog) apart from those of services it does not know at all (a retired
 * service, or one newer than the catalog), which are evaluated by their pattern.
 */
function unknownActionsIn(
  statement: Statement,
  catalog: ActionCatalog,
): { ofKnownServices: readonly UnknownAction[]; ofUnknownServices: readonly UnknownAction[] } {
  let ofKnownServices: UnknownAction[] | undefined;
  let ofUnknownServices: UnknownAction[] | undefined;
  for (const action of statement.actions ?? statement.notActions ?? []) {
    if (action === '*' || catalog.knowsPattern(action)) continue;
    const entry = { policy: statement.policy, statement: statement.id, action };
    const separator = action.indexOf(':');
    const prefix = separator < 0 ? '' : action.slice(0, separator);
    if (prefix !== '' && !hasWildcard(prefix) && !catalog.hasService(prefix)) {
      ofUnknownServices ??= [];
      ofUnknownServices.push(entry);
    } else {
      ofKnownServices ??= [];
      ofKnownServices.push(entry);
    }
  }
  return {
    ofKnownServices: ofKnownServices ?? NO_UNKNOWN_ACTIONS,
    ofUnknownServices: ofUnknownServices ?? NO_UNKNOWN_ACTIONS,
  };
}

/** How a statement's condition turns out for a request of which `context` is known. */
function conditionOutcome(
  compiled: CompiledStatement,
  context: RequestContext | undefined,
): ConditionOutcome {
  if (!compiled.conditional) return 'true';
  return context ? evaluateCondition(compiled.statement.condition, context) : 'unknown';
}

/** Statements by the service they can match, plus those that can match any service. */
class ServiceLists {
  // Created on first use: thousands of policy sets are indexed, most lists stay empty.
  private byService: Map<string, CompiledStatement[]> | undefined;
  readonly anyService: CompiledStatement[] = [];
  /** Specific-then-any lists, built on first use: most services are never asked about. */
  private merged: Map<string, CompiledStatement[]> | undefined;

  add(compiled: CompiledStatement): void {
    this.merged = undefined;
    if (compiled.services === null) {
      this.anyService.push(compiled);
      return;
    }
    this.byService ??= new Map();
    for (const service of compiled.services) {
      const list = this.byService.get(service);
      if (list) list.push(compiled);
      else this.byService.set(service, [compiled]);
    }
  }

  forService(service: string): CompiledStatement[] {
    const specific = this.byService?.get(service);
    if (!specific) return this.anyService;
    if (this.anyService.length === 0) return specific;
    this.merged ??= new Map();
    let merged = this.merged.get(service);
    if (!merged) {
      merged = [...specific, ...this.anyService];
      this.merged.set(service, merged);
    }
    return merged;
  }

  services(): string[] {
    return this.byService ? [...this.byService.keys()] : [];
  }
}

/** Statements indexed by the service they can touch, so a question about one action reads only a few. */
class StatementIndex {
  private readonly everywhere = new ServiceLists();
  /** The same statements, only those on unrestricted resources. */
  private readonly unrestricted = new ServiceLists();

  add(compiled: CompiledStatement): void {
    this.everywhere.add(compiled);
    if (compiled.unrestricted) this.unrestricted.add(compiled);
  }

  /** The statements that can match an action of the service: its own first, then the any-service ones. */
  forService(service: string): CompiledStatement[] {
    return this.everywhere.forService(service);
  }

  /** {@link forService} restricted to statements on unrestricted resources, in the same order. */
  unrestrictedForService(service: string): CompiledStatement[] {
    return this.unrestricted.forService(service);
  }

  services(): string[] {
    return this.everywhere.services();
  }

  get hasAnyService(): boolean {
    return this.everywhere.anyService.length > 0;
  }

  /** True when an any-service statement covers unrestricted resources. */
  get hasUnrestrictedAnyService(): boolean {
    return this.unrestricted.anyService.length > 0;
  }
}

/**
 * The statements of an index on unrestricted resources that match some action of a service, or
 * `all` when one of them matches every action (then nothing needs to be looked at action by action).
 */
function matchingOnUnrestricted(index: StatementIndex, service: string): 'all' | CompiledStatement[] {
  const matching: CompiledStatement[] = [];
  for (const compiled of index.unrestrictedForService(service)) {
    const coverage = compiled.coverageOf(service);
    if (coverage === 'all') return 'all';
    if (coverage === 'some') matching.push(compiled);
  }
  return matching;
}

/** Whether one of the statements' flags (undefined: a statement matching everything) marks the index. */
function flagged(flags: Uint8Array[] | undefined, index: number): boolean {
  if (!flags) return true;
  for (const matched of flags) if (matched[index] === 1) return true;
  return false;
}

function serviceOfKey(key: string): string {
  const separator = key.indexOf(':');
  return separator < 0 ? key : key.slice(0, separator);
}

/**
 * How a list of statements covers a resource: `yes` when an unconditional one covers it,
 * `conditional` when only conditional ones do, `no` when none does. Without a resource only the
 * statements on `Resource: "*"` can answer; undefined when the others would have to be asked.
 */
function coverageOf(
  statements: CompiledStatement[],
  target: ArnToMatch | undefined,
): 'yes' | 'conditional' | 'no' | undefined {
  let conditional = false;
  let dependsOnResource = false;
  for (const compiled of statements) {
    const covers = compiled.everyResource || (target ? compiled.coversResource(target) : undefined);
    if (covers === undefined) dependsOnResource = true;
    else if (!covers) continue;
    else if (compiled.conditional) conditional = true;
    else return 'yes';
  }
  if (dependsOnResource) return undefined;
  return conditional ? 'conditional' : 'no';
}

/**
 * Applies the statements matching an action to one resource: Deny, then Allow, then the boundary.
 * Without a resource, the answer when it is the same for every resource, else undefined.
 */
function decideAccess(matching: ActionStatements, target: ArnToMatch | undefined): Access | undefined {
  // Only unconditional Denies are listed: they either deny or leave the decision to the Allows.
  const deny = coverageOf(matching.unconditionalDeny, target);
  if (deny === 'yes') return 'denied';
  if (deny === undefined) return undefined;
  const allow = coverageOf(matching.allow, target);
  if (allow === undefined) return undefined;
  if (allow === 'no') return 'not-allowed';
  if (matching.boundary) {
    const boundary = coverageOf(matching.boundary, target);
    if (boundary === undefined) return undefined;
    if (boundary === 'no') return 'not-allowed';
    if (boundary === 'conditional') return 'conditional';
  }
  return allow === 'yes' ? 'allowed' : 'conditional';
}

/** The statements that match one action, for questions about that action on concrete resources. */
interface ActionStatements {
  unconditionalDeny: CompiledStatement[];
  allow: CompiledStatement[];
  boundary: CompiledStatement[] | undefined;
  /** The answer for every resource, when each of these statements lists `Resource: "*"`. */
  sameForEveryResource: Access | undefined;
}

/**
 * The effective permissions of a role: (union of identity Allows) ∩ (boundary, if any) − Deny.
 * An Allow with a Condition counts as a conditional grant; a Deny with a Condition removes nothing.
 * Answers are memoised, and one instance is shared by every role with the same policy set.
 *
 * @example
 * const permissions = new EffectivePermissions({ identity: [policy] }, defaultCatalog());
 * permissions.accessTo('logs:putlogevents', 'arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:x');
 */
export class EffectivePermissions {
  readonly unknownActions: UnknownAction[] = [];
  /** Actions of services the catalog does not know: not errors, they are evaluated by their pattern. */
  readonly uncataloguedServiceActions: UnknownAction[] = [];
  /** Every statement of the identity policies (not the boundary), as parsed. */
  readonly identityStatements: Statement[] = [];
  private readonly allow = new StatementIndex();
  private readonly deny = new StatementIndex();
  private readonly boundaryAllow: StatementIndex | undefined;
  private readonly memo = new Map<string, Grant | null>();
  private readonly serviceMemo = new Map<string, Grant | null>();
  /** The same questions come back for every role with this policy set (the probes of an account). */
  private readonly whereMemo = new BoundedCache<string, Grant | null>(20_000);
  /** A short id per request context asked about: a role makes its contexts once and asks many times. */
  private readonly contextIds = new WeakMap<RequestContext, number>();
  private nextContextId = 0;
  private readonly byAction = new Map<string, ActionStatements>();
  private everything: Grant | null | undefined;
  private unrestrictedCandidates: readonly string[] | undefined;
  private wildcardServices: ReadonlyArray<{ service: string; grant: Grant }> | undefined;
  private readonly catalog: ActionCatalog;

  constructor(policies: PolicySet, catalog: ActionCatalog) {
    this.catalog = catalog;
    for (const policy of policies.identity) {
      for (const statement of policy.statements) {
        const compiled = compiledStatement(statement, catalog);
        (statement.effect === 'Allow' ? this.allow : this.deny).add(compiled);
        this.identityStatements.push(statement);
        for (const unknown of compiled.unknownActions) this.unknownActions.push(unknown);
        for (const unknown of compiled.uncataloguedServiceActions)
          this.uncataloguedServiceActions.push(unknown);
      }
    }
    if (policies.boundary) {
      this.boundaryAllow = new StatementIndex();
      for (const statement of policies.boundary.statements) {
        const compiled = compiledStatement(statement, catalog);
        // A Deny in the boundary denies like any other Deny.
        (statement.effect === 'Allow' ? this.boundaryAllow : this.deny).add(compiled);
        for (const unknown of compiled.unknownActions) this.unknownActions.push(unknown);
        for (const unknown of compiled.uncataloguedServiceActions)
          this.uncataloguedServiceActions.push(unknown);
      }
    }
  }

  /** Services that some Allow statement can reach (all catalog services when one can reach any). */
  candidateServices(): readonly string[] {
    if (this.allow.hasAnyService) return this.catalog.serviceNames;
    return this.allow.services().filter((service) => this.catalog.hasService(service));
  }

  /**
   * {@link candidateServices} narrowed to those that an Allow statement on an unrestricted resource
   * can reach, in the same order: the only ones where a grant on unrestricted resources can exist.
   */
  candidateServicesOnUnrestricted(): readonly string[] {
    if (this.unrestrictedCandidates) return this.unrestrictedCandidates;
    const candidates = this.candidateServices();
    this.unrestrictedCandidates = this.allow.hasUnrestrictedAnyService
      ? candidates
      : candidates.filter((service) => this.allow.unrestrictedForService(service).length > 0);
    return this.unrestrictedCandidates;
  }

  /** Whether some Allow statement on unrestricted resources can match actions of the service. */
  reachesOnUnrestricted(service: string): boolean {
    return this.allow.unrestrictedForService(service).length > 0;
  }

  /**
   * The actions among `actions` (catalog actions of one service) that can have a grant on
   * unrestricted resources, in their order: matched by an Allow on unrestricted resources and, if
   * there is a boundary, by one of its Allows too. The others need not be asked about one by one.
   */
  actionsPossiblyGrantedOnUnrestricted(
    service: string,
    actions: readonly CatalogAction[],
  ): readonly CatalogAction[] {
    const allowed = matchingOnUnrestricted(this.allow, service);
    if (allowed !== 'all' && allowed.length === 0) return [];
    const bounded = this.boundaryAllow ? matchingOnUnrestricted(this.boundaryAllow, service) : 'all';
    if (bounded !== 'all' && bounded.length === 0) return [];
    for (const compiled of this.deny.unrestrictedForService(service)) {
      if (!compiled.conditional && compiled.coverageOf(service) === 'all') return [];
    }
    if (allowed === 'all' && bounded === 'all') return actions;
    const allowedFlags =
      allowed === 'all' ? undefined : allowed.map((compiled) => compiled.matchesAmong(actions, service));
    const boundedFlags =
      bounded === 'all' ? undefined : bounded.map((compiled) => compiled.matchesAmong(actions, service));
    return actions.filter((_, index) => flagged(allowedFlags, index) && flagged(boundedFlags, index));
  }

  /** True when some Allow statement can match any service (`*`, `NotAction`, `*:…`). */
  get reachesAnyService(): boolean {
    return this.allow.hasAnyService;
  }

  /**
   * The grant of an action on an unrestricted resource (`*`, `arn:aws:s3:::*`, `NotResource`), or
   * undefined when the boundary does not allow it or an unconditional Deny removes it.
   */
  grantOnUnrestricted(action: CatalogAction | string): Grant | undefined {
    const key = typeof action === 'string' ? action.toLowerCase() : action.key;
    const cached = this.memo.get(key);
    if (cached !== undefined) return cached ?? undefined;
    // Most roles reach few services: the answer for the others needs no memo entry.
    if (this.allow.unrestrictedForService(serviceOfKey(key)).length === 0) return undefined;
    const grant = this.computeGrant(key, true);
    this.memo.set(key, grant ?? null);
    return grant;
  }

  /** The grant of an action on at least some resource, unless an unconditional Deny removes it everywhere. */
  grantOnAnyResource(action: string): Grant | undefined {
    return this.computeGrant(action.toLowerCase(), false);
  }

  private computeGrant(key: string, unrestrictedOnly: boolean): Grant | undefined {
    const service = serviceOfKey(key);
    let statements: Statement[] | undefined;
    let unconditional = false;
    const allows = unrestrictedOnly
      ? this.allow.unrestrictedForService(service)
      : this.allow.forService(service);
    for (const compiled of allows) {
      if (compiled.matchesAction(key, service)) {
        if (statements) statements.push(compiled.statement);
        else statements = [compiled.statement];
        if (!compiled.conditional) unconditional = true;
      }
    }
    if (!statements) return undefined;
    if (this.boundaryAllow) {
      let boundaryAllows = false;
      let boundaryUnconditional = false;
      const boundary = unrestrictedOnly
        ? this.boundaryAllow.unrestrictedForService(service)
        : this.boundaryAllow.forService(service);
      for (const compiled of boundary) {
        if (compiled.matchesAction(key, service)) {
          boundaryAllows = true;
          if (!compiled.conditional) boundaryUnconditional = true;
        }
      }
      if (!boundaryAllows) return undefined;
      if (!boundaryUnconditional) unconditional = false;
    }
    for (const compiled of this.deny.unrestrictedForService(service)) {
      if (!compiled.conditional && compiled.matchesAction(key, service)) return undefined;
    }
    return { conditional: !unconditional, statements };
  }

  /**
   * The role's access to the action when it is the same for every resource (each statement that
   * matches the action lists `Resource: "*"`), else undefined: then ask {@link accessTo}.
   */
  accessForEveryResource(actionKey: string): Access | undefined {
    return this.statementsMatching(actionKey).sameForEveryResource;
  }

  /** Whether the role may perform a concrete action on a concrete resource ARN. */
  accessTo(actionKey: string, resourceArn: string): Access {
    const matching = this.statementsMatching(actionKey);
    // With a resource, every statement can answer: the decision is never undefined.
    return matching.sameForEveryResource ?? decideAccess(matching, new ArnToMatch(resourceArn))!;
  }

  /**
   * The statements whose actions match an action key, in index order: every function of a role
   * asks about the same few actions (its logs), each time for another resource.
   */
  private statementsMatching(action: string): ActionStatements {
    const key = action.toLowerCase();
    let matching = this.byAction.get(key);
    if (!matching) {
      const service = serviceOfKey(key);
      const matches = (compiled: CompiledStatement) => compiled.matchesAction(key, service);
      const unconditionalDeny = this.deny
        .forService(service)
        .filter((compiled) => !compiled.conditional && matches(compiled));
      const allow = this.allow.forService(service).filter(matches);
      const boundary = this.boundaryAllow?.forService(service).filter(matches);
      matching = { unconditionalDeny, allow, boundary, sameForEveryResource: undefined };
      matching.sameForEveryResource = decideAccess(matching, undefined);
      this.byAction.set(key, matching);
    }
    return matching;
  }

  /** Whether some Allow statement matches the action (on any resource, under any condition). */
  mayAllow(action: string): boolean {
    return this.statementsMatching(action).allow.length > 0;
  }

  /** Whether some Allow statement can match actions of the service, on any resource. */
  reaches(service: string): boolean {
    return this.allow.forService(service.toLowerCase()).length > 0;
  }

  /**
   * The grant of an action where a question names the resource: on unrestricted resources, on a
   * resource whose name the caller can choose (`any`: a `Resource` pattern with a wildcard or a
   * `NotResource`, as an action that creates what it names needs), or on one concrete ARN. `context` holds
   * the request keys that are known (such as `iam:passedtoservice`): a statement whose condition
   * fails on them does not count, one whose condition holds on them counts as unconditional, and a
   * Deny counts when its condition holds. Without a context this is {@link grantOnUnrestricted} /
   * {@link grantOnAnyResource} / {@link accessTo}, with the statements.
   *
   * @example
   * permissions.grantWhere('iam:PassRole', 'arn:aws:iam::1:role/~', { 'iam:passedtoservice': 'lambda.amazonaws.com' });
   */
  grantWhere(
    action: string,
    resource: 'unrestricted' | 'any' | string,
    context?: RequestContext,
  ): Grant | undefined {
    const memoKey = `${action}\n${resource}\n${context ? this.contextId(context) : ''}`;
    return (
      this.whereMemo.getOrCreate(memoKey, () => this.computeGrantWhere(action, resource, context) ?? null) ??
      undefined
    );
  }

  private contextId(context: RequestContext): number {
    let id = this.contextIds.get(context);
    if (id === undefined) {
      // Ids only have to differ among the contexts of this instance; none is ever reused.
      id = this.nextContextId;
      this.nextContextId += 1;
      this.contextIds.set(context, id);
    }
    return id;
  }

  private computeGrantWhere(
    action: string,
    resource: 'unrestricted' | 'any' | string,
    context: RequestContext | undefined,
  ): Grant | undefined {
    const key = action.toLowerCase();
    const service = serviceOfKey(key);
    const target = resource === 'unrestricted' || resource === 'any' ? undefined : new ArnToMatch(resource);
    const pool = (index: StatementIndex) =>
      resource === 'unrestricted' ? index.unrestrictedForService(service) : index.forService(service);
    const covers = (compiled: CompiledStatement) =>
      target ? compiled.coversResource(target) : resource === 'unrestricted' || compiled.choosableResource;
    let statements: Statement[] | undefined;
    let unconditional = false;
    for (const compiled of pool(this.allow)) {
      if (!compiled.matchesAction(key, service) || !covers(compiled)) continue;
      const outcome = conditionOutcome(compiled, context);
      if (outcome === 'false') continue;
      if (statements) statements.push(compiled.statement);
      else statements = [compiled.statement];
      if (outcome === 'true') unconditional = true;
    }
    if (!statements) return undefined;
    if (this.boundaryAllow) {
      let boundaryAllows = false;
      let boundaryUnconditional = false;
      for (const compiled of pool(this.boundaryAllow)) {
        if (!compiled.matchesAction(key, service) || !covers(compiled)) continue;
        const outcome = conditionOutcome(compiled, context);
        if (outcome === 'false') continue;
        boundaryAllows = true;
        if (outcome === 'true') boundaryUnconditional = true;
      }
      if (!boundaryAllows) return undefined;
      if (!boundaryUnconditional) unconditional = false;
    }
    // Without a concrete resource, only a Deny on unrestricted resources removes the grant everywhere.
    const denies = target ? this.deny.forService(service) : this.deny.unrestrictedForService(service);
    for (const compiled of denies) {
      if (!compiled.matchesAction(key, service) || !covers(compiled)) continue;
      if (conditionOutcome(compiled, context) === 'true') return undefined;
    }
    return { conditional: !unconditional, statements };
  }

  /**
   * The grant of every action of a catalog service on unrestricted resources through wildcard
   * patterns or `NotAction` alone — a grant that also covers the actions AWS adds later. An explicit
   * list of actions never counts, however complete. Services the catalog does not know are judged
   * by their patterns (`zocalo:*`).
   */
  wildcardServiceGrant(service: string): Grant | undefined {
    const prefix = service.toLowerCase();
    if (!this.catalog.hasActions(prefix)) return this.patternServiceGrant(prefix);
    const whole = this.wholeServiceGrant(prefix);
    if (whole !== null) return whole;
    const grant = this.serviceGrant(prefix);
    if (!grant) return undefined;
    // Some statement matches only part of the service: every action must still be reached by a pattern.
    const statements: Statement[] = [];
    let unconditional = false;
    for (const action of this.catalog.actionsOf(prefix)) {
      let reached = false;
      for (const compiled of this.allow.unrestrictedForService(prefix)) {
        if (!compiled.matchesActionByPattern(action.key, prefix)) continue;
        reached = true;
        if (!statements.includes(compiled.statement)) statements.push(compiled.statement);
        if (!compiled.conditional) unconditional = true;
      }
      if (!reached) return undefined;
    }
    return { conditional: grant.conditional || !unconditional, statements };
  }

  /**
   * Every service with a {@link wildcardServiceGrant}, catalog services first (in catalog order), then
   * the uncatalogued ones policies name. Worked out once per policy set: `service-wildcard` reports
   * these services and the `unscoped-*` rules leave them out.
   *
   * @example
   * permissions.wildcardServiceGrants().map(({ service }) => service); // ['dynamodb', 's3']
   */
  wildcardServiceGrants(): ReadonlyArray<{ service: string; grant: Grant }> {
    if (this.wildcardServices) return this.wildcardServices;
    const found: Array<{ service: string; grant: Grant }> = [];
    // A grant on unrestricted resources needs an Allow on unrestricted resources for that service;
    // services the catalog does not know (retired or newer) count by their pattern.
    for (const service of [
      ...this.candidateServicesOnUnrestricted(),
      ...this.uncataloguedServicesOnUnrestricted(),
    ]) {
      const grant = this.wildcardServiceGrant(service);
      if (grant) found.push({ service, grant });
    }
    this.wildcardServices = found;
    return found;
  }

  /**
   * A whole service the catalog does not know, judged by patterns alone: an Allow on unrestricted
   * resources whose pattern covers every action of the service, unless the boundary covers none of
   * it or an unconditional Deny covers all of it.
   */
  private patternServiceGrant(service: string): Grant | undefined {
    let statements: Statement[] | undefined;
    let unconditional = false;
    for (const compiled of this.allow.unrestrictedForService(service)) {
      if (compiled.coverageOf(service) !== 'all') continue;
      if (statements) statements.push(compiled.statement);
      else statements = [compiled.statement];
      if (!compiled.conditional) unconditional = true;
    }
    if (!statements) return undefined;
    if (this.boundaryAllow) {
      const boundary = this.boundaryAllow
        .unrestrictedForService(service)
        .filter((compiled) => compiled.coverageOf(service) === 'all');
      if (boundary.length === 0) return undefined;
      if (boundary.every((compiled) => compiled.conditional)) unconditional = false;
    }
    for (const compiled of this.deny.unrestrictedForService(service)) {
      if (!compiled.conditional && compiled.coverageOf(service) === 'all') return undefined;
    }
    return { conditional: !unconditional, statements };
  }

  /**
   * Service prefixes the catalog does not know that an Allow statement on unrestricted resources
   * names literally (`zocalo:*`): the only uncatalogued services a wildcard grant can exist for.
   */
  uncataloguedServicesOnUnrestricted(): string[] {
    return this.allow
      .services()
      .filter((service) => !this.catalog.hasService(service) && this.reachesOnUnrestricted(service));
  }

  /** The grant covering every action of a service on unrestricted resources, or undefined. */
  serviceGrant(service: string): Grant | undefined {
    const prefix = service.toLowerCase();
    const cached = this.serviceMemo.get(prefix);
    if (cached !== undefined) return cached ?? undefined;
    // The action list is decoded only when the statements alone cannot answer.
    const grant = this.catalog.hasActions(prefix)
      ? (this.wholeServiceGrant(prefix) ?? this.combinedGrant(this.catalog.actionsOf(prefix)))
      : undefined;
    this.serviceMemo.set(prefix, grant ?? null);
    return grant;
  }

  /**
   * The grant of a whole service read from the statements alone, when each of them matches all of
   * the service's actions or none: then every action gets the same grant, so looking at each one
   * would only repeat it. Null when some statement matches only some actions (ask action by action).
   */
  private wholeServiceGrant(service: string): Grant | undefined | null {
    // Statements as one action would list them: in index order, a policy listed twice only once.
    let statements: Statement[] | undefined;
    let allowUnconditional = false;
    for (const compiled of this.allow.unrestrictedForService(service)) {
      const coverage = compiled.coverageOf(service);
      if (coverage === 'some') return null;
      if (coverage === 'all') {
        if (!statements) statements = [compiled.statement];
        else if (!statements.includes(compiled.statement)) statements.push(compiled.statement);
        if (!compiled.conditional) allowUnconditional = true;
      }
    }
    let boundaryUnconditional = true;
    if (this.boundaryAllow) {
      let boundaryAllows = false;
      boundaryUnconditional = false;
      for (const compiled of this.boundaryAllow.unrestrictedForService(service)) {
        const coverage = compiled.coverageOf(service);
        if (coverage === 'some') return null;
        if (coverage === 'all') {
          boundaryAllows = true;
          if (!compiled.conditional) boundaryUnconditional = true;
        }
      }
      if (!boundaryAllows && statements) return undefined;
    }
    let denied = false;
    for (const compiled of this.deny.unrestrictedForService(service)) {
      if (compiled.conditional) continue;
      const coverage = compiled.coverageOf(service);
      if (coverage === 'some') return null;
      if (coverage === 'all') denied = true;
    }
    if (!statements || denied) return undefined;
    return { conditional: !(allowUnconditional && boundaryUnconditional), statements };
  }

  /** The grant covering every action in the catalog on unrestricted resources (administrator), or undefined. */
  everythingGrant(): Grant | undefined {
    if (!this.allow.hasAnyService) return undefined;
    if (this.everything !== undefined) return this.everything ?? undefined;
    // The union of every service's grant: conditional when one is, statements in order without repeats.
    const combined: Grant = { conditional: false, statements: [] };
    const seen = new Set<Statement>();
    for (const service of this.catalog.serviceNames) {
      const grant = this.serviceGrant(service);
      if (!grant) {
        this.everything = null;
        return undefined;
      }
      if (grant.conditional) combined.conditional = true;
      for (const statement of grant.statements) {
        if (seen.has(statement)) continue;
        seen.add(statement);
        combined.statements.push(statement);
      }
    }
    this.everything = combined;
    return combined;
  }

  private combinedGrant(actions: readonly CatalogAction[]): Grant | undefined {
    let conditional = false;
    const statements: Statement[] = [];
    for (const action of actions) {
      const grant = this.grantOnUnrestricted(action);
      if (!grant) return undefined;
      if (grant.conditional) conditional = true;
      for (const statement of grant.statements)
        if (!statements.includes(statement)) statements.push(statement);
    }
    return { conditional, statements };
  }
}

/** Union of two grants: conditional when either is, statements without repeats. */
export function mergeGrants(first: Grant, second: Grant): Grant {
  const statements = [...first.statements];
  for (const statement of second.statements) if (!statements.includes(statement)) statements.push(statement);
  return { conditional: first.conditional || second.conditional, statements };
}
