import type { AccountSnapshot } from '../model/snapshot.js';
import { parseAwsTime } from '../model/usage.js';

export const DAY_MS = 86_400_000;

/** The usage window when none is configured (`--usage-days`, `USAGE_DAYS`). */
export const DEFAULT_USAGE_DAYS = 90;
/** IAM keeps last-accessed data for 400 days: a longer window could not be told from "unused". */
export const MAX_USAGE_DAYS = 400;

/**
 * Whether a role was created less than `days` before `now` (so a usage window would not fit in its
 * life): such roles need no last-accessed data, the usage rules skip them anyway.
 */
export function isYoungRole(createDate: string | undefined, days: number, now: Date): boolean {
  const created = parseAwsTime(createDate);
  return created !== undefined && created > now.getTime() - days * DAY_MS;
}

/**
 * The roles of the account the run read but has no last-accessed data for (the job failed or did not
 * finish, or an offline file left them out), when the run asked for that data: the report is then
 * `partial`, since the usage rules could not look at those roles.
 *
 * @example
 * const gap = usageGaps(snapshot, ['arn:aws:iam::123456789012:role/app'], 90, new Date());
 * gap?.notAudited; // ['arn:aws:iam::123456789012:role/app']
 */
export function usageGaps(
  snapshot: AccountSnapshot,
  readableRoles: Iterable<string>,
  days: number,
  now: Date,
): { reason: string; notAudited: string[] } | undefined {
  const usage = snapshot.usage;
  if (!usage) return undefined;
  const missing: string[] = [];
  for (const roleArn of readableRoles) {
    if (usage.roles.has(roleArn)) continue;
    if (isYoungRole(snapshot.roles.get(roleArn)?.createDate, days, now)) continue;
    missing.push(roleArn);
  }
  if (missing.length === 0) return undefined;
  const why = usage.failures.get(missing[0]!);
  return {
    reason: `no last-accessed data for ${missing.length} role${missing.length === 1 ? '' : 's'}${why ? ` (${why.message}${missing.length > 1 ? ', …' : ''})` : ''}`,
    notAudited: missing,
  };
}

/** Two "what was not audited" notes as one. */
export function mergePartial(
  first: { reason: string; notAudited: string[] } | undefined,
  second: { reason: string; notAudited: string[] } | undefined,
): { reason: string; notAudited: string[] } | undefined {
  if (!first) return second;
  if (!second) return first;
  return {
    reason: `${first.reason}; ${second.reason}`,
    notAudited: [...first.notAudited, ...second.notAudited],
  };
}
