import type { FunctionRule } from './rule.js';
import { shortList } from './shared.js';

/** One role for several functions means each gets the union of what all of them need. */
export const roleShared: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'role-shared',
    severity: 'low',
    title: 'Execution role is shared by several functions',
    risk: 'Every function gets the permissions all of them need, and a change for one silently changes the others.',
    remediation: 'Give each function its own role with only the permissions that function uses.',
  },
  check(context) {
    if (context.sharedWith.length === 0) return [];
    return [
      {
        message: `The role is also the execution role of ${context.sharedWith.length} other function${context.sharedWith.length === 1 ? '' : 's'}: ${shortList(context.sharedWith)}.`,
        evidence: [{ resources: [context.fn.roleArn], functions: context.sharedWith }],
      },
    ];
  },
};
