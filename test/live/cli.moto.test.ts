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

/** What a finding is about: its role's ARN, or its function's ARN (version-qualified for a version). */
function subjectArn(finding: Finding): string {
  return finding.subject === 'role' ? finding.roleArn : finding.functionArn;
}

/** Rule ids per subject (role ARN or function ARN), sorted. */
function rulesBySubject(report: AuditReport): Record<string, string[]> {
  const rules: Record<string, string[]> = {};
  for (const finding of report.findings) {
    const subject = subjectArn(finding);
    rules[subject] = [...(rules[subject] ?? []), finding.ruleId];
  }
  for (const list of Object.values(rules)) list.sort();
  return rules;
}

/** The finding of a rule about a role or a function (by ARN). */
function findingOf(report: AuditReport, subject: string, ruleId: string): Finding {
  const finding = report.findings.find(
    (candidate) => subjectArn(candidate) === subject && candidate.ruleId === ruleId,
  );
  expect(finding, `${ruleId} on ${subject}`).toBeDefined();
  return finding as Finding;
}

/** The functions the report lists under a role. */
function functionsOf(report: AuditReport, roleArn: string): string[] | undefined {
  return report.roles.find((role) => role.roleArn === roleArn)?.functions;
}

/** What must survive a snapshot round trip, in a stable order. */
function comparableFindings(report: AuditReport) {
  return report.findings
    .map((finding) => ({
      id: finding.id,
      ruleId: finding.ruleId,
      severity: finding.severity,
      subject: subjectArn(finding),
      evidence: finding.evidence,
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
  it('reports every rule moto can express, each once on the right role or function', async () => {
    // act
    const { report } = await auditJson();

    // assess
    expect(report.account).toBe(MOTO_ACCOUNT_ID);
    expect(report.status).toBe('complete');
    expect(report.scope).toEqual({
      regions: [...LIVE_REGIONS],
      functions: null,
      minSeverity: null,
      full: true,
    });
    expect(rulesBySubject(report)).toEqual({
      [LIVE_ROLES.admin]: ['admin-access'],
      // A URL anyone may call, on the administrator role: critical, first in the fix plan.
      [LIVE_FUNCTIONS.admin]: ['function-url-public'],
      [LIVE_ROLES.escalator]: ['inline-policy', 'privilege-escalation'],
      [LIVE_ROLES.dynamoWildcard]: ['service-wildcard'],
      [LIVE_FUNCTIONS.dynamoWildcard]: ['invoke-service-unscoped'],
      [LIVE_ROLES.unscoped]: ['unscoped-read', 'unscoped-write'],
      [LIVE_FUNCTIONS.unscoped]: ['public-invoke'],
      [LIVE_FUNCTIONS.silent]: ['log-group-create-missing', 'logging-missing'],
      [LIVE_ROLES.notAction]: ['not-action-allow'],
      [LIVE_FUNCTIONS.notAction]: ['cross-account-invoke'],
      [LIVE_FUNCTIONS.canary]: ['secrets-in-environment'],
      // The version keeps the role it was published with; $LATEST's clean role has no finding.
      [LIVE_ROLES.releaseVersion1]: ['service-wildcard'],
      [LIVE_ROLES.partner]: ['role-unreadable'],
      [SEEDED_ROLES.ec2Trusted]: ['inline-policy', 'trust-not-lambda', 'trust-too-broad'],
      [LIVE_FUNCTIONS.legacyWorker]: ['log-group-create-missing'],
      [SEEDED_ROLES.deleted]: ['role-missing'],
      // One finding for the role shared by three functions in two regions.
      [SEEDED_ROLES.ordersReader]: ['role-shared'],
      // The boundary limits AdministratorAccess to logs:* and dynamodb:*.
      [SEEDED_ROLES.admin]: ['inline-policy', 'service-wildcard'],
      [LIVE_FUNCTIONS.paymentsApi]: ['secrets-in-environment'],
    });
    expect(new Set(report.findings.map((finding) => finding.ruleId))).toEqual(
      // The usage rules need last-accessed data: test/collect/last-accessed.moto.test.ts runs them live.
      new Set(RULES.filter((rule) => !rule.meta.requiresUsage).map((rule) => rule.meta.id)),
    );
    // Each function once under its role: a version only where it runs as a role of its own.
    expect(functionsOf(report, SEEDED_ROLES.ordersReader)).toEqual([
      LIVE_FUNCTIONS.ordersA,
      LIVE_FUNCTIONS.ordersB,
      LIVE_FUNCTIONS.ordersWest,
    ]);
    expect(functionsOf(report, SEEDED_ROLES.admin)).toEqual([LIVE_FUNCTIONS.paymentsApi]);
    expect(functionsOf(report, LIVE_ROLES.releaseVersion1)).toEqual([LIVE_FUNCTIONS.releaseVersion1]);
    expect(functionsOf(report, LIVE_ROLES.releaseLatest)).toEqual([LIVE_FUNCTIONS.release]);
    expect(findingOf(report, SEEDED_ROLES.ordersReader, 'role-shared')).toMatchObject({ functionCount: 3 });
    // 16 functions: the three published versions are not counted as functions of their own.
    expect(report.summary).toMatchObject({
      functions: 16,
      roles: 15,
      findings: { critical: 3, high: 10, medium: 4, low: 4, info: 4 },
      functionsAffected: { critical: 2, high: 8, medium: 1, low: 3, info: 1 },
      muted: 0,
      errors: 1,
    });
  });

  it('gives each finding the evidence that explains it', async () => {
    // act
    const { report } = await auditJson();

    // assess
    expect(findingOf(report, LIVE_ROLES.admin, 'admin-access')).toMatchObject({
      subject: 'role',
      severity: 'critical',
      functionCount: 1,
      evidence: [{ policy: 'arn:aws:iam::aws:policy/AdministratorAccess', actions: ['*'], resources: ['*'] }],
    });
    expect(findingOf(report, LIVE_ROLES.escalator, 'privilege-escalation').evidence).toEqual([
      expect.objectContaining({
        actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
        resources: ['*'],
      }),
    ]);
    expect(findingOf(report, LIVE_ROLES.dynamoWildcard, 'service-wildcard').evidence).toEqual([
      expect.objectContaining({ services: ['dynamodb'] }),
    ]);
    expect(findingOf(report, LIVE_ROLES.unscoped, 'unscoped-write').evidence[0]?.matchedActions).toEqual([
      's3:PutObject',
    ]);
    expect(findingOf(report, LIVE_ROLES.unscoped, 'unscoped-read').evidence[0]?.matchedActions).toEqual([
      's3:GetObject',
    ]);
    expect(findingOf(report, SEEDED_ROLES.ec2Trusted, 'trust-too-broad')).toMatchObject({
      severity: 'high',
      evidence: [{ principals: ['Service:ec2.amazonaws.com'] }],
    });
    expect(findingOf(report, SEEDED_ROLES.deleted, 'role-missing')).toMatchObject({
      message: expect.stringContaining('its function (orphan) cannot run'),
      evidence: [expect.objectContaining({ resources: [SEEDED_ROLES.deleted] })],
    });
    expect(findingOf(report, LIVE_ROLES.releaseVersion1, 'service-wildcard').evidence).toEqual([
      expect.objectContaining({ services: ['s3'] }),
    ]);
    expect(findingOf(report, SEEDED_ROLES.ordersReader, 'role-shared').evidence).toEqual([
      { resources: [SEEDED_ROLES.ordersReader], functions: ['orders-a', 'orders-b', 'orders-west'] },
    ]);
    expect(
      findingOf(report, LIVE_FUNCTIONS.canary, 'secrets-in-environment').evidence.flatMap(
        (evidence) => evidence.variables,
      ),
    ).toEqual(['DB_PASSWORD', 'LEGACY_UPLOADER_ID']);
    expect(findingOf(report, LIVE_FUNCTIONS.canary, 'secrets-in-environment')).toMatchObject({
      subject: 'function',
      functionName: 'live-canary',
      region: 'us-east-1',
      roleArn: LIVE_ROLES.canary,
    });
    expect(findingOf(report, LIVE_ROLES.partner, 'role-unreadable').evidence[0]?.detail).toMatch(
      /^CrossAccount: /,
    );
    expect(report.errors).toEqual([
      expect.objectContaining({ scope: 'role', arn: LIVE_ROLES.partner, code: 'CrossAccount' }),
    ]);
  });

  it('publishes the report to SNS: subject, attributes, the JSON report once for SQS, digest for email', async () => {
    // prepare
    const { topicArn, enveloped, raw } = await topicWithQueues('audit-publish');

    // act
    const { run, report } = await auditJson('--publish', topicArn);

    // assess
    expect(run.stderr).toContain(`report published to ${topicArn}`);
    const total = Object.values(report.summary.findings).reduce((sum, count) => sum + count, 0);
    expect(total).toBe(25);
    const [envelopedMessage, ...moreEnveloped] = await drainQueue(sqs, enveloped.url);
    expect(moreEnveloped).toEqual([]);
    const envelope = JSON.parse(envelopedMessage?.Body ?? '{}') as SnsEnvelope;
    expect(envelope.Type).toBe('Notification');
    expect(envelope.Subject.length).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
    expect(envelope.Subject).toMatch(/^[\x20-\x7e]+$/);
    // The subject counts roles to fix, by their worst severity.
    expect(envelope.Subject).toBe(
      `lambda-role-auditor ${MOTO_ACCOUNT_ID}: 13 roles to fix (2 critical, 8 high, 1 medium, 1 low, 1 info)`,
    );
    expect(envelope.MessageAttributes).toEqual({
      status: { Type: 'String', Value: 'complete' },
      severity: { Type: 'String', Value: 'critical' },
      findings: { Type: 'Number', Value: String(total) },
      // No archive to compare with: every finding is new to a subscriber.
      new: { Type: 'Number', Value: String(total) },
      account: { Type: 'String', Value: MOTO_ACCOUNT_ID },
    });
    // moto delivers the `default` key of the JSON message to SQS: the report, not the digest.
    const published = JSON.parse(envelope.Message) as AuditReport;
    expect(published.schemaVersion).toBe(2);
    expect(published.findings.map((finding) => finding.id)).toEqual(
      report.findings.map((finding) => finding.id),
    );
    expect(published).toEqual(report);

    const [rawMessage, ...moreRaw] = await drainQueue(sqs, raw.url);
    expect(moreRaw).toEqual([]);
    expect(JSON.parse(rawMessage?.Body ?? '{}')).toEqual(report);
    expect(rawMessage?.MessageAttributes).toEqual({
      status: { DataType: 'String', StringValue: 'complete' },
      severity: { DataType: 'String', StringValue: 'critical' },
      findings: { DataType: 'Number', StringValue: String(total) },
      new: { DataType: 'Number', StringValue: String(total) },
      account: { DataType: 'String', StringValue: MOTO_ACCOUNT_ID },
    });

    // moto delivers nothing to email subscribers: the digest is checked on the message as built,
    // which is byte for byte the published one (same subject, same `default` key).
    const built = buildMessage(report);
    const protocols = JSON.parse(built.message) as Record<string, string>;
    expect(Object.keys(protocols).sort()).toEqual(['default', 'email']);
    expect(built.subject).toBe(envelope.Subject);
    expect(protocols.default).toBe(envelope.Message);
    expect(protocols.email).toBe(renderReport(report, 'text'));
    // The digest is a fix plan: roles first, the worst one with its problems and the one step to take
    // first (its URL is open to the internet: close it, then fix the role).
    expect(protocols.email).toMatch(
      /Fix first\n-+\n\n1\. CRITICAL live-admin\n {3}1 function: live-admin\n {3}- critical admin-access: [^\n]+\n {3}- critical function-url-public: live-admin\n {3}Fix: Close the URL/,
    );
  });

  it('archives every run under its own key; only full complete runs replace the baseline, and scoped runs see nothing new or resolved', async () => {
    // prepare
    const bucket = 'audit-scopes';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const prefix = `reports/${MOTO_ACCOUNT_ID}/`;
    const latest = async () => JSON.parse((await bucketObjects(bucket)).get(`${prefix}latest.json`) ?? '{}');

    // act
    const first = await auditJson('--report-bucket', bucket);
    const latestAfterFirst = await latest();
    // orders-a alone leaves its role unshared in this run: role-shared is absent, not fixed.
    const byName = await auditJson(
      '--report-bucket',
      bucket,
      '--function',
      'live-*',
      '--function',
      'orders-a*',
    );
    const latestAfterScoped = await latest();
    const last = await auditJson('--report-bucket', bucket);

    // assess
    expect(first.report.summary.new).toBeUndefined();
    expect(first.run.stderr).toContain(`report archived: ${first.report.location} (the new baseline)`);
    expect(latestAfterFirst).toEqual(first.report);

    expect(byName.report.scope).toMatchObject({ functions: ['live-*', 'orders-a*'], full: false });
    expect(byName.report.roles.find((role) => role.roleArn === SEEDED_ROLES.ordersReader)?.functions).toEqual(
      [LIVE_FUNCTIONS.ordersA],
    );
    expect(byName.report.findings.map((finding) => finding.ruleId)).not.toContain('role-shared');
    expect(byName.report.summary).toMatchObject({ new: 0, resolved: 0 });
    expect(byName.report.resolved).toEqual([]);
    expect(byName.report.findings.every((finding) => finding.status === 'unchanged')).toBe(true);
    expect(byName.run.stderr).toContain(
      `report archived: ${byName.report.location} (not a baseline: scoped or incomplete run)`,
    );
    expect(latestAfterScoped).toEqual(first.report);

    expect(last.report.summary).toMatchObject({ new: 0, resolved: 0 });
    expect(last.report.findings.map((finding) => finding.id)).toEqual(
      first.report.findings.map((finding) => finding.id),
    );
    expect(await latest()).toEqual(last.report);

    const runKeys = [first, byName, last].map((run) => run.report.location!.slice(`s3://${bucket}/`.length));
    for (const key of runKeys)
      expect(key).toMatch(/^reports\/\d{12}\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f-]{36}\.json$/);
    // Each run's JSON report has its HTML page beside it.
    expect([...(await bucketObjects(bucket)).keys()].sort()).toEqual(
      [
        ...runKeys,
        ...runKeys.map((key) => key.replace(/\.json$/, '.html')),
        `${prefix}latest.json`,
        `cache/${MOTO_ACCOUNT_ID}/resource-policies.json`,
      ].sort(),
    );
  });

  it('resolves a role finding once the role is fixed, whatever functions use it', async () => {
    // prepare
    const bucket = 'audit-archive';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const before = await auditJson('--report-bucket', bucket);

    try {
      // act
      await fixAdminRole(moto.endpoint);
      const after = await auditJson('--report-bucket', bucket);

      // assess
      const admin = findingOf(before.report, LIVE_ROLES.admin, 'admin-access');
      expect(after.report.resolved).toEqual([
        {
          id: admin.id,
          ruleId: 'admin-access',
          subject: 'role',
          severity: 'critical',
          roleArn: LIVE_ROLES.admin,
          title: admin.title,
        },
      ]);
      expect(after.report.summary).toMatchObject({ new: 0, resolved: 1 });
      expect(rulesBySubject(after.report)[LIVE_ROLES.admin]).toBeUndefined();
      expect(after.run.stderr).toContain(`report archived: ${after.report.location} (the new baseline)`);
    } finally {
      await fixAdminRole(moto.endpoint, false);
    }
  });

  it('still prints the report when the report bucket does not exist, and exits 3 saying so', async () => {
    // act
    const run = await runCli([
      'audit',
      ...REGION_ARGUMENTS,
      '--format',
      'json',
      '--fail-on',
      'critical',
      '--report-bucket',
      'no-such-report-bucket',
    ]);

    // assess
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.findings.map((finding) => finding.ruleId)).toContain('admin-access');
    expect(report.location).toBeUndefined();
    // Its suppressions could not be read either: the report says so rather than audit as if there were none.
    expect(report.errors).toContainEqual(
      expect.objectContaining({ scope: 'config', code: 'SuppressionsUnreadable' }),
    );
    expect(run.stderr).toMatch(
      /^lambda-role-auditor: delivery failed: Writing s3:\/\/no-such-report-bucket\/reports\/.*NoSuchBucket.*\n$/m,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
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
        '--resource-policies',
        join(directory, 'resource-policies.json'),
        '--format',
        'json',
      ]);

      // assess
      expect(live.run.stderr).toContain(
        `snapshot saved: --auth-details ${join(directory, 'auth-details.json')} --functions ${join(directory, 'functions.json')} --resource-policies ${join(directory, 'resource-policies.json')}`,
      );
      expect(offline.status, offline.stderr).toBe(0);
      const offlineReport = JSON.parse(offline.stdout) as AuditReport;
      expect(comparableFindings(offlineReport)).toEqual(comparableFindings(live.report));
      expect(offlineReport.findings).toHaveLength(25);
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
    expect((JSON.parse(failing.stdout) as AuditReport).summary.findings.critical).toBe(3);
    expect(passing.status, passing.stderr).toBe(0);
    expect((JSON.parse(passing.stdout) as AuditReport).findings).toEqual([]);
  });

  it('writes nothing on stderr for a clean run: no AWS SDK warning about the Node version', async () => {
    // act
    const run = await runCli(
      ['audit', ...REGION_ARGUMENTS, '--format', 'json', '--function', 'live-clean'],
      liveEnvironment({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined }),
    );

    // assess
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
    expect(run.stderr).toBe('');
  });

  it('exits 2 naming a --function glob that matches no listed function', async () => {
    // act
    const run = await runCli([
      'audit',
      ...REGION_ARGUMENTS,
      '--format',
      'json',
      '--function',
      'live-admin',
      '--function',
      'live-admn*',
    ]);

    // assess
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('lambda-role-auditor: no function matches --function "live-admn*"; see --help\n');
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
      expected: {
        'iam:GetAccountAuthorizationDetails': 1,
        'lambda:GetPolicy': 19,
        'lambda:ListFunctionUrlConfigs': 1,
        'lambda:ListFunctions': 2,
      },
    },
    {
      // 14 roles of the account (one deleted), 9 managed policies, 3 inline policies: each read once.
      // Who may invoke: every function and version once, the URLs of the one policy that mentions them.
      collection: 'per-role',
      expected: {
        'iam:GetPolicy': 9,
        'iam:GetPolicyVersion': 9,
        'iam:GetRole': 14,
        'iam:GetRolePolicy': 3,
        'iam:ListAttachedRolePolicies': 13,
        'iam:ListRolePolicies': 13,
        'lambda:GetPolicy': 19,
        'lambda:ListFunctionUrlConfigs': 1,
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
