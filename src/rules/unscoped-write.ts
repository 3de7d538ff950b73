import { memoizeByObject } from '../model/memo.js';
import { parseArn } from '../policy/arn.js';
import type { ActionCatalog, CatalogAction } from '../policy/catalog.js';
import { hasAccessLevel } from '../policy/catalog.js';
import type { Grant } from '../policy/effective.js';
import { escalationActionKeys } from './escalation.js';
import type { RoleRule } from './rule.js';
import {
  DATA_READ_KEYS,
  eventSourceOnly,
  evidenceByStatement,
  PLATFORM_ACTIONS,
  shortList,
} from './shared.js';

function isWriteLike(action: CatalogAction): boolean {
  return (
    hasAccessLevel(action, 'Write') ||
    hasAccessLevel(action, 'Permissions management') ||
    hasAccessLevel(action, 'Tagging')
  );
}

/** The reportable actions of each service, per catalog (see {@link reportableActions}). */
const reportableByService = memoizeByObject(
  (_catalog: ActionCatalog) => new Map<string, readonly CatalogAction[]>(),
);

/**
 * The actions of a service this rule can report, whatever the role: scopable and write-like, not a
 * platform permission, not a data read (kms:Decrypt is filed under Write but reported by
 * unscoped-read). Depends on the catalog alone, so it is worked out once per service, not per role.
 */
function reportableActions(catalog: ActionCatalog, service: string): readonly CatalogAction[] {
  const byService = reportableByService(catalog);
  let actions = byService.get(service);
  if (!actions) {
    actions = catalog
      .actionsOf(service)
      .filter(
        (action) =>
          action.scopable &&
          isWriteLike(action) &&
          !PLATFORM_ACTIONS.has(action.key) &&
          !DATA_READ_KEYS.has(action.key),
      );
    byService.set(service, actions);
  }
  return actions;
}

/** Write actions on `*` although they could name a resource. */
export const unscopedWrite: RoleRule = {
  scope: 'role',
  meta: {
    id: 'unscoped-write',
    severity: 'medium',
    title: 'Write actions allowed on all resources',
    risk: 'The function can change or delete every resource of that type in the account, not just the ones it owns.',
    remediation: 'Replace "Resource": "*" with the ARNs of the resources the function writes to.',
  },
  check(context) {
    const { permissions, catalog } = context;
    // No double counting: what service-wildcard and privilege-escalation report is left to them.
    const wildcardServices = new Set(permissions.wildcardServiceGrants().map(({ service }) => service));
    const escalationActions = escalationActionKeys(context);
    const granted: Array<{ action: CatalogAction; grant: Grant }> = [];
    // Only services an Allow on unrestricted resources reaches can have a grant to report.
    for (const service of permissions.candidateServicesOnUnrestricted()) {
      if (wildcardServices.has(service)) continue;
      const candidates = permissions.actionsPossiblyGrantedOnUnrestricted(
        service,
        reportableActions(catalog, service),
      );
      for (const action of candidates) {
        if (escalationActions.has(action.key)) continue;
        const grant = permissions.grantOnUnrestricted(action);
        if (grant) granted.push({ action, grant });
      }
    }
    if (granted.length === 0) return [];
    const names = granted.map(({ action }) => action.name);
    const evidence = evidenceByStatement(granted);
    return [
      {
        message: `The role allows ${names.length} write action${names.length === 1 ? '' : 's'} on all resources although they can be scoped: ${shortList(names)}.`,
        evidence,
        conditional: granted.every(({ grant }) => grant.conditional),
        // AWS's recommended event-source policy alone: a scoping task, not a medium risk.
        ...eventSourceOnly(evidence, parseArn(context.role.arn)?.account ?? ''),
      },
    ];
  },
};
