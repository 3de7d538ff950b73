import type { FunctionRule } from './rule.js';

/** The role was deleted: every invocation fails. */
export const roleMissing: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'role-missing',
    severity: 'high',
    title: 'Execution role does not exist',
    risk: 'The function cannot run; anyone who later creates a role with that name decides what it can do.',
    remediation:
      'Recreate the role (trust lambda.amazonaws.com, least-privilege policies) or point the function at an existing role.',
  },
  check(context) {
    if (!context.roleFailure?.missing) return [];
    return [
      {
        message: `The execution role ${context.fn.roleArn} does not exist.`,
        evidence: [{ resources: [context.fn.roleArn], detail: context.roleFailure.message }],
      },
    ];
  },
};
