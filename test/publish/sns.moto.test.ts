import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { type Message, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compareReports } from '../../src/audit/diff.js';
import type { AuditReport, SeverityCounts } from '../../src/model/report.js';
import { archiveReport, readLatestReport, readSuppressionsFile } from '../../src/publish/archive.js';
import { publishReport } from '../../src/publish/sns.js';
import { renderReport } from '../../src/report/render.js';
import { type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';
import { drainQueue, subscribeQueue } from '../../tools/sqs.js';
import { generatedAccount } from '../report/large-report.js';
import { demoReport, recount } from './demo-report.js';

const REGION = 'us-east-1';
const BUCKET = 'audit-reports-123456789012';

let moto: MotoServer;
let sns: SNSClient;
let sqs: SQSClient;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS };
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
});

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  s3?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

async function receiveOne(queueUrl: string): Promise<Message> {
  const messages = await drainQueue(sqs, queueUrl);
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

/** The demo report compared with a previous run that did not have the admin-access finding yet. */
function currentAndPrevious(): { current: AuditReport; previous: AuditReport } {
  const current = demoReport();
  const previous = recount({
    ...demoReport(),
    generatedAt: '2026-11-25T03:00:00.000Z',
    findings: current.findings.filter((finding) => finding.ruleId !== 'admin-access'),
  });
  return { current, previous };
}

/** Findings of `whole` that `published` left out, by severity, counted independently of the trimmer. */
function leftOut(whole: AuditReport, published: AuditReport): SeverityCounts {
  const kept = new Set(published.findings.map((finding) => finding.id));
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of whole.findings) if (!kept.has(finding.id)) counts[finding.severity] += 1;
  return counts;
}

describe('publishReport against moto', () => {
  it('delivers the default JSON report to SQS, wrapped in the SNS envelope or raw', async () => {
    // Prepare: one topic, one queue with the SNS envelope, one with raw message delivery
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'lambda-role-auditor' }));
    const enveloped = await subscribeQueue(sns, sqs, TopicArn!, 'auditor-enveloped');
    const raw = await subscribeQueue(sns, sqs, TopicArn!, 'auditor-raw', { raw: true });
    const { current, previous } = currentAndPrevious();
    const report = compareReports(current, previous).report;
    const location = `s3://${BUCKET}/reports/123456789012/2026-11-26T03-00-00.000Z-run-2.json`;

    // Act
    const result = await publishReport(sns, TopicArn!, report, { fullReportLocation: location });

    // Assess
    const published = { ...report, location };
    expect(result.messageId).toBeTruthy();
    expect(result.truncated).toBeUndefined();

    const envelope = JSON.parse((await receiveOne(enveloped.url)).Body!) as {
      Type: string;
      TopicArn: string;
      Subject: string;
      Message: string;
      MessageAttributes: Record<string, { Type: string; Value: unknown }>;
    };
    expect(envelope.Type).toBe('Notification');
    expect(envelope.TopicArn).toBe(TopicArn);
    // Too long with both, the subject keeps what changed since the last run over the severity breakdown.
    expect(envelope.Subject).toBe('lambda-role-auditor 123456789012: 11 roles to fix, 1 new');
    // SQS has no message of its own in the envelope: SNS (and moto) deliver `default`, the JSON report.
    expect(JSON.parse(envelope.Message)).toEqual(published);
    // moto hands Number attributes on as the string that was published, with their type.
    expect(envelope.MessageAttributes).toEqual({
      status: { Type: 'String', Value: 'complete' },
      severity: { Type: 'String', Value: 'critical' },
      findings: { Type: 'Number', Value: '19' },
      new: { Type: 'Number', Value: '1' },
      account: { Type: 'String', Value: '123456789012' },
    });

    // Raw delivery: the body is the `default` message itself; attributes become SQS attributes.
    const rawMessage = await receiveOne(raw.url);
    expect(JSON.parse(rawMessage.Body!)).toEqual(published);
    expect(rawMessage.Body).not.toContain(renderReport(published, 'text').split('\n')[0]);
    expect(rawMessage.MessageAttributes?.status).toEqual({ DataType: 'String', StringValue: 'complete' });
    expect(rawMessage.MessageAttributes?.new).toEqual({ DataType: 'Number', StringValue: '1' });
  });

  it('delivers a failed run with its status in the subject and the attributes', async () => {
    // Prepare
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'lambda-role-auditor' }));
    const raw = await subscribeQueue(sns, sqs, TopicArn!, 'auditor-raw', { raw: true });
    const enveloped = await subscribeQueue(sns, sqs, TopicArn!, 'auditor-enveloped');
    const report: AuditReport = recount({
      ...demoReport(),
      status: 'failed',
      roles: [],
      findings: [],
      partial: { reason: 'no region could be listed', notAudited: ['region eu-west-1', 'region us-east-1'] },
    });

    // Act
    await publishReport(sns, TopicArn!, report);

    // Assess
    const envelope = JSON.parse((await receiveOne(enveloped.url)).Body!) as { Subject: string };
    expect(envelope.Subject).toBe('lambda-role-auditor 123456789012: AUDIT FAILED');
    const rawMessage = await receiveOne(raw.url);
    expect((JSON.parse(rawMessage.Body!) as AuditReport).status).toBe('failed');
    expect(rawMessage.MessageAttributes?.status).toEqual({ DataType: 'String', StringValue: 'failed' });
    expect(rawMessage.MessageAttributes?.severity).toEqual({ DataType: 'String', StringValue: 'none' });
  });

  it('delivers a trimmed report of an account of 3,000 roles that SNS accepts', async () => {
    // Prepare
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'lambda-role-auditor' }));
    const raw = await subscribeQueue(sns, sqs, TopicArn!, 'auditor-raw', { raw: true });
    const { report } = generatedAccount(3_000);
    const location = `s3://${BUCKET}/reports/123456789012/2026-11-26T03-00-00.000Z-run-1.json`;

    // Act
    const result = await publishReport(sns, TopicArn!, report, { fullReportLocation: location });

    // Assess
    const delivered = JSON.parse((await receiveOne(raw.url)).Body!) as AuditReport;
    expect(delivered.truncated).toEqual(result.truncated);
    expect(delivered.truncated).toEqual({ omitted: leftOut(report, delivered), fullReport: location });
    expect(delivered.findings.filter((finding) => finding.severity === 'critical')).toHaveLength(150);
    expect(delivered.summary).toEqual(report.summary);
  });
});

