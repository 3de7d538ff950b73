import type { RoleRule } from './rule.js';
import { statementEvidence } from './shared.js';

/** Allow statements written as exclusions grant everything that is not listed, including future actions. */
export const notActionAllow: RoleRule = {
  scope: 'role',
  meta: {
    id: 'not-action-allow',
    severity: 'medium',
    title: 'Allow statement uses NotAction or NotResource',
    risk: 'An Allow with NotAction/NotResource grants everything not listed, including actions and resources AWS adds later.',
    remediation:
      'Rewrite the statement as an Allow of the specific actions and resources the function needs.',
  },
  check(context) {
    const statements = context.permissions.identityStatements.filter(
      (statement) =>
        statement.effect === 'Allow' && (statement.notActions !== null || statement.notResources !== null),
    );
    if (statements.length === 0) return [];
    return [
      {
        message: `${statements.length} Allow statement${statements.length === 1 ? ' uses' : 's use'} NotAction or NotResource.`,
        evidence: statements.map((statement) => statementEvidence(statement)),
        conditional: statements.every((statement) => statement.conditional),
      },
    ];
  },
};
