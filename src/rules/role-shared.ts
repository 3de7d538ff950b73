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
    const { sample, count } = context.sharedWith;
    if (count === 0) return [];
    const more = count - sample.length;
    return [
      {
        message: `The role is also the execution role of ${count} other function${count === 1 ? '' : 's'}: ${shortList(sample, 5, count)}.`,
        evidence: [
          {
            resources: [context.fn.roleArn],
            functions: sample,
            ...(more > 0 ? { detail: `and ${more} more functions` } : {}),
          },
        ],
      },
    ];
  },
};
