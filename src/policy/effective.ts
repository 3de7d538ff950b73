import { isUnrestrictedResource, resourceMatches } from './arn.js';
import type { ActionCatalog, CatalogAction } from './catalog.js';
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

class CompiledStatement {
  readonly statement: Statement;
  /** Service prefixes the statement can match, or null when it can match any service. */
  readonly services: ReadonlySet<string> | null;
  /** Covers every resource: an unrestricted `Resource`, or `NotResource`. */
  readonly unrestricted: boolean;
  private readonly exact = new Set<string>();
  private readonly patterns: string[] = [];
  private readonly negated: boolean;

  constructor(statement: Statement, catalog: ActionCatalog) {
    this.statement = statement;
    const list = statement.actions ?? statement.notActions ?? [];
    this.negated = statement.actions === null;
    for (const action of list) {
      if (hasWildcard(action)) this.patterns.push(action);
      else this.exact.add(action);
    }
    this.services = this.negated ? null : servicesOf(list, catalog);
    this.unrestricted =
      statement.notResources !== null ||
      (statement.resources ?? []).some((resource) => isUnrestrictedResource(resource));
  }

  matchesAction(key: string): boolean {
    let listed = this.exact.has(key);
    if (!listed) {
      for (const pattern of this.patterns) {
        if (matchesWildcard(pattern, key)) {
          listed = true;
          break;
        }
      }
    }
    return listed !== this.negated;
  }

