import { readFile } from 'node:fs/promises';
import { isPlainObject, type PlainObject } from '../model/json.js';
import { findSecretSuspects } from '../model/secrets.js';
import type { AccountSnapshot, FunctionRecord, ManagedPolicyRecord, RoleRecord } from '../model/snapshot.js';
import { emptySnapshot } from '../model/snapshot.js';
import {
  functionNameFromArn,
  parseArn,
  policyNameFromArn,
  roleNameFromArn,
  withoutLatestQualifier,
} from '../policy/arn.js';
import { applyResourcePolicies } from './resource-policies.js';

/** A problem with an input file, named so the CLI can print it without a stack trace (exit code 2). */
export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The input of the offline loader: parsed JSON of the two AWS CLI outputs, and names for messages. */
export interface OfflineInput {
  authDetails: unknown;
  functions: unknown;
  authDetailsName?: string;
  functionsName?: string;
  /** Function ARN → `aws lambda get-policy` output (SPEC §4b); without it the invoke rules say nothing. */
  resourcePolicies?: unknown;
  resourcePoliciesName?: string;
}

function tagsOf(list: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!Array.isArray(list)) return tags;
  for (const tag of list) {
    if (isPlainObject(tag) && typeof tag.Key === 'string')
      tags[tag.Key] = typeof tag.Value === 'string' ? tag.Value : '';
  }
  return tags;
}

function defaultVersionDocument(policy: PlainObject): unknown {
  const versions = Array.isArray(policy.PolicyVersionList) ? policy.PolicyVersionList : [];
  const defaultId = text(policy.DefaultVersionId);
  const chosen =
    versions.find((version) => isPlainObject(version) && version.IsDefaultVersion === true) ??
    versions.find((version) => isPlainObject(version) && version.VersionId === defaultId);
  return isPlainObject(chosen) ? chosen.Document : undefined;
}

/** `CreateDate` and `RoleLastUsed.LastUsedDate` of a role entry, when present. */
function roleDates(entry: PlainObject): { createDate?: string; lastUsed?: string } {
  const createDate = text(entry.CreateDate);
  const lastUsed = isPlainObject(entry.RoleLastUsed) ? text(entry.RoleLastUsed.LastUsedDate) : undefined;
  return { ...(createDate ? { createDate } : {}), ...(lastUsed ? { lastUsed } : {}) };
}

/**
 * Reads the output of `aws iam get-account-authorization-details` (roles and managed policies) into
 * a snapshot. Entries that are not roles or policies (users, groups) are ignored.
 */
function loadAuthDetails(snapshot: AccountSnapshot, raw: unknown, file: string): void {
  if (!isPlainObject(raw) || (!Array.isArray(raw.RoleDetailList) && !Array.isArray(raw.Policies))) {
    throw new InputFileError(
      file,
      'expected the output of "aws iam get-account-authorization-details" (an object with RoleDetailList and Policies)',
    );
  }
  const roles = Array.isArray(raw.RoleDetailList) ? raw.RoleDetailList : [];
  roles.forEach((entry, index) => {
    const arn = isPlainObject(entry) ? text(entry.Arn) : undefined;
    if (!isPlainObject(entry) || !arn) {
      snapshot.errors.push({
        scope: 'role',
        arn: `${file}#RoleDetailList[${index}]`,
        code: 'MalformedInput',
        message: 'role entry without an Arn',
      });
      return;
    }
    const inline = Array.isArray(entry.RolePolicyList) ? entry.RolePolicyList : [];
    const attached = Array.isArray(entry.AttachedManagedPolicies) ? entry.AttachedManagedPolicies : [];
    const boundary = isPlainObject(entry.PermissionsBoundary)
      ? text(entry.PermissionsBoundary.PermissionsBoundaryArn)
      : undefined;
    const role: RoleRecord = {
      arn,
      name: text(entry.RoleName) ?? roleNameFromArn(arn),
      path: text(entry.Path) ?? '/',
      trustPolicy: entry.AssumeRolePolicyDocument,
      inlinePolicies: inline.filter(isPlainObject).map((policy, policyIndex) => ({
        name: text(policy.PolicyName) ?? `inline-${policyIndex}`,
        document: policy.PolicyDocument,
      })),
      attachedPolicyArns: attached
        .filter(isPlainObject)
        .flatMap((policy) => (text(policy.PolicyArn) ? [policy.PolicyArn as string] : [])),
      tags: tagsOf(entry.Tags),
      ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
      ...roleDates(entry),
    };
    snapshot.roles.set(arn, role);
  });
  const policies = Array.isArray(raw.Policies) ? raw.Policies : [];
  for (const entry of policies) {
    const arn = isPlainObject(entry) ? text(entry.Arn) : undefined;
    if (!isPlainObject(entry) || !arn) continue;
    const record: ManagedPolicyRecord = {
      arn,
      name: text(entry.PolicyName) ?? policyNameFromArn(arn),
      document: defaultVersionDocument(entry),
    };
    const versionId = text(entry.DefaultVersionId);
    if (versionId) record.defaultVersionId = versionId;
    snapshot.managedPolicies.set(arn, record);
  }
}

