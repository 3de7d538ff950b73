import type { CatalogAction } from '../policy/catalog.js';
import { hasAccessLevel } from '../policy/catalog.js';
import type { Grant } from '../policy/effective.js';
import type { RoleRule } from './rule.js';
import { evidenceByStatement, PLATFORM_ACTIONS, shortList } from './shared.js';
import { DATA_READ_KEYS } from './unscoped-read.js';

function isWriteLike(action: CatalogAction): boolean {
  return (
    hasAccessLevel(action, 'Write') ||
    hasAccessLevel(action, 'Permissions management') ||
    hasAccessLevel(action, 'Tagging')
  );
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
    if (context.facts.admin) return [];
    const { permissions, catalog, facts } = context;
    const granted: Array<{ action: CatalogAction; grant: Grant }> = [];
    for (const service of permissions.candidateServices()) {
      if (facts.wildcardServices.has(service)) continue;
      for (const action of catalog.actionsOf(service)) {
        if (!action.scopable || !isWriteLike(action)) continue;
        // Data reads the catalog files under Write (kms:Decrypt) are reported by unscoped-read instead.
        if (
          PLATFORM_ACTIONS.has(action.key) ||
          facts.escalationActions.has(action.key) ||
          DATA_READ_KEYS.has(action.key)
        ) {
          continue;
        }
        const grant = permissions.grantOnUnrestricted(action);
        if (grant) granted.push({ action, grant });
      }
    }
    if (granted.length === 0) return [];
    const names = granted.map(({ action }) => action.name);
    return [
      {
        message: `The role allows ${names.length} write action${names.length === 1 ? '' : 's'} on all resources although they can be scoped: ${shortList(names)}.`,
        evidence: evidenceByStatement(granted),
        conditional: granted.every(({ grant }) => grant.conditional),
      },
    ];
  },
};
