import type { RoleReferenceRule } from './rule.js';
import { shortList } from './shared.js';

/** The role was deleted: every invocation of its functions fails. */
export const roleMissing: RoleReferenceRule = {
  scope: 'role-reference',
  meta: {
    id: 'role-missing',
    severity: 'high',
    title: 'Execution role does not exist',
    risk: 'The functions cannot run; anyone who later creates a role with that name decides what they can do.',
    remediation:
      'Recreate the role (trust lambda.amazonaws.com, least-privilege policies) or point the functions at an existing role.',
  },
  check(context) {
    if (!context.failure?.missing) return [];
    const { count, sample } = context.users;
    return [
      {
        message: `The execution role ${context.roleArn} does not exist: ${count === 1 ? 'its function' : `its ${count} functions`} (${shortList(sample, 3, count)}) cannot run.`,
        evidence: [{ resources: [context.roleArn], detail: context.failure.message }],
      },
    ];
  },
};
