/**
 * Whether one IAM wildcard pattern covers another: every string the inner pattern matches, the outer one
 * matches too. Used to prove that a proposed policy names no resource the current policies do not
 * cover. The test is sound but not complete: a `true` is always right, a `false` may be too careful
 * (`*?` covers `?*`, and this says no), which only ever makes a proof fail, never pass wrongly.
 */

import { arnPatternFields } from './arn.js';

/** Above this many comparisons a pair is not judged (hostile input): the answer is `false`. */
const MAX_STEPS = 1_000_000;

/**
 * Whether the wildcard pattern `outer` covers the wildcard pattern `inner` (`*` any run, `?` one
 * character, in both). The outer `*` may swallow anything of the inner pattern, its `?` one literal
 * character or one inner `?`, and its literals only the same literal.
 *
 * @example
 * patternCovers('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/logs/*'); // true
 * patternCovers('arn:aws:s3:::bucket/?', 'arn:aws:s3:::bucket/*'); // false
 */
export function patternCovers(outer: string, inner: string): boolean {
  if (outer === inner || outer === '*') return true;
  if ((outer.length + 1) * (inner.length + 1) > MAX_STEPS) return false;
  // covered[j]: outer[i..] covers inner[j..], computed from the end of outer backwards.
  let next = new Uint8Array(inner.length + 1);
  next[inner.length] = 1;
  for (let i = outer.length - 1; i >= 0; i -= 1) {
    const current = new Uint8Array(inner.length + 1);
    const symbol = outer[i]!;
    for (let j = inner.length; j >= 0; j -= 1) {
      if (symbol === '*') {
        current[j] = next[j] === 1 || (j < inner.length && current[j + 1] === 1) ? 1 : 0;
      } else if (j === inner.length) {
        current[j] = 0;
      } else if (symbol === '?') {
        current[j] = inner[j] !== '*' && next[j + 1] === 1 ? 1 : 0;
      } else {
        current[j] = inner[j] === symbol && next[j + 1] === 1 ? 1 : 0;
      }
    }
    next = current;
  }
  return next[0] === 1;
}

/**
 * Whether a `Resource` pattern covers another the way the evaluator matches resources: ARN patterns
 * field by field (a wildcard in one field never spills into the next), anything else as one pattern.
 *
 * @example
 * resourceCovers('arn:aws:logs:*:*:*', 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/app:*'); // true
 */
export function resourceCovers(outer: string, inner: string): boolean {
  if (outer === '*' || outer === inner) return true;
  const outerFields = arnPatternFields(outer);
  const innerFields = arnPatternFields(inner);
  // The evaluator matches an outer pattern of fewer fields against the whole ARN, as one pattern.
  if (!outerFields) return patternCovers(outer, inner);
  // An inner pattern of fewer fields (`*`, `arn:aws:s3*`) may reach any field: field-wise cover cannot be shown.
  if (!innerFields) return false;
  return outerFields.every((field, index) => patternCovers(field, innerFields[index]!));
}

/**
 * Whether an action pattern (lower-case, as parsed) covers another action pattern or action key.
 *
 * @example
 * actionCovers('s3:get*', 's3:getobject'); // true
 */
export function actionCovers(outer: string, inner: string): boolean {
  return patternCovers(outer, inner);
}
