import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/collect/clients.js';
import { type CollectionStrategy, collectSnapshot } from '../../src/collect/collect.js';
import type { AuditReport, Finding } from '../../src/model/report.js';
import { buildMessage, SUBJECT_MAX_LENGTH } from '../../src/publish/sns.js';
import { renderReport } from '../../src/report/render.js';
import { RULES } from '../../src/rules/index.js';
import {
  awsTestEnv,
  MOTO_ACCOUNT_ID,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
} from '../../tools/moto.js';
import { drainQueue, subscribeQueue } from '../../tools/sqs.js';
import { SEEDED_ROLES, SEEDED_SECRET_VALUE } from '../collect/seed.js';
import { type CliRun, packagedCli, runPackagedCli } from '../support/packaged-cli.js';
import {
  CANARY_ACCESS_KEY_ID,
  CANARY_PASSWORD,
  fixAdminRole,
  LIVE_FUNCTIONS,
  LIVE_REGIONS,
  LIVE_ROLES,
  seedLiveAccount,
} from './seed-account.js';

const REGION_ARGUMENTS = LIVE_REGIONS.flatMap((region) => ['--region', region]);
/** Every plaintext value seeded into an environment variable of the account. */
const SECRET_VALUES = [CANARY_PASSWORD, CANARY_ACCESS_KEY_ID, SEEDED_SECRET_VALUE];

let moto: MotoServer;
let scratch: string;
let sns: SNSClient;
let sqs: SQSClient;
let s3: S3Client;
/** Every CLI run of this file: none of them may print a secret value. */
const transcripts: CliRun[] = [];

beforeAll(async () => {
  const building = packagedCli();
  moto = await startMoto();
  await seedLiveAccount(moto.endpoint);
  await building;
  scratch = await mkdtemp(join(tmpdir(), 'lambda-role-auditor-live-'));
  const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
});

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  s3?.destroy();
  await moto?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The environment of a CLI run against moto; `undefined` removes a variable. */
function liveEnvironment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...awsTestEnv(moto.endpoint), NO_COLOR: '1' };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete environment[name];
    else environment[name] = value;
  }
  return environment;
}

/** Runs the packaged CLI (`node bin/lambda-role-auditor …`, bundled) from the repository root, as a user would. */
async function runCli(args: string[], environment: NodeJS.ProcessEnv = liveEnvironment()): Promise<CliRun> {
  const run = await runPackagedCli(await packagedCli(), args, { env: environment });
  transcripts.push(run);
  return run;
}

/** A live `--format json` audit of the seeded regions; the run must succeed. */
async function auditJson(...args: string[]): Promise<{ run: CliRun; report: AuditReport }> {
  const run = await runCli(['audit', ...REGION_ARGUMENTS, '--format', 'json', ...args]);
  expect(run.status, run.stderr).toBe(0);
  return { run, report: JSON.parse(run.stdout) as AuditReport };
}

/** Rule ids per function ARN (version-qualified for a version's own findings), sorted. */
function rulesByFunction(report: AuditReport): Record<string, string[]> {
  const rules: Record<string, string[]> = {};
  for (const finding of report.findings) {
    rules[finding.functionArn] = [...(rules[finding.functionArn] ?? []), finding.ruleId];
  }
  for (const list of Object.values(rules)) list.sort();
  return rules;
}

function findingOf(report: AuditReport, functionArn: string, ruleId: string): Finding {
  const finding = report.findings.find(
    (candidate) => candidate.functionArn === functionArn && candidate.ruleId === ruleId,
  );
  expect(finding, `${ruleId} on ${functionArn}`).toBeDefined();
  return finding as Finding;
}

/** What must survive a snapshot round trip, in a stable order. */
function comparableFindings(report: AuditReport) {
  return report.findings
    .map(({ id, ruleId, severity, functionArn, evidence }) => ({
      id,
      ruleId,
      severity,
      functionArn,
      evidence,
    }))
    .sort((left, right) => left.id.localeCompare(right.id));
}

/** A topic with one SQS subscriber receiving the SNS envelope and one with raw message delivery. */
async function topicWithQueues(name: string) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const topicArn = TopicArn as string;
  const enveloped = await subscribeQueue(sns, sqs, topicArn, `${name}-enveloped`);
  const raw = await subscribeQueue(sns, sqs, topicArn, `${name}-raw`, { raw: true });
  return { topicArn, enveloped, raw };
}