  coversResource(arn: string): boolean {
    const { resources, notResources } = this.statement;
    if (notResources) return !notResources.some((pattern) => resourceMatches(pattern, arn));
    return (resources ?? []).some((pattern) => resourceMatches(pattern, arn));
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

/** Statements indexed by the service they can touch, so a question about one action reads only a few. */
class StatementIndex {
  private readonly byService = new Map<string, CompiledStatement[]>();
  private readonly anyService: CompiledStatement[] = [];
  readonly all: CompiledStatement[] = [];

  add(compiled: CompiledStatement): void {
    this.all.push(compiled);
    if (compiled.services === null) {
      this.anyService.push(compiled);
      return;
    }
    for (const service of compiled.services) {
      let list = this.byService.get(service);
      if (!list) {
        list = [];
        this.byService.set(service, list);
      }
      list.push(compiled);
    }
  }

  forService(service: string): CompiledStatement[] {
    const specific = this.byService.get(service);
    if (!specific) return this.anyService;
    if (this.anyService.length === 0) return specific;
    return [...specific, ...this.anyService];
  }

  services(): string[] {
    return [...this.byService.keys()];
  }

  get hasAnyService(): boolean {
    return this.anyService.length > 0;
  }
}

function serviceOfKey(key: string): string {
  const separator = key.indexOf(':');
  return separator < 0 ? key : key.slice(0, separator);
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
  /** Every statement of the identity policies (not the boundary), as parsed. */
  readonly identityStatements: Statement[] = [];
  private readonly allow = new StatementIndex();
  private readonly deny = new StatementIndex();
  private readonly boundaryAllow: StatementIndex | undefined;
  private readonly memo = new Map<string, Grant | null>();
  private readonly catalog: ActionCatalog;

  constructor(policies: PolicySet, catalog: ActionCatalog) {
    this.catalog = catalog;
    for (const policy of policies.identity) {
      for (const statement of policy.statements) {
        const compiled = new CompiledStatement(statement, catalog);
        (statement.effect === 'Allow' ? this.allow : this.deny).add(compiled);
        this.identityStatements.push(statement);
        this.noteUnknownActions(statement);
      }
    }
    if (policies.boundary) {
      this.boundaryAllow = new StatementIndex();
      for (const statement of policies.boundary.statements) {
        const compiled = new CompiledStatement(statement, catalog);
        // A Deny in the boundary denies like any other Deny.
        (statement.effect === 'Allow' ? this.boundaryAllow : this.deny).add(compiled);
        this.noteUnknownActions(statement);
      }
    }
  }

  private noteUnknownActions(statement: Statement): void {
    for (const action of statement.actions ?? statement.notActions ?? []) {
      if (action === '*') continue;
      const separator = action.indexOf(':');
      const prefix = separator < 0 ? action : action.slice(0, separator);
      let known: boolean;
      if (separator < 0) known = false;
      else if (hasWildcard(prefix))
        known = this.catalog.serviceNames.some((service) => matchesWildcard(prefix, service));
      else if (!hasWildcard(action)) known = this.catalog.get(action) !== undefined;
      else known = this.catalog.actionsOf(prefix).some((candidate) => matchesWildcard(action, candidate.key));
      if (!known) this.unknownActions.push({ policy: statement.policy, statement: statement.id, action });
    }
  }

  /** Services that some Allow statement can reach (all catalog services when one can reach any). */
  candidateServices(): readonly string[] {
    if (this.allow.hasAnyService) return this.catalog.serviceNames;
    return this.allow.services().filter((service) => this.catalog.hasService(service));
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
    const grant = this.computeUnrestrictedGrant(key);
    this.memo.set(key, grant ?? null);
    return grant;
  }

  /** The grant of an action on at least some resource, unless an unconditional Deny removes it everywhere. */
  grantOnAnyResource(action: string): Grant | undefined {
    return this.computeUnrestrictedGrant(action.toLowerCase(), false);
  }

  private computeUnrestrictedGrant(key: string, unrestrictedOnly = true): Grant | undefined {
    const service = serviceOfKey(key);
    const statements: Statement[] = [];
    let unconditional = false;
    for (const compiled of this.allow.forService(service)) {
      if ((compiled.unrestricted || !unrestrictedOnly) && compiled.matchesAction(key)) {
        statements.push(compiled.statement);
        if (!compiled.statement.conditional) unconditional = true;
      }
    }
    if (statements.length === 0) return undefined;
    if (this.boundaryAllow) {
      let boundaryAllows = false;
      let boundaryUnconditional = false;
      for (const compiled of this.boundaryAllow.forService(service)) {
        if ((compiled.unrestricted || !unrestrictedOnly) && compiled.matchesAction(key)) {
          boundaryAllows = true;
          if (!compiled.statement.conditional) boundaryUnconditional = true;
        }
      }
      if (!boundaryAllows) return undefined;
      if (!boundaryUnconditional) unconditional = false;
    }
    for (const compiled of this.deny.forService(service)) {
      if (!compiled.statement.conditional && compiled.unrestricted && compiled.matchesAction(key))
        return undefined;
    }
    return { conditional: !unconditional, statements };
  }

  /** Whether the role may perform a concrete action on a concrete resource ARN. */
  accessTo(actionKey: string, resourceArn: string): Access {
    const key = actionKey.toLowerCase();
    const service = serviceOfKey(key);
    const applies = (compiled: CompiledStatement) =>
      compiled.matchesAction(key) && compiled.coversResource(resourceArn);
    for (const compiled of this.deny.forService(service)) {
      if (!compiled.statement.conditional && applies(compiled)) return 'denied';
    }
    const allows = this.allow.forService(service).filter(applies);
    if (allows.length === 0) return 'not-allowed';
    let unconditional = allows.some((compiled) => !compiled.statement.conditional);
    if (this.boundaryAllow) {
      const boundary = this.boundaryAllow.forService(service).filter(applies);
      if (boundary.length === 0) return 'not-allowed';
      if (!boundary.some((compiled) => !compiled.statement.conditional)) unconditional = false;
    }
    return unconditional ? 'allowed' : 'conditional';
  }

  /** The grant covering every action of a service on unrestricted resources, or undefined. */
  serviceGrant(service: string): Grant | undefined {
    const actions = this.catalog.actionsOf(service);
    if (actions.length === 0) return undefined;
    return this.combinedGrant(actions);
  }

  /** The grant covering every action in the catalog on unrestricted resources (administrator), or undefined. */
  everythingGrant(): Grant | undefined {
    if (!this.allow.hasAnyService) return undefined;
    let combined: Grant | undefined = { conditional: false, statements: [] };
    for (const service of this.catalog.serviceNames) {
      const grant = this.serviceGrant(service);
      if (!grant) return undefined;
      combined = mergeGrants(combined, grant);
    }
    return combined;
  }

  private combinedGrant(actions: readonly CatalogAction[]): Grant | undefined {
    let combined: Grant = { conditional: false, statements: [] };
    for (const action of actions) {
      const grant = this.grantOnUnrestricted(action);
      if (!grant) return undefined;
      combined = mergeGrants(combined, grant);
    }
    return combined;
  }
}

/** Union of two grants: conditional when either is, statements without repeats. */
export function mergeGrants(first: Grant, second: Grant): Grant {
  const statements = [...first.statements];
  for (const statement of second.statements) if (!statements.includes(statement)) statements.push(statement);
  return { conditional: first.conditional || second.conditional, statements };
}
