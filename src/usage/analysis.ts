/**
 * What a role's last-accessed data says about its grants (SPEC §4c), with Repokid's safeguards: a role
 * younger than the window is not judged, an action IAM does not track (`iam:PassRole`) or a service the
 * report does not list is never called unused, and a timestamp that cannot be read counts as recent use.
 * Pure: reads the role context only; the usage rules and the proposal share one analysis per role.
 */
import { parseAwsTime, type ServiceUsage } from '../model/usage.js';
import { arnPatternFields } from '../policy/arn.js';
import { type ActionCatalog, type CatalogAction, hasAccessLevel } from '../policy/catalog.js';
import type { EffectivePermissions } from '../policy/effective.js';
import { matchesWildcard } from '../policy/wildcard.js';
import type { RoleContext } from '../rules/rule.js';
import { PLATFORM_ACTIONS } from '../rules/shared.js';
import { DAY_MS } from './coverage.js';

/**
 * Permissions IAM never reports as used: `iam:PassRole` is checked when another service's API is called,
 * it is no API call of its own, so neither the action nor the IAM service shows its use.
 */
export const NEVER_TRACKED: ReadonlySet<string> = new Set(['iam:passrole']);

/**
 * Whether usage data can never judge an action: the Lambda platform permissions (Lambda uses them for the
 * function, at times the data may not cover: VPC network interfaces are made when the function changes)
 * and the actions IAM never tracks. A proposal keeps them.
 */
export function alwaysKept(actionKey: string): boolean {
  return PLATFORM_ACTIONS.has(actionKey) || NEVER_TRACKED.has(actionKey);
}

/**
 * Whether a `Resource` pattern can name something an always-kept action acts on: `*`, or an ARN pattern
 * of the service whose resources the action takes (`iam` for `iam:PassRole`, else its own). An
 * `ec2:CreateNetworkInterface` that `NotAction` grants on an S3 bucket ARN grants nothing to keep.
 */
export function couldApply(actionKey: string, resource: string): boolean {
  if (resource === '*') return true;
  const fields = arnPatternFields(resource);
  if (fields?.[0] !== 'arn') return true;
  const service = actionKey.slice(0, actionKey.indexOf(':'));
  return matchesWildcard(fields[2]!, service);
}

/** How the data judges one service the role is granted. */
export type ServiceState = 'used' | 'unused' | 'unreported';

export interface ServiceVerdict {
  /** The service prefix (`s3`). */
  service: string;
  /**
   * The service's actions the role may perform on some resource, without the Lambda platform permissions
   * and the actions IAM never tracks: what the data can judge.
   */
  granted: readonly CatalogAction[];
  /** `unreported`: the report does not list the service, so the data says nothing about it. */
  state: ServiceState;
  /** The service's `LastAuthenticated` as reported, when there is one. */
  lastAccessed?: string;
  /** Granted actions IAM tracks that were not attempted in the window (used services with action data only). */
  unusedActions: CatalogAction[];
  /** Granted actions IAM tracks that were attempted in the window. */
  usedActions: CatalogAction[];
  /** Some granted action has the Write or Permissions management access level. */
  writeLike: boolean;
}

export interface UsageAnalysis {
  /** When the data was taken (the job's completion time). */
  dataAsOf: Date;
  /** Activity at or after this time counts as use: `days` before {@link dataAsOf}. */
  windowStart: Date;
  days: number;
  /** Whole days between the data and the audit. */
  ageDays: number;
  /**
   * Why the role is not judged at all: created less than `days` before the data (`young`), or of unknown
   * age (`age-unknown`). Undefined when it is judged.
   */
  skipped?: 'young' | 'age-unknown';
  /** The role was used for nothing in the window (and the report lists at least one service). */
  roleUnused: boolean;
  /** The most recent use the data shows: when, and of which service. */
  lastActivity?: { at: string; service: string };
  /** The granted services the data can judge, in catalog order. */
  services: ServiceVerdict[];
  /** Every service the report lists, by prefix, with whether it was used in the window. */
  reported: ReadonlyMap<string, { used: boolean; lastAccessed?: string }>;
}

/** Whether a reported timestamp falls in the window; one that cannot be read counts as in it. */
function inWindow(value: string | undefined, windowStart: number): boolean {
  if (value === undefined) return false;
  const time = parseAwsTime(value);
  return time === undefined || time >= windowStart;
}

function trackedUse(service: ServiceUsage, windowStart: number): boolean {
  return (service.trackedActions ?? []).some((tracked) => inWindow(tracked.lastAccessed, windowStart));
}

/** Granted catalog actions by service of one set of policies: worked out once per set, not per role. */
const grantedByService = new WeakMap<
  ActionCatalog,
  WeakMap<EffectivePermissions, Map<string, readonly CatalogAction[]>>
>();

/**
 * The catalog actions a role may perform on some resource (identity Allows ∩ boundary − unconditional
 * Deny), by service prefix, in catalog order; services without any are absent.
 *
 * @example
 * grantedActionsByService(permissions, catalog).get('s3')?.map((action) => action.name);
 */
