import type { RoleReferenceRule } from './rule.js';
import { shortList } from './shared.js';

/** One role for several functions means each gets the union of what all of them need. */
export const roleShared: RoleReferenceRule = {
  scope: 'role-reference',
  meta: {
    id: 'role-shared',
    severity: 'low',
    title: 'Execution role is shared by several functions',
    risk: 'Every function gets the permissions all of them need, and a change for one silently changes the others.',
    remediation: 'Give each function its own role with only the permissions that function uses.',
    scopeDependent: true,
  },
  check(context) {
    const { sample, count } = context.users;
    if (count < 2) return [];
    const more = count - sample.length;
    return [
      {
        message: `The role is the execution role of ${count} functions: ${shortList(sample, 5, count)}.`,
        evidence: [
          {
            resources: [context.roleArn],
            functions: sample,
            ...(more > 0 ? { detail: `and ${more} more functions (listed under roles in the report)` } : {}),
          },
        ],
      },
    ];
  },
};
