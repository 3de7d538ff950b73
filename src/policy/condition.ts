/**
 * Evaluates a statement's `Condition` block against what is known of a request. Only the string
 * operators are understood, and only for the keys the caller knows (for example
 * `iam:PassedToService` when asking whether a role can be passed to Lambda): everything else
 * leaves the answer open, so a grant under such a condition stays *conditional*.
 */
import { isPlainObject, type PlainObject } from '../model/json.js';
import { matchesWildcard } from './wildcard.js';

/** Known request context keys, lower-case (`iam:passedtoservice`), each with its single value. */
export type RequestContext = Readonly<Record<string, string>>;

/**
 * `true`: every condition holds; `false`: one of them cannot hold; `unknown`: none fails, but one
 * depends on something the context does not say.
 */
export type ConditionOutcome = 'true' | 'false' | 'unknown';

type StringTest = (value: string, expected: readonly string[]) => boolean;

const equalsAny: StringTest = (value, expected) => expected.includes(value);
const equalsAnyIgnoringCase: StringTest = (value, expected) =>
  expected.some((candidate) => candidate.toLowerCase() === value.toLowerCase());
const likeAny: StringTest = (value, expected) => expected.some((pattern) => matchesWildcard(pattern, value));

/**
 * The string and ARN operators, by lower-case name, without `ForAnyValue:`/`ForAllValues:` and
 * `IfExists`. ARN operators compare like their string counterparts with wildcards: close enough for
 * the ARNs a caller knows (`iam:PolicyARN`, `aws:PrincipalArn`).
 */
const STRING_OPERATORS: Readonly<Record<string, { test: StringTest; negated: boolean }>> = {
  stringequals: { test: equalsAny, negated: false },
  stringnotequals: { test: equalsAny, negated: true },
  stringequalsignorecase: { test: equalsAnyIgnoringCase, negated: false },
  stringnotequalsignorecase: { test: equalsAnyIgnoringCase, negated: true },
  stringlike: { test: likeAny, negated: false },
  stringnotlike: { test: likeAny, negated: true },
  arnequals: { test: likeAny, negated: false },
  arnlike: { test: likeAny, negated: false },
  arnnotequals: { test: likeAny, negated: true },
  arnnotlike: { test: likeAny, negated: true },
};

function operatorOf(name: string): { test: StringTest; negated: boolean } | undefined {
  let operator = name.toLowerCase();
  // A known key is single-valued and present: the set qualifiers and IfExists change nothing.
  if (operator.startsWith('foranyvalue:')) operator = operator.slice('foranyvalue:'.length);
  else if (operator.startsWith('forallvalues:')) operator = operator.slice('forallvalues:'.length);
  if (operator.endsWith('ifexists')) operator = operator.slice(0, -'ifexists'.length);
  return Object.hasOwn(STRING_OPERATORS, operator) ? STRING_OPERATORS[operator] : undefined;
}

function expectedValues(raw: unknown): string[] | undefined {
  const list = Array.isArray(raw) ? raw : [raw];
  const values: string[] = [];
  for (const value of list) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      return undefined;
    const text = String(value);
    // A policy variable is resolved per request: nothing can be said about it here.
    if (text.includes('${')) return undefined;
    values.push(text);
  }
  return values;
}

/**
 * Evaluates a `Condition` block (all operators and keys must hold) with the keys of `context`.
 *
 * @example
 * evaluateCondition(
 *   { StringEquals: { 'iam:PassedToService': 'dax.amazonaws.com' } },
 *   { 'iam:passedtoservice': 'lambda.amazonaws.com' },
 * ); // 'false'
 */
export function evaluateCondition(condition: PlainObject | null, context: RequestContext): ConditionOutcome {
  if (!condition) return 'true';
  let outcome: ConditionOutcome = 'true';
  for (const [operatorName, entries] of Object.entries(condition)) {
    if (!isPlainObject(entries)) return 'unknown';
    const operator = operatorOf(operatorName);
    for (const [key, raw] of Object.entries(entries)) {
      const lowerKey = key.toLowerCase();
      const value = Object.hasOwn(context, lowerKey) ? context[lowerKey] : undefined;
      const expected = expectedValues(raw);
      if (value === undefined || !operator || !expected) {
        outcome = 'unknown';
        continue;
      }
      if (operator.test(value, expected) === operator.negated) return 'false';
    }
  }
  return outcome;
}
