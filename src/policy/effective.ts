import { BoundedCache } from '../model/memo.js';
import { type Access, type ActionStatements, decideAccess } from './access-decision.js';
import { ArnToMatch } from './arn.js';
import type { ActionCatalog, CatalogAction } from './catalog.js';
import {
  type CompiledStatement,
  compiledStatement,
  conditionOutcome,
  serviceOfKey,
  type UnknownAction,
} from './compiled-statement.js';
import type { RequestContext } from './condition.js';
import type { ParsedPolicy, Statement } from './policy.js';
import { flagged, matchingOnUnrestricted, StatementIndex } from './statement-index.js';

export type { Access } from './access-decision.js';
export type { UnknownAction } from './compiled-statement.js';

/** What a role gets for an action: the identity statements that allow it, and whether only conditionally. */
export interface Grant {
  conditional: boolean;
  statements: Statement[];
}

/** The policies that decide a role's permissions. */
export interface PolicySet {
  identity: ParsedPolicy[];
  boundary?: ParsedPolicy;
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
  grantOnAnyResource(action: CatalogAction | string): Grant | undefined {
    return this.computeGrant(typeof action === 'string' ? action.toLowerCase() : action.key, false);
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
