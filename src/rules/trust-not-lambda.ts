import type { RoleRule } from './rule.js';
import { statementEvidence } from './shared.js';
import { coversAction, isWildcardPrincipal, LAMBDA_PRINCIPALS } from './trust.js';

function lambdaMayAssume(principals: string[] | null): boolean {
  return (principals ?? []).some(
    (principal) => LAMBDA_PRINCIPALS.includes(principal) || isWildcardPrincipal(principal),
  );
}

/** Lambda cannot assume the role, so the function cannot run. */
export const trustNotLambda: RoleRule = {
  scope: 'role',
  meta: {
    id: 'trust-not-lambda',
    severity: 'high',
    title: 'Lambda cannot assume the execution role',
    risk: 'The function fails at every invocation: "The role defined for the function cannot be assumed by Lambda".',
    remediation:
      'Add a trust policy statement allowing "Service": "lambda.amazonaws.com" (and edgelambda.amazonaws.com for Lambda@Edge) to perform sts:AssumeRole.',
  },
  check(context) {
    const trust = context.trust;
    if (!trust) return [];
    const allowed = trust.statements.some(
      (statement) =>
        statement.effect === 'Allow' &&
        lambdaMayAssume(statement.principals) &&
        coversAction(statement, ['sts:assumerole']),
    );
    const denied = trust.statements.some(
      (statement) =>
        statement.effect === 'Deny' &&
        !statement.conditional &&
        lambdaMayAssume(statement.principals) &&
        coversAction(statement, ['sts:assumerole']),
    );
    if (allowed && !denied) return [];
    return [
      {
        message: denied
          ? 'The trust policy denies lambda.amazonaws.com sts:AssumeRole.'
          : 'The trust policy does not allow lambda.amazonaws.com to perform sts:AssumeRole.',
        evidence: trust.statements.length
          ? trust.statements.map((statement) =>
              statementEvidence(statement, { principals: statement.principals ?? [] }),
            )
          : [{ policy: 'trust-policy', detail: 'the trust policy has no statements' }],
      },
    ];
  },
};
