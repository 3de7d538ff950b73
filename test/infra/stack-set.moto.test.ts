import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  ActivateOrganizationsAccessCommand,
  CloudFormationClient,
  ListStackInstancesCommand,
} from '@aws-sdk/client-cloudformation';
import { GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetBucketPolicyCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArtifact } from '../../scripts/build.js';
import {
  invokeBuiltHandler,
  lambdaContext,
  lambdaEnvironment,
  scheduledEvent,
} from '../../scripts/demo-live.js';
import { runDeploy, type StackSetClients, type StackSetResult } from '../../scripts/deploy.js';
import { readOrganizationReports } from '../../src/org/read.js';
import { rollUpOrganization } from '../../src/org/rollup.js';
import { MOTO_ACCOUNT_ID, type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';

const home = 'us-east-1';
const regions = ['us-east-1', 'eu-west-1'];
const noWait = { pollIntervalMs: 0, sleep: async () => {} };

/** Credentials of a member account: its OrganizationAccountAccessRole, assumed from the management account. */
async function memberCredentials(moto: MotoServer, account: string) {
  const sts = new STSClient({ endpoint: moto.endpoint, region: home, credentials: TEST_CREDENTIALS });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'stack-set-test',
    }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}

describe('npm run deploy -- --stack-set against the emulator: an organization with nested units', () => {
  let moto: MotoServer;
  let workDirectory: string;
  let zipPath: string;
  let bundlePath: string;
  let clients: StackSetClients;
  /** Account in workloads/prod (nested) and account directly in workloads. */
  let nestedAccount: string;
  let directAccount: string;
  let outsideAccount: string;
  let workloads: string;
  let first: { exitCode: number; stdout: string[]; stderr: string[]; result: StackSetResult };
  let withoutTrustedAccess: { exitCode: number; stderr: string[] };

  const config = (region = home) => ({ endpoint: moto.endpoint, region, credentials: TEST_CREDENTIALS });

  async function deployOrganization(extra: string[] = []) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const exitCode = await runDeploy(
      [
        '--stack-set',
        'org-audit',
        '--org-units',
        workloads,
        '--regions',
        regions.join(','),
        '--zip',
        zipPath,
        '--json',
        ...extra,
      ],
      {
        stackSetClients: () => clients,
        stdout: (text) => stdout.push(text),
        stderr: (text) => stderr.push(text),
        waitSettings: noWait,
      },
    );
    return { exitCode, stdout, stderr, result: JSON.parse(stdout.join('\n') || '{}') as StackSetResult };
  }

  beforeAll(async () => {
    moto = await startMoto();
    // The real handler, inside node_modules/.cache: Node imports the bundle itself, as Lambda would.
    const cache = path.resolve('node_modules', '.cache');
    await mkdir(cache, { recursive: true });
    workDirectory = await mkdtemp(path.join(cache, 'lambda-role-auditor-stack-set-'));
    ({ zipPath, bundlePath } = await buildArtifact({
      entry: path.resolve('src/handler.ts'),
      outdir: path.join(workDirectory, 'dist'),
    }));

    const organizations = new OrganizationsClient(config());
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const root = (await organizations.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    workloads = (
      await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'workloads' }))
    ).OrganizationalUnit!.Id!;
    const prod = (
      await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: workloads, Name: 'prod' }))
    ).OrganizationalUnit!.Id!;
    const create = async (name: string) =>
      (
        await organizations.send(
          new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
        )
      ).CreateAccountStatus!.AccountId!;
    nestedAccount = await create('payments-prod');
    directAccount = await create('sandbox');
    outsideAccount = await create('outside');
    await organizations.send(
      new MoveAccountCommand({ AccountId: nestedAccount, SourceParentId: root, DestinationParentId: prod }),
    );
    await organizations.send(
      new MoveAccountCommand({
        AccountId: directAccount,
        SourceParentId: root,
        DestinationParentId: workloads,
      }),
    );
    clients = {
      sts: new STSClient(config()),
      organizations,
      cloudFormation: new CloudFormationClient(config()),
      s3For: (region) => new S3Client({ ...config(region), forcePathStyle: true }),
    };
    withoutTrustedAccess = await deployOrganization();
    // The prerequisite the README names: trusted access between StackSets and Organizations.
    await clients.cloudFormation.send(new ActivateOrganizationsAccessCommand({}));
    first = await deployOrganization();
    // Two deploys into the emulator (each a central stack and eight member stacks) on a loaded machine.
  }, 240_000);

  afterAll(async () => {
    await moto?.stop();
    if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
  });

  it('stops with the command to run when StackSets may not use Organizations yet', () => {
    // assess
    expect(withoutTrustedAccess.exitCode).toBe(1);
    expect(withoutTrustedAccess.stderr.at(-1)).toBe(
      'Deploy failed: Trusted access between StackSets and Organizations is DISABLED: run `aws cloudformation activate-organizations-access` in the management account first',
    );
  });

  it('deploys into both member accounts (one in a nested unit) in both regions, and no other account', () => {
    // assess
    expect(first.stderr.filter((line) => line.startsWith('Deploy failed'))).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(first.result.ok).toBe(true);
    expect(first.result.instances.map((row) => [row.account, row.region, row.status])).toEqual(
      [nestedAccount, directAccount]
        .sort()
        .flatMap((account) => ['eu-west-1', 'us-east-1'].map((region) => [account, region, 'CURRENT'])),
    );
    expect(first.result.instances.some((row) => row.account === outsideAccount)).toBe(false);
    expect(first.result.central).toMatchObject({ stackName: 'org-audit-central' });
    expect(first.stderr).toContain(
      `Account ${MOTO_ACCOUNT_ID}, region ${home}, organization ${first.result.organizationId}`,
    );
  });

  it.each(['nested', 'direct'] as const)(
    'the %s member account runs the auditor in each region, archiving to the central bucket',
    async (which) => {
      // prepare
      const account = which === 'nested' ? nestedAccount : directAccount;
      const credentials = await memberCredentials(moto, account);

      for (const region of regions) {
        // act
        const lambda = new LambdaClient({ endpoint: moto.endpoint, region, credentials });
        const configuration = await lambda.send(
          new GetFunctionConfigurationCommand({ FunctionName: 'org-audit-auditor' }),
        );

        // assess
        expect(configuration.FunctionArn).toBe(
          `arn:aws:lambda:${region}:${account}:function:org-audit-auditor`,
        );
        expect(configuration.Environment?.Variables).toMatchObject({
          REPORT_BUCKET: first.result.central.reportBucket,
          TOPIC_ARN: first.result.central.topicArn,
          REGIONS: region,
        });
      }
    },
  );

  it('limits each member role to its own prefixes of the central bucket, one policy per region', async () => {
    // prepare
    const credentials = await memberCredentials(moto, nestedAccount);
    const iam = new IAMClient({ endpoint: moto.endpoint, region: home, credentials });
    const bucket = first.result.central.reportBucket;

    for (const region of regions) {
      // act
      const policyArn = `arn:aws:iam::${nestedAccount}:policy/org-audit-auditor-${region}`;
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
      const { PolicyVersion } = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: Policy!.DefaultVersionId! }),
      );
      const document = JSON.parse(decodeURIComponent(PolicyVersion!.Document!)) as {
        Statement: Array<{ Sid?: string; Action: string | string[]; Resource: string | string[] }>;
      };
      const s3Resources = document.Statement.filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith('s3:')),
      ).flatMap((statement) => [statement.Resource].flat());

      // assess
      expect(s3Resources.sort()).toEqual(
        [
          `arn:aws:s3:::${bucket}`,
          `arn:aws:s3:::${bucket}/cache/${nestedAccount}/*`,
          `arn:aws:s3:::${bucket}/config/suppressions.json`,
          `arn:aws:s3:::${bucket}/reports/${nestedAccount}/*`,
        ].sort(),
      );
    }
  });

  it('puts the code in a bucket of each region that the organization may read, and the suppressions file in the central bucket', async () => {
    // prepare
    const suppressions = await clients
      .s3For(home)
      .send(
        new GetObjectCommand({ Bucket: first.result.central.reportBucket, Key: 'config/suppressions.json' }),
      );

    for (const region of regions) {
      // act
      const { Policy } = await clients
        .s3For(region)
        .send(new GetBucketPolicyCommand({ Bucket: first.result.codeBuckets[region] }));

      // assess
      expect(first.result.codeBuckets[region]).toBe(`lambda-role-auditor-code-${MOTO_ACCOUNT_ID}-${region}`);
      expect(JSON.parse(Policy!).Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': first.result.organizationId } },
        }),
      );
    }
    expect(JSON.parse(await suppressions.Body!.transformToString())).toEqual({ suppressions: [] });
  });

  it("a member's run archives under its own prefix of the central bucket, and the roll-up sees it", async () => {
    // prepare: the member function's own configuration and the member account's credentials
    const credentials = await memberCredentials(moto, directAccount);
    const lambda = new LambdaClient({ endpoint: moto.endpoint, region: home, credentials });
    const configuration = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'org-audit-auditor' }),
    );
    const bucket = first.result.central.reportBucket;

    // act
    const { result } = await invokeBuiltHandler(bundlePath, {
      event: scheduledEvent(`arn:aws:events:${home}:${directAccount}:rule/org-audit`),
      context: lambdaContext(configuration),
      environment: {
        ...lambdaEnvironment(configuration, moto.endpoint),
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
      },
    });
    const { Contents } = await clients
      .s3For(home)
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/' }));
    const organization = rollUpOrganization(await readOrganizationReports(clients.s3For(home), bucket), {
      now: new Date(),
    });

    // assess
    expect(result.status).toBe('complete');
    const keys = (Contents ?? []).map((object) => object.Key ?? '');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !key.startsWith(`reports/${directAccount}/`))).toEqual([]);
    expect(keys).toContain(`reports/${directAccount}/latest.json`);
    expect(organization.accounts.map((account) => [account.account, account.status])).toEqual([
      [directAccount, 'complete'],
    ]);
  });

  it('a second run updates the stack set without creating the instances again', async () => {
    // act
    const second = await deployOrganization(['--schedule', 'rate(12 hours)']);
    const { Summaries } = await clients.cloudFormation.send(
      new ListStackInstancesCommand({ StackSetName: 'org-audit' }),
    );

    // assess
    expect(second.exitCode).toBe(0);
    expect(second.result.operations.map((operation) => [operation.action, operation.status])).toEqual([
      ['update', 'SUCCEEDED'],
    ]);
    expect(Summaries).toHaveLength(4);
  });
});
