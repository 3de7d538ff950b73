/**
 * The decision for one action on one resource (or on every resource, when the statements allow no
 * other answer): unconditional Denies, then Allows, then the permissions boundary.
 */
import type { ArnToMatch } from './arn.js';
import type { CompiledStatement } from './compiled-statement.js';

export type Access = 'allowed' | 'conditional' | 'denied' | 'not-allowed';

/**
 * How a list of statements covers a resource: `yes` when an unconditional one covers it,
 * `conditional` when only conditional ones do, `no` when none does. Without a resource only the
 * statements on `Resource: "*"` can answer; undefined when the others would have to be asked.
 */
function coverageOf(
  statements: CompiledStatement[],
  target: ArnToMatch | undefined,
): 'yes' | 'conditional' | 'no' | undefined {
  let conditional = false;
  let dependsOnResource = false;
  for (const compiled of statements) {
    const covers = compiled.everyResource || (target ? compiled.coversResource(target) : undefined);
    if (covers === undefined) dependsOnResource = true;
    else if (!covers) continue;
    else if (compiled.conditional) conditional = true;
    else return 'yes';
  }
  if (dependsOnResource) return undefined;
  return conditional ? 'conditional' : 'no';
}

/**
 * Applies the statements matching an action to one resource: Deny, then Allow, then the boundary.
 * Without a resource, the answer when it is the same for every resource, else undefined.
 */
export function decideAccess(matching: ActionStatements, target: ArnToMatch | undefined): Access | undefined {
  // Only unconditional Denies are listed: they either deny or leave the decision to the Allows.
  const deny = coverageOf(matching.unconditionalDeny, target);
  if (deny === 'yes') return 'denied';
  if (deny === undefined) return undefined;
  const allow = coverageOf(matching.allow, target);
  if (allow === undefined) return undefined;
  if (allow === 'no') return 'not-allowed';
  if (matching.boundary) {
    const boundary = coverageOf(matching.boundary, target);
    if (boundary === undefined) return undefined;
    if (boundary === 'no') return 'not-allowed';
    if (boundary === 'conditional') return 'conditional';
  }
  return allow === 'yes' ? 'allowed' : 'conditional';
}

/** The statements that match one action, for questions about that action on concrete resources. */
export interface ActionStatements {
  unconditionalDeny: CompiledStatement[];
  allow: CompiledStatement[];
  boundary: CompiledStatement[] | undefined;
  /** The answer for every resource, when each of these statements lists `Resource: "*"`. */
  sameForEveryResource: Access | undefined;
}
