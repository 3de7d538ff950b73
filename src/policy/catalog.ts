import { BoundedCache } from '../model/memo.js';
import { ACCESS_LEVEL_BITS, type AccessLevel, SCOPABLE_BIT } from './catalog-format.js';
import catalogData from './iam-catalog.generated.json' with { type: 'json' };
import { hasWildcard as hasWildcardCharacter, matchesWildcard } from './wildcard.js';

/** One IAM action as the catalog knows it. */
export interface CatalogAction {
  /** Lower-case `service:action`, the key used for matching. */
  key: string;
  /** `service:ActionName` as AWS documents it. */
  name: string;
  service: string;
  accessLevels: number;
  /** Whether the action supports resource-level permissions (an ARN can be named in `Resource`). */
  scopable: boolean;
}

interface CompactCatalog {
  source: string;
  version: string;
  services: Record<string, string>;
}

/**
 * The IAM action catalog: service prefixes, actions, access levels and resource-level support,
 * decoded lazily per service so that loading the module stays cheap.
 */
export class ActionCatalog {
  readonly version: string;
  readonly source: string;
  private readonly compact: Record<string, string>;
  private readonly decoded = new Map<string, CatalogAction[]>();
  /** Bounded: hostile documents with endless distinct patterns must not make it grow for ever. */
  private readonly knownPatterns = new BoundedCache<string, boolean>(50_000);
  /** Actions by key, per service. */
  private readonly byKey = new Map<string, Map<string, CatalogAction>>();
  readonly serviceNames: readonly string[];

  constructor(data: CompactCatalog) {
    this.version = data.version;
    this.source = data.source;
    this.compact = data.services;
    this.serviceNames = Object.keys(data.services);
  }

  hasService(service: string): boolean {
    return Object.hasOwn(this.compact, service.toLowerCase());
  }

  /** Whether the service has at least one action, without decoding them. */
  hasActions(service: string): boolean {
    const prefix = service.toLowerCase();
    const encoded = Object.hasOwn(this.compact, prefix) ? this.compact[prefix] : undefined;
    return typeof encoded === 'string' && encoded.length > 0;
  }

  /** Every action of a service, or an empty list for an unknown prefix. */
  actionsOf(service: string): readonly CatalogAction[] {
    const prefix = service.toLowerCase();
    let actions = this.decoded.get(prefix);
    if (actions) return actions;
    const encoded = this.compact[prefix];
    actions = [];
    if (encoded) {
      for (const entry of encoded.split(',')) {
        const separator = entry.lastIndexOf(':');
        const actionName = entry.slice(0, separator);
        const flags = Number.parseInt(entry.slice(separator + 1), 36);
        actions.push({
          key: `${prefix}:${actionName.toLowerCase()}`,
          name: `${prefix}:${actionName}`,
          service: prefix,
          accessLevels: flags & ~SCOPABLE_BIT,
          scopable: (flags & SCOPABLE_BIT) !== 0,
        });
      }
    }
    this.decoded.set(prefix, actions);
    return actions;
  }

  /**
   * Whether an action pattern of a policy (lower-case, wildcards allowed) names at least one action
   * the catalog knows. Remembered per pattern: the same patterns recur across thousands of policies.
   */
  knowsPattern(pattern: string): boolean {
    let known = this.knownPatterns.get(pattern);
    if (known !== undefined) return known;
    const separator = pattern.indexOf(':');
    const prefix = separator < 0 ? pattern : pattern.slice(0, separator);
    if (separator < 0) known = false;
    else if (hasWildcardCharacter(prefix))
      known = this.serviceNames.some((service) => matchesWildcard(prefix, service));
    else if (!hasWildcardCharacter(pattern)) known = this.get(pattern) !== undefined;
    else known = this.actionsOf(prefix).some((candidate) => matchesWildcard(pattern, candidate.key));
    this.knownPatterns.set(pattern, known);
    return known;
  }

  /** Looks an action up by name, case-insensitively (`S3:getobject` finds `s3:GetObject`). */
  get(action: string): CatalogAction | undefined {
    const key = action.toLowerCase();
    const separator = key.indexOf(':');
    if (separator < 0) return undefined;
    const service = key.slice(0, separator);
    let byKey = this.byKey.get(service);
    if (!byKey) {
      // Indexed once per service, on the first lookup: policies name a few hundred actions of a service.
      byKey = new Map();
      for (const candidate of this.actionsOf(service))
        if (!byKey.has(candidate.key)) byKey.set(candidate.key, candidate);
      this.byKey.set(service, byKey);
    }
    return byKey.get(key);
  }
}

/** True when the action has the given access level (an action can have several). */
export function hasAccessLevel(action: CatalogAction, level: AccessLevel): boolean {
  return (action.accessLevels & ACCESS_LEVEL_BITS[level]) !== 0;
}

/** The access levels of an action as AWS names them. */
export function accessLevelNames(action: CatalogAction): AccessLevel[] {
  return (Object.keys(ACCESS_LEVEL_BITS) as AccessLevel[]).filter((level) => hasAccessLevel(action, level));
}

let defaultInstance: ActionCatalog | undefined;

/** The catalog bundled with the auditor, created on first use. */
export function defaultCatalog(): ActionCatalog {
  defaultInstance ??= new ActionCatalog(catalogData as CompactCatalog);
  return defaultInstance;
}
