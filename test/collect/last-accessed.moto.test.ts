import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { createClients } from '../../src/collect/clients.js';
import { type CollectOptions, collectSnapshot } from '../../src/collect/collect.js';
import type { AuditReport } from '../../src/model/report.js';
import { createTinyFunction } from '../../tools/functions.js';
import {
  awsTestEnv,
  MOTO_ACCOUNT_ID,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
} from '../../tools/moto.js';
import { type CliRun, packagedCli, runPackagedCli } from '../support/packaged-cli.js';
import { BASIC_EXECUTION } from './seed.js';

const arnOf = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${name}`;
const ROLES = {
  wide: arnOf('s3-wide'),
  quiet: arnOf('quiet'),
  failing: arnOf('failing'),
  young: arnOf('young'),
};
const RECENT = '2026-11-24T10:00:00+00:00';
const LONG_AGO = '2024-01-10T10:00:00+00:00';

/** What IAM reports for each role, as the AWS CLI prints it (the extension serves it in AWS's XML). */
const SEEDS = {
  [ROLES.wide]: {
    JobStatus: 'COMPLETED',
    ServicesLastAccessed: [
      {
        ServiceName: 'Amazon S3',
        ServiceNamespace: 's3',
        LastAuthenticated: RECENT,
        LastAuthenticatedEntity: ROLES.wide,
        LastAuthenticatedRegion: 'us-east-1',
        TotalAuthenticatedEntities: 1,
        TrackedActionsLastAccessed: [
          { ActionName: 'CreateBucket' },
          { ActionName: 'ListAllMyBuckets', LastAccessedTime: RECENT, LastAccessedRegion: 'us-east-1' },
        ],
      },
      {
        ServiceName: 'Amazon S3 Object Lambda',
        ServiceNamespace: 's3-object-lambda',
        TotalAuthenticatedEntities: 0,
      },
      {
        ServiceName: 'Amazon CloudWatch Logs',
        ServiceNamespace: 'logs',
        LastAuthenticated: RECENT,
        TotalAuthenticatedEntities: 1,
      },
    ],
  },
  [ROLES.quiet]: {
    JobStatus: 'COMPLETED',
    ServicesLastAccessed: [
      { ServiceName: 'Amazon DynamoDB', ServiceNamespace: 'dynamodb', TotalAuthenticatedEntities: 0 },
      { ServiceName: 'Amazon CloudWatch Logs', ServiceNamespace: 'logs', TotalAuthenticatedEntities: 0 },
    ],
  },
  [ROLES.failing]: { JobStatus: 'FAILED', Error: { Code: 'InternalFailure', Message: 'try again later' } },
};

let moto: MotoServer;

async function seedExtension(body: unknown): Promise<void> {
  const response = await fetch(`${moto.endpoint}/moto-ext/last-accessed`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

async function extensionCounters(): Promise<{ jobs: number; polls: number }> {
  const response = await fetch(`${moto.endpoint}/moto-ext/last-accessed`);
  return (await response.json()) as { jobs: number; polls: number };
}

beforeAll(async () => {
  moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  const inline = (action: string | string[], resource: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
    });
  const policies: Record<string, string> = {
    's3-wide': inline('s3:*', '*'),
    quiet: inline('dynamodb:GetItem', `arn:aws:dynamodb:us-east-1:${MOTO_ACCOUNT_ID}:table/orders`),
    failing: inline('sqs:SendMessage', `arn:aws:sqs:us-east-1:${MOTO_ACCOUNT_ID}:out`),
    young: inline('sns:Publish', `arn:aws:sns:us-east-1:${MOTO_ACCOUNT_ID}:alerts`),
  };
  for (const [name, document] of Object.entries(policies)) {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: BASIC_EXECUTION }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'app', PolicyDocument: document }));
    await createTinyFunction(lambda, { name: `${name}-fn`, role: arnOf(name) });
  }
  iam.destroy();
  lambda.destroy();
});

beforeEach(async () => {
  await seedExtension({
    inProgressPolls: 2,
    roles: SEEDS,
    roleCreateDates: { [ROLES.wide]: LONG_AGO, [ROLES.quiet]: LONG_AGO, [ROLES.failing]: LONG_AGO },
  });
});

afterAll(async () => {
  await moto?.stop();
});

async function collect(
  options: Partial<CollectOptions> = {},
  usage: Partial<NonNullable<CollectOptions['usage']>> = {},
  timeUpAfterPolls?: number,
) {
  const clients = createClients({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  const before = await extensionCounters();
  // The time runs out once the jobs have been polled a few times (the rest of the run is quick).
  const deadline = () =>
    (clients.callCounts()['iam:GetServiceLastAccessedDetails'] ?? 0) >= (timeUpAfterPolls ?? 0)
      ? 1_000
      : 600_000;
  const snapshot = await collectSnapshot({
    clients,
    regions: ['us-east-1'],
    usage: { days: 90, pollIntervalMs: 10, pageSize: 2, ...usage },
    ...(timeUpAfterPolls !== undefined ? { deadline, deadlineMarginMs: 30_000 } : {}),
    ...options,
  });
  const after = await extensionCounters();
  clients.iam.destroy();
  return {
    snapshot,
    calls: clients.callCounts(),
    served: { jobs: after.jobs - before.jobs, polls: after.polls - before.polls },
  };
}

describe('Last-accessed collection against moto (extended)', () => {
  it('generates an ACTION_LEVEL job per role old enough, waits for it, and reads every page', async () => {
    // act
    const { snapshot, calls, served } = await collect();

    // assess
    const usage = snapshot.usage!;
    expect([...usage.roles.keys()].sort()).toEqual([ROLES.wide, ROLES.quiet].sort());
    expect(usage.roles.get(ROLES.wide)).toMatchObject({
      granularity: 'ACTION_LEVEL',
      services: [
        {
          namespace: 's3',
          lastAuthenticated: '2026-11-24T10:00:00.000Z',
          trackedActions: [
            { action: 'CreateBucket' },
            { action: 'ListAllMyBuckets', lastAccessed: '2026-11-24T10:00:00.000Z' },
          ],
        },
        { namespace: 's3-object-lambda' },
        { namespace: 'logs' },
      ],
    });
    expect(usage.failures.get(ROLES.failing)).toEqual({
      code: 'LastAccessedJobFailed',
      message: 'the last-accessed job failed: InternalFailure: try again later',
    });
    expect(snapshot.errors).toContainEqual(
      expect.objectContaining({ arn: ROLES.failing, code: 'LastAccessedJobFailed' }),
    );
    // The young role (moto created it just now) needs no job: the usage rules skip it anyway.
    expect(usage.failures.has(ROLES.young)).toBe(false);
    // Three jobs; each polled twice in progress, then read in pages of two services.
    expect(calls['iam:GenerateServiceLastAccessedDetails']).toBe(3);
    expect(calls['iam:GetServiceLastAccessedDetails']).toBe(2 * 3 + 2 + 1 + 1);
    expect(served).toEqual({ jobs: 3, polls: 10 });
  });

  it('audits the roles with their usage: findings, a proven proposal, and a partial run for the failed job', async () => {
    // prepare
    const { snapshot } = await collect();

    // act
    const report = auditSnapshot(snapshot, { now: new Date('2026-11-26T00:00:00Z') });

    // assess
    const rules = (roleArn: string) =>
      report.findings
        .filter((finding) => finding.roleArn === roleArn)
        .map((finding) => finding.ruleId)
        .sort();
    expect(rules(ROLES.wide)).toEqual(['inline-policy', 'service-wildcard', 'unused-actions']);
    expect(rules(ROLES.quiet)).toEqual(['inline-policy', 'role-unused']);
    expect(rules(ROLES.young)).toEqual(['inline-policy']);
    expect(report.proposals?.map((proposal) => proposal.roleArn)).toEqual([ROLES.wide]);
    // s3:* does not reach s3-object-lambda: the report lists it, but nothing of it is granted to remove.
    expect(report.proposals?.[0]?.removed).toEqual({ services: [], actions: ['s3:CreateBucket'] });
    expect(report.status).toBe('partial');
    expect(report.partial?.notAudited).toEqual([ROLES.failing]);
    expect(report.usage).toEqual({ days: 90, roles: 2 });
  });

  it('gives up on jobs that stay in progress: their roles are not audited for usage, and the run says so', async () => {
    // prepare
    await seedExtension({ inProgressPolls: -1 });

    // act
    const { snapshot } = await collect({}, { jobTimeoutMs: 60 });
    const report = auditSnapshot(snapshot);

    // assess
    expect(snapshot.usage?.roles.size).toBe(0);
    expect(snapshot.usage?.failures.get(ROLES.wide)?.code).toBe('LastAccessedNotReady');
    expect(report.status).toBe('partial');
    expect(report.partial?.notAudited.sort()).toEqual([ROLES.failing, ROLES.quiet, ROLES.wide].sort());
  });

  it('stops waiting when the deadline comes: the roles are listed, not errors', async () => {
    // prepare: jobs never finish, and the time left drops under the margin while they are polled
    await seedExtension({ inProgressPolls: -1 });

    // act
    const { snapshot } = await collect({}, { pollIntervalMs: 20 }, 3);
    const report = auditSnapshot(snapshot);

    // assess
    expect(snapshot.usage?.failures.get(ROLES.wide)?.code).toBe('NotCollected');
    expect(snapshot.errors.filter((error) => error.code === 'NotCollected')).toEqual([]);
    expect(report.status).toBe('partial');
    expect(report.partial?.reason).toMatch(/no last-accessed data for 3 roles \(time limit/);
  });
});

describe('CLI: --usage against moto (extended)', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'lambda-role-auditor-usage-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** Runs the CLI as npm installs it (bundled from the current sources) against moto, as a user would. */
  async function runCli(args: string[]): Promise<CliRun> {
    return runPackagedCli(await packagedCli(), args, {
      env: { ...process.env, ...awsTestEnv(moto.endpoint) },
    });
  }

  it('collects live with --usage, saves last-accessed.json with --snapshot-out, and an offline re-audit agrees', async () => {
    // prepare
    await seedExtension({ inProgressPolls: 0 });
    const saved = join(scratch, 'snapshot');
    const proposals = join(scratch, 'proposals');

    // act
    const live = await runCli([
      'audit',
      '--region',
      'us-east-1',
      '--usage',
      '--format',
      'json',
      '--snapshot-out',
      saved,
      '--proposals-dir',
      proposals,
    ]);
    const again = await runCli([
      'audit',
      '--format',
      'json',
      '--auth-details',
      join(saved, 'auth-details.json'),
      '--functions',
      join(saved, 'functions.json'),
      '--last-accessed',
      join(saved, 'last-accessed.json'),
    ]);

    // assess
    expect(live.status, live.stderr).toBe(0);
    expect(live.stderr).toContain(`--last-accessed ${join(saved, 'last-accessed.json')}`);
    const liveReport = JSON.parse(live.stdout) as AuditReport;
    const offlineReport = JSON.parse(again.stdout) as AuditReport;
    const summary = (report: AuditReport) => ({
      status: report.status,
      findings: report.findings.map((finding) => `${finding.ruleId} ${finding.roleArn}`).sort(),
      proposals: report.proposals,
      usage: report.usage,
    });
    expect(summary(offlineReport)).toEqual(summary(liveReport));
    expect(liveReport.findings.some((finding) => finding.ruleId === 'unused-actions')).toBe(true);
    const written = JSON.parse(await readFile(join(proposals, 's3-wide.json'), 'utf8'));
    expect(written).toEqual(liveReport.proposals?.[0]?.policy);
  });
});
