import type { ExpiredSuppression, Finding, Muting } from '../model/report.js';
import type { RoleRecord } from '../model/snapshot.js';
import { roleNameFromArn } from '../policy/arn.js';
import { matchesWildcard } from '../policy/wildcard.js';

/** One entry of a suppressions file (SPEC §5). */
export interface Suppression {
  rule?: string;
  function?: string;
  role?: string;
  reason: string;
  until?: string;
  owner?: string;
}

export const SUPPRESS_TAG = 'lambda-role-auditor:suppress';
export const REASON_TAG = 'lambda-role-auditor:reason';
export const UNTIL_TAG = 'lambda-role-auditor:until';

/** Thrown for a suppressions file that does not have the documented shape. */
export class SuppressionFileError extends Error {
  override name = 'SuppressionFileError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Validates a parsed suppressions file: `{"suppressions":[{"rule","function","role","reason","until","owner"}]}`.
 *
 * @example
 * parseSuppressions({ suppressions: [{ rule: 'role-shared', reason: 'legacy batch jobs' }] });
 */
export function parseSuppressions(raw: unknown): Suppression[] {
  if (
    typeof raw !== 'object' ||
    raw === null ||
    !Array.isArray((raw as { suppressions?: unknown }).suppressions)
  ) {
    throw new SuppressionFileError('expected an object with a "suppressions" list');
  }
  const allowed = new Set(['rule', 'function', 'role', 'reason', 'until', 'owner']);
  return (raw as { suppressions: unknown[] }).suppressions.map((entry, index) => {
    const where = `suppressions[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new SuppressionFileError(`${where} is not an object`);
    }
    for (const [key, value] of Object.entries(entry)) {
      if (!allowed.has(key)) throw new SuppressionFileError(`${where} has an unknown field "${key}"`);
      if (typeof value !== 'string') throw new SuppressionFileError(`${where}.${key} must be a string`);
    }
    const suppression = entry as Suppression;
    if (!suppression.reason || suppression.reason.trim() === '') {
      throw new SuppressionFileError(`${where} needs a "reason"`);
    }
    if (suppression.until !== undefined && !isValidDate(suppression.until)) {
      throw new SuppressionFileError(`${where}.until must be a date YYYY-MM-DD, got "${suppression.until}"`);
    }
    return suppression;
  });
}

function isValidDate(text: string): boolean {
  return DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

/** A suppression is in force through the whole of its `until` day (UTC). */
export function isExpired(until: string | undefined, now: Date): boolean {
  if (!until) return false;
  return now.getTime() >= Date.parse(`${until}T00:00:00Z`) + 86_400_000;
}

/** Whether the glob (absent: anything) matches the value or the alternative name given. */
function globMatches(pattern: string | undefined, value: string, alternative?: string): boolean {
  if (pattern === undefined) return true;
  return (
    matchesWildcard(pattern, value) || (alternative !== undefined && matchesWildcard(pattern, alternative))
  );
}

/** The suppressions a role's tags declare; an invalid tag set yields a problem instead. */
export function suppressionsFromTags(role: RoleRecord): { suppressions: Suppression[]; problem?: string } {
  const rules = role.tags[SUPPRESS_TAG];
  if (!rules) return { suppressions: [] };
  const reason = role.tags[REASON_TAG];
  if (!reason || reason.trim() === '') {
    return { suppressions: [], problem: `tag ${SUPPRESS_TAG} needs a ${REASON_TAG} tag` };
  }
  const until = role.tags[UNTIL_TAG];
  if (until !== undefined && !isValidDate(until)) {
    return { suppressions: [], problem: `tag ${UNTIL_TAG} must be a date YYYY-MM-DD, got "${until}"` };
  }
  return {
    suppressions: rules
      .split(/\s+/)
      .filter(Boolean)
      .map((rule) => ({ rule, role: role.arn, reason, ...(until ? { until } : {}) })),
  };
}

/** A function as suppressions match it: by name or ARN. */
export interface SuppressibleFunction {
  functionName: string;
  functionArn: string;
}

/**
 * Marks findings muted by the file and by role tags (SPEC §5). A function finding is muted by a
 * suppression matching its rule, function and role; a role finding by one matching its rule and role
 * whose `function` is omitted or matches every function of the role. Expired suppressions mute nothing
 * and are returned so the report can say so.
 */
export function applySuppressions(
  findings: Finding[],
  fileSuppressions: Suppression[],
  tagSuppressions: (roleArn: string) => Suppression[],
  functionsOfRole: (roleArn: string) => Iterable<SuppressibleFunction>,
  now: Date,
): ExpiredSuppression[] {
  const expired = new Map<string, ExpiredSuppression>();
  const functionsMatch = (pattern: string | undefined, finding: Finding): boolean => {
    if (pattern === undefined) return true;
    if (finding.subject === 'function')
      return globMatches(pattern, finding.functionName, finding.functionArn);
    let any = false;
    for (const fn of functionsOfRole(finding.roleArn)) {
      if (!globMatches(pattern, fn.functionName, fn.functionArn)) return false;
      any = true;
    }
    return any;
  };
  /** Mutes the finding with the first suppression of `list` that matches it and is in force. */
  const mute = (finding: Finding, list: Suppression[], source: 'file' | 'tag'): boolean => {
    for (const suppression of list) {
      const matches =
        globMatches(suppression.rule, finding.ruleId) &&
        (suppression.role === undefined ||
          globMatches(suppression.role, finding.roleArn, roleNameFromArn(finding.roleArn))) &&
        functionsMatch(suppression.function, finding);
      if (!matches) continue;
      if (isExpired(suppression.until, now)) {
        // Keyed by content: tag suppressions are rebuilt for every role.
        const key = JSON.stringify([
          source,
          suppression.rule,
          suppression.function,
          suppression.role,
          suppression.until,
        ]);
        if (!expired.has(key)) {
          expired.set(key, {
            ...(suppression.rule ? { rule: suppression.rule } : {}),
            ...(suppression.function ? { function: suppression.function } : {}),
            ...(suppression.role ? { role: suppression.role } : {}),
            reason: suppression.reason,
            until: suppression.until!,
            source,
          });
        }
        continue;
      }
      const muting: Muting = { reason: suppression.reason, source };
      if (suppression.owner) muting.owner = suppression.owner;
      if (suppression.until) muting.until = suppression.until;
      finding.muted = muting;
      return true;
    }
    return false;
  };
  for (const finding of findings) {
    if (!mute(finding, fileSuppressions, 'file')) mute(finding, tagSuppressions(finding.roleArn), 'tag');
  }
  return [...expired.values()];
}
