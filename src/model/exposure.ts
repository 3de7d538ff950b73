/**
 * Rules whose findings say that anyone can run a function's code (SPEC §4b). Within one severity they
 * come first in the fix plan: a function anyone can invoke is the door to everything else its role can do.
 */
export const PUBLIC_EXPOSURE_RULES: ReadonlySet<string> = new Set(['function-url-public', 'public-invoke']);

/**
 * Whether a finding says that anyone can invoke its function.
 *
 * @example
 * isPublicExposure({ ruleId: 'function-url-public' }); // true
 */
export function isPublicExposure(finding: { ruleId: string }): boolean {
  return PUBLIC_EXPOSURE_RULES.has(finding.ruleId);
}
