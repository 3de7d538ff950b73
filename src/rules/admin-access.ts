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
    subsumes: ['privilege-escalation', 'service-wildcard', 'unscoped-write', 'unscoped-read'],
  },
  check(context) {
    const grant = context.permissions.everythingGrant();
    if (!grant) return [];
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
