import type { RoleRule } from './rule.js';
import { grantsOnlyPlatformActions, statementEvidence } from './shared.js';

/** `*` on `*`: the role can do anything in the account. */
export const adminAccess: RoleRule = {
  scope: 'role',
  meta: {
    id: 'admin-access',
    severity: 'critical',
    title: 'Execution role has administrator access',
    risk: 'Any bug or injected code in the function can read, change or delete everything in the account.',
    remediation:
      'Detach AdministratorAccess (or the "*" on "*" statement) and grant only the actions and resources the function uses.',
  },
  check(context) {
    const grant = context.permissions.everythingGrant();
    if (!grant) return [];
    context.facts.admin = true;
    return [
      {
        message: `The role allows every action on every resource${grant.conditional ? ' (under a condition)' : ''}.`,
        evidence: grant.statements
          .filter((statement) => !grantsOnlyPlatformActions(statement))
          .map((statement) => statementEvidence(statement)),
        conditional: grant.conditional,
      },
    ];
  },
};
