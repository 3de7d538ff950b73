import { memoizeByObject } from '../model/memo.js';
import { parseArn } from '../policy/arn.js';
import type { ActionCatalog, CatalogAction } from '../policy/catalog.js';
import type { Grant } from '../policy/effective.js';
import { escalationActionKeys } from './escalation.js';
import type { RoleRule } from './rule.js';
import { DATA_READ_ACTIONS, eventSourceOnly, evidenceByStatement, shortList } from './shared.js';

/** The scopable data-read actions the catalog knows, in list order: the same for every role. */
const scopableDataReads = memoizeByObject((catalog: ActionCatalog): readonly CatalogAction[] =>
  DATA_READ_ACTIONS.flatMap((name) => {
    const action = catalog.get(name);
    return action?.scopable ? [action] : [];
  }),
);

/** Data-reading actions on `*` although they could name a resource. */
export const unscopedRead: RoleRule = {
  scope: 'role',
  meta: {
    id: 'unscoped-read',
    severity: 'medium',
    title: 'Data-reading actions allowed on all resources',
    risk: 'The function can read every object, item, secret or parameter of that type in the account: a leak waiting for one bug.',
    remediation:
      'Replace "Resource": "*" with the ARNs of the buckets, tables, secrets or keys the function reads.',
  },
  check(context) {
    const { permissions, catalog } = context;
    // No double counting: what service-wildcard and privilege-escalation report is left to them.
    const wildcardServices = new Set(permissions.wildcardServiceGrants().map(({ service }) => service));
    const escalationActions = escalationActionKeys(context);
    const granted: Array<{ action: CatalogAction; grant: Grant }> = [];
    for (const action of scopableDataReads(catalog)) {
      if (wildcardServices.has(action.service) || escalationActions.has(action.key)) continue;
      // Without an Allow on unrestricted resources for the service there is nothing to look up.
      if (!permissions.reachesOnUnrestricted(action.service)) continue;
      const grant = permissions.grantOnUnrestricted(action);
      if (grant) granted.push({ action, grant });
    }
    if (granted.length === 0) return [];
    const names = granted.map(({ action }) => action.name);
    const evidence = evidenceByStatement(granted);
    return [
      {
        message: `The role can read data with ${shortList(names)} on all resources although these actions can be scoped.`,
        evidence,
        conditional: granted.every(({ grant }) => grant.conditional),
        // AWS's recommended event-source policy alone: a scoping task, not a medium risk.
        ...eventSourceOnly(evidence, parseArn(context.role.arn)?.account ?? ''),
      },
    ];
  },
};
