import { parseArn } from '../policy/arn.js';
import type { InvokeGrant } from '../policy/invoke-grants.js';
import { isPublicGrant } from '../policy/invoke-grants.js';
import { grantEvidence, invokeAccessOf } from './invoke.js';
import type { FunctionRule } from './rule.js';

/** Accounts other than `own` that a grant lets invoke: named principals, or accounts its conditions pin. */
function otherAccounts(grant: InvokeGrant, own: string): string[] {
  const accounts = new Set<string>();
  for (const caller of grant.callers)
    if (caller.kind === 'account' && caller.account !== own) accounts.add(caller.account);
  for (const account of grant.pins.accounts) if (account !== own) accounts.add(account);
  return [...accounts];
}

/** Principals of another account may invoke the function (other than through the organization). */
export const crossAccountInvoke: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'cross-account-invoke',
    severity: 'low',
    title: 'Another account may invoke the function',
    risk: "Principals of another account run the function's code with its role's permissions; their access is governed by that account, not by yours.",
    remediation:
      'Keep only the accounts that must call the function, or grant your organization with aws:PrincipalOrgID instead of single accounts.',
    appliesToSameRoleVersions: true,
  },
  check(context) {
    const access = invokeAccessOf(context);
    if (!access) return [];
    const own = parseArn(context.fn.functionArn)?.account || context.snapshot.account;
    const grants = access.grants
      .filter((grant) => !isPublicGrant(grant) && grant.pins.organizations.length === 0)
      .map((grant) => ({ grant, accounts: otherAccounts(grant, own) }))
      .filter(({ accounts }) => accounts.length > 0);
    if (grants.length === 0) return [];
    const accounts = [...new Set(grants.flatMap((entry) => entry.accounts))];
    return [
      {
        message: `Principals of ${accounts.length === 1 ? 'account' : 'accounts'} ${accounts.join(', ')} may invoke the function.`,
        evidence: grants.map(({ grant, accounts: granted }) =>
          grantEvidence(
            grant,
            grant.callers.filter((caller) => caller.kind !== 'everyone' || grant.pins.accounts.length > 0),
            `account${granted.length === 1 ? '' : 's'} ${granted.join(', ')}`,
          ),
        ),
      },
    ];
  },
};
