import type { ManagedPolicyDetail, PolicyVersion, Role, RoleDetail, Tag } from '@aws-sdk/client-iam';
import type { InlinePolicyRecord, ManagedPolicyRecord, RoleRecord } from '../model/snapshot.js';
import { policyNameFromArn } from '../policy/arn.js';

/**
 * IAM returns policy documents URL-encoded (RFC 3986). Decoded here so that bulk and per-role
 * collection yield the same text; a document that is not encoded (it starts with `{`, as JSON
 * must) or cannot be decoded is kept as it is, and the audit reports it if it is not valid JSON.
 *
 * @example
 * decodePolicyDocument('%7B%22Version%22%3A%222012-10-17%22%7D') // '{"Version":"2012-10-17"}'
 */
export function decodePolicyDocument(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const start = raw.trimStart()[0];
  if (start === '{' || start === '[') return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** IAM's `[{ Key, Value }]` tag list as a plain object. */
export function tagsToRecord(tags: Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  }
  return record;
}

/** The fields `GetRole` and `GetAccountAuthorizationDetails` have in common. */
type RoleFields = Partial<
  Pick<
    Role,
    | 'Arn'
    | 'RoleName'
    | 'Path'
    | 'AssumeRolePolicyDocument'
    | 'PermissionsBoundary'
    | 'Tags'
    | 'CreateDate'
    | 'RoleLastUsed'
  >
>;

/** A date of the SDK (or a string, as some emulators send) as ISO 8601, when it is a valid one. */
function isoDate(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * A role as `GetRole` describes it, completed with what the list calls returned. Policies are
 * sorted: their order means nothing to IAM, and the APIs do not agree on one.
 */
export function roleRecordFromGetRole(
  role: RoleFields,
  inlinePolicies: InlinePolicyRecord[],
  attachedPolicyArns: string[],
): RoleRecord {
  return {
    arn: role.Arn ?? '',
    name: role.RoleName ?? '',
    path: role.Path ?? '/',
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument),
    inlinePolicies: [...inlinePolicies].sort((left, right) => left.name.localeCompare(right.name)),
    attachedPolicyArns: [...attachedPolicyArns].sort(),
    ...(role.PermissionsBoundary?.PermissionsBoundaryArn
      ? { permissionsBoundaryArn: role.PermissionsBoundary.PermissionsBoundaryArn }
      : {}),
    tags: tagsToRecord(role.Tags),
    ...(isoDate(role.CreateDate) ? { createDate: isoDate(role.CreateDate)! } : {}),
    ...(isoDate(role.RoleLastUsed?.LastUsedDate)
      ? { lastUsed: isoDate(role.RoleLastUsed?.LastUsedDate)! }
      : {}),
  };
}

/** A role as `GetAccountAuthorizationDetails` describes it. */
export function roleRecordFromDetail(detail: RoleDetail): RoleRecord {
  return roleRecordFromGetRole(
    detail,
    (detail.RolePolicyList ?? []).map((policy) => ({
      name: policy.PolicyName ?? '',
      document: decodePolicyDocument(policy.PolicyDocument),
    })),
    (detail.AttachedManagedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])),
  );
}

/** A managed policy with the document of its default version. */
export function managedPolicyRecord(
  arn: string,
  name: string | undefined,
  defaultVersionId: string | undefined,
  document: string | undefined,
): ManagedPolicyRecord {
  return {
    arn,
    name: name ?? policyNameFromArn(arn),
    document: decodePolicyDocument(document),
    ...(defaultVersionId ? { defaultVersionId } : {}),
  };
}

/** A managed policy as `GetAccountAuthorizationDetails` describes it (every version listed). */
export function managedPolicyRecordFromDetail(arn: string, detail: ManagedPolicyDetail): ManagedPolicyRecord {
  const versions: PolicyVersion[] = detail.PolicyVersionList ?? [];
  const defaultVersion =
    versions.find((version) => version.IsDefaultVersion) ??
    versions.find((version) => version.VersionId === detail.DefaultVersionId);
  return managedPolicyRecord(arn, detail.PolicyName, detail.DefaultVersionId, defaultVersion?.Document);
}