/** Reads the output of `aws lambda list-functions` (with or without `--function-version ALL`). */
function loadFunctions(snapshot: AccountSnapshot, raw: unknown, file: string): void {
  if (!isPlainObject(raw) || !Array.isArray(raw.Functions)) {
    throw new InputFileError(
      file,
      'expected the output of "aws lambda list-functions" (an object with a Functions list)',
    );
  }
  const regions = new Set<string>();
  raw.Functions.forEach((entry, index) => {
    const functionArn = isPlainObject(entry) ? text(entry.FunctionArn) : undefined;
    const parsed = functionArn ? parseArn(functionArn) : undefined;
    const name = isPlainObject(entry) ? text(entry.FunctionName) : undefined;
    const roleArn = isPlainObject(entry) ? text(entry.Role) : undefined;
    if (!isPlainObject(entry) || !functionArn || !parsed || !roleArn) {
      snapshot.errors.push({
        scope: 'function',
        arn: functionArn || name || `${file}#Functions[${index}]`,
        code: 'MalformedInput',
        message: `function entry ${index} lacks ${!functionArn || !parsed ? 'a valid FunctionArn' : 'a Role'}: not audited`,
      });
      return;
    }
    const environment = isPlainObject(entry.Environment) ? entry.Environment.Variables : undefined;
    const variables = isPlainObject(environment) ? environment : {};
    const logging = isPlainObject(entry.LoggingConfig) ? text(entry.LoggingConfig.LogGroup) : undefined;
    const version = text(entry.Version) ?? '$LATEST';
    const record: FunctionRecord = {
      functionName: name ?? functionNameFromArn(functionArn),
      // With --function-version ALL, Lambda qualifies $LATEST too (`…:function:name:$LATEST`).
      functionArn: version === '$LATEST' ? withoutLatestQualifier(functionArn) : functionArn,
      version,
      region: parsed.region,
      roleArn,
      environmentVariableNames: Object.keys(variables),
      secretSuspects: findSecretSuspects(variables),
    };
    if (logging) record.logGroup = logging;
    const runtime = text(entry.Runtime);
    if (runtime) record.runtime = runtime;
    const revisionId = text(entry.RevisionId);
    if (revisionId) record.revisionId = revisionId;
    regions.add(parsed.region);
    if (!snapshot.account) {
      snapshot.account = parsed.account;
      snapshot.partition = parsed.partition;
    }
    snapshot.functions.push(record);
  });
  snapshot.regions = [...regions].sort();
}

/**
 * Builds a snapshot from the two AWS CLI outputs, accepted exactly as printed (documents as objects
 * or still URL-encoded). Throws InputFileError when a file is not of the expected shape.
 *
 * @example
 * const snapshot = loadOfflineSnapshot({ authDetails: JSON.parse(a), functions: JSON.parse(f) });
 */
