/**
 * Deterministic synthetic AWS accounts for the benchmark: the JSON that
 * `aws iam get-account-authorization-details` and `aws lambda list-functions --function-version ALL`
 * print, with a realistic mix of well-scoped and broken execution roles. The same seed always gives
 * byte-identical output, so benchmark runs compare like with like.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { policyNameFromArn } from '../src/policy/arn.js';

// ---------------------------------------------------------------------------------------------
// Shapes, as the AWS CLI prints them (dates as strings, documents as objects)
// ---------------------------------------------------------------------------------------------

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

export interface Tag {
  Key: string;
  Value: string;
}

export interface InstanceProfileRole {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: string;
  AssumeRolePolicyDocument: PolicyDocument;
}

export interface InstanceProfile {
  Path: string;
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  CreateDate: string;
  Roles: InstanceProfileRole[];
}

export interface RolePolicy {
  PolicyName: string;
  /** An object as the AWS CLI prints it, or a URL-encoded JSON string as IAM's raw API returns it. */
  PolicyDocument: PolicyDocument | string;
}

export interface AttachedPolicy {
  PolicyName: string;
  PolicyArn: string;
}

/** A role as `GetAccountAuthorizationDetails` lists it: the fields of an instance profile's role and more. */
export interface RoleDetail extends InstanceProfileRole {
  InstanceProfileList: InstanceProfile[];
  RolePolicyList: RolePolicy[];
  AttachedManagedPolicies: AttachedPolicy[];
  PermissionsBoundary?: {
    PermissionsBoundaryType: 'PermissionsBoundaryPolicy';
    PermissionsBoundaryArn: string;
  };
  Tags: Tag[];
  RoleLastUsed: { LastUsedDate?: string; Region?: string };
}

export interface PolicyVersion {
  Document: PolicyDocument;
  VersionId: string;
  IsDefaultVersion: boolean;
  CreateDate: string;
}

export interface ManagedPolicyDetail {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  AttachmentCount: number;
  PermissionsBoundaryUsageCount: number;
  IsAttachable: boolean;
  Description?: string;
  CreateDate: string;
  UpdateDate: string;
  PolicyVersionList: PolicyVersion[];
}

export interface AuthorizationDetails {
  UserDetailList: unknown[];
  GroupDetailList: unknown[];
  RoleDetailList: RoleDetail[];
  Policies: ManagedPolicyDetail[];
}

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Role: string;
  Handler?: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  VpcConfig?: {
    SubnetIds: string[];
    SecurityGroupIds: string[];
    VpcId: string;
    Ipv6AllowedForDualStack: boolean;
  };
  Environment?: { Variables: Record<string, string> };
  TracingConfig: { Mode: 'Active' | 'PassThrough' };
  RevisionId: string;
  Layers?: { Arn: string; CodeSize: number }[];
  PackageType: 'Zip' | 'Image';
  Architectures: ('x86_64' | 'arm64')[];
  EphemeralStorage: { Size: number };
  SnapStart: { ApplyOn: 'None' | 'PublishedVersions'; OptimizationStatus: 'On' | 'Off' };
  LoggingConfig: {
    LogFormat: 'Text' | 'JSON';
    ApplicationLogLevel?: string;
    SystemLogLevel?: string;
    LogGroup: string;
  };
}

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

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

