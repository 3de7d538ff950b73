/**
 * The organization-wide deploy (SPEC §9b): the central stack (topic and report bucket), the code in
 * every target region readable by the organization, and a service-managed stack set of the member
 * template deployed to organizational units; waits for each operation and reports every stack instance.
 */
import { access, readFile } from 'node:fs/promises';
import {
  type CallAs,
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeOrganizationsAccessCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  paginateListStackInstances,
  type Stack,
  type StackSet,
  type StackSetOperationPreferences,
  type StackSetOperationStatus,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeOrganizationCommand,
  OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from '@aws-sdk/client-organizations';
import { HeadObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { paginate } from '../../src/collect/paginate.js';
import { DeployError, httpStatusOf, messageOf } from './errors.js';
import { keptParameters, templateParameterNames, toParameterList } from './parameters.js';
import { deployStack, type WaitSettings } from './stack.js';
import type { StackSetOptions } from './stack-set-arguments.js';
import { ensureDeploymentBucket, resolveAccount, uploadArtifact } from './upload.js';

export interface StackSetClients {
  sts: STSClient;
  organizations: OrganizationsClient;
  /** In the deploying session's region: the central stack and the stack set live there. */
  cloudFormation: CloudFormationClient;
  /** An S3 client for a region: the code must be in a bucket of each function's region. */
  s3For: (region: string) => S3Client;
}

/** One stack instance: an account and region the auditor is (or should be) deployed to. */
export interface StackInstanceRow {
  account: string;
  region: string;
  /** `CURRENT`, `OUTDATED`, `INOPERABLE`, or `MISSING` for an account of the units without an instance. */
  status: string;
  detailedStatus: string;
  reason: string;
}

export interface StackSetResult {
  stackSetName: string;
  account: string;
  region: string;
  organizationId: string;
  central: { stackName: string | null; topicArn: string; topicKeyArn: string; reportBucket: string };
  codeBuckets: Record<string, string>;
  codeKey: string;
  operations: Array<{ operationId: string; action: string; status: string }>;
  instances: StackInstanceRow[];
  /** Every operation succeeded and every account of the units has a current instance in every region. */
  ok: boolean;
}

const defaultWait: WaitSettings = {
  pollIntervalMs: 10_000,
  timeoutMs: 60 * 60_000,
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** 200 accounts: a quarter at a time, regions in parallel, a few failed accounts do not stop the rest. */
const operationPreferences: StackSetOperationPreferences = {
  RegionConcurrencyType: 'PARALLEL',
  MaxConcurrentPercentage: 25,
  FailureTolerancePercentage: 10,
};

/** The code bucket of a region is `<codeBucketBase>-<region>` (the member template adds the region). */
export function codeBucketBase(account: string): string {
  return `lambda-role-auditor-code-${account}`;
}

/**
 * Creates the clients from the standard AWS environment; S3 uses path-style addressing with a custom
 * endpoint (an emulator).
 *
 * @example
 * const clients = createStackSetClients(process.env);
 */
export function createStackSetClients(environment: NodeJS.ProcessEnv = process.env): StackSetClients {
  const customEndpoint = Boolean(environment.AWS_ENDPOINT_URL || environment.AWS_ENDPOINT_URL_S3);
  return {
    sts: new STSClient({}),
    organizations: new OrganizationsClient({}),
    cloudFormation: new CloudFormationClient({}),
    s3For: (region) => new S3Client({ region, forcePathStyle: customEndpoint }),
  };
}

/**
 * Deploys the auditor to every account of the organizational units, in every region asked for.
 *
 * @example
 * const result = await deployStackSet(options, createStackSetClients(), (line) => process.stderr.write(`${line}\n`));
 */
export async function deployStackSet(
  options: StackSetOptions,
  clients: StackSetClients,
  log: (line: string) => void,
  waitSettings: Partial<WaitSettings> = {},
): Promise<StackSetResult> {
  const wait = { ...defaultWait, timeoutMs: options.timeoutMinutes * 60_000, ...waitSettings };
  try {
    await access(options.zipPath);
  } catch (error) {
    throw new DeployError(`${options.zipPath} does not exist: run \`npm run build\` first`, { cause: error });
  }
  const templateBody = await readText(options.templatePath);
  let region: string;
  try {
    region = await clients.cloudFormation.config.region();
  } catch (error) {
    throw new DeployError(
      `No AWS region configured: set AWS_REGION or a profile region (${messageOf(error)})`,
      {
        cause: error,
      },
    );
  }
  const account = await resolveAccount(clients.sts);
  const organization = await describeOrganization(clients.organizations);
  log(`Account ${account}, region ${region}, organization ${organization.id}`);
  const callAs: CallAs = options.delegatedAdmin ? 'DELEGATED_ADMIN' : 'SELF';
  await requireTrustedAccess(clients.cloudFormation, callAs);
  const regions = options.regions.length > 0 ? options.regions : [region];
  const expectedAccounts = await accountsOfUnits(clients.organizations, options.organizationalUnits);
  // Service-managed stack sets never deploy to the management account, even when it is in a unit.
  expectedAccounts.delete(organization.managementAccount);
  log(`${expectedAccounts.size} member account(s) in ${options.organizationalUnits.join(', ')}`);

  // 1. Central topic and report bucket.
  let central: StackSetResult['central'];
  if (options.central) {
    central = {
      stackName: null,
      topicArn: options.central.topicArn,
      topicKeyArn: options.central.topicKeyArn,
      reportBucket: options.central.bucket,
    };
  } else {
    const stackName = `${options.stackSetName}-central`;
    const deployment = await deployStack(
      clients.cloudFormation,
      {
        stackName,
        templateBody: await readText(options.centralTemplatePath),
        parameters: {
          OrganizationId: organization.id,
          TopicName: options.stackSetName,
          CreateReportBucket: 'true',
          ...(options.email !== undefined ? { NotificationEmail: options.email } : {}),
        },
      },
      log,
      wait,
    );
    const { TopicArn, TopicKeyArn, ReportBucketName } = deployment.outputs;
    if (!TopicArn || !ReportBucketName)
      throw new DeployError(`Stack ${stackName} has no TopicArn or ReportBucketName output`);
    central = {
      stackName,
      topicArn: TopicArn,
      topicKeyArn: TopicKeyArn ?? '',
      reportBucket: ReportBucketName,
    };
  }
  await ensureSuppressionsFile(clients.s3For(region), central.reportBucket, log);

  // 2. The code, in every region, readable by the organization.
  const base = codeBucketBase(account);
  const codeBuckets: Record<string, string> = {};
  let codeKey = '';
  for (const target of regions) {
    const s3 = clients.s3For(target);
    const bucket = `${base}-${target}`;
    await ensureDeploymentBucket(s3, { bucket, region: target, account }, log);
    await allowOrganizationToRead(s3, bucket, organization.id);
    ({ key: codeKey } = await uploadArtifact(s3, { bucket, account, zipPath: options.zipPath }, log));
    codeBuckets[target] = bucket;
  }

  // 3. The stack set and its instances.
  const parameters: Record<string, string> = {
    ...options.parameters,
    CodeBucket: base,
    CodeKey: codeKey,
    CodeBucketPerRegion: 'true',
    FunctionName: `${options.stackSetName}-auditor`,
    ExistingTopicArn: central.topicArn,
    ExistingTopicKeyArn: central.topicKeyArn,
    ExistingReportBucket: central.reportBucket,
  };
  const names = templateParameterNames(templateBody, parameters);
  const existing = await describeStackSet(clients.cloudFormation, options.stackSetName, callAs);
  const common = {
    StackSetName: options.stackSetName,
    TemplateBody: templateBody,
    Capabilities: ['CAPABILITY_NAMED_IAM' as const],
    PermissionModel: 'SERVICE_MANAGED' as const,
    AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
    CallAs: callAs,
    Tags: [{ Key: 'application', Value: 'lambda-role-auditor' }],
  };
  const operations: StackSetResult['operations'] = [];
  const run = async (action: string, start: () => Promise<string | undefined>): Promise<void> => {
    const operationId = await sendStackSetRequest(start);
    if (!operationId)
      throw new DeployError(`${action} of stack set ${options.stackSetName} returned no operation`);
    const status = await waitForOperation(
      clients.cloudFormation,
      options.stackSetName,
      operationId,
      callAs,
      log,
      wait,
    );
    operations.push({ operationId, action, status });
  };

  if (!existing) {
    log(`Creating stack set ${options.stackSetName}`);
    await sendStackSetRequest(async () => {
      await clients.cloudFormation.send(
        new CreateStackSetCommand({
          ...common,
          Description: 'lambda-role-auditor in every account of the organizational units',
          Parameters: toParameterList(parameters),
        }),
      );
      return 'created';
    });
  } else {
    log(`Updating stack set ${options.stackSetName}`);
    const previous = keptParameters({ Parameters: existing.Parameters } as Stack, names, parameters);
    await run('update', async () => {
      const response = await clients.cloudFormation.send(
        new UpdateStackSetCommand({
          ...common,
          Parameters: [...toParameterList(parameters), ...previous],
          OperationPreferences: operationPreferences,
        }),
      );
      return response.OperationId;
    });
  }

  const present = await listInstances(clients.cloudFormation, options.stackSetName, callAs);
  const has = new Set(present.map((row) => `${row.account}/${row.region}`));
  // A new stack set targets every unit in every region, even a unit without accounts yet: auto-deployment
  // only follows units the stack set was deployed to. Later runs add the regions some account lacks.
  const regionsMissing = existing
    ? regions.filter((target) => [...expectedAccounts].some((member) => !has.has(`${member}/${target}`)))
    : regions;
  if (regionsMissing.length > 0) {
    log(`Creating stack instances in ${regionsMissing.join(', ')}`);
    await run('create-instances', async () => {
      const response = await clients.cloudFormation.send(
        new CreateStackInstancesCommand({
          StackSetName: options.stackSetName,
          DeploymentTargets: { OrganizationalUnitIds: options.organizationalUnits },
          Regions: regionsMissing,
          OperationPreferences: operationPreferences,
          CallAs: callAs,
        }),
      );
      return response.OperationId;
    });
  }

  const instances = await listInstances(clients.cloudFormation, options.stackSetName, callAs);
  const listed = new Set(instances.map((row) => `${row.account}/${row.region}`));
  for (const member of [...expectedAccounts].sort()) {
    for (const target of regions) {
      if (!listed.has(`${member}/${target}`)) {
        instances.push({
          account: member,
          region: target,
          status: 'MISSING',
          detailedStatus: '',
          reason: 'no stack instance',
        });
      }
    }
  }
  instances.sort((a, b) =>
    a.account < b.account ? -1 : a.account > b.account ? 1 : a.region < b.region ? -1 : 1,
  );
  const ok =
    operations.every((operation) => operation.status === 'SUCCEEDED') &&
    instances.every(
      (row) =>
        !expectedAccounts.has(row.account) ||
        !regions.includes(row.region) ||
        (row.status === 'CURRENT' && (row.detailedStatus === '' || row.detailedStatus === 'SUCCEEDED')),
    );
  return {
    stackSetName: options.stackSetName,
    account,
    region,
    organizationId: organization.id,
    central,
    codeBuckets,
    codeKey,
    operations,
    instances,
    ok,
  };
}

/**
 * The stack instances as a table: account, region, status, detailed status, reason.
 *
 * @example
 * formatInstancesTable(result.instances);
 */
export function formatInstancesTable(rows: readonly StackInstanceRow[]): string {
  const table = [
    ['Account', 'Region', 'Status', 'Detail', 'Reason'],
    ...rows.map((row) => [row.account, row.region, row.status, row.detailedStatus, row.reason]),
  ];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...table.map((cells) => cells[column]!.length)));
  return table
    .map((cells) =>
      cells
        .map((cell, column) => (column < 4 ? cell.padEnd(widths[column]!) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new DeployError(`Cannot read template ${file}: ${messageOf(error)}`, { cause: error });
  }
}

async function describeOrganization(
  organizations: OrganizationsClient,
): Promise<{ id: string; managementAccount: string }> {
  try {
    const { Organization } = await organizations.send(new DescribeOrganizationCommand({}));
    if (!Organization?.Id) throw new DeployError('Organizations returned no organization');
    return { id: Organization.Id, managementAccount: Organization.MasterAccountId ?? '' };
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError(
      `Cannot read the organization: run in the management account or a delegated administrator account (${messageOf(error)})`,
      { cause: error },
    );
  }
}

/** Service-managed stack sets need trusted access with Organizations; without it every operation fails. */
async function requireTrustedAccess(cloudFormation: CloudFormationClient, callAs: CallAs): Promise<void> {
  let status: string | undefined;
  try {
    ({ Status: status } = await cloudFormation.send(
      new DescribeOrganizationsAccessCommand({ CallAs: callAs }),
    ));
  } catch (error) {
    throw new DeployError(`Cannot tell whether StackSets may use Organizations: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (status !== 'ENABLED') {
    throw new DeployError(
      `Trusted access between StackSets and Organizations is ${status ?? 'unknown'}: run \`aws cloudformation activate-organizations-access\` in the management account first`,
    );
  }
}

/** Every account in the units and, recursively, in the units below them. */
async function accountsOfUnits(
  organizations: OrganizationsClient,
  units: readonly string[],
): Promise<Set<string>> {
  const accounts = new Set<string>();
  const pending = [...units];
  const seen = new Set<string>();
  try {
    while (pending.length > 0) {
      const parent = pending.pop()!;
      if (seen.has(parent)) continue;
      seen.add(parent);
      const { items: members } = await paginate(
        paginateListAccountsForParent({ client: organizations }, { ParentId: parent }),
        (page) => page.Accounts,
      );
      for (const member of members) if (member.Id && member.Status !== 'SUSPENDED') accounts.add(member.Id);
      const { items: children } = await paginate(
        paginateListOrganizationalUnitsForParent({ client: organizations }, { ParentId: parent }),
        (page) => page.OrganizationalUnits,
      );
      for (const child of children) if (child.Id) pending.push(child.Id);
    }
  } catch (error) {
    throw new DeployError(`Cannot list the accounts of ${units.join(', ')}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return accounts;
}

/**
 * The central bucket's suppressions file is read by every member: it is created empty when absent, so
 * that members (who may not list the bucket outside their prefixes) never mistake a 403 for a problem.
 */
async function ensureSuppressionsFile(
  s3: S3Client,
  bucket: string,
  log: (line: string) => void,
): Promise<void> {
  const key = 'config/suppressions.json';
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return;
  } catch (error) {
    if (httpStatusOf(error) !== 404) {
      throw new DeployError(`Cannot check s3://${bucket}/${key}: ${messageOf(error)}`, { cause: error });
    }
  }
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${JSON.stringify({ suppressions: [] }, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  } catch (error) {
    throw new DeployError(`Cannot write s3://${bucket}/${key}: ${messageOf(error)}`, { cause: error });
  }
  log(`Created an empty suppressions file s3://${bucket}/${key}`);
}

/**
 * Lambda reads a function's code with the permissions of whoever creates it: the member accounts' stacks.
 * The bucket holds only the auditor's code (no secrets), so the policy is the read grant alone.
 */
async function allowOrganizationToRead(s3: S3Client, bucket: string, organizationId: string): Promise<void> {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrganizationReadsCode',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/lambda-role-auditor/*`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      },
    ],
  };
  try {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  } catch (error) {
    throw new DeployError(`Cannot set the policy of code bucket ${bucket}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

async function describeStackSet(
  cloudFormation: CloudFormationClient,
  name: string,
  callAs: CallAs,
): Promise<StackSet | undefined> {
  try {
    const { StackSet: found } = await cloudFormation.send(
      new DescribeStackSetCommand({ StackSetName: name, CallAs: callAs }),
    );
    return found?.Status === 'DELETED' ? undefined : found;
  } catch (error) {
    if (
      (error as { name?: string }).name === 'StackSetNotFoundException' ||
      /not found/i.test(messageOf(error))
    )
      return undefined;
    throw new DeployError(`Cannot describe stack set ${name}: ${messageOf(error)}`, { cause: error });
  }
}

async function sendStackSetRequest<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new DeployError(messageOf(error), { cause: error });
  }
}

async function listInstances(
  cloudFormation: CloudFormationClient,
  name: string,
  callAs: CallAs,
): Promise<StackInstanceRow[]> {
  const { items } = await paginate(
    paginateListStackInstances({ client: cloudFormation }, { StackSetName: name, CallAs: callAs }),
    (page) => page.Summaries,
  );
  return items.map((summary) => ({
    account: summary.Account ?? '',
    region: summary.Region ?? '',
    status: summary.Status ?? 'UNKNOWN',
    detailedStatus: summary.StackInstanceStatus?.DetailedStatus ?? '',
    reason: summary.StatusReason ?? '',
  }));
}

const finished: ReadonlySet<StackSetOperationStatus> = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);

async function waitForOperation(
  cloudFormation: CloudFormationClient,
  name: string,
  operationId: string,
  callAs: CallAs,
  log: (line: string) => void,
  wait: WaitSettings,
): Promise<string> {
  const deadline = Date.now() + wait.timeoutMs;
  let last = '';
  for (;;) {
    const { StackSetOperation: operation } = await cloudFormation.send(
      new DescribeStackSetOperationCommand({ StackSetName: name, OperationId: operationId, CallAs: callAs }),
    );
    const status = operation?.Status ?? 'UNKNOWN';
    if (status !== last) {
      log(`Stack set ${name} operation ${operationId} (${operation?.Action ?? '?'}): ${status}`);
      last = status;
    }
    if (finished.has(status as StackSetOperationStatus)) return status;
    if (Date.now() > deadline) {
      throw new DeployError(
        `Gave up waiting for stack set operation ${operationId} (still ${status}); it goes on: aws cloudformation describe-stack-set-operation --stack-set-name ${name} --operation-id ${operationId}`,
      );
    }
    await wait.sleep(wait.pollIntervalMs);
  }
}
