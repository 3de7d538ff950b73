import type { Statement } from '../policy/policy.js';
import { matchesWildcard } from '../policy/wildcard.js';

/** The service principals that run Lambda functions (Lambda@Edge replicas use the second). */
export const LAMBDA_PRINCIPALS = ['Service:lambda.amazonaws.com', 'Service:edgelambda.amazonaws.com'];

const ASSUME_ACTIONS = ['sts:assumerole', 'sts:assumerolewithwebidentity', 'sts:assumerolewithsaml'];

/** Whether a trust statement's actions cover one of the given (lower-case) actions. */
export function coversAction(statement: Statement, actions: readonly string[]): boolean {
  if (statement.actions)
    return actions.some((action) => statement.actions!.some((pattern) => matchesWildcard(pattern, action)));
  return actions.some((action) => !statement.notActions!.some((pattern) => matchesWildcard(pattern, action)));
}

/** Whether a trust statement's actions let a principal assume the role in any way. */
export function coversAssume(statement: Statement): boolean {
  return coversAction(statement, ASSUME_ACTIONS);
}

/** True when a principal entry is the anonymous wildcard (`*` or `AWS:*`). */
export function isWildcardPrincipal(principal: string): boolean {
  return principal === '*' || principal === 'AWS:*';
}