/**
 * The mulberry32 generator: 32 bits of state, fast, and good enough for test data.
 *
 * @example
 * const next = mulberry32(42);
 * next(); // a number in [0, 1), the same on every run
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const IAM_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MIXED_ALPHANUMERIC = `${UPPER_ALPHANUMERIC}abcdefghijklmnopqrstuvwxyz`;

class Random {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  float(): number {
    return this.#next();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.#next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.#next() * items.length)] as T;
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let remaining = this.#next() * total;
    for (const [value, weight] of entries) {
      remaining -= weight;
      if (remaining < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index -= 1) {
      const other = Math.floor(this.#next() * (index + 1));
      [copy[index], copy[other]] = [copy[other]!, copy[index]!];
    }
    return copy;
  }

  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }

  text(length: number, alphabet: string): string {
    let result = '';
    for (let index = 0; index < length; index += 1) {
      result += alphabet[Math.floor(this.#next() * alphabet.length)];
    }
    return result;
  }

  hex(length: number): string {
    return this.text(length, '0123456789abcdef');
  }

  uuid(): string {
    const variant = '89ab'[this.int(0, 3)];
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }

  /** A standard normal sample (Box–Muller). */
  normal(): number {
    const u = 1 - this.#next();
    const v = this.#next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  base64(byteCount: number): string {
    const bytes = new Uint8Array(byteCount);
    for (let index = 0; index < byteCount; index += 1) bytes[index] = Math.floor(this.#next() * 256);
    return Buffer.from(bytes).toString('base64');
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

function words(text: string): readonly string[] {
  return text.trim().split(/\s+/);
}

const APPS = words(`
  orders payments inventory users notifications billing search reports auth catalog shipping
  analytics media chat audit ingest exports scheduler webhooks profiles pricing checkout
  recommendations fulfilment support metrics images documents identity ledger
`);
const ENVIRONMENTS = [
  ['prod', 5],
  ['staging', 2],
  ['dev', 2],
  ['qa', 1],
] as const;
const NOUNS = words(`
  events items sessions jobs records snapshots uploads tasks messages accounts invoices receipts
  thumbnails results state
`);
const VERBS = words(`
  process handle sync export import resize validate notify enrich aggregate dispatch cleanup index
  transform archive fetch publish reconcile score render
`);
const OBJECTS = words(`
  Order Payment Invoice User Event Image Report Message Webhook Stream Record Batch Upload Refund
  Session Shipment Alert Export Metric Document
`);

const MANAGED_ARN_PREFIX = 'arn:aws:iam::aws:policy/';
const BASIC_EXECUTION = `${MANAGED_ARN_PREFIX}service-role/AWSLambdaBasicExecutionRole`;
const VPC_EXECUTION = `${MANAGED_ARN_PREFIX}service-role/AWSLambdaVPCAccessExecutionRole`;
const SQS_EXECUTION = `${MANAGED_ARN_PREFIX}service-role/AWSLambdaSQSQueueExecutionRole`;
const XRAY_WRITE = `${MANAGED_ARN_PREFIX}AWSXRayDaemonWriteAccess`;
const ADMINISTRATOR = `${MANAGED_ARN_PREFIX}AdministratorAccess`;
const POWER_USER = `${MANAGED_ARN_PREFIX}PowerUserAccess`;
const SERVICE_FULL_ACCESS = [
  `${MANAGED_ARN_PREFIX}AmazonS3FullAccess`,
  `${MANAGED_ARN_PREFIX}AmazonDynamoDBFullAccess`,
  `${MANAGED_ARN_PREFIX}AmazonSQSFullAccess`,
] as const;
const BROAD_MANAGED = [
  [POWER_USER, 3],
  [`${MANAGED_ARN_PREFIX}AWSLambda_FullAccess`, 3],
  [`${MANAGED_ARN_PREFIX}SecretsManagerReadWrite`, 2],
  [`${MANAGED_ARN_PREFIX}ReadOnlyAccess`, 2],
  [`${MANAGED_ARN_PREFIX}AmazonS3ReadOnlyAccess`, 3],
  [`${MANAGED_ARN_PREFIX}IAMFullAccess`, 1],
] as const;

const RUNTIMES = [
  ['nodejs20.x', 30],
  ['nodejs22.x', 20],
  ['nodejs18.x', 7],
  ['python3.12', 15],
  ['python3.11', 8],
  ['python3.9', 3],
  ['java21', 5],
  ['java17', 3],
  ['provided.al2023', 4],
  ['dotnet8', 2],
  ['ruby3.3', 1],
  ['image', 2],
] as const;

const KIND_SHARES: readonly (readonly [RoleKind, number])[] = [
  ['admin', 0.03],
  ['service-wildcard', 0.08],
  ['escalation', 0.03],
  ['unscoped', 0.08],
  ['broad-managed', 0.05],
];

/** Kinds whose policies grant no CloudWatch Logs access of their own, so logging can be left out. */
const LOGLESS_KINDS: ReadonlySet<RoleKind> = new Set([
  'least-privilege',
  'unscoped',
  'escalation',
  'service-wildcard',
]);

type PolicyFlavour =
  | 'scoped'
  | 'logging'
  | 'service-wildcard'
  | 'escalation'
  | 'unscoped'
  | 'deny'
  | 'conditional'
  | 'boundary';

const FLAVOUR_SHARES: readonly (readonly [PolicyFlavour, number])[] = [
  ['service-wildcard', 0.05],
  ['escalation', 0.03],
  ['unscoped', 0.05],
  ['deny', 0.05],
  ['conditional', 0.06],
  ['logging', 0.03],
  ['boundary', 0.01],
];

/** An IAM policy variable, resolved by IAM at request time (not a template placeholder). */
const POLICY_VARIABLE_TENANT = '$' + '{aws:PrincipalTag/tenant}';

const SUPPRESS_TAG = 'lambda-role-auditor:suppress';
const REASON_TAG = 'lambda-role-auditor:reason';
const UNTIL_TAG = 'lambda-role-auditor:until';

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000;
const EPOCH_START = Date.UTC(2019, 0, 1);
const EPOCH_END = Date.UTC(2025, 5, 30);

/** IAM dates as the AWS CLI prints them: `2021-03-04T12:34:56+00:00`. */
function iamDate(milliseconds: number): string {
  return new Date(Math.floor(milliseconds / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

/** Lambda dates as the AWS CLI prints them: `2024-05-01T10:20:30.123+0000`. */
function lambdaDate(milliseconds: number): string {
  return new Date(Math.floor(milliseconds)).toISOString().replace('Z', '+0000');
}

/** Share of `total`, rounded; small accounts still get one of each planted case. */
function quota(total: number, share: number): number {
  const count = Math.round(total * share);
  return count === 0 && total >= 8 ? 1 : count;
}

/**
 * Percent-encodes a policy document the way IAM's query API returns it (RFC 3986, so `*`, `(`,
 * `)`, `!` and `'` are encoded too).
 */
export function iamUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function document(statements: PolicyStatement[], random: Random): PolicyDocument {
  // IAM rejects a policy whose Sids repeat (templates reuse theirs), so later ones get a number.
  const seen = new Map<string, number>();
  const unique = statements.map((statement) => {
    if (!statement.Sid) return statement;
    const count = (seen.get(statement.Sid) ?? 0) + 1;
    seen.set(statement.Sid, count);
    return count === 1 ? statement : { ...statement, Sid: `${statement.Sid}${count}` };
  });
  // A lone statement object instead of an array is legal IAM and appears in hand-written policies.
  const first = unique[0];
  if (unique.length === 1 && first && random.chance(0.1)) return { Version: '2012-10-17', Statement: first };
  return { Version: '2012-10-17', Statement: unique };
}

function statementsOf(policy: PolicyDocument): PolicyStatement[] {
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}

function oneOrMany(values: string[], random: Random): string | string[] {
  return values.length === 1 && random.chance(0.6) ? values[0]! : values;
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function thirdPerson(verb: string): string {
  return capitalised(/(?:s|x|ch|sh)$/.test(verb) ? `${verb}es` : `${verb}s`);
}

function sidFrom(...words: string[]): string {
  return words
    .map((word) =>
      word.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase()),
    )
    .map(capitalised)
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

interface Scope {
  account: string;
  region: string;
  app: string;
  env: string;
}

type StatementTemplate = (scope: Scope, random: Random) => PolicyStatement;

function resourceName(scope: Scope, random: Random): string {
  return `${scope.app}-${scope.env}-${random.pick(NOUNS)}`;
}

function withSid(statement: PolicyStatement, random: Random, ...words: string[]): PolicyStatement {
  return random.chance(0.5) ? { Sid: sidFrom(...words), ...statement } : statement;
}

function actions(service: string, names: readonly string[], random: Random, minimum = 1): string[] {
  const chosen = random.sample(names, random.int(minimum, names.length)).map((name) => `${service}:${name}`);
  // IAM action names are case-insensitive and people type them every which way.
  return random.chance(0.02) ? chosen.map((action) => action.toLowerCase()) : chosen;
}

const SCOPED_TEMPLATES: readonly StatementTemplate[] = [
  (scope, random) => {
    const table = `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${resourceName(scope, random)}`;
    const names = [
      'GetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'Query',
      'Scan',
      'BatchGetItem',
      'BatchWriteItem',
    ];
    return withSid(
      {
        Effect: 'Allow',
        Action: oneOrMany(actions('dynamodb', names, random), random),
        Resource: random.chance(0.4) ? [table, `${table}/index/*`] : table,
      },
      random,
      'table',
      scope.app,
    );
  },
  (scope, random) => {
    const bucket = `${resourceName(scope, random)}-${scope.account}`;
    const prefix = random.chance(0.5) ? `${random.pick(NOUNS)}/*` : '*';
    return withSid(
      {
        Effect: 'Allow',
        Action: oneOrMany(
          actions('s3', ['GetObject', 'PutObject', 'DeleteObject', 'GetObjectTagging'], random),
          random,
        ),
        Resource: `arn:aws:s3:::${bucket}/${prefix}`,
      },
      random,
      'objects',
      scope.app,
    );
  },
  (scope, random) => ({
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: `arn:aws:s3:::${resourceName(scope, random)}-${scope.account}`,
  }),
  (scope, random) =>
    withSid(
      {
        Effect: 'Allow',
        Action: oneOrMany(
          actions(
            'sqs',
            [
              'SendMessage',
              'ReceiveMessage',
              'DeleteMessage',
              'GetQueueAttributes',
              'ChangeMessageVisibility',
            ],
            random,
          ),
          random,
        ),
        Resource: `arn:aws:sqs:${scope.region}:${scope.account}:${resourceName(scope, random)}`,
      },
      random,
      'queue',
      scope.app,
    ),
  (scope, random) => ({
    Effect: 'Allow',
    Action: 'sns:Publish',
    Resource: `arn:aws:sns:${scope.region}:${scope.account}:${resourceName(scope, random)}`,
  }),
  (scope, random) =>
    withSid(
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${scope.app}/${scope.env}/${random.pick(NOUNS)}-${random.text(6, MIXED_ALPHANUMERIC)}`,
      },
      random,
      'read',
      'secret',
    ),
  (scope, random) => ({
    Effect: 'Allow',
    Action: actions('ssm', ['GetParameter', 'GetParameters', 'GetParametersByPath'], random),
    Resource: `arn:aws:ssm:${scope.region}:${scope.account}:parameter/${scope.app}/${scope.env}/*`,
  }),
  (scope, random) =>
    withSid(
      {
        Effect: 'Allow',
        Action: oneOrMany(actions('kms', ['Decrypt', 'GenerateDataKey', 'Encrypt'], random), random),
        Resource: `arn:aws:kms:${scope.region}:${scope.account}:key/${random.uuid()}`,
      },
      random,
      'use',
      'key',
    ),
  (scope, random) => ({
    Effect: 'Allow',
    Action: actions(
      'kinesis',
      ['GetRecords', 'GetShardIterator', 'DescribeStream', 'ListShards', 'PutRecord', 'PutRecords'],
      random,
      2,
    ),
    Resource: `arn:aws:kinesis:${scope.region}:${scope.account}:stream/${resourceName(scope, random)}`,
  }),
  (scope) => ({
    Effect: 'Allow',
    Action: 'events:PutEvents',
    Resource: `arn:aws:events:${scope.region}:${scope.account}:event-bus/${scope.app}-${scope.env}`,
  }),
  (scope, random) => ({
    Effect: 'Allow',
    Action: 'states:StartExecution',
    Resource: `arn:aws:states:${scope.region}:${scope.account}:stateMachine:${capitalised(scope.app)}${random.pick(OBJECTS)}Workflow`,
  }),
  (scope, random) =>
    withSid(
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: `arn:aws:lambda:${scope.region}:${scope.account}:function:${scope.app}-${scope.env}-${random.pick(VERBS)}${random.pick(OBJECTS)}`,
      },
      random,
      'invoke',
      'downstream',
    ),
  () => ({
    Effect: 'Allow',
    Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    Resource: '*',
  }),
  (scope, random) => ({
    Effect: 'Allow',
    Action: 'execute-api:ManageConnections',
    Resource: `arn:aws:execute-api:${scope.region}:${scope.account}:${random.text(10, LOWER_ALPHANUMERIC)}/${scope.env}/POST/@connections/*`,
  }),
];

const ESCALATION_TEMPLATES: readonly ((scope: Scope, random: Random) => PolicyStatement[])[] = [
  () => [
    {
      Sid: 'DeployFunctions',
      Effect: 'Allow',
      Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
      Resource: '*',
    },
    { Sid: 'PassAnyRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
  ],
  () => [{ Effect: 'Allow', Action: ['iam:PutRolePolicy', 'iam:AttachRolePolicy'], Resource: '*' }],
  () => [
    { Effect: 'Allow', Action: ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion'], Resource: '*' },
  ],
  () => [{ Sid: 'SelfUpdate', Effect: 'Allow', Action: 'lambda:UpdateFunctionCode', Resource: '*' }],
  () => [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
  () => [
    { Effect: 'Allow', Action: ['ec2:RunInstances', 'ec2:DescribeInstances'], Resource: '*' },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
  ],
  (scope) => [
    {
      Effect: 'Allow',
      Action: ['cloudformation:CreateStack', 'cloudformation:DescribeStacks'],
      Resource: '*',
    },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${scope.account}:role/*` },
  ],
];

const UNSCOPED_TEMPLATES: readonly StatementTemplate[] = [
  (_scope, random) => ({
    Effect: 'Allow',
    Action: actions('s3', ['GetObject', 'PutObject'], random),
    Resource: '*',
  }),
  (_scope, random) => ({
    Effect: 'Allow',
    Action: actions('dynamodb', ['GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem'], random, 2),
    Resource: '*',
  }),
  () => ({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
  () => ({ Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParametersByPath'], Resource: '*' }),
  () => ({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }),
  () => ({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:DeleteMessage'], Resource: '*' }),
  () => ({ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }),
  () => ({ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: 'arn:aws:dynamodb:*:*:*' }),
];

const WILDCARD_SERVICES = words(`
  dynamodb s3 sqs sns kinesis lambda ssm secretsmanager events
`);

function wildcardStatement(random: Random): PolicyStatement {
  if (random.chance(0.1)) {
    return { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' };
  }
  const services = random.sample(
    WILDCARD_SERVICES,
    random.weighted([
      [1, 7],
      [2, 2],
      [3, 1],
    ] as const),
  );
  return withSid(
    {
      Effect: 'Allow',
      Action: oneOrMany(
        services.map((service) => `${service}:*`),
        random,
      ),
      Resource: '*',
    },
    random,
    'full',
    services[0] ?? 'service',
  );
}

function denyStatement(scope: Scope, random: Random): PolicyStatement {
  return random.pick<() => PolicyStatement>([
    () => ({
      Sid: 'ProtectTables',
      Effect: 'Deny',
      Action: ['dynamodb:DeleteTable', 'dynamodb:DeleteItem'],
      Resource: '*',
    }),
    () => ({
      Effect: 'Deny',
      Action: 's3:DeleteObject',
      Resource: `arn:aws:s3:::${resourceName(scope, random)}-${scope.account}/*`,
    }),
    () => ({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
    () => ({
      Effect: 'Deny',
      Action: 's3:*',
      NotResource: [`arn:aws:s3:::${scope.app}-*`, `arn:aws:s3:::${scope.app}-*/*`],
    }),
    () => ({ Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' }),
  ])();
}

function conditionalStatement(scope: Scope, random: Random): PolicyStatement {
  return random.pick<() => PolicyStatement>([
    () => ({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${resourceName(scope, random)}-${scope.account}`,
      Condition: { StringLike: { 's3:prefix': [`${scope.env}/*`, 'shared/*'] } },
    }),
    () => ({
      Sid: 'TeamBuckets',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': scope.app } },
    }),
    () => ({
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': `${capitalised(scope.app)}/${scope.env}` } },
    }),
    () => ({
      Effect: 'Allow',
      Action: ['ec2:DescribeInstances', 'ec2:StartInstances', 'ec2:StopInstances'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': scope.region } },
    }),
    () => ({
      Sid: 'DecryptViaSecretsManager',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${scope.region}.amazonaws.com` } },
    }),
    () => ({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${resourceName(scope, random)}`,
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [POLICY_VARIABLE_TENANT] } },
    }),
  ])();
}

function loggingStatements(account: string): PolicyStatement[] {
  return [
    {
      Sid: 'CreateLogGroup',
      Effect: 'Allow',
      Action: 'logs:CreateLogGroup',
      Resource: `arn:aws:logs:*:${account}:*`,
    },
    {
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `arn:aws:logs:*:${account}:log-group:/aws/lambda/*:*`,
    },
  ];
}

function boundaryStatements(random: Random): PolicyStatement[] {
  const allowed = [
    'logs:*',
    'dynamodb:*',
    's3:*',
    'sqs:*',
    'sns:*',
    'xray:*',
    'ssm:GetParameter*',
    'secretsmanager:GetSecretValue',
    'kms:Decrypt',
    'events:PutEvents',
    'states:StartExecution',
    'lambda:InvokeFunction',
    'cloudwatch:PutMetricData',
    'ec2:CreateNetworkInterface',
    'ec2:DeleteNetworkInterface',
    'ec2:Describe*',
  ];
  const statements: PolicyStatement[] = [
    {
      Sid: 'WorkloadServices',
      Effect: 'Allow',
      Action: random.sample(allowed, random.int(8, allowed.length)),
      Resource: '*',
    },
    {
      Sid: 'NoIdentityChanges',
      Effect: 'Deny',
      Action: ['iam:*', 'organizations:*', 'account:*'],
      Resource: '*',
    },
  ];
  if (random.chance(0.5)) {
    statements.push({
      Sid: 'KeepBoundary',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary'],
      Resource: '*',
    });
  }
  return statements;
}

/** A statement count between 1 and 15, small ones far more common (as in real accounts). */
function statementCount(random: Random): number {
  return 1 + Math.floor(14 * random.float() ** 2.2);
}

function scopedStatements(scope: Scope, random: Random, count: number): PolicyStatement[] {
  return Array.from({ length: count }, () => random.pick(SCOPED_TEMPLATES)(scope, random));
}

function flavouredStatements(flavour: PolicyFlavour, scope: Scope, random: Random): PolicyStatement[] {
  switch (flavour) {
    case 'scoped':
      return scopedStatements(scope, random, statementCount(random));
    case 'logging':
      return loggingStatements(scope.account);
    case 'service-wildcard':
      return [wildcardStatement(random), ...scopedStatements(scope, random, random.int(0, 4))];
    case 'escalation':
      return [
        ...random.pick(ESCALATION_TEMPLATES)(scope, random),
        ...scopedStatements(scope, random, random.int(0, 3)),
      ];
    case 'unscoped':
      return [
        ...random.sample(UNSCOPED_TEMPLATES, random.int(1, 3)).map((template) => template(scope, random)),
        ...scopedStatements(scope, random, random.int(0, 3)),
      ];
    case 'deny':
      return [
        ...scopedStatements(scope, random, random.int(1, 4)),
        ...Array.from({ length: random.int(1, 2) }, () => denyStatement(scope, random)),
      ];
    case 'conditional':
      return [
        ...Array.from({ length: random.int(1, 2) }, () => conditionalStatement(scope, random)),
        ...scopedStatements(scope, random, random.int(0, 3)),
      ];
    case 'boundary':
      return boundaryStatements(random);
  }
}

/** An older, usually broader, draft of a policy: what the default version replaced. */
function olderDraft(current: PolicyDocument, random: Random): PolicyDocument {
  const statements = structuredClone(statementsOf(current));
  const first = statements[0];
  if (first && first.Effect === 'Allow' && random.chance(0.6)) {
    first.Resource = '*';
    delete first.NotResource;
  } else if (statements.length > 1) {
    statements.pop();
  } else {
    statements.push({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
  }
  return { Version: '2012-10-17', Statement: statements };
}

// ---------------------------------------------------------------------------------------------
// Managed policies
// ---------------------------------------------------------------------------------------------

interface CustomerPolicy {
  flavour: PolicyFlavour;
  detail: ManagedPolicyDetail;
}

const FIXTURE_URL = new URL('../test/fixtures/aws-managed-policies.json', import.meta.url);
let awsManagedCache: ManagedPolicyDetail[] | undefined;

function awsManagedPolicies(): ManagedPolicyDetail[] {
  awsManagedCache ??= JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as ManagedPolicyDetail[];
  return awsManagedCache;
}

function planFlavours(count: number, random: Random): PolicyFlavour[] {
  const flavours: PolicyFlavour[] = [];
  for (const [flavour, share] of FLAVOUR_SHARES) {
    for (let index = 0; index < quota(count, share) && flavours.length < count; index += 1)
      flavours.push(flavour);
  }
  while (flavours.length < count) flavours.push('scoped');
  return random.shuffle(flavours);
}

function customerPolicies(
  count: number,
  account: string,
  regions: string[],
  random: Random,
): CustomerPolicy[] {
  const names = new Set<string>();
  const documents = new Set<string>();
  return planFlavours(count, random).map((flavour) => {
    const scope: Scope = {
      account,
      region: random.pick(regions),
      app: random.pick(APPS),
      env: random.weighted(ENVIRONMENTS),
    };
    let current = document(flavouredStatements(flavour, scope, random), random);
    // Distinct documents: regenerate on the rare exact repeat (tiny templates like logging).
    for (let attempt = 0; documents.has(JSON.stringify(current)) && attempt < 20; attempt += 1) {
      current = document(
        [...flavouredStatements(flavour, scope, random), ...scopedStatements(scope, random, 1)],
        random,
      );
    }
    documents.add(JSON.stringify(current));

    const purpose = {
      scoped: random.pick([
        'DataAccess',
        'TableAccess',
        'BucketAccess',
        'QueueAccess',
        'Access',
        'Permissions',
      ]),
      logging: 'Logging',
      'service-wildcard': random.pick(['FullAccess', 'Access', 'Admin']),
      escalation: random.pick(['Deployer', 'Provisioner', 'Automation']),
      unscoped: random.pick(['Access', 'ReadWrite', 'DataAccess']),
      deny: random.pick(['Guardrails', 'Access', 'Restrictions']),
      conditional: random.pick(['ConditionalAccess', 'TeamAccess', 'Access']),
      boundary: 'PermissionsBoundary',
    }[flavour];
    const baseName = `${scope.app}-${scope.env}-${purpose}`;
    let name = baseName;
    while (names.has(name)) name = `${baseName}-${random.hex(6)}`;
    names.add(name);

    const path = random.chance(0.15) ? `/${scope.app}/` : '/';
    const createdAt = EPOCH_START + random.float() * (EPOCH_END - EPOCH_START);
    const olderCount = random.weighted([
      [0, 75],
      [1, 17],
      [2, 8],
    ] as const);
    // Oldest first: each older draft is derived from the version that replaced it.
    const documentsByAge: PolicyDocument[] = [current];
    for (let index = 0; index < olderCount; index += 1) {
      documentsByAge.unshift(olderDraft(documentsByAge[0]!, random));
    }
    let versionDate = createdAt;
    const versions: PolicyVersion[] = documentsByAge.map((versionDocument, index) => {
      if (index > 0) versionDate += random.int(1, 200) * DAY;
      return {
        Document: versionDocument,
        VersionId: `v${index + 1}`,
        IsDefaultVersion: index === documentsByAge.length - 1,
        CreateDate: iamDate(versionDate),
      };
    });
    // The CLI lists the newest version first.
    versions.reverse();

    const detail: ManagedPolicyDetail = {
      PolicyName: name,
      PolicyId: `ANPA${random.text(17, IAM_ID_ALPHABET)}`,
      Arn: `arn:aws:iam::${account}:policy${path}${name}`,
      Path: path,
      DefaultVersionId: `v${documentsByAge.length}`,
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      ...(random.chance(0.4)
        ? { Description: `${capitalised(scope.app)} ${scope.env} Lambda permissions` }
        : {}),
      CreateDate: iamDate(createdAt),
      UpdateDate: iamDate(versionDate),
      PolicyVersionList: versions,
    };
    return { flavour, detail };
  });
}

// ---------------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------------

interface RoleBuild {
  detail: RoleDetail;
  plan: RolePlan;
  app: string;
  env: string;
  vpc: boolean;
}

interface PolicyPools {
  byFlavour: Map<PolicyFlavour, CustomerPolicy[]>;
}

function planRoles(count: number, random: Random): RolePlan[] {
  const kinds: RoleKind[] = [];
  for (const [kind, share] of KIND_SHARES) {
    for (let index = 0; index < quota(count, share) && kinds.length < count; index += 1) kinds.push(kind);
  }
  while (kinds.length < count) kinds.push('least-privilege');
  const plans: RolePlan[] = random.shuffle(kinds).map((kind) => ({ kind, traits: [] }));

  const assign = (trait: RoleTrait, share: number, eligible: (plan: RolePlan) => boolean): void => {
    const candidates = random.shuffle(plans.filter(eligible));
    for (const plan of candidates.slice(0, quota(count, share))) plan.traits.push(trait);
  };
  const has = (plan: RolePlan, trait: RoleTrait): boolean => plan.traits.includes(trait);
  assign('missing-logging', 0.05, (plan) => LOGLESS_KINDS.has(plan.kind));
  assign(
    'no-create-log-group',
    0.02,
    (plan) => LOGLESS_KINDS.has(plan.kind) && !has(plan, 'missing-logging'),
  );
  assign('ec2-trust', 0.02, () => true);
  assign('edge-trust', 0.01, (plan) => !has(plan, 'ec2-trust'));
  assign('boundary', 0.05, () => true);
  assign('deny', 0.05, () => true);
  assign('inline', 0.08, () => true);
  assign('conditional', 0.08, () => true);
  assign('suppression-tag', 0.01, () => true);
  return plans;
}

function trustPolicy(plan: RolePlan, account: string, random: Random): PolicyDocument {
  if (plan.traits.includes('ec2-trust')) {
    return {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    };
  }
  const statement: PolicyStatement = {
    Effect: 'Allow',
    Principal: {
      Service: plan.traits.includes('edge-trust')
        ? ['lambda.amazonaws.com', 'edgelambda.amazonaws.com']
        : 'lambda.amazonaws.com',
    },
    Action: 'sts:AssumeRole',
  };
  if (random.chance(0.06)) statement.Condition = { StringEquals: { 'aws:SourceAccount': account } };
  // The console writes an empty Sid; CloudFormation templates usually have none.
  return { Version: '2012-10-17', Statement: [random.chance(0.3) ? { Sid: '', ...statement } : statement] };
}

function roleName(
  app: string,
  env: string,
  random: Random,
  taken: Set<string>,
): { name: string; path: string } {
  const style = random.weighted([
    ['console', 3],
    ['stack', 2],
    ['hand', 5],
  ] as const);
  let path = '/';
  let name: string;
  if (style === 'console') {
    path = '/service-role/';
    name = `${app}-${env}-${random.pick(VERBS)}${random.pick(OBJECTS)}-role-${random.text(8, LOWER_ALPHANUMERIC)}`;
  } else if (style === 'stack') {
    name = `${app}-${env}-${random.pick(OBJECTS)}FunctionRole-${random.text(12, UPPER_ALPHANUMERIC)}`;
  } else {
    if (random.chance(0.2)) path = '/lambda/';
    name = random.chance(0.5)
      ? `${app}-${env}-lambda-role`
      : `${capitalised(app)}${capitalised(env)}LambdaExecutionRole`;
  }
  const base = name.slice(0, 64);
  name = base;
  for (let suffix = 2; taken.has(name); suffix += 1)
    name = `${base.slice(0, 63 - String(suffix).length)}-${suffix}`;
  taken.add(name);
  return { name, path };
}

function inlineDocument(documentObject: PolicyDocument, random: Random): PolicyDocument | string {
  if (!random.chance(0.1)) return documentObject;
  const text = random.weighted([
    [JSON.stringify(documentObject), 1],
    [JSON.stringify(documentObject, null, 2), 1],
    [JSON.stringify(documentObject, null, 4), 2],
  ] as const);
  return iamUrlEncode(text);
}

function buildRole(
  plan: RolePlan,
  account: string,
  regions: string[],
  pools: PolicyPools,
  random: Random,
  takenNames: Set<string>,
): RoleBuild {
  const app = random.pick(APPS);
  const env = random.weighted(ENVIRONMENTS);
  const scope: Scope = { account, region: random.pick(regions), app, env };
  const { name, path } = roleName(app, env, random, takenNames);
  const arn = `arn:aws:iam::${account}:role${path}${name}`;
  const attached: string[] = [];
  const inline: RolePolicy[] = [];
  const inlineNames = new Set<string>();
  let vpc = false;

  const attach = (policyArn: string): void => {
    if (!attached.includes(policyArn)) attached.push(policyArn);
  };
  const addInline = (baseName: string, statements: PolicyStatement[]): void => {
    let policyName = baseName;
    for (let suffix = 2; inlineNames.has(policyName); suffix += 1) policyName = `${baseName}-${suffix}`;
    inlineNames.add(policyName);
    inline.push({
      PolicyName: policyName,
      PolicyDocument: inlineDocument(document(statements, random), random),
    });
  };
  /** A customer policy of that flavour, or (when the account has none) the same statements inline. */
  const grant = (flavour: PolicyFlavour, inlineName: string, preferInline = 0.1): void => {
    const pool = pools.byFlavour.get(flavour) ?? [];
    if (pool.length > 0 && !random.chance(preferInline)) attach(random.pick(pool).detail.Arn);
    else addInline(inlineName, flavouredStatements(flavour, scope, random));
  };

  // Logging first: it is what AWS's own guidance attaches to every execution role.
  if (plan.traits.includes('missing-logging')) {
    const variant = random.weighted([
      ['none', 2],
      ['create-group-only', 1],
      ['other-function', 1],
    ] as const);
    if (variant === 'create-group-only') {
      addInline('logs', [
        { Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: `arn:aws:logs:*:${account}:*` },
      ]);
    } else if (variant === 'other-function') {
      // Copied from another function's role: logs only reach that other function's group.
      addInline('logs', [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `arn:aws:logs:${scope.region}:${account}:log-group:/aws/lambda/${app}-${env}-legacy${random.pick(OBJECTS)}:*`,
        },
      ]);
    }
  } else if (plan.traits.includes('no-create-log-group')) {
    addInline('logs', [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:*:${account}:log-group:/aws/lambda/*:*`,
      },
    ]);
  } else {
    const logging = random.weighted([
      ['basic', 78],
      ['vpc', 10],
      ['sqs', 4],
      ['customer', 8],
    ] as const);
    if (logging === 'basic') attach(BASIC_EXECUTION);
    else if (logging === 'vpc') {
      attach(VPC_EXECUTION);
      vpc = true;
    } else if (logging === 'sqs') attach(SQS_EXECUTION);
    else grant('logging', 'logs', 0);
  }

  switch (plan.kind) {
    case 'least-privilege':
      for (let index = random.int(1, 2); index > 0; index -= 1) grant('scoped', `${app}-access`, 0);
      if (random.chance(0.2)) attach(XRAY_WRITE);
      break;
    case 'admin':
      attach(ADMINISTRATOR);
      break;
    case 'service-wildcard':
      if (random.chance(0.5)) attach(random.pick(SERVICE_FULL_ACCESS));
      else grant('service-wildcard', `${app}-full-access`);
      if (random.chance(0.5)) grant('scoped', `${app}-access`, 0);
      break;
    case 'escalation':
      grant('escalation', 'deployer');
      grant('scoped', `${app}-access`, 0);
      break;
    case 'unscoped':
      grant('unscoped', `${app}-data`);
      break;
    case 'broad-managed':
      attach(random.weighted(BROAD_MANAGED));
      break;
  }

  if (plan.traits.includes('deny')) grant('deny', 'guardrails', 0.15);
  if (plan.traits.includes('conditional')) grant('conditional', 'conditional-access', 0.15);
  if (plan.traits.includes('inline')) {
    for (let index = random.int(1, 2); index > 0; index -= 1) {
      addInline(
        random.pick(['inline', `${app}-extra`, 'hotfix', 'allow-queue']),
        scopedStatements(scope, random, random.int(1, 3)),
      );
    }
  }

  const createdAt = EPOCH_START + random.float() * (EPOCH_END - EPOCH_START);
  const trust = trustPolicy(plan, account, random);
  const roleId = `AROA${random.text(17, IAM_ID_ALPHABET)}`;
  const tags: Tag[] = [];
  if (random.chance(0.6)) tags.push({ Key: 'team', Value: app });
  if (random.chance(0.5)) tags.push({ Key: 'environment', Value: env });
  if (plan.traits.includes('suppression-tag')) {
    tags.push({ Key: SUPPRESS_TAG, Value: 'role-shared inline-policy' });
    tags.push({ Key: REASON_TAG, Value: 'Shared by design: one role per service' });
    if (random.chance(0.5)) tags.push({ Key: UNTIL_TAG, Value: random.pick(['2024-12-31', '2027-06-30']) });
  }

  const instanceProfiles: InstanceProfile[] = [];
  if (plan.traits.includes('ec2-trust') && random.chance(0.6)) {
    instanceProfiles.push({
      Path: '/',
      InstanceProfileName: name,
      InstanceProfileId: `AIPA${random.text(17, IAM_ID_ALPHABET)}`,
      Arn: `arn:aws:iam::${account}:instance-profile/${name}`,
      CreateDate: iamDate(createdAt),
      Roles: [
        {
          Path: path,
          RoleName: name,
          RoleId: roleId,
          Arn: arn,
          CreateDate: iamDate(createdAt),
          AssumeRolePolicyDocument: trust,
        },
      ],
    });
  }

  let boundaryArn: string | undefined;
  if (plan.traits.includes('boundary')) {
    const pool = pools.byFlavour.get('boundary') ?? [];
    boundaryArn = pool.length > 0 && random.chance(0.8) ? random.pick(pool).detail.Arn : POWER_USER;
  }

  const detail: RoleDetail = {
    Path: path,
    RoleName: name,
    RoleId: roleId,
    Arn: arn,
    CreateDate: iamDate(createdAt),
    AssumeRolePolicyDocument: trust,
    InstanceProfileList: instanceProfiles,
    RolePolicyList: inline,
    AttachedManagedPolicies: attached.map((policyArn) => ({
      PolicyName: policyNameFromArn(policyArn),
      PolicyArn: policyArn,
    })),
    ...(boundaryArn
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const,
            PermissionsBoundaryArn: boundaryArn,
          },
        }
      : {}),
    Tags: tags,
    RoleLastUsed: random.chance(0.85)
      ? { LastUsedDate: iamDate(EPOCH_END - random.float() * 30 * DAY), Region: random.pick(regions) }
      : {},
  };
  return { detail, plan, app, env, vpc };
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

/**
 * Which role each function runs as: every role but a few orphans gets one function, the rest follow
 * log-normal weights, so a handful of roles end up shared by dozens or hundreds of functions.
 */
function assignRoles(functionCount: number, roleCount: number, random: Random): number[] {
  if (roleCount === 0) return [];
  const roleIndexes = Array.from({ length: roleCount }, (_, index) => index);
  const orphans = new Set(random.sample(roleIndexes, Math.floor(roleCount * 0.02)));
  const used = roleIndexes.filter((index) => !orphans.has(index));
  const assignments: number[] = [];
  if (functionCount >= used.length) assignments.push(...used);
  const cumulative: number[] = [];
  let total = 0;
  for (let index = 0; index < used.length; index += 1) {
    total += Math.exp(1.4 * random.normal());
    cumulative.push(total);
  }
  while (assignments.length < functionCount) {
    const target = random.float() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    assignments.push(used[low]!);
  }
  return random.shuffle(assignments);
}

interface EnvironmentContext {
  scope: Scope;
  runtime: string;
  random: Random;
}

type VariableMaker = (context: EnvironmentContext) => [string, string] | undefined;

const HARMLESS_VARIABLES: readonly VariableMaker[] = [
  ({ scope }) => ['STAGE', scope.env],
  ({ scope, random }) => ['TABLE_NAME', resourceName(scope, random)],
  ({ scope, random }) => ['BUCKET_NAME', `${resourceName(scope, random)}-${scope.account}`],
  ({ scope, random }) => [
    'QUEUE_URL',
    `https://sqs.${scope.region}.amazonaws.com/${scope.account}/${resourceName(scope, random)}`,
  ],
  ({ scope, random }) => [
    'TOPIC_ARN',
    `arn:aws:sns:${scope.region}:${scope.account}:${resourceName(scope, random)}`,
  ],
  ({ random }) => ['LOG_LEVEL', random.pick(['INFO', 'DEBUG', 'WARN', 'ERROR'])],
  ({ scope }) => ['POWERTOOLS_SERVICE_NAME', scope.app],
  ({ scope }) => ['POWERTOOLS_METRICS_NAMESPACE', capitalised(scope.app)],
  ({ runtime }) => (runtime.startsWith('nodejs') ? ['AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1'] : undefined),
  ({ runtime }) => (runtime.startsWith('nodejs') ? ['NODE_OPTIONS', '--enable-source-maps'] : undefined),
  ({ random }) => ['TIMEOUT_MS', String(random.pick([1000, 3000, 5000, 10000]))],
  ({ random }) => [
    'FEATURE_FLAGS',
    random.sample(['newCheckout', 'fastSearch', 'betaUi', 'asyncExport'], 2).join(','),
  ],
  ({ scope }) => ['API_BASE_URL', `https://api.${scope.env}.example.com/v1`],
  ({ random }) => ['MAX_RETRIES', String(random.int(1, 5))],
  ({ random }) => ['BATCH_SIZE', String(random.pick([10, 25, 100]))],
  // Secret-looking names that hold references, not secrets.
  ({ scope, random }) => [
    'DB_SECRET_ARN',
    `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${scope.app}/${scope.env}/db-${random.text(6, MIXED_ALPHANUMERIC)}`,
  ],
  ({ scope }) => ['DB_PASSWORD_PARAMETER', `/${scope.app}/${scope.env}/db-password`],
  ({ scope }) => ['API_KEY_SSM_PATH', `/${scope.app}/${scope.env}/partner-api-key`],
];

const PEM_BODY_LINES = 6;

const SECRET_VARIABLES: readonly ((random: Random) => [string, string])[] = [
  (random) => ['DB_PASSWORD', random.text(16, MIXED_ALPHANUMERIC)],
  (random) => ['PAYMENT_API_KEY', `key_live_${random.text(24, MIXED_ALPHANUMERIC)}`],
  (random) => ['SLACK_TOKEN', `xoxb-${random.int(100000, 999999)}-${random.text(24, MIXED_ALPHANUMERIC)}`],
  () => ['LEGACY_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE'],
  (random) => [
    'SIGNING_KEY',
    [
      '-----BEGIN RSA PRIVATE KEY-----',
      ...Array.from({ length: PEM_BODY_LINES }, () => random.base64(48)),
      '-----END RSA PRIVATE KEY-----',
    ].join('\n'),
  ],
];

function environmentVariables(
  context: EnvironmentContext,
  withSecret: boolean,
): { variables: Record<string, string>; secret?: string } {
  const { random } = context;
  const variables: Record<string, string> = {};
  const wanted = random.int(3, 8) - (withSecret ? 1 : 0);
  for (const make of random.shuffle(HARMLESS_VARIABLES)) {
    if (Object.keys(variables).length >= wanted) break;
    const entry = make(context);
    if (entry) variables[entry[0]] = entry[1];
  }
  if (!withSecret) return { variables };
  const [name, value] = random.pick(SECRET_VARIABLES)(random);
  variables[name] = value;
  return { variables, secret: name };
}

function handlerFor(runtime: string): string | undefined {
  if (runtime.startsWith('nodejs')) return 'index.handler';
  if (runtime.startsWith('python')) return 'app.lambda_handler';
  if (runtime.startsWith('java')) return 'com.example.Handler::handleRequest';
  if (runtime.startsWith('dotnet')) return 'Service::Service.Function::FunctionHandler';
  if (runtime.startsWith('ruby')) return 'function.handler';
  if (runtime === 'image') return undefined;
  return 'bootstrap';
}

function layersFor(
  runtime: string,
  region: string,
  random: Random,
): { Arn: string; CodeSize: number }[] | undefined {
  if (!random.chance(0.08)) return undefined;
  if (runtime.startsWith('nodejs')) {
    return [
      {
        Arn: `arn:aws:lambda:${region}:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:${random.int(10, 30)}`,
        CodeSize: random.int(900_000, 2_000_000),
      },
    ];
  }
  if (runtime.startsWith('python')) {
    return [
      {
        Arn: `arn:aws:lambda:${region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:${random.int(3, 12)}`,
        CodeSize: random.int(2_000_000, 5_000_000),
      },
    ];
  }
  return undefined;
}

interface FunctionDraft {
  name: string;
  region: string;
  roleArn: string;
  role?: RoleBuild;
}

function buildFunction(
  draft: FunctionDraft,
  account: string,
  random: Random,
  secrets: PlantedSecret[],
): FunctionConfiguration {
  const { name, region, roleArn, role } = draft;
  const scope: Scope = { account, region, app: role?.app ?? random.pick(APPS), env: role?.env ?? 'prod' };
  const runtime = random.weighted(RUNTIMES);
  const handler = handlerFor(runtime);
  const image = runtime === 'image';
  const withSecret = random.chance(0.012);
  let environment: FunctionConfiguration['Environment'];
  if (random.chance(0.95) || withSecret) {
    const { variables, secret } = environmentVariables({ scope, runtime, random }, withSecret);
    environment = { Variables: variables };
    if (secret) secrets.push({ functionName: name, variable: secret });
  }
  const logFormat = random.chance(0.15) ? 'JSON' : 'Text';
  const logGroup = random.chance(0.04) ? `/${scope.app}/${scope.env}/lambda` : `/aws/lambda/${name}`;
  const layers = image ? undefined : layersFor(runtime, region, random);
  const java = runtime.startsWith('java');
  const configuration: FunctionConfiguration = {
    FunctionName: name,
    // With --function-version ALL, Lambda qualifies $LATEST too (unlike a plain list-functions).
    FunctionArn: `arn:aws:lambda:${region}:${account}:function:${name}:$LATEST`,
    ...(image ? {} : { Runtime: runtime }),
    Role: roleArn,
    ...(handler ? { Handler: handler } : {}),
    CodeSize: image
      ? 0
      : Math.min(52_428_800, Math.max(200, Math.round(Math.exp(10.5 + 1.5 * random.normal())))),
    Description: random.chance(0.4)
      ? `${thirdPerson(random.pick(VERBS))} ${random.pick(OBJECTS).toLowerCase()} ${random.pick(NOUNS)} for ${scope.app}`
      : '',
    Timeout: random.pick([3, 3, 6, 10, 15, 30, 30, 60, 120, 300, 900]),
    MemorySize: random.pick([128, 128, 256, 512, 1024, 1536, 2048, 3008, 10240]),
    LastModified: lambdaDate(EPOCH_END - random.float() * 365 * DAY),
    CodeSha256: random.base64(32),
    Version: '$LATEST',
    ...(role?.vpc
      ? {
          VpcConfig: {
            SubnetIds: [`subnet-${random.hex(17)}`, `subnet-${random.hex(17)}`],
            SecurityGroupIds: [`sg-${random.hex(17)}`],
            VpcId: `vpc-${random.hex(17)}`,
            Ipv6AllowedForDualStack: false,
          },
        }
      : {}),
    ...(environment ? { Environment: environment } : {}),
    TracingConfig: { Mode: random.chance(0.25) ? 'Active' : 'PassThrough' },
    RevisionId: random.uuid(),
    ...(layers ? { Layers: layers } : {}),
    PackageType: image ? 'Image' : 'Zip',
    Architectures: [random.chance(0.3) ? 'arm64' : 'x86_64'],
    EphemeralStorage: { Size: random.chance(0.03) ? random.pick([1024, 2048, 4096, 10240]) : 512 },
    SnapStart:
      java && random.chance(0.3)
        ? { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' }
        : { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig:
      logFormat === 'JSON'
        ? { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO', LogGroup: logGroup }
        : { LogFormat: 'Text', LogGroup: logGroup },
  };
  return configuration;
}

function publishedVersions(
  latest: FunctionConfiguration,
  count: number,
  otherRoleArn: string | undefined,
  random: Random,
): FunctionConfiguration[] {
  const latestModified = Date.parse(latest.LastModified.replace('+0000', 'Z'));
  const differentAt = otherRoleArn ? random.int(1, count) : 0;
  return Array.from({ length: count }, (_, index) => {
    const number = index + 1;
    const modified = latestModified - (count - index) * random.int(1, 40) * DAY;
    return {
      ...structuredClone(latest),
      FunctionArn: latest.FunctionArn.replace(/:\$LATEST$/, `:${number}`),
      Role: number === differentAt && otherRoleArn ? otherRoleArn : latest.Role,
      Description: `Release ${number}`,
      LastModified: lambdaDate(modified),
      CodeSha256: random.base64(32),
      Version: String(number),
      RevisionId: random.uuid(),
      ...(latest.SnapStart.ApplyOn === 'PublishedVersions'
        ? { SnapStart: { ApplyOn: 'PublishedVersions' as const, OptimizationStatus: 'On' as const } }
        : {}),
    };
  });
}

function functionName(app: string, env: string, random: Random, taken: Set<string>): string {
  const base = `${app}-${env}-${random.pick(VERBS)}${random.pick(OBJECTS)}`;
  let name = base;
  for (let suffix = 2; taken.has(name); suffix += 1) name = `${base}-${suffix}`;
  taken.add(name);
  return name;
}

// ---------------------------------------------------------------------------------------------
// The account
// ---------------------------------------------------------------------------------------------

function validate(options: GenerateOptions): void {
  for (const key of ['functions', 'roles', 'policies'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0)
      throw new GenerateOptionsError(`${key} must be a whole number ≥ 0`);
  }
  if (options.functions > 0 && options.roles === 0) {
    throw new GenerateOptionsError('functions need at least one role');
  }
  if (!Number.isInteger(options.seed)) throw new GenerateOptionsError('seed must be an integer');
  if (options.account !== undefined && !/^\d{12}$/.test(options.account)) {
    throw new GenerateOptionsError('account must be 12 digits');
  }
  if (options.regions !== undefined && options.regions.length === 0) {
    throw new GenerateOptionsError('regions must not be empty');
  }
  const ratio = options.versionsRatio;
  if (ratio !== undefined && !(ratio >= 0 && ratio <= 1))
    throw new GenerateOptionsError('versionsRatio must be in [0, 1]');
}

/**
 * Generates a synthetic account: the AWS CLI JSON of its IAM authorization details and of its
 * Lambda functions (every version), plus a manifest of what was planted. Same options, same output.
 *
 * @example
 * const { authDetails, functions } = generateAccount({ functions: 100, roles: 20, policies: 10, seed: 1 });
 * functions.Functions[0]?.Role; // 'arn:aws:iam::123456789012:role/…'
 */
export function generateAccount(options: GenerateOptions): GeneratedAccount {
  validate(options);
  const account = options.account ?? '123456789012';
  const regions = options.regions ?? ['us-east-1', 'eu-west-1'];
  const versionsRatio = options.versionsRatio ?? 0.15;
  const random = new Random(options.seed);

  const customer = customerPolicies(options.policies, account, regions, random);
  const pools: PolicyPools = { byFlavour: new Map() };
  for (const policy of customer) {
    const pool = pools.byFlavour.get(policy.flavour) ?? [];
    pool.push(policy);
    pools.byFlavour.set(policy.flavour, pool);
  }

  const takenRoleNames = new Set<string>();
  const roles = planRoles(options.roles, random).map((plan) =>
    buildRole(plan, account, regions, pools, random, takenRoleNames),
  );

  const regionWeights = regions.map((region, index) => [region, 1 / (index + 1)] as const);
  const takenFunctionNames = new Set<string>();
  const missingCount = options.functions >= 10 ? Math.max(1, Math.round(options.functions * 0.002)) : 0;
  const missingRoleArns: string[] = [];
  const drafts: FunctionDraft[] = assignRoles(options.functions - missingCount, roles.length, random).map(
    (index) => {
      const role = roles[index]!;
      const app = random.chance(0.8) ? role.app : random.pick(APPS);
      return {
        name: functionName(app, role.env, random, takenFunctionNames),
        region: random.weighted(regionWeights),
        roleArn: role.detail.Arn,
        role,
      };
    },
  );
  for (let index = 0; index < missingCount; index += 1) {
    const app = random.pick(APPS);
    const env = random.weighted(ENVIRONMENTS);
    const name = functionName(app, env, random, takenFunctionNames);
    const { name: deletedRole } = roleName(app, env, random, takenRoleNames);
    const roleArn = `arn:aws:iam::${account}:role/service-role/${deletedRole}`;
    missingRoleArns.push(roleArn);
    drafts.push({ name, region: random.weighted(regionWeights), roleArn });
  }

  // Listed like Lambda does: region by region, by name, $LATEST before its versions.
  drafts.sort(
    (a, b) =>
      regions.indexOf(a.region) - regions.indexOf(b.region) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const secrets: PlantedSecret[] = [];
  const functionEntries: FunctionConfiguration[] = [];
  for (const draft of drafts) {
    const latest = buildFunction(draft, account, random, secrets);
    functionEntries.push(latest);
    if (draft.role && random.chance(versionsRatio)) {
      const count = random.weighted([
        [1, 5],
        [2, 3],
        [3, 2],
      ] as const);
      const otherRole = random.chance(0.12) ? random.pick(roles).detail.Arn : undefined;
      functionEntries.push(...publishedVersions(latest, count, otherRole, random));
    }
  }

  const awsManaged = new Map(awsManagedPolicies().map((policy) => [policy.Arn, policy]));
  const attachmentCounts = new Map<string, number>();
  const boundaryCounts = new Map<string, number>();
  for (const { detail } of roles) {
    for (const { PolicyArn } of detail.AttachedManagedPolicies) {
      attachmentCounts.set(PolicyArn, (attachmentCounts.get(PolicyArn) ?? 0) + 1);
    }
    const boundary = detail.PermissionsBoundary?.PermissionsBoundaryArn;
    if (boundary) boundaryCounts.set(boundary, (boundaryCounts.get(boundary) ?? 0) + 1);
  }
  const usedAwsManaged = [...awsManaged.values()]
    .filter((policy) => attachmentCounts.has(policy.Arn) || boundaryCounts.has(policy.Arn))
    .map((policy) => structuredClone(policy));
  const policies = [...customer.map((policy) => policy.detail), ...usedAwsManaged];
  for (const policy of policies) {
    policy.AttachmentCount = attachmentCounts.get(policy.Arn) ?? 0;
    policy.PermissionsBoundaryUsageCount = boundaryCounts.get(policy.Arn) ?? 0;
  }

  return {
    account,
    regions,
    authDetails: {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: roles.map((role) => role.detail),
      Policies: policies,
    },
    functions: { Functions: functionEntries },
    expected: {
      roles: Object.fromEntries(roles.map((role) => [role.detail.Arn, role.plan])),
      missingRoleArns,
      secrets,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CLI: npx tsx bench/generate.ts --functions 10000 --roles 2000 --policies 500 --seed 42 --out DIR
// ---------------------------------------------------------------------------------------------

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new GenerateOptionsError(`--${name} must be a whole number`);
  return parsed;
}

/** Parses the command line, writes the two files and prints what it wrote. */
function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      functions: { type: 'string' },
      roles: { type: 'string' },
      policies: { type: 'string' },
      seed: { type: 'string' },
      account: { type: 'string' },
      regions: { type: 'string' },
      'versions-ratio': { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (!values.out) throw new GenerateOptionsError('--out DIR is required');
  const startedAt = performance.now();
  const generated = generateAccount({
    functions: wholeNumber('functions', values.functions, 10_000),
    roles: wholeNumber('roles', values.roles, 2_000),
    policies: wholeNumber('policies', values.policies, 500),
    seed: wholeNumber('seed', values.seed, 42),
    ...(values.account ? { account: values.account } : {}),
    ...(values.regions ? { regions: values.regions.split(',').map((region) => region.trim()) } : {}),
    ...(values['versions-ratio'] ? { versionsRatio: Number(values['versions-ratio']) } : {}),
  });
  const generatedAt = performance.now();
  mkdirSync(values.out, { recursive: true });
  const authPath = join(values.out, 'auth-details.json');
  const functionsPath = join(values.out, 'functions.json');
  // Four spaces, as the AWS CLI prints JSON.
  writeFileSync(authPath, `${JSON.stringify(generated.authDetails, null, 4)}\n`);
  writeFileSync(functionsPath, `${JSON.stringify(generated.functions, null, 4)}\n`);
  const writtenAt = performance.now();

  const latest = generated.functions.Functions.filter((entry) => entry.Version === '$LATEST').length;
  const kinds = new Map<string, number>();
  for (const plan of Object.values(generated.expected.roles)) {
    for (const label of [plan.kind, ...plan.traits]) kinds.set(label, (kinds.get(label) ?? 0) + 1);
  }
  const lines = [
    `${authPath}  ${megabytes(statSync(authPath).size)}  (${generated.authDetails.RoleDetailList.length} roles, ${generated.authDetails.Policies.length} managed policies)`,
    `${functionsPath}  ${megabytes(statSync(functionsPath).size)}  (${latest} functions, ${generated.functions.Functions.length - latest} published versions)`,
    `generated in ${Math.round(generatedAt - startedAt)} ms, written in ${Math.round(writtenAt - generatedAt)} ms`,
    `roles: ${[...kinds].map(([label, count]) => `${label} ${count}`).join(', ')}`,
    `missing roles: ${generated.expected.missingRoleArns.length}, planted secrets: ${generated.expected.secrets.length}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