export function loadOfflineSnapshot(input: OfflineInput): AccountSnapshot {
  const snapshot = emptySnapshot('');
  loadFunctions(snapshot, input.functions, input.functionsName ?? 'functions');
  loadAuthDetails(snapshot, input.authDetails, input.authDetailsName ?? 'auth-details');
  applySnapshotExtension(snapshot, input.authDetails);
  if (input.resourcePolicies !== undefined) {
    const name = input.resourcePoliciesName ?? 'resource-policies';
    if (!applyResourcePolicies(snapshot, input.resourcePolicies, name)) {
      throw new InputFileError(
        name,
        'expected an object of function ARN → the output of "aws lambda get-policy" ({"Policy": "…"})',
      );
    }
  }
  if (!snapshot.account) {
    const anyRole = snapshot.roles.keys().next().value as string | undefined;
    const parsed = anyRole ? parseArn(anyRole) : undefined;
    snapshot.account = parsed?.account ?? 'unknown';
    snapshot.partition = parsed?.partition ?? 'aws';
  }
  return snapshot;
}

/** Restores what a file saved by `--snapshot-out` adds to the AWS CLI shape (see write-snapshot.ts). */
function applySnapshotExtension(snapshot: AccountSnapshot, authDetails: unknown): void {
  const extension = isPlainObject(authDetails) ? authDetails.LambdaRoleAuditorSnapshot : undefined;
  if (!isPlainObject(extension)) return;
  if (typeof extension.account === 'string' && extension.account) snapshot.account = extension.account;
  if (typeof extension.partition === 'string' && extension.partition)
    snapshot.partition = extension.partition;
  if (Array.isArray(extension.regions) && extension.regions.every((region) => typeof region === 'string')) {
    snapshot.regions = extension.regions as string[];
  }
  if (isPlainObject(extension.roleFailures)) {
    for (const [arn, failure] of Object.entries(extension.roleFailures)) {
      if (isPlainObject(failure) && typeof failure.code === 'string') {
        snapshot.roleFailures.set(arn, { code: failure.code, message: text(failure.message) ?? '' });
      }
    }
  }
  if (Array.isArray(extension.errors)) {
    for (const error of extension.errors) {
      if (isPlainObject(error) && typeof error.arn === 'string' && typeof error.code === 'string') {
        snapshot.errors.push(error as unknown as AccountSnapshot['errors'][number]);
      }
    }
  }
  if (isPlainObject(extension.partial) && Array.isArray(extension.partial.notAudited)) {
    snapshot.partial = {
      reason: text(extension.partial.reason) ?? 'partial',
      notAudited: extension.partial.notAudited.map(String),
    };
  }
}

/**
 * JSON.parse's message quotes the text around the error, which in a functions file may be an
 * environment variable's value: keep only where the error is.
 */
function syntaxErrorWithoutExcerpt(error: Error): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  if (position !== undefined) return `syntax error at character ${position}`;
  if (/end of (?:JSON )?input/i.test(error.message)) return 'the file ends too early';
  return 'syntax error';
}

/** Reads a JSON input file; a missing, unreadable or malformed file is an {@link InputFileError}. */
export async function readJsonFile(path: string): Promise<unknown> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputFileError(
      path,
      code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(error)})`,
      {
        cause: error,
      },
    );
  }
  try {
    return JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
  } catch (error) {
    throw new InputFileError(path, `is not valid JSON (${syntaxErrorWithoutExcerpt(error as Error)})`, {
      cause: error,
    });
  }
}

/** Reads the two AWS CLI output files (and the resource policies, when given) and builds a snapshot. */
export async function readOfflineSnapshot(
  authDetailsPath: string,
  functionsPath: string,
  resourcePoliciesPath?: string,
): Promise<AccountSnapshot> {
  const [authDetails, functions, resourcePolicies] = await Promise.all([
    readJsonFile(authDetailsPath),
    readJsonFile(functionsPath),
    resourcePoliciesPath === undefined ? undefined : readJsonFile(resourcePoliciesPath),
  ]);
  return loadOfflineSnapshot({
    authDetails,
    functions,
    authDetailsName: authDetailsPath,
    functionsName: functionsPath,
    ...(resourcePoliciesPath === undefined
      ? {}
      : { resourcePolicies, resourcePoliciesName: resourcePoliciesPath }),
  });
}
