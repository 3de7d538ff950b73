import type { RoleRule } from './rule.js';

/** Inline policies cannot be reused, versioned or reviewed in one place. */
export const inlinePolicy: RoleRule = {
  scope: 'role',
  meta: {
    id: 'inline-policy',
    severity: 'info',
    title: 'Execution role has inline policies',
    risk: 'Inline policies are invisible in the policy list, unversioned and copied role by role, so they drift and escape review.',
    remediation: 'Move the inline statements into a customer managed policy and attach it to the role.',
  },
  check(context) {
    const names = context.role.inlinePolicies.map((policy) => policy.name);
    if (names.length === 0) return [];
    return [
      {
        message: `The role has ${names.length} inline polic${names.length === 1 ? 'y' : 'ies'}: ${names.join(', ')}.`,
        evidence: names.map((name) => ({ policy: `${context.role.name}/${name}` })),
      },
    ];
  },
};
