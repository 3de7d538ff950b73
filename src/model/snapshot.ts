/**
 * The AccountSnapshot is the boundary between AWS and the audit logic: collectors and the offline
 * loader produce it, the pure audit consumes it. Policy documents stay raw (string, possibly
 * URL-encoded, or an object) so that a malformed document becomes an error entry during the audit
 * instead of stopping collection.
 */
import type { UsageData } from './usage.js';

/** A secret-looking environment variable: only the name and why it looks like a secret, never the value. */
export interface SecretSuspect {
  name: string;
  reason: SecretReason;
}

export type SecretReason = 'secret-name' | 'access-key-id' | 'private-key';

export interface FunctionRecord {
  functionName: string;
  /** Unqualified for `$LATEST`, version-qualified (`…:function:name:3`) for published versions. */
  functionArn: string;
  /** `$LATEST` or a published version number. */
  version: string;
  region: string;
  roleArn: string;
  /** `LoggingConfig.LogGroup` when set; otherwise the default `/aws/lambda/<name>` applies. */
  logGroup?: string;
  /** Lambda@Edge replicas and functions trusted by edgelambda are recognised from the trust policy. */
  runtime?: string;
  /** Names of the environment variables (values are never kept). */
  environmentVariableNames: string[];
  /** Variables whose value looked like a plaintext secret when the snapshot was taken. */
  secretSuspects: SecretSuspect[];
  /** `RevisionId` from ListFunctions: changes with the configuration, the code and the resource-based policy. */
  revisionId?: string;
}

/** One function URL of a function (`ListFunctionUrlConfigs`). */
export interface FunctionUrlRecord {
  url: string;
  /** `NONE` (anyone, if the policy allows) or `AWS_IAM`. */
  authType: string;
  /** The function or alias the URL invokes (an alias URL carries the alias-qualified ARN). */
  functionArn: string;
}

/** Who may invoke one function or version (SPEC §4b), as read from AWS. */
export interface ResourcePolicyRecord {
  /** The resource-based policy as `GetPolicy` returns it (a JSON string); absent when the function has none. */
  policy?: unknown;
  /** The function URLs, read only when the policy mentions function URLs; absent when not read. */
  urls?: FunctionUrlRecord[];
  /** The function's `RevisionId` these facts belong to, and when they were read (live collection). */
  revisionId?: string;
  readAt?: string;
}

export interface InlinePolicyRecord {
  name: string;
  document: unknown;
}

export interface RoleRecord {
  arn: string;
  name: string;
  path: string;
  trustPolicy: unknown;
  inlinePolicies: InlinePolicyRecord[];
  attachedPolicyArns: string[];
  permissionsBoundaryArn?: string;
  tags: Record<string, string>;
  /** `CreateDate`, ISO 8601: roles younger than the usage window are never called unused (SPEC §4c). */
  createDate?: string;
  /** `RoleLastUsed.LastUsedDate`, ISO 8601, when IAM reported one. */
  lastUsed?: string;
}

export interface ManagedPolicyRecord {
  arn: string;
  name: string;
  /** The default version's document. */
  document: unknown;
  defaultVersionId?: string;
}

/** `config`: the run's own configuration (the suppressions file), not the audited account. */
export type ErrorScope = 'function' | 'role' | 'policy' | 'region' | 'account' | 'config';

export interface AuditError {
  scope: ErrorScope;
  arn: string;
  code: string;
  message: string;
}

/** Why a role could not be read: drives `role-missing` and `role-unreadable`. */
export interface RoleReadFailure {
  code: 'NoSuchEntity' | 'AccessDenied' | 'CrossAccount' | string;
  message: string;
}

export interface AccountSnapshot {
  account: string;
  partition: string;
  regions: string[];
  functions: FunctionRecord[];
  /** Keyed by role ARN. */
  roles: Map<string, RoleRecord>;
  /** Keyed by policy ARN. */
  managedPolicies: Map<string, ManagedPolicyRecord>;
  /** Roles that could not be read, keyed by role ARN. */
  roleFailures: Map<string, RoleReadFailure>;
  /**
   * Who may invoke each function, keyed by function ARN (version-qualified for versions); undefined when
   * not collected (an offline audit without resource policies). A function without an entry was not read.
   */
  resourcePolicies?: Map<string, ResourcePolicyRecord>;
  /** Problems met while collecting or loading (one function, one region…); the audit goes on. */
  errors: AuditError[];
  /** Set when collection stopped early: what was not audited. */
  partial?: { reason: string; notAudited: string[] };
  /** IAM's last-accessed data, when the run asked for it (`--usage`, `USAGE=on`, `--last-accessed`). */
  usage?: UsageData;
}

/** Creates an empty snapshot for an account, to be filled by a loader or collector. */
export function emptySnapshot(account: string, partition = 'aws'): AccountSnapshot {
  return {
    account,
    partition,
    regions: [],
    functions: [],
    roles: new Map(),
    managedPolicies: new Map(),
    roleFailures: new Map(),
    errors: [],
  };
}