export function grantedActionsByService(
  permissions: EffectivePermissions,
  catalog: ActionCatalog,
): ReadonlyMap<string, readonly CatalogAction[]> {
  let cache = grantedByService.get(catalog);
  if (!cache) {
    cache = new WeakMap();
    grantedByService.set(catalog, cache);
  }
  let granted = cache.get(permissions);
  if (!granted) {
    granted = new Map();
    for (const service of permissions.candidateServices()) {
      const actions = catalog
        .actionsOf(service)
        .filter((action) => permissions.grantOnAnyResource(action) !== undefined);
      if (actions.length > 0) granted.set(service, actions);
    }
    cache.set(permissions, granted);
  }
  return granted;
}

/**
 * The analysis of a role's usage, worked out on first use and kept on the context; undefined when the
 * run has no last-accessed data for the role.
 *
 * @example
 * const analysis = usageAnalysis(context);
 * if (analysis && !analysis.skipped) console.log(analysis.services.filter((s) => s.state === 'unused'));
 */
export function usageAnalysis(context: RoleContext): UsageAnalysis | undefined {
  const usage = context.usage;
  if (!usage) return undefined;
  usage.analysis ??= analyse(context);
  return usage.analysis;
}

function analyse(context: RoleContext): UsageAnalysis {
  const usage = context.usage!;
  const { data, days, now } = usage;
  const dataAsOf = new Date(parseAwsTime(data.completedAt) ?? now.getTime());
  const windowStart = new Date(dataAsOf.getTime() - days * DAY_MS);
  const start = windowStart.getTime();
  const ageDays = Math.max(0, Math.floor((now.getTime() - dataAsOf.getTime()) / DAY_MS));

  const reported = new Map<string, { used: boolean; lastAccessed?: string }>();
  let lastActivity: UsageAnalysis['lastActivity'];
  let latest = Number.NEGATIVE_INFINITY;
  for (const service of data.services) {
    const used = inWindow(service.lastAuthenticated, start) || trackedUse(service, start);
    reported.set(service.namespace, {
      used,
      ...(service.lastAuthenticated ? { lastAccessed: service.lastAuthenticated } : {}),
    });
    const time = parseAwsTime(service.lastAuthenticated) ?? Number.NEGATIVE_INFINITY;
    if (service.lastAuthenticated && time >= latest) {
      latest = time;
      lastActivity = { at: service.lastAuthenticated, service: service.namespace };
    }
  }
  const base = { dataAsOf, windowStart, days, ageDays, reported, ...(lastActivity ? { lastActivity } : {}) };

  const created = parseAwsTime(context.role.createDate);
  if (created === undefined) return { ...base, skipped: 'age-unknown', roleUnused: false, services: [] };
  if (created > start) return { ...base, skipped: 'young', roleUnused: false, services: [] };

  const byNamespace = new Map(data.services.map((service) => [service.namespace, service]));
  const services: ServiceVerdict[] = [];
  for (const [service, actions] of grantedActionsByService(context.permissions, context.catalog)) {
    const granted = actions.filter(
      (action) => !PLATFORM_ACTIONS.has(action.key) && !NEVER_TRACKED.has(action.key),
    );
    if (granted.length === 0) continue;
    const entry = byNamespace.get(service);
    const writeLike = granted.some(
      (action) => hasAccessLevel(action, 'Write') || hasAccessLevel(action, 'Permissions management'),
    );
    if (!entry) {
      services.push({ service, granted, state: 'unreported', unusedActions: [], usedActions: [], writeLike });
      continue;
    }
    const used = reported.get(service)!.used;
    const unusedActions: CatalogAction[] = [];
    const usedActions: CatalogAction[] = [];
    if (entry.trackedActions) {
      const tracked = new Map(entry.trackedActions.map((action) => [action.action.toLowerCase(), action]));
      for (const action of granted) {
        const seen = tracked.get(action.key.slice(service.length + 1));
        if (!seen) continue;
        if (inWindow(seen.lastAccessed, start)) usedActions.push(action);
        else if (used) unusedActions.push(action);
      }
    }
    services.push({
      service,
      granted,
      state: used ? 'used' : 'unused',
      ...(entry.lastAuthenticated ? { lastAccessed: entry.lastAuthenticated } : {}),
      unusedActions,
      usedActions,
      writeLike,
    });
  }

  const lastUsed = context.role.lastUsed;
  const roleUnused =
    data.services.length > 0 &&
    [...reported.values()].every((service) => !service.used) &&
    !inWindow(lastUsed, start);
  return { ...base, roleUnused, services };
}

/** `2026-11-25` of an ISO timestamp (the text itself when it is not one). */
export function dayOf(timestamp: string): string {
  const time = parseAwsTime(timestamp);
  return time === undefined ? timestamp : new Date(time).toISOString().slice(0, 10);
}

/** The data's date and age for a message: `last-accessed data of 2026-11-25, 1 day old`. */
export function dataLabel(analysis: UsageAnalysis): string {
  const age =
    analysis.ageDays === 0
      ? 'taken today'
      : `${analysis.ageDays} day${analysis.ageDays === 1 ? '' : 's'} old`;
  return `last-accessed data of ${analysis.dataAsOf.toISOString().slice(0, 10)}, ${age}`;
}
