/**
 * Creates a generated account in a running moto server through the AWS SDK, so that live collection
 * can be measured and tested on the same account the offline benchmark reads from files.
 */

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  GetPolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  type Architecture,
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  LambdaClient,
  type LogFormat,
  PublishVersionCommand,
  type Runtime,
  type SnapStartApplyOn,
  type TracingMode,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { ZipFile } from 'yazl';
import { iamPathFromArn, parseArn, roleNameFromArn, splitFunctionArn } from '../src/policy/arn.js';
import type { FunctionConfiguration, GeneratedAccount, ManagedPolicyDetail, RoleDetail } from './generate.js';
import { generateAccount } from './generate.js';

export interface SeedOptions {
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Defaults to moto's dummy credentials. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface SeedResult {
  policies: number;
  policyVersions: number;
  roles: number;
  inlinePolicies: number;
  attachments: number;
  instanceProfiles: number;
  functions: number;
  publishedVersions: number;
  /** Roles created only so that functions could point at them, then deleted (the "missing role" case). */
  deletedRoles: number;
  /** Functions whose layers were left out: moto refuses layer ARNs it does not host. */
  functionsWithoutLayers: number;
  requests: number;
  elapsedMs: number;
  phaseMs: { policies: number; roles: number; functions: number; cleanup: number };
}

/** Raised when moto refuses part of the account; `cause` keeps the SDK error. */
export class SeedError extends Error {
  override name = 'SeedError';
}

const DEFAULT_CONCURRENCY = 16;
const IAM_REGION = 'us-east-1';
const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const ACCOUNT_HINT = "generate the account for moto's account id (123456789012 unless configured otherwise)";
const HANDLER_SOURCE = 'export const handler = async () => ({ statusCode: 200 });\n';

