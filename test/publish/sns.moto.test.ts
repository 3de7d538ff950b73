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
import type { AuditReport } from '../../src/model/report.js';
import { archiveReport, readLatestReport, readSuppressionsFile } from '../../src/publish/archive.js';
import { publishReport } from '../../src/publish/sns.js';
import { renderReport } from '../../src/report/render.js';
import { type MotoServer, startMoto, TEST_CREDENTIALS } from '../../tools/moto.js';
import { drainQueue, subscribeQueue } from '../../tools/sqs.js';
import { demoReport, largeReport, recount } from './demo-report.js';

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

describe('publishReport against moto', () => {
  it('delivers the JSON report to SQS, wrapped in the SNS envelope or raw', async () => {
    // Prepare: one topic, one queue with the SNS envelope, one with raw message delivery
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'lambda-role-auditor' }));
    const enveloped = await subscribeQueue(sns, sqs, TopicArn!, 'auditor-enveloped');
    const raw = await subscribeQueue(sns, sqs, TopicArn!, 'auditor-raw', { raw: true });
    const { current, previous } = currentAndPrevious();
    const report = compareReports(current, previous).report;
    const location = `s3://${BUCKET}/reports/123456789012/2026-11-26T03-00-00Z.json`;

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
    expect(envelope.Subject).toBe(
      'lambda-role-auditor 123456789012: 3 critical, 7 high, 4 medium, 2 low, 3 info (1 new, 1 error)',
    );
    // The sqs protocol's message, not the digest of `default`.
    expect(JSON.parse(envelope.Message)).toEqual(published);
    // moto hands Number attributes on as the string that was published, with their type.
    expect(envelope.MessageAttributes).toEqual({
      severity: { Type: 'String', Value: 'critical' },
      findings: { Type: 'Number', Value: '19' },
      new: { Type: 'Number', Value: '1' },
      account: { Type: 'String', Value: '123456789012' },
    });

    // Raw delivery: the body is the sqs protocol's message itself; attributes become SQS attributes.
    const rawMessage = await receiveOne(raw.url);
    expect(JSON.parse(rawMessage.Body!)).toEqual(published);
    expect(rawMessage.Body).not.toContain(renderReport(published, 'text').split('\n')[0]);
    expect(rawMessage.MessageAttributes?.severity).toEqual({ DataType: 'String', StringValue: 'critical' });
    expect(rawMessage.MessageAttributes?.new).toEqual({ DataType: 'Number', StringValue: '1' });
  });
  it('delivers a trimmed report of 5,000 findings that SNS accepts', async () => {
    // Prepare
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'lambda-role-auditor' }));
    const raw = await subscribeQueue(sns, sqs, TopicArn!, 'auditor-raw', { raw: true });
    const report = largeReport(5_000);
    const location = `s3://${BUCKET}/reports/123456789012/2026-11-26T03-00-00Z.json`;

    // Act
    const result = await publishReport(sns, TopicArn!, report, { fullReportLocation: location });

    // Assess
    const delivered = JSON.parse((await receiveOne(raw.url)).Body!) as AuditReport;
    expect(delivered.truncated).toEqual(result.truncated);
    expect(delivered.truncated).toEqual({
      omittedFindings: 5_000 - delivered.findings.length,
      fullReport: location,
    });
    expect(delivered.findings.every((finding) => finding.severity === 'critical')).toBe(true);
    expect(delivered.summary).toEqual(report.summary);
  });
});

describe('report archive against moto S3', () => {
  it('archives two runs, reads the latest back and compares with it', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const { current, previous } = currentAndPrevious();
    const missingBefore = await readLatestReport(s3, BUCKET, '123456789012');

    // Act
    const firstLocation = await archiveReport(s3, BUCKET, previous);
    const latestAfterFirst = await readLatestReport(s3, BUCKET, '123456789012');
    const comparison = compareReports(current, latestAfterFirst);
    const secondLocation = await archiveReport(s3, BUCKET, comparison.report);
    const latest = await readLatestReport(s3, BUCKET, '123456789012');

    // Assess
    expect(missingBefore).toBeUndefined();
    expect(firstLocation).toBe(`s3://${BUCKET}/reports/123456789012/2026-11-25T03-00-00Z.json`);
    expect(secondLocation).toBe(`s3://${BUCKET}/reports/123456789012/2026-11-26T03-00-00Z.json`);
    expect(comparison.previous).toBe('compared');
    expect(comparison.report.summary.new).toBe(1);
    expect(latest).toEqual({ ...comparison.report, location: secondLocation });
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'reports/' }));
    expect(listing.Contents?.map((object) => object.Key).sort()).toEqual([
      'reports/123456789012/2026-11-25T03-00-00Z.json',
      'reports/123456789012/2026-11-26T03-00-00Z.json',
      'reports/123456789012/latest.json',
    ]);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'reports/123456789012/2026-11-26T03-00-00Z.json' }),
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
