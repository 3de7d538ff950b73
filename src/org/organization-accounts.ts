/** The accounts of the organization, for a roll-up that also names accounts that never reported. */
import { type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { paginate } from '../collect/paginate.js';

/**
 * The ids of the organization's active accounts (suspended and closed ones run nothing). Needs
 * `organizations:ListAccounts`: the management account or a delegated administrator.
 *
 * @example
 * const accounts = await listOrganizationAccounts(new OrganizationsClient({}));
 */
export async function listOrganizationAccounts(organizations: OrganizationsClient): Promise<string[]> {
  const { items } = await paginate(
    paginateListAccounts({ client: organizations }, {}),
    (page) => page.Accounts,
  );
  return items
    .filter((account) => account.Id && (account.State ?? account.Status) === 'ACTIVE')
    .map((account) => account.Id!)
    .sort();
}
