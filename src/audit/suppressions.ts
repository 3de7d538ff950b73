import { closestName } from '../model/closest.js';
import type { ExpiredSuppression, Finding, Muting } from '../model/report.js';
import type { RoleRecord } from '../model/snapshot.js';
import { roleNameFromArn } from '../policy/arn.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { RULES } from '../rules/index.js';

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

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const FIELDS = new Set(['rule', 'function', 'role', 'reason', 'until', 'owner']);

/**
 * Validates a parsed suppressions file: `{"suppressions":[{"rule","function","role","reason","until","owner"}]}`.
 * Throws {@link SuppressionFileError} naming the first invalid entry: an unknown rule id or an impossible
 * date is a configuration error (SPEC §5), never a suppression that silently matches nothing.
 *
 * @example
 * parseSuppressions({ suppressions: [{ rule: 'role-shared', reason: 'legacy batch jobs' }] });
 */
export function parseSuppressions(raw: unknown): Suppression[] {
  const { suppressions, problems } = readSuppressionEntries(raw);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new SuppressionFileError(`${problems[0]}${more}`);
  }
  return suppressions;
}

/**
 * Reads a parsed suppressions file entry by entry: the valid suppressions, and one problem per invalid
 * entry naming it (`suppressions[2].until must be …`). The Lambda reports the problems and keeps
 * applying the valid entries; the CLI refuses the file (see {@link parseSuppressions}).
 *
 * @example
 * const { suppressions, problems } = readSuppressionEntries(JSON.parse(text));
 */
export function readSuppressionEntries(raw: unknown): { suppressions: Suppression[]; problems: string[] } {
  if (
    typeof raw !== 'object' ||
    raw === null ||
    !Array.isArray((raw as { suppressions?: unknown }).suppressions)
  ) {
    return { suppressions: [], problems: ['expected an object with a "suppressions" list'] };
  }
  const suppressions: Suppression[] = [];
  const problems: string[] = [];
  (raw as { suppressions: unknown[] }).suppressions.forEach((entry, index) => {
    const problem = entryProblem(entry, `suppressions[${index}]`);
    if (problem === undefined) suppressions.push(entry as Suppression);
    else problems.push(problem);
  });
  return { suppressions, problems };
}

function entryProblem(entry: unknown, where: string): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `${where} is not an object`;
  for (const [key, value] of Object.entries(entry)) {
    if (!FIELDS.has(key)) return `${where} has an unknown field "${key}"`;
    if (typeof value !== 'string') return `${where}.${key} must be a string`;
  }
  const suppression = entry as Suppression;
  if (!suppression.reason || suppression.reason.trim() === '') return `${where} needs a "reason"`;
  if (suppression.rule !== undefined) {
    const unknown = unknownRuleProblem(suppression.rule);
    if (unknown) return `${where}.rule ${unknown}`;
  }
  if (suppression.until !== undefined && !isValidDate(suppression.until)) {
    return `${where}.until must be a date YYYY-MM-DD, got "${suppression.until}"`;
  }
  return undefined;
}

/**
 * Why a rule id or glob matches no rule of the catalog (with the likely intended id), or undefined when
 * it matches one. Derived from the catalog, so a rule added later is known at once.
 */
function unknownRuleProblem(pattern: string): string | undefined {
  const ids = RULES.map((rule) => rule.meta.id);
  if (ids.some((id) => matchesWildcard(pattern, id))) return undefined;
  const suggestion = closestName(pattern, ids);
  return `names no rule: ${JSON.stringify(pattern)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
}

/** A real calendar day: `2099-02-30` is not one, although `Date.parse` rolls it over to March. */
function isValidDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return (
    !Number.isNaN(date.getTime()) &&
    date.getUTCFullYear() === Number(match[1]) &&
    date.getUTCMonth() + 1 === Number(match[2]) &&
    date.getUTCDate() === Number(match[3])
  );
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

/**
 * The suppressions a role's tags declare, with a problem when a tag is invalid: a missing reason or an
 * impossible date voids them all; an unknown rule id is named and the role's other rule ids still apply.
 */
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
  const suppressions: Suppression[] = [];
  const problems: string[] = [];
  for (const rule of rules.split(/\s+/).filter(Boolean)) {
    const unknown = unknownRuleProblem(rule);
    if (unknown) problems.push(`tag ${SUPPRESS_TAG} ${unknown}`);
    else suppressions.push({ rule, role: role.arn, reason, ...(until ? { until } : {}) });
  }
  return { suppressions, ...(problems.length > 0 ? { problem: problems.join('; ') } : {}) };
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
