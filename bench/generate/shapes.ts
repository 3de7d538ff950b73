/** The shapes the AWS CLI prints (dates as strings, documents as objects), and what the generator plants. */
import type {
  AttachedPermissionsBoundary,
  GetAccountAuthorizationDetailsResponse,
  Tag as IamTag,
  PolicyDetail,
  Role,
  AttachedPolicy as SdkAttachedPolicy,
  InstanceProfile as SdkInstanceProfile,
  ManagedPolicyDetail as SdkManagedPolicyDetail,
  PolicyVersion as SdkPolicyVersion,
  RoleDetail as SdkRoleDetail,
} from '@aws-sdk/client-iam';
import type { FunctionConfiguration as SdkFunctionConfiguration } from '@aws-sdk/client-lambda';

export type PolicyEffect = 'Allow' | 'Deny';
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: PolicyEffect;
  Principal?: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement | PolicyStatement[];
}

/**
 * An AWS SDK output shape as the AWS CLI prints it: the fields in `Present` always there, the fields of
 * `Printed` replaced (the CLI prints dates as ISO strings and decodes policy documents into objects).
 */
type AsPrinted<Sdk, Present extends keyof Sdk, Printed extends object = object> = Omit<
  Sdk,
  Present | keyof Printed
> & { [Key in Exclude<Present, keyof Printed>]-?: NonNullable<Sdk[Key]> } & Printed;

export type Tag = AsPrinted<IamTag, 'Key' | 'Value'>;

export type InstanceProfileRole = AsPrinted<
  Role,
  'Path' | 'RoleName' | 'RoleId' | 'Arn',
  { CreateDate: string; AssumeRolePolicyDocument: PolicyDocument }
>;

export type InstanceProfile = AsPrinted<
  SdkInstanceProfile,
  'Path' | 'InstanceProfileName' | 'InstanceProfileId' | 'Arn',
  { CreateDate: string; Roles: InstanceProfileRole[] }
>;

export type RolePolicy = AsPrinted<
  PolicyDetail,
  'PolicyName',
  /** An object as the AWS CLI prints it, or a URL-encoded JSON string as IAM's raw API returns it. */
  { PolicyDocument: PolicyDocument | string }
>;

export type AttachedPolicy = AsPrinted<SdkAttachedPolicy, 'PolicyName' | 'PolicyArn'>;

/** A role as `GetAccountAuthorizationDetails` lists it. */
export type RoleDetail = AsPrinted<
  SdkRoleDetail,
  'Path' | 'RoleName' | 'RoleId' | 'Arn',
  {
    CreateDate: string;
    AssumeRolePolicyDocument: PolicyDocument;
    InstanceProfileList: InstanceProfile[];
    RolePolicyList: RolePolicy[];
    AttachedManagedPolicies: AttachedPolicy[];
    PermissionsBoundary?: AsPrinted<
      AttachedPermissionsBoundary,
      'PermissionsBoundaryType' | 'PermissionsBoundaryArn'
    >;
    Tags: Tag[];
    RoleLastUsed: { LastUsedDate?: string; Region?: string };
  }
>;

export type PolicyVersion = AsPrinted<
  SdkPolicyVersion,
  'VersionId' | 'IsDefaultVersion',
  { Document: PolicyDocument; CreateDate: string }
>;

export type ManagedPolicyDetail = AsPrinted<
  SdkManagedPolicyDetail,
  | 'PolicyName'
  | 'PolicyId'
  | 'Arn'
  | 'Path'
  | 'DefaultVersionId'
  | 'AttachmentCount'
  | 'PermissionsBoundaryUsageCount'
  | 'IsAttachable',
  { CreateDate: string; UpdateDate: string; PolicyVersionList: PolicyVersion[] }
>;

export type AuthorizationDetails = AsPrinted<
  GetAccountAuthorizationDetailsResponse,
  'UserDetailList' | 'GroupDetailList',
  { RoleDetailList: RoleDetail[]; Policies: ManagedPolicyDetail[] }
>;

export type FunctionConfiguration = AsPrinted<
  SdkFunctionConfiguration,
  | 'FunctionName'
  | 'FunctionArn'
  | 'Role'
  | 'CodeSize'
  | 'Description'
  | 'Timeout'
  | 'MemorySize'
  | 'LastModified'
  | 'CodeSha256'
  | 'Version'
  | 'TracingConfig'
  | 'RevisionId'
  | 'PackageType'
  | 'Architectures'
  | 'EphemeralStorage'
  | 'SnapStart'
  | 'LoggingConfig',
  /** The CLI prints `Environment` only with its variables. */
  { Environment?: { Variables: Record<string, string> } }
>;

export interface FunctionList {
  Functions: FunctionConfiguration[];
}

/** The permission profile a role was built with. */
export type RoleKind =
  | 'least-privilege'
  | 'admin'
  | 'service-wildcard'
  | 'escalation'
  | 'unscoped'
  | 'broad-managed';

/** A property planted on top of the role's kind. */
export type RoleTrait =
  | 'missing-logging'
  | 'no-create-log-group'
  | 'ec2-trust'
  | 'edge-trust'
  | 'boundary'
  | 'deny'
  | 'inline'
  | 'conditional'
  | 'suppression-tag';

export interface RolePlan {
  kind: RoleKind;
  traits: RoleTrait[];
}

export interface PlantedSecret {
  functionName: string;
  variable: string;
}

/** What the generator planted, so that tests and the benchmark can check an audit against it. */
export interface GenerationManifest {
  /** Keyed by role ARN. */
  roles: Record<string, RolePlan>;
  /** Role ARNs that functions use but that do not exist (deleted roles). */
  missingRoleArns: string[];
  secrets: PlantedSecret[];
}

export interface GeneratedAccount {
  account: string;
  regions: string[];
  authDetails: AuthorizationDetails;
  functions: FunctionList;
  expected: GenerationManifest;
}

export interface GenerateOptions {
  functions: number;
  roles: number;
  policies: number;
  seed: number;
  account?: string;
  regions?: string[];
  /** Share of functions that also have 1–3 published versions (default 0.15). */
  versionsRatio?: number;
}

export class GenerateOptionsError extends Error {
  override name = 'GenerateOptionsError';
}
