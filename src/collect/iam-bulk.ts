import { type IAMClient, paginateGetAccountAuthorizationDetails } from '@aws-sdk/client-iam';
import type { ManagedPolicyRecord, RoleRecord } from '../model/snapshot.js';
import { managedPolicyRecordFromDetail, roleRecordFromDetail } from './iam-records.js';
import { paginate } from './paginate.js';
import type { RunControl } from './run-control.js';

/** The largest page `GetAccountAuthorizationDetails` returns. */
const AUTHORIZATION_DETAILS_PAGE_SIZE = 1000;

export interface BulkIamData {
  /** Keyed by lower-case role name: names are unique in an account regardless of path and case. */
  rolesByName: Map<string, RoleRecord>;
  /** Keyed by policy ARN; only the default version's document is kept. */
  policies: Map<string, ManagedPolicyRecord>;
  /** False when a page failed or the time limit stopped the read: absent roles may then exist. */
  complete: boolean;
  error?: unknown;
}

export interface BulkReadOptions {
  control: RunControl;
  onPage?: (totals: { roles: number; policies: number }) => void;
}

/**
 * Reads every role and managed policy of the account with `GetAccountAuthorizationDetails`
 * (filters `Role`, `LocalManagedPolicy`, `AWSManagedPolicy`): a handful of calls instead of several
 * per role. Never rejects: a failing page ends the read with `complete: false` and the error.
 *
 * @example
 * const { rolesByName } = await readAuthorizationDetails(clients.iam, { control });
 */
export async function readAuthorizationDetails(
  iam: IAMClient,
  options: BulkReadOptions,
): Promise<BulkIamData> {
  const data: BulkIamData = { rolesByName: new Map(), policies: new Map(), complete: false };
  const { control } = options;
  if (!control.canStart()) return data;
  try {
    const { complete } = await paginate(
      paginateGetAccountAuthorizationDetails(
        { client: iam, pageSize: AUTHORIZATION_DETAILS_PAGE_SIZE },
        { Filter: ['Role', 'LocalManagedPolicy', 'AWSManagedPolicy'] },
        { abortSignal: control.abortSignal },
      ),
      (page) => [page],
      {
        onPage: ([page]) => {
          for (const detail of page?.RoleDetailList ?? []) {
            const role = roleRecordFromDetail(detail);
            if (role.name) data.rolesByName.set(role.name.toLowerCase(), role);
          }
          for (const detail of page?.Policies ?? []) {
            const policy = managedPolicyRecordFromDetail(detail);
            if (policy) data.policies.set(policy.arn, policy);
          }
          options.onPage?.({ roles: data.rolesByName.size, policies: data.policies.size });
        },
        canContinue: control.canStart,
      },
    );
    data.complete = complete;
  } catch (error) {
    data.error = error;
  }
  return data;
}