describe('report archive against moto S3', () => {
  it('archives every run under its own key, and replaces latest.json only for a baseline', async () => {
    // Prepare: two baselines, then a scoped run of the same millisecond as the second
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const { current, previous } = currentAndPrevious();
    const missingBefore = await readLatestReport(s3, BUCKET, '123456789012');

    // Act
    const firstLocation = await archiveReport(s3, BUCKET, previous, { updateLatest: true, runId: 'run-1' });
    const latestAfterFirst = await readLatestReport(s3, BUCKET, '123456789012');
    const comparison = compareReports(current, latestAfterFirst);
    const secondLocation = await archiveReport(s3, BUCKET, comparison.report, {
      updateLatest: true,
      runId: 'run-2',
    });
    const scoped: AuditReport = {
      ...comparison.report,
      scope: { ...comparison.report.scope, functions: ['csv-*'], full: false },
    };
    const scopedLocation = await archiveReport(s3, BUCKET, scoped, { updateLatest: false, runId: 'run-3' });
    const latest = await readLatestReport(s3, BUCKET, '123456789012');

    // Assess
    const prefix = `s3://${BUCKET}/reports/123456789012/`;
    expect(missingBefore).toBeUndefined();
    expect(firstLocation).toBe(`${prefix}2026-11-25T03-00-00.000Z-run-1.json`);
    expect(secondLocation).toBe(`${prefix}2026-11-26T03-00-00.000Z-run-2.json`);
    expect(scopedLocation).toBe(`${prefix}2026-11-26T03-00-00.000Z-run-3.json`);
    expect(comparison.previous).toBe('compared');
    expect(comparison.report.summary.new).toBe(1);
    expect(latest).toEqual({ ...comparison.report, location: secondLocation });
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'reports/' }));
    expect(listing.Contents?.map((object) => object.Key).sort()).toEqual([
      'reports/123456789012/2026-11-25T03-00-00.000Z-run-1.html',
      'reports/123456789012/2026-11-25T03-00-00.000Z-run-1.json',
      'reports/123456789012/2026-11-26T03-00-00.000Z-run-2.html',
      'reports/123456789012/2026-11-26T03-00-00.000Z-run-2.json',
      'reports/123456789012/2026-11-26T03-00-00.000Z-run-3.html',
      'reports/123456789012/2026-11-26T03-00-00.000Z-run-3.json',
      'reports/123456789012/latest.json',
    ]);
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: BUCKET,
        Key: 'reports/123456789012/2026-11-26T03-00-00.000Z-run-3.json',
      }),
    );
    expect(head.ContentType).toBe('application/json');
    expect(await readLatestReport(s3, BUCKET, '210987654321')).toBeUndefined();
  });

  it('reads the suppressions file only once it exists', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const file = { suppressions: [{ rule: 'role-shared', reason: 'one service deployed in two regions' }] };

    // Act
    const before = await readSuppressionsFile(s3, BUCKET);
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'config/suppressions.json', Body: JSON.stringify(file) }),
    );
    const after = await readSuppressionsFile(s3, BUCKET);

    // Assess
    expect(before).toBeUndefined();
    expect(after).toEqual(file);
  });
});