/** Every object of a bucket, key and body. */
async function bucketObjects(bucket: string): Promise<Map<string, string>> {
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const objects = new Map<string, string>();
  for (const { Key } of Contents ?? []) {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
    objects.set(Key as string, (await Body?.transformToString('utf-8')) ?? '');
  }
  return objects;
}

/** Every file under a folder, path and content. */
async function filesUnder(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, await readFile(path, 'utf8'));
  }
  return files;
}

function expectNoSecretValue(where: string, text: string): void {
  for (const value of SECRET_VALUES) expect(text, `${where} contains a secret value`).not.toContain(value);
}

interface SnsEnvelope {
  Type: string;
  Subject: string;
  Message: string;
  MessageAttributes: Record<string, { Type: string; Value: string }>;
}

describe('lambda-role-auditor audit, live against moto', () => {
  it('reports every rule moto can express, each on the right function', async () => {
    // act
    const { report } = await auditJson();

    // assess
    expect(report.account).toBe(MOTO_ACCOUNT_ID);
    expect(report.regions).toEqual([...LIVE_REGIONS]);
    expect(rulesByFunction(report)).toEqual({
      [LIVE_FUNCTIONS.admin]: ['admin-access'],
      [LIVE_FUNCTIONS.escalator]: ['inline-policy', 'privilege-escalation'],
      [LIVE_FUNCTIONS.dynamoWildcard]: ['service-wildcard'],
      [LIVE_FUNCTIONS.unscoped]: ['unscoped-read', 'unscoped-write'],
      [LIVE_FUNCTIONS.silent]: ['log-group-create-missing', 'logging-missing'],
      [LIVE_FUNCTIONS.notAction]: ['not-action-allow'],
      [LIVE_FUNCTIONS.canary]: ['secrets-in-environment'],
      // The version keeps the role it was published with; $LATEST (clean role) has no finding.
      [LIVE_FUNCTIONS.releaseVersion1]: ['service-wildcard'],
      [LIVE_FUNCTIONS.partner]: ['role-unreadable'],
      [LIVE_FUNCTIONS.legacyWorker]: [
        'inline-policy',
        'log-group-create-missing',
        'trust-not-lambda',
        'trust-too-broad',
      ],
      [LIVE_FUNCTIONS.orphan]: ['role-missing'],
      [LIVE_FUNCTIONS.ordersA]: ['role-shared'],
      [LIVE_FUNCTIONS.ordersB]: ['role-shared'],
      [LIVE_FUNCTIONS.ordersWest]: ['role-shared'],
      // The boundary limits AdministratorAccess to logs:* and dynamodb:*.
      [LIVE_FUNCTIONS.paymentsApi]: ['inline-policy', 'secrets-in-environment', 'service-wildcard'],
    });
    expect(new Set(report.findings.map((finding) => finding.ruleId))).toEqual(
      new Set(RULES.map((rule) => rule.meta.id)),
    );
    // 16 functions: the three published versions are not counted as functions of their own.
    expect(report.summary).toMatchObject({
      functions: 16,
      findings: { critical: 2, high: 9, medium: 3, low: 5, info: 4 },
      muted: 0,
      errors: 1,
    });
  });

  it('gives each finding the evidence that explains it', async () => {
    // act
    const { report } = await auditJson();

    // assess
    expect(findingOf(report, LIVE_FUNCTIONS.admin, 'admin-access')).toMatchObject({
      severity: 'critical',
      roleArn: LIVE_ROLES.admin,
      evidence: [{ policy: 'arn:aws:iam::aws:policy/AdministratorAccess', actions: ['*'], resources: ['*'] }],
    });
    expect(findingOf(report, LIVE_FUNCTIONS.escalator, 'privilege-escalation').evidence).toEqual([
      expect.objectContaining({ actions: ['iam:PassRole', 'lambda:CreateFunction'], resources: ['*'] }),
    ]);
    expect(findingOf(report, LIVE_FUNCTIONS.dynamoWildcard, 'service-wildcard').evidence).toEqual([
      expect.objectContaining({ services: ['dynamodb'] }),
    ]);
    expect(findingOf(report, LIVE_FUNCTIONS.unscoped, 'unscoped-write').evidence[0]?.matchedActions).toEqual([
      's3:PutObject',
    ]);
    expect(findingOf(report, LIVE_FUNCTIONS.unscoped, 'unscoped-read').evidence[0]?.matchedActions).toEqual([
      's3:GetObject',
    ]);
    expect(findingOf(report, LIVE_FUNCTIONS.legacyWorker, 'trust-too-broad')).toMatchObject({
      severity: 'high',
      evidence: [{ principals: ['Service:ec2.amazonaws.com'] }],
    });
    expect(findingOf(report, LIVE_FUNCTIONS.orphan, 'role-missing').roleArn).toBe(SEEDED_ROLES.deleted);
    expect(findingOf(report, LIVE_FUNCTIONS.releaseVersion1, 'service-wildcard')).toMatchObject({
      roleArn: LIVE_ROLES.releaseVersion1,
      evidence: [{ services: ['s3'] }],
    });
    expect(
      findingOf(report, LIVE_FUNCTIONS.canary, 'secrets-in-environment').evidence.flatMap(
        (evidence) => evidence.variables,
      ),
    ).toEqual(['DB_PASSWORD', 'LEGACY_UPLOADER_ID']);
    expect(findingOf(report, LIVE_FUNCTIONS.partner, 'role-unreadable').roleArn).toBe(LIVE_ROLES.partner);
    expect(report.errors).toEqual([
      expect.objectContaining({ scope: 'role', arn: LIVE_ROLES.partner, code: 'CrossAccount' }),
    ]);
  });

  it('publishes the report to SNS: subject, attributes, JSON for SQS, digest for email', async () => {
    // prepare
    const { topicArn, enveloped, raw } = await topicWithQueues('audit-publish');

    // act
    const { run, report } = await auditJson('--publish', topicArn);

    // assess
    expect(run.stderr).toContain(`report published to ${topicArn}`);
    const total = Object.values(report.summary.findings).reduce((sum, count) => sum + count, 0);
    const [envelopedMessage, ...moreEnveloped] = await drainQueue(sqs, enveloped.url);
    expect(moreEnveloped).toEqual([]);
    const envelope = JSON.parse(envelopedMessage?.Body ?? '{}') as SnsEnvelope;
    expect(envelope.Type).toBe('Notification');
    expect(envelope.Subject.length).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
    expect(envelope.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(envelope.Subject).toBe(
      `lambda-role-auditor ${MOTO_ACCOUNT_ID}: 2 critical, 9 high, 3 medium, 5 low, 4 info (1 error)`,
    );
    expect(envelope.MessageAttributes).toEqual({
      severity: { Type: 'String', Value: 'critical' },
      findings: { Type: 'Number', Value: String(total) },
      // No archive to compare with: every finding is new to a subscriber.
      new: { Type: 'Number', Value: String(total) },
      account: { Type: 'String', Value: MOTO_ACCOUNT_ID },
    });
    // moto hands each protocol its own key of the JSON envelope: SQS gets the report, not the digest.
    const published = JSON.parse(envelope.Message) as AuditReport;
    expect(published.schemaVersion).toBe(1);
    expect(published.findings.map((finding) => finding.id)).toEqual(
      report.findings.map((finding) => finding.id),
    );
    expect(published).toEqual(report);

    const [rawMessage, ...moreRaw] = await drainQueue(sqs, raw.url);
    expect(moreRaw).toEqual([]);
    expect(JSON.parse(rawMessage?.Body ?? '{}')).toEqual(report);
    expect(rawMessage?.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      findings: { DataType: 'Number', StringValue: String(total) },
      new: { DataType: 'Number', StringValue: String(total) },
      account: { DataType: 'String', StringValue: MOTO_ACCOUNT_ID },
    });

    // moto delivers nothing to email subscribers: the digest is checked on the message as built,
    // which is byte for byte the published one (same subject, same `sqs` key).
    const built = buildMessage(report);
    const protocols = JSON.parse(built.message) as Record<string, string>;
    expect(built.subject).toBe(envelope.Subject);
    expect(protocols.sqs).toBe(envelope.Message);
    expect(protocols.email).toBe(protocols.default);
    expect(protocols.default).toBe(renderReport(report, 'text'));
    expect(protocols.default).toContain(`lambda-role-auditor ${MOTO_ACCOUNT_ID}: 2 critical, 9 high`);
    expect(protocols.default).toContain('live-admin');
    // The digest groups findings by function and gives each its remediation.
    expect(protocols.default).toMatch(
      /live-admin \(us-east-1\)\n[\s\S]*?\[critical\] admin-access: [\s\S]*?Remediation: /,
    );
  });

  it('archives each run in the report bucket and compares it with the previous one', async () => {
    // prepare
    const bucket = 'audit-archive';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const first = await auditJson('--report-bucket', bucket);

    try {
      // act
      const second = await auditJson('--report-bucket', bucket);
      await fixAdminRole(moto.endpoint);
      const third = await auditJson('--report-bucket', bucket);

      // assess
      // Nothing to compare the first run with: no status, no new count.
      expect(first.report.findings.filter((finding) => finding.status !== undefined)).toEqual([]);
      expect(first.report.summary.new).toBeUndefined();
      expect(second.report.summary.new).toBe(0);
      expect(second.report.findings.map((finding) => finding.status)).toEqual(
        first.report.findings.map(() => 'unchanged'),
      );
      expect(second.report.findings.map((finding) => finding.id)).toEqual(
        first.report.findings.map((finding) => finding.id),
      );

      const admin = findingOf(first.report, LIVE_FUNCTIONS.admin, 'admin-access');
      expect(third.report.resolved).toEqual([
        expect.objectContaining({ id: admin.id, ruleId: 'admin-access', functionName: 'live-admin' }),
      ]);
      expect(third.report.summary.resolved).toBeGreaterThanOrEqual(1);
      expect(third.report.summary.new).toBe(0);
      expect(rulesByFunction(third.report)[LIVE_FUNCTIONS.admin]).toBeUndefined();

      const prefix = `reports/${MOTO_ACCOUNT_ID}/`;
      const objects = await bucketObjects(bucket);
      const timestamped = [...objects.keys()].filter((key) =>
        /^reports\/\d{12}\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/.test(key),
      );
      expect(timestamped.length).toBeGreaterThanOrEqual(1);
      expect(third.report.location).toMatch(new RegExp(`^s3://${bucket}/${prefix}`));
      expect(timestamped.map((key) => `s3://${bucket}/${key}`)).toContain(third.report.location);
      expect(third.run.stderr).toContain(`report archived: ${third.report.location}`);
      expect(JSON.parse(objects.get(`${prefix}latest.json`) ?? '{}')).toEqual(third.report);
    } finally {
      await fixAdminRole(moto.endpoint, false);
    }
  });

  it.each<CollectionStrategy>(['bulk', 'per-role'])(
    'gives the same findings offline from a snapshot saved in %s mode',
    async (collection) => {
      // prepare
      const directory = join(scratch, `snapshot-${collection}`);
      const live = await auditJson('--collection', collection, '--snapshot-out', directory);

      // act
      const offline = await runCli([
        'audit',
        '--auth-details',
        join(directory, 'auth-details.json'),
        '--functions',
        join(directory, 'functions.json'),
        '--format',
        'json',
      ]);

      // assess
      expect(live.run.stderr).toContain(
        `snapshot saved: --auth-details ${join(directory, 'auth-details.json')}`,
      );
      expect(offline.status, offline.stderr).toBe(0);
      const offlineReport = JSON.parse(offline.stdout) as AuditReport;
      expect(comparableFindings(offlineReport)).toEqual(comparableFindings(live.report));
      expect(offlineReport.findings).toHaveLength(23);
      expect(offlineReport.errors).toEqual(live.report.errors);
      expect(offlineReport.account).toBe(MOTO_ACCOUNT_ID);
    },
  );

  it('exits 1 when a finding is at or above --fail-on, 0 when none is', async () => {
    // act
    const [failing, passing] = await Promise.all([
      runCli(['audit', ...REGION_ARGUMENTS, '--format', 'json', '--fail-on', 'critical']),
      runCli([
        'audit',
        ...REGION_ARGUMENTS,
        '--format',
        'json',
        '--fail-on',
        'info',
        '--function',
        'live-clean',
      ]),
    ]);

    // assess
    expect(failing.status, failing.stderr).toBe(1);
    expect((JSON.parse(failing.stdout) as AuditReport).summary.findings.critical).toBe(2);
    expect(passing.status, passing.stderr).toBe(0);
    expect((JSON.parse(passing.stdout) as AuditReport).findings).toEqual([]);
  });

  it('exits 2 with a clear message when no region is configured', async () => {
    // act
    const run = await runCli(
      ['audit', '--format', 'json'],
      liveEnvironment({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }),
    );

    // assess
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no region: pass --region REGION (or all), or set AWS_REGION');
  });

  it('exits 2 with a clear message when no credentials can be found', async () => {
    // prepare: no keys, no profile files, no instance metadata
    const environment = liveEnvironment({
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
      AWS_CONFIG_FILE: join(scratch, 'no-config'),
    });

    // act
    const run = await runCli(
      ['audit', ...REGION_ARGUMENTS, '--format', 'json', '--fail-on', 'high'],
      environment,
    );

    // assess
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/credentials/i);
    expect(run.status).toBe(2);
  });

  it('never lets a secret value out: streams of every format, SNS messages, archive, snapshot files', async () => {
    // prepare
    // The values really are in the account, and the key-shaped one has the shape of an access key id.
    const lambda = new LambdaClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    const { Environment } = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'live-canary' }),
    );
    lambda.destroy();
    expect(Environment?.Variables).toMatchObject({
      DB_PASSWORD: CANARY_PASSWORD,
      LEGACY_UPLOADER_ID: CANARY_ACCESS_KEY_ID,
    });
    expect(CANARY_ACCESS_KEY_ID).toMatch(/^(AKIA|ASIA)[A-Z0-9]{16}$/);
    const { topicArn, enveloped, raw } = await topicWithQueues('audit-secrets');
    const bucket = 'audit-secrets';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const formats = ['table', 'text', 'json', 'markdown'];

    // act
    const runs = await Promise.all(
      formats.map((format) =>
        runCli([
          'audit',
          ...REGION_ARGUMENTS,
          '--format',
          format,
          '--publish',
          topicArn,
          '--report-bucket',
          bucket,
          '--snapshot-out',
          join(scratch, `secrets-${format}`),
        ]),
      ),
    );

    // assess: the secret findings are there, by variable name only
    for (const run of runs) {
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('live-canary');
      expect(run.stdout).toContain('DB_PASSWORD');
      expect(run.stdout).toContain('LEGACY_UPLOADER_ID');
    }
    const messages = [...(await drainQueue(sqs, enveloped.url)), ...(await drainQueue(sqs, raw.url))];
    expect(messages).toHaveLength(2 * formats.length);
    const objects = await bucketObjects(bucket);
    expect(objects.size).toBeGreaterThanOrEqual(2);
    const snapshotFiles = await filesUnder(scratch);
    expect(snapshotFiles.size).toBeGreaterThanOrEqual(2 * formats.length);
    const functionsFile = snapshotFiles.get(join(scratch, 'secrets-json', 'functions.json')) ?? '';
    expect(functionsFile).toContain('"DB_PASSWORD"');

    // assess: and their values nowhere
    for (const run of transcripts) {
      expectNoSecretValue(`stdout of ${run.args.join(' ')}`, run.stdout);
      expectNoSecretValue(`stderr of ${run.args.join(' ')}`, run.stderr);
    }
    for (const message of messages) {
      expectNoSecretValue('an SQS message', JSON.stringify(message));
      const body = JSON.parse(message.Body ?? '{}') as SnsEnvelope | AuditReport;
      const report = ('Type' in body ? JSON.parse(body.Message) : body) as AuditReport;
      const digest = (JSON.parse(buildMessage(report).message) as Record<string, string>).email;
      expectNoSecretValue('the email digest', digest ?? '');
    }
    for (const [key, body] of objects) expectNoSecretValue(`s3://${bucket}/${key}`, body);
    for (const [path, content] of snapshotFiles) expectNoSecretValue(path, content);
  });
});

describe('collection calls for the live account', () => {
  it.each<{ collection: CollectionStrategy; expected: Record<string, number> }>([
    {
      collection: 'bulk',
      expected: { 'iam:GetAccountAuthorizationDetails': 1, 'lambda:ListFunctions': 2 },
    },
    {
      // 14 roles of the account (one deleted), 9 managed policies, 3 inline policies: each read once.
      collection: 'per-role',
      expected: {
        'iam:GetPolicy': 9,
        'iam:GetPolicyVersion': 9,
        'iam:GetRole': 14,
        'iam:GetRolePolicy': 3,
        'iam:ListAttachedRolePolicies': 13,
        'iam:ListRolePolicies': 13,
        'lambda:ListFunctions': 2,
      },
    },
  ])('makes the expected calls in $collection mode', async ({ collection, expected }) => {
    // prepare
    const clients = createClients({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: [...LIVE_REGIONS], collection });

    // assess
    expect(snapshot.functions).toHaveLength(19);
    expect(clients.callCounts()).toEqual(expected);
  });
});
