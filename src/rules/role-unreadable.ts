import type { RoleReferenceRule } from './rule.js';

/** The role lives elsewhere or could not be read, so its functions are not fully audited. */
export const roleUnreadable: RoleReferenceRule = {
  scope: 'role-reference',
  meta: {
    id: 'role-unreadable',
    severity: 'info',
    title: 'Execution role could not be audited',
    risk: 'The role is in another account or could not be read: its permissions are unknown to this report.',
    remediation:
      "Audit the role's account too, or grant the auditor read access to the role (iam:GetRole and the policy reads).",
  },
  check(context) {
    const failure = context.failure;
    if (!failure || failure.missing) return [];
    const count = context.users.count;
    return [
      {
        message: `The execution role ${context.roleArn} could not be read (${failure.code}): ${count === 1 ? 'its function is' : `its ${count} functions are`} not fully audited.`,
        evidence: [{ resources: [context.roleArn], detail: `${failure.code}: ${failure.message}` }],
      },
    ];
  },
};
