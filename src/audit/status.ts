import type { RunStatus } from '../model/report.js';
import type { AuditError } from '../model/snapshot.js';

/** Role read failures that are findings about the role, not blind spots of the run. */
const NOT_BLIND = new Set(['NoSuchEntity', 'CrossAccount', 'InvalidRoleArn']);

/** Roles the deadline left unread: listed as not audited, but a deadline makes a run partial, never failed. */
const STOPPED = 'NotCollected';

/** A configuration error about one suppression entry: that entry mutes nothing, the others still apply. */
const ONE_SUPPRESSION = 'InvalidSuppression';

export interface StatusInput {
  /** The regions the run was to list. */
  regions: readonly string[];
  errors: readonly AuditError[];
  /** Set by collection when it stopped early (the deadline). */
  stopped?: { reason: string; notAudited: string[] } | undefined;
  /** Roles of the audited account that functions name, with why each could not be read, if it could not. */
  roles: ReadonlyMap<string, { code: string } | undefined>;
}

export interface StatusDecision {
  status: RunStatus;
  /** For a partial or failed run: what could not be read. */
  partial?: { reason: string; notAudited: string[] };
}

/**
 * Decides, in one place, whether a run saw everything in scope (SPEC §6, §13): `failed` when nothing
 * could be audited (every region's listing failed, or no role of the account could be read), `partial`
 * when a region, a role of the account, the suppressions file or the deadline left something unread.
 *
 * @example
 * decideStatus({ regions: ['us-east-1'], errors: [{ scope: 'region', arn: 'us-east-1', code: 'AccessDenied', message: '' }], roles: new Map() });
 * // { status: 'failed', partial: { reason: 'ListFunctions failed in us-east-1', notAudited: ['region us-east-1'] } }
 */
export function decideStatus(input: StatusInput): StatusDecision {
  const reasons: string[] = [];
  const notAudited: string[] = [];
  const failedRegions = new Set(
    input.errors.filter((error) => error.scope === 'region').map((error) => error.arn),
  );
  const unlisted = input.regions.filter((region) => failedRegions.has(region));
  if (unlisted.length > 0) {
    reasons.push(`ListFunctions failed in ${unlisted.join(', ')}`);
    notAudited.push(...unlisted.map((region) => `region ${region}`));
  }
  const unreadRoles = [...input.roles]
    .filter(([, failure]) => failure !== undefined && !NOT_BLIND.has(failure.code))
    .map(([roleArn]) => roleArn);
  if (unreadRoles.length > 0) {
    const total = input.roles.size;
    reasons.push(
      unreadRoles.length === total
        ? `${total === 1 ? 'the role' : `none of the ${total} roles`} of the account could${total === 1 ? ' not' : ''} be read`
        : `${unreadRoles.length} of ${total} roles of the account could not be read`,
    );
    notAudited.push(...unreadRoles);
  }
  const config = input.errors.filter((error) => error.scope === 'config' && error.code !== ONE_SUPPRESSION);
  if (config.length > 0) {
    reasons.push('the suppressions file could not be used');
    notAudited.push(...config.map((error) => error.arn));
  }
  if (input.stopped) {
    reasons.push(input.stopped.reason);
    notAudited.push(...input.stopped.notAudited);
  }
  const blindListing =
    input.regions.length > 0
      ? unlisted.length === input.regions.length
      : input.errors.some((error) => error.scope === 'account' || error.scope === 'region');
  const deniedRoles = unreadRoles.filter((roleArn) => input.roles.get(roleArn)?.code !== STOPPED);
  const blindIam = input.roles.size > 0 && deniedRoles.length === input.roles.size;
  if (blindListing && reasons.length === 0) reasons.push('no region could be listed');
  if (reasons.length === 0) return { status: 'complete' };
  return {
    status: blindListing || blindIam ? 'failed' : 'partial',
    partial: { reason: reasons.join('; '), notAudited },
  };
}