/** One tiny zip shared by every function: moto stores code but never runs it here. */
async function handlerZip(): Promise<Uint8Array> {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(HANDLER_SOURCE), 'index.mjs', { mtime: new Date(Date.UTC(2024, 0, 1)) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(Buffer.from(chunk as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}

async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function documentText(document: unknown): string {
  // Inline documents may be URL-encoded, as IAM returns them; the API expects plain JSON text.
  return typeof document === 'string' ? decodeURIComponent(document) : JSON.stringify(document);
}

function versionNumber(versionId: string): number {
  return Number(versionId.replace(/^v/, ''));
}

function roleNameAndPath(roleArn: string): { name: string; path: string } {
  return { name: roleNameFromArn(roleArn), path: iamPathFromArn(roleArn) };
}

/** The unqualified ARN: `$LATEST` and published versions alike carry a qualifier in `--function-version ALL` output. */
function functionKey(entry: FunctionConfiguration): string {
  return splitFunctionArn(entry.FunctionArn).unqualified;
}

function regionOf(functionArn: string): string {
  return parseArn(functionArn)?.region ?? IAM_REGION;
}

interface FunctionGroup {
  latest: FunctionConfiguration;
  versions: FunctionConfiguration[];
}

function groupFunctions(entries: readonly FunctionConfiguration[]): FunctionGroup[] {
  const groups = new Map<string, FunctionGroup>();
  for (const entry of entries) {
    if (entry.Version !== '$LATEST') continue;
    groups.set(functionKey(entry), { latest: entry, versions: [] });
  }
  for (const entry of entries) {
    if (entry.Version === '$LATEST') continue;
    const group = groups.get(functionKey(entry));
    if (!group) throw new SeedError(`version ${entry.FunctionArn} has no $LATEST entry`);
    group.versions.push(entry);
  }
  for (const group of groups.values()) group.versions.sort((a, b) => Number(a.Version) - Number(b.Version));
  return [...groups.values()];
}

function createFunctionInput(
  entry: FunctionConfiguration,
  role: string,
  zip: Uint8Array,
): CreateFunctionCommandInput {
  const image = entry.PackageType === 'Image';
  const region = regionOf(entry.FunctionArn);
  const account = parseArn(entry.FunctionArn)?.account;
  return {
    FunctionName: entry.FunctionName,
    Role: role,
    PackageType: entry.PackageType,
    Code: image
      ? { ImageUri: `${account}.dkr.ecr.${region}.amazonaws.com/${entry.FunctionName.toLowerCase()}:latest` }
      : { ZipFile: zip },
    ...(entry.Runtime ? { Runtime: entry.Runtime as Runtime } : {}),
    ...(entry.Handler ? { Handler: entry.Handler } : {}),
    Description: entry.Description,
    Timeout: entry.Timeout,
    MemorySize: entry.MemorySize,
    ...(entry.Environment ? { Environment: { Variables: entry.Environment.Variables } } : {}),
    ...(entry.VpcConfig
      ? {
          VpcConfig: {
            SubnetIds: entry.VpcConfig.SubnetIds,
            SecurityGroupIds: entry.VpcConfig.SecurityGroupIds,
          },
        }
      : {}),
    TracingConfig: { Mode: entry.TracingConfig.Mode as TracingMode },
    Architectures: entry.Architectures as Architecture[],
    EphemeralStorage: entry.EphemeralStorage,
    SnapStart: { ApplyOn: entry.SnapStart.ApplyOn as SnapStartApplyOn },
    LoggingConfig: { ...entry.LoggingConfig, LogFormat: entry.LoggingConfig.LogFormat as LogFormat },
  } as CreateFunctionCommandInput;
}

/**
 * Creates the generated account in moto: customer policies (every version), roles with boundary,
 * tags, inline and attached policies, then every function and its published versions. Functions
 * whose role is meant to be missing get a role that is created for them and deleted afterwards, so
 * they end up exactly like functions whose role was deleted in a real account.
 *
 * @example
 * const result = await seedMoto(moto.endpoint, generateAccount({ functions: 20, roles: 8, policies: 5, seed: 1 }));
 * result.functions; // 20
 */
export async function seedMoto(
  endpoint: string,
  account: GeneratedAccount,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const startedAt = performance.now();
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SeedError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  const credentials = options.credentials ?? MOTO_CREDENTIALS;
  const clientConfig = { endpoint, credentials, maxAttempts: 3 };
  const iam = new IAMClient({ ...clientConfig, region: IAM_REGION });
  const lambdaClients = new Map<string, LambdaClient>();
  const lambdaFor = (region: string): LambdaClient => {
    let client = lambdaClients.get(region);
    if (!client) {
      client = new LambdaClient({ ...clientConfig, region });
      lambdaClients.set(region, client);
    }
    return client;
  };
  const result: SeedResult = {
    policies: 0,
    policyVersions: 0,
    roles: 0,
    inlinePolicies: 0,
    attachments: 0,
    instanceProfiles: 0,
    functions: 0,
    publishedVersions: 0,
    deletedRoles: 0,
    functionsWithoutLayers: 0,
    requests: 0,
    elapsedMs: 0,
    phaseMs: { policies: 0, roles: 0, functions: 0, cleanup: 0 },
  };
  const attempt = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    result.requests += 1;
    try {
      return await call();
    } catch (error) {
      if (error instanceof SeedError) throw error;
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SeedError(`moto refused ${what}: ${detail}`, { cause: error });
    }
  };

  try {
    const { RoleDetailList: roles, Policies: policies } = account.authDetails;
    const customerPolicies = policies.filter((policy) => !policy.Arn.startsWith('arn:aws:iam::aws:'));

    // Phase 1: AWS managed policies must already be there; customer policies are created with their history.
    let phaseStart = performance.now();
    const awsManagedArns = new Set<string>();
    for (const role of roles) {
      for (const attached of role.AttachedManagedPolicies) {
        if (attached.PolicyArn.startsWith('arn:aws:iam::aws:')) awsManagedArns.add(attached.PolicyArn);
      }
      const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn;
      if (boundary?.startsWith('arn:aws:iam::aws:')) awsManagedArns.add(boundary);
    }
    await forEachConcurrently([...awsManagedArns], concurrency, async (policyArn) => {
      await attempt(`GetPolicy ${policyArn} (start moto with MOTO_IAM_LOAD_MANAGED_POLICIES=true)`, () =>
        iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
      );
    });
    await forEachConcurrently(customerPolicies, concurrency, async (policy) => {
      await createCustomerPolicy(policy);
    });
    result.phaseMs.policies = performance.now() - phaseStart;

    // Phase 2: roles, plus stand-ins for the roles that are meant to be missing.
    phaseStart = performance.now();
    const existingRoleArns = new Set(roles.map((role) => role.Arn));
    const missingRoleArns = [
      ...new Set(
        account.functions.Functions.map((entry) => entry.Role).filter(
          (roleArn) => !existingRoleArns.has(roleArn),
        ),
      ),
    ];
    await forEachConcurrently(roles, concurrency, async (role) => {
      await createRole(role);
    });
    await forEachConcurrently(missingRoleArns, concurrency, async (roleArn) => {
      const { name, path } = roleNameAndPath(roleArn);
      await attempt(`CreateRole ${roleArn} (stand-in for a deleted role)`, () =>
        iam.send(
          new CreateRoleCommand({
            RoleName: name,
            Path: path,
            AssumeRolePolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            }),
          }),
        ),
      );
    });
    result.phaseMs.roles = performance.now() - phaseStart;

    // Phase 3: functions, each with its published versions in order.
    phaseStart = performance.now();
    const zip = await handlerZip();
    await forEachConcurrently(groupFunctions(account.functions.Functions), concurrency, async (group) => {
      await createFunction(group, zip);
    });
    result.phaseMs.functions = performance.now() - phaseStart;

    // Phase 4: delete the stand-ins: the functions keep pointing at roles that no longer exist.
    phaseStart = performance.now();
    await forEachConcurrently(missingRoleArns, concurrency, async (roleArn) => {
      const { name } = roleNameAndPath(roleArn);
      await attempt(`DeleteRole ${roleArn}`, () => iam.send(new DeleteRoleCommand({ RoleName: name })));
      result.deletedRoles += 1;
    });
    result.phaseMs.cleanup = performance.now() - phaseStart;
  } finally {
    iam.destroy();
    for (const client of lambdaClients.values()) client.destroy();
  }
  result.elapsedMs = performance.now() - startedAt;
  return result;

  async function createCustomerPolicy(policy: ManagedPolicyDetail): Promise<void> {
    // Oldest first, so that version ids line up with the generated ones (v1, v2, …).
    const versions = [...policy.PolicyVersionList].sort(
      (a, b) => versionNumber(a.VersionId) - versionNumber(b.VersionId),
    );
    const [first, ...later] = versions;
    if (!first) throw new SeedError(`policy ${policy.Arn} has no versions`);
    const created = await attempt(`CreatePolicy ${policy.Arn}`, () =>
      iam.send(
        new CreatePolicyCommand({
          PolicyName: policy.PolicyName,
          Path: policy.Path,
          PolicyDocument: JSON.stringify(first.Document),
          ...(policy.Description ? { Description: policy.Description } : {}),
        }),
      ),
    );
    const createdArn = created.Policy?.Arn;
    if (createdArn !== policy.Arn) {
      throw new SeedError(`moto created ${createdArn} instead of ${policy.Arn}: ${ACCOUNT_HINT}`);
    }
    result.policies += 1;
    result.policyVersions += 1;
    for (const version of later) {
      await attempt(`CreatePolicyVersion ${policy.Arn} ${version.VersionId}`, () =>
        iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: policy.Arn,
            PolicyDocument: JSON.stringify(version.Document),
            SetAsDefault: version.IsDefaultVersion,
          }),
        ),
      );
      result.policyVersions += 1;
    }
  }

  async function createRole(role: RoleDetail): Promise<void> {
    const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn;
    const created = await attempt(`CreateRole ${role.Arn}`, () =>
      iam.send(
        new CreateRoleCommand({
          RoleName: role.RoleName,
          Path: role.Path,
          AssumeRolePolicyDocument: JSON.stringify(role.AssumeRolePolicyDocument),
          ...(boundary ? { PermissionsBoundary: boundary } : {}),
          ...(role.Tags.length > 0 ? { Tags: role.Tags } : {}),
        }),
      ),
    );
    if (created.Role?.Arn !== role.Arn) {
      throw new SeedError(`moto created ${created.Role?.Arn} instead of ${role.Arn}: ${ACCOUNT_HINT}`);
    }
    result.roles += 1;
    for (const inline of role.RolePolicyList) {
      await attempt(`PutRolePolicy ${role.RoleName}/${inline.PolicyName}`, () =>
        iam.send(
          new PutRolePolicyCommand({
            RoleName: role.RoleName,
            PolicyName: inline.PolicyName,
            PolicyDocument: documentText(inline.PolicyDocument),
          }),
        ),
      );
      result.inlinePolicies += 1;
    }
    for (const attached of role.AttachedManagedPolicies) {
      await attempt(`AttachRolePolicy ${role.RoleName} ${attached.PolicyArn}`, () =>
        iam.send(new AttachRolePolicyCommand({ RoleName: role.RoleName, PolicyArn: attached.PolicyArn })),
      );
      result.attachments += 1;
    }
    for (const profile of role.InstanceProfileList) {
      await attempt(`CreateInstanceProfile ${profile.InstanceProfileName}`, () =>
        iam.send(
          new CreateInstanceProfileCommand({
            InstanceProfileName: profile.InstanceProfileName,
            Path: profile.Path,
          }),
        ),
      );
      await attempt(`AddRoleToInstanceProfile ${profile.InstanceProfileName}`, () =>
        iam.send(
          new AddRoleToInstanceProfileCommand({
            InstanceProfileName: profile.InstanceProfileName,
            RoleName: role.RoleName,
          }),
        ),
      );
      result.instanceProfiles += 1;
    }
  }

  async function createFunction(group: FunctionGroup, zip: Uint8Array): Promise<void> {
    const { latest, versions } = group;
    const lambda = lambdaFor(regionOf(latest.FunctionArn));
    const functionName = latest.FunctionName;
    let currentRole = versions[0]?.Role ?? latest.Role;
    await attempt(`CreateFunction ${latest.FunctionArn}`, () =>
      lambda.send(new CreateFunctionCommand(createFunctionInput(latest, currentRole, zip))),
    );
    result.functions += 1;
    if (latest.Layers) result.functionsWithoutLayers += 1;
    for (const [index, version] of versions.entries()) {
      // moto publishes a new version only after a configuration change, as Lambda does.
      if (index > 0 || version.Role !== currentRole) {
        await attempt(`UpdateFunctionConfiguration ${functionName}`, () =>
          lambda.send(
            new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Role: version.Role }),
          ),
        );
        currentRole = version.Role;
      }
      const published = await attempt(`PublishVersion ${functionName}`, () =>
        lambda.send(
          new PublishVersionCommand({ FunctionName: functionName, Description: version.Description }),
        ),
      );
      if (published.Version !== version.Version) {
        throw new SeedError(
          `moto published ${functionName} as version ${published.Version}, expected ${version.Version}`,
        );
      }
      result.publishedVersions += 1;
    }
    if (latest.Role !== currentRole) {
      await attempt(`UpdateFunctionConfiguration ${functionName}`, () =>
        lambda.send(
          new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Role: latest.Role }),
        ),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// CLI: npx tsx bench/seed-moto.ts --functions 2000 --roles 500 --policies 125 --seed 42 [--endpoint URL]
// Without --endpoint it starts (and stops) its own moto server.
// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string' },
      functions: { type: 'string', default: '2000' },
      roles: { type: 'string', default: '500' },
      policies: { type: 'string', default: '125' },
      seed: { type: 'string', default: '42' },
      concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
    },
    strict: true,
  });
  const account = generateAccount({
    functions: Number(values.functions),
    roles: Number(values.roles),
    policies: Number(values.policies),
    seed: Number(values.seed),
  });
  let endpoint = values.endpoint;
  let stop: (() => Promise<void>) | undefined;
  if (!endpoint) {
    const { startMoto } = await import('../tools/moto.js');
    const moto = await startMoto();
    endpoint = moto.endpoint;
    stop = moto.stop;
  }
  try {
    const result = await seedMoto(endpoint, account, { concurrency: Number(values.concurrency) });
    process.stdout.write(
      `${JSON.stringify(result, (_, value) => (typeof value === 'number' ? Math.round(value) : value), 2)}\n`,
    );
  } catch (error) {
    // Reported before moto is stopped: nothing may keep the process alive while it stops.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await stop?.();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
