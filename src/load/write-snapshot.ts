import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactedValue } from '../model/secrets.js';
import type { AccountSnapshot } from '../model/snapshot.js';
import { lastAccessedDetailsOf } from '../model/usage.js';
import { policyNameFromArn } from '../policy/arn.js';
import { resourcePoliciesFile } from './resource-policies.js';

/**
 * Extension key in a saved auth-details file: what the AWS CLI output cannot express (roles that
 * could not be read, collection errors, a partial run), so an offline re-audit gives the same findings.
 */
export const SNAPSHOT_EXTENSION_KEY = 'LambdaRoleAuditorSnapshot';

/**
 * Turns a snapshot back into the two AWS CLI shapes the offline loader reads. Environment variable
 * values are not in the snapshot; each variable is written with a redaction marker that keeps only
 * the secret verdict.
 *
 * @example
 * const { authDetails, functions } = snapshotToAwsCliShapes(snapshot);
 */
export function snapshotToAwsCliShapes(snapshot: AccountSnapshot): {
  authDetails: unknown;
  functions: unknown;
  lastAccessed?: unknown;
} {
  const roles = [...snapshot.roles.values()].map((role) => ({
    Path: role.path,
    RoleName: role.name,
    Arn: role.arn,
    AssumeRolePolicyDocument: role.trustPolicy,
    RolePolicyList: role.inlinePolicies.map((policy) => ({
      PolicyName: policy.name,
      PolicyDocument: policy.document,
    })),
    AttachedManagedPolicies: role.attachedPolicyArns.map((arn) => ({
      PolicyName: policyNameFromArn(arn),
      PolicyArn: arn,
    })),
    ...(role.permissionsBoundaryArn
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'Policy',
            PermissionsBoundaryArn: role.permissionsBoundaryArn,
          },
        }
      : {}),
    Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
    ...(role.createDate ? { CreateDate: role.createDate } : {}),
    ...(role.lastUsed ? { RoleLastUsed: { LastUsedDate: role.lastUsed } } : {}),
  }));
  const policies = [...snapshot.managedPolicies.values()].map((policy) => {
    const versionId = policy.defaultVersionId ?? 'v1';
    return {
      PolicyName: policy.name,
      Arn: policy.arn,
      DefaultVersionId: versionId,
      PolicyVersionList: [{ Document: policy.document, VersionId: versionId, IsDefaultVersion: true }],
    };
  });
  const functions = snapshot.functions.map((fn) => {
    const reasons = new Map(fn.secretSuspects.map((suspect) => [suspect.name, suspect.reason]));
    const variables = Object.fromEntries(
      fn.environmentVariableNames.map((name) => [name, redactedValue(reasons.get(name))]),
    );
    return {
      FunctionName: fn.functionName,
      FunctionArn: fn.functionArn,
      Version: fn.version,
      Role: fn.roleArn,
      ...(fn.runtime ? { Runtime: fn.runtime } : {}),
      ...(fn.revisionId ? { RevisionId: fn.revisionId } : {}),
      ...(fn.environmentVariableNames.length > 0 ? { Environment: { Variables: variables } } : {}),
      ...(fn.logGroup ? { LoggingConfig: { LogGroup: fn.logGroup } } : {}),
    };
  });
  return {
    authDetails: {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: roles,
      Policies: policies,
      [SNAPSHOT_EXTENSION_KEY]: {
        account: snapshot.account,
        partition: snapshot.partition,
        regions: snapshot.regions,
        roleFailures: Object.fromEntries(snapshot.roleFailures),
        errors: snapshot.errors,
        ...(snapshot.partial ? { partial: snapshot.partial } : {}),
      },
    },
    functions: { Functions: functions },
    ...(snapshot.usage
      ? {
          lastAccessed: Object.fromEntries(
            [...snapshot.usage.roles].map(([roleArn, usage]) => [roleArn, lastAccessedDetailsOf(usage)]),
          ),
        }
      : {}),
  };
}

/**
 * Writes `auth-details.json` and `functions.json` into a folder (created if needed),
 * `resource-policies.json` when the snapshot has them and `last-accessed.json` when the run read
 * last-accessed data; returns their paths.
 */
export async function writeSnapshotFiles(
  snapshot: AccountSnapshot,
  directory: string,
): Promise<{ authDetails: string; functions: string; resourcePolicies?: string; lastAccessed?: string }> {
  const shapes = snapshotToAwsCliShapes(snapshot);
  await mkdir(directory, { recursive: true });
  const paths: { authDetails: string; functions: string; resourcePolicies?: string; lastAccessed?: string } =
    {
      authDetails: join(directory, 'auth-details.json'),
      functions: join(directory, 'functions.json'),
    };
  await writeFile(paths.authDetails, `${JSON.stringify(shapes.authDetails, null, 4)}\n`);
  await writeFile(paths.functions, `${JSON.stringify(shapes.functions, null, 4)}\n`);
  if (shapes.lastAccessed !== undefined) {
    paths.lastAccessed = join(directory, 'last-accessed.json');
    await writeFile(paths.lastAccessed, `${JSON.stringify(shapes.lastAccessed, null, 4)}\n`);
  }
  if (snapshot.resourcePolicies) {
    paths.resourcePolicies = join(directory, 'resource-policies.json');
    await writeFile(paths.resourcePolicies, `${JSON.stringify(resourcePoliciesFile(snapshot), null, 4)}\n`);
  }
  return paths;
}
