import { dataLabel, dayOf, usageAnalysis } from '../usage/analysis.js';
import type { RoleRule } from './rule.js';

/** A role that did nothing for the whole usage window: its functions have not run (SPEC §4c). */
export const roleUnused: RoleRule = {
  scope: 'role',
  meta: {
    id: 'role-unused',
    severity: 'low',
    title: 'Execution role not used in the usage window',
    risk: 'Unused roles keep their permissions for anyone who can attach or assume them, and hide what is still in service.',
    remediation:
      'Confirm with the owners that the functions are retired (a yearly or disaster-recovery job runs rarely), then delete them and the role.',
    requiresUsage: true,
  },
  check(context) {
    const analysis = usageAnalysis(context);
    if (!analysis || analysis.skipped || !analysis.roleUnused) return [];
    const last = analysis.lastActivity
      ? `last used ${dayOf(analysis.lastActivity.at)} (${analysis.lastActivity.service})`
      : 'not used in the tracking period';
    const created = context.role.createDate ? `created ${dayOf(context.role.createDate)}` : '';
    return [
      {
        message: `The role has not been used in the ${analysis.days} days before its ${dataLabel(analysis)}: ${last}.`,
        evidence: [
          {
            resources: [context.role.arn],
            detail: [
              created,
              last,
              context.role.lastUsed ? `RoleLastUsed ${dayOf(context.role.lastUsed)}` : '',
            ]
              .filter(Boolean)
              .join('; '),
          },
        ],
      },
    ];
  },
};
