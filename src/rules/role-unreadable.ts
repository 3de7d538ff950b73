import type { FunctionRule } from './rule.js';

/** The role lives elsewhere or could not be read, so the function is not fully audited. */
export const roleUnreadable: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'role-unreadable',
    severity: 'info',
    title: 'Execution role could not be audited',
    risk: 'The role is in another account or could not be read: its permissions are unknown to this report.',
    remediation:
      "Audit the role's account too, or grant the auditor read access to the role (iam:GetRole and the policy reads).",
  },
  check(context) {
    const failure = context.roleFailure;
    if (!failure || failure.missing) return [];
    return [
      {
        message: `The execution role ${context.fn.roleArn} could not be read (${failure.code}): the function is not fully audited.`,
        evidence: [{ resources: [context.fn.roleArn], detail: `${failure.code}: ${failure.message}` }],
      },
    ];
  },
};
