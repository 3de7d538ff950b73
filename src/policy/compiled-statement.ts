/**
 * A policy statement compiled for evaluation: its actions indexed by service, its resources prepared
 * for matching, what it names that the catalog does not know. Compiled once per statement and catalog,
 * and shared by every role whose policies contain the statement.
 */
import { memoizeByObject } from '../model/memo.js';
import {
  type ArnToMatch,
  compileResourcePattern,
  isUnrestrictedResource,
  type ResourcePattern,
} from './arn.js';
import type { ActionCatalog, CatalogAction } from './catalog.js';
import { type ConditionOutcome, evaluateCondition, type RequestContext } from './condition.js';
import type { Statement } from './policy.js';
import { hasWildcard, matchesWildcard } from './wildcard.js';

/** An action a statement names that the catalog does not know, and where it is written. */
export interface UnknownAction {
  policy: string;
  statement: string;
  action: string;
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

export class CompiledStatement {
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

export function compiledStatement(statement: Statement, catalog: ActionCatalog): CompiledStatement {
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
export function conditionOutcome(
  compiled: CompiledStatement,
  context: RequestContext | undefined,
): ConditionOutcome {
  if (!compiled.conditional) return 'true';
  return context ? evaluateCondition(compiled.statement.condition, context) : 'unknown';
}

/** The service prefix of a lower-case action key (`s3:getobject` → `s3`). */
export function serviceOfKey(key: string): string {
  const separator = key.indexOf(':');
  return separator < 0 ? key : key.slice(0, separator);
}
