import {
  type IAMClient,
  type ManagedPolicyDetail,
  paginateGetAccountAuthorizationDetails,
  type RoleDetail,
} from '@aws-sdk/client-iam';
import type { ManagedPolicyRecord, RoleRecord } from '../model/snapshot.js';
import { managedPolicyRecordFromDetail, roleRecordFromDetail } from './iam-records.js';
import { paginate } from './paginate.js';
import type { RunControl } from './run-control.js';

/** The largest page `GetAccountAuthorizationDetails` returns. */
const AUTHORIZATION_DETAILS_PAGE_SIZE = 1000;

export interface BulkIamData {
  /** The role of that name (names are unique in an account regardless of path and case). */
  role(roleName: string): RoleRecord | undefined;
  /** The managed policy with its default version's document. */
  policy(policyArn: string): ManagedPolicyRecord | undefined;
  /** Any role ARN seen, to learn the account when there is no function. */
  someRoleArn(): string | undefined;
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
 * per role. Details are converted only when asked for: most AWS managed policies are used by no
 * function. Never rejects: a failing page ends the read with `complete: false` and the error.
 *
 * @example
 * const bulk = await readAuthorizationDetails(clients.iam, { control });
 * bulk.role('app')?.attachedPolicyArns;
 */
export async function readAuthorizationDetails(
  iam: IAMClient,
  options: BulkReadOptions,
): Promise<BulkIamData> {
  const roles = new Map<string, RoleDetail>();
  const policies = new Map<string, ManagedPolicyDetail>();
  const data: BulkIamData = {
    role: (roleName) => {
      const detail = roles.get(roleName.toLowerCase());
      return detail ? roleRecordFromDetail(detail) : undefined;
    },
    policy: (policyArn) => {
      const detail = policies.get(policyArn);
      return detail ? managedPolicyRecordFromDetail(policyArn, detail) : undefined;
    },
    someRoleArn: () => roles.values().next().value?.Arn,
    complete: false,
  };
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
            if (detail.RoleName) roles.set(detail.RoleName.toLowerCase(), detail);
          }
          for (const detail of page?.Policies ?? []) {
            if (detail.Arn) policies.set(detail.Arn, detail);
          }
          options.onPage?.({ roles: roles.size, policies: policies.size });
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
