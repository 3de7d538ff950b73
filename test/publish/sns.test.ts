import {
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
  SNSServiceException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { diffReports } from '../../src/audit/diff.js';
import type { AuditReport } from '../../src/model/report.js';
import { SEVERITIES } from '../../src/model/severity.js';
import {
  buildMessage,
  MessageTooLargeError,
  PublishError,
  type PublishWhen,
  publishReport,
  SNS_MESSAGE_LIMIT_BYTES,
  shouldPublish,
} from '../../src/publish/sns.js';
import { renderReport } from '../../src/report/render.js';
import { demoReport, largeReport, recount } from './demo-report.js';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:lambda-role-auditor';
const LOCATION = 's3://audit-reports/reports/123456789012/2026-11-26T03-00-00Z.json';
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

const snsMock = mockClient(SNSClient);

afterEach(() => {
  snsMock.reset();
});

function cleanReport(): AuditReport {
  return recount({ ...demoReport(), findings: [], errors: [], expiredSuppressions: undefined });
}

/** The demo report compared with a previous run that had neither admin-access nor one secret finding. */
function reportWithHistory(): AuditReport {
  const current = demoReport();
  const appeared = current.findings.filter(
    (finding) => finding.ruleId === 'admin-access' || finding.functionName === 'legacy-cron',
  );
  const previous = recount({
    ...demoReport(),
    findings: current.findings.filter((f) => !appeared.includes(f)),
  });
  return diffReports(current, previous);
}

/** The size SNS checks: message body, subject and every attribute's name, type and value, in UTF-8. */
function snsBytes(input: PublishCommandInput): number {
  let total = Buffer.byteLength(input.Message ?? '', 'utf8') + Buffer.byteLength(input.Subject ?? '', 'utf8');
  for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
    total +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? '');
  }
  return total;
}

async function publishedInput(report: AuditReport, location?: string): Promise<PublishCommandInput> {
  snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
  await publishReport(new SNSClient({ region: 'us-east-1' }), TOPIC_ARN, report, {
    fullReportLocation: location,
  });
  const calls = snsMock.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input;
}

function protocolMessages(input: PublishCommandInput): Record<string, string> {
  return JSON.parse(input.Message ?? '') as Record<string, string>;
}

describe('publishReport', () => {
  it('publishes a JSON-structured message: the digest for people, the JSON report for machines', async () => {
    // Prepare
    const report = demoReport();

    // Act
    const input = await publishedInput(report, LOCATION);

    // Assess
    expect(input.TopicArn).toBe(TOPIC_ARN);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject).toBe(
      'lambda-role-auditor 123456789012: 3 critical, 7 high, 4 medium, 2 low, 3 info (3 muted, 1 error)',
    );
    const messages = protocolMessages(input);
    expect(Object.keys(messages).sort()).toEqual(['default', 'email', 'http', 'https', 'lambda', 'sqs']);
    const published = { ...report, location: LOCATION };
    expect(messages.default).toBe(renderReport(published, 'text'));
    expect(messages.email).toBe(messages.default);
    expect(messages.default).toContain(`Full report: ${LOCATION}`);
    for (const protocol of ['sqs', 'lambda', 'http', 'https']) {
      expect(messages[protocol]).toBe(JSON.stringify(published));
    }
    expect(JSON.parse(messages.sqs!)).toEqual(published);
  });

  it('sets filterable attributes with their data types', async () => {
    // Prepare: 19 unmuted findings, critical the highest, no history
    const report = demoReport();

    // Act
    const input = await publishedInput(report);

    // Assess
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      findings: { DataType: 'Number', StringValue: '19' },
      new: { DataType: 'Number', StringValue: '19' },
      account: { DataType: 'String', StringValue: '123456789012' },
    });
  });

  it.each([
    ['with history, new counts the new unmuted findings', reportWithHistory(), 'critical', '19', '3'],
    ['a clean run', cleanReport(), 'none', '0', '0'],
  ])('sets the attributes of %s', async (_name, report, severity, findings, fresh) => {
    // Prepare: the report of the table row

    // Act
    const input = await publishedInput(report);

    // Assess
    expect(input.MessageAttributes?.severity?.StringValue).toBe(severity);
    expect(input.MessageAttributes?.findings?.StringValue).toBe(findings);
    expect(input.MessageAttributes?.new?.StringValue).toBe(fresh);
  });

  it('wraps an SNS failure in a PublishError that keeps the SDK error as cause', async () => {
    // Prepare
    const failure = new SNSServiceException({
      name: 'AuthorizationErrorException',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'User is not authorized to perform SNS:Publish',
    });
    snsMock.on(PublishCommand).rejects(failure);

    // Act
    const publishing = publishReport(new SNSClient({ region: 'us-east-1' }), TOPIC_ARN, demoReport());

    // Assess
    const error = await publishing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).name).toBe('PublishError');
    expect((error as PublishError).cause).toBe(failure);
    expect((error as PublishError).topicArn).toBe(TOPIC_ARN);
    expect((error as PublishError).message).toContain('AuthorizationErrorException');
  });
});

describe('buildMessage: subject', () => {
  it.each([
    ['a clean run', cleanReport(), 'lambda-role-auditor 123456789012: no findings'],
    [
      'a run with history, leaving out the muted count to stay short',
      reportWithHistory(),
      'lambda-role-auditor 123456789012: 3 critical, 7 high, 4 medium, 2 low, 3 info (3 new, 1 error)',
    ],
    [
      'a run with one finding',
      recount({ ...demoReport(), findings: demoReport().findings.slice(0, 1), errors: [] }),
      'lambda-role-auditor 123456789012: 1 critical',
    ],
    [
      'a partial run',
      { ...cleanReport(), partial: { reason: 'time limit', notAudited: ['region eu-west-1'] } },
      'lambda-role-auditor 123456789012 (partial): no findings',
    ],
  ])('summarises %s', (_name, report, expected) => {
    // Prepare: the report of the table row

    // Act
    const { subject } = buildMessage(report);

    // Assess
    expect(subject).toBe(expected);
  });

  it('stays printable ASCII within 99 characters with a long non-ASCII account label', () => {
    // Prepare
    const report = demoReport();
    report.account = `Zürich – プロダクション\n${'very-long-account-label-'.repeat(8)}`;

    // Act
    const { subject, messageAttributes } = buildMessage(report);

    // Assess
    expect(subject.length).toBeLessThanOrEqual(99);
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject).toMatch(/^lambda-role-auditor Zurich \? \?+ very-long-acco/);
    expect(subject).toContain('...: 3 critical, 7 high, 4 medium, 2 low, 3 info');
    expect(messageAttributes.account?.StringValue).toMatch(PRINTABLE_ASCII);
  });
});

describe('buildMessage: size limit', () => {
  it('trims a report of 5,000 findings below 256 KB, keeping the highest severities and a pointer', () => {
    // Prepare
    const report = largeReport(5_000);

    // Act
    const built = buildMessage(report, { fullReportLocation: LOCATION });

    // Assess
    const input = {
      Message: built.message,
      Subject: built.subject,
      MessageAttributes: built.messageAttributes,
    };
    expect(snsBytes(input)).toBe(built.bytes);
    expect(built.bytes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
    expect(built.bytes).toBeGreaterThan(SNS_MESSAGE_LIMIT_BYTES * 0.9);
    const messages = protocolMessages(input);
    const published = JSON.parse(messages.sqs!) as AuditReport;
    const kept = published.findings.length;
    expect(kept).toBeGreaterThan(10);
    expect(published.truncated).toEqual({ omittedFindings: 5_000 - kept, fullReport: LOCATION });
    expect(published.summary).toEqual(report.summary);
    const rank = (severity: string) => SEVERITIES.indexOf(severity as (typeof SEVERITIES)[number]);
    const keptIds = new Set(published.findings.map((finding) => finding.id));
    const lowestKept = Math.max(...published.findings.filter((f) => !f.muted).map((f) => rank(f.severity)));
    const highestOmitted = Math.min(
      ...report.findings.filter((f) => !keptIds.has(f.id) && !f.muted).map((f) => rank(f.severity)),
    );
    expect(lowestKept).toBeLessThanOrEqual(highestOmitted);
    expect(published.findings.filter((f) => f.severity === 'critical').length).toBe(kept);
    expect(messages.default).toContain(`Truncated: ${5_000 - kept} lower-severity findings omitted`);
    expect(messages.default).toContain(`Full report: ${LOCATION}`);
    expect(messages.http).toBe(messages.sqs);
  });

  it('keeps findings when thousands of errors would not fit either', () => {
    // Prepare
    const report = largeReport(2_000, 3_000);

    // Act
    const built = buildMessage(report);

    // Assess
    expect(built.bytes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
    expect(built.report.findings.length).toBeGreaterThan(10);
    expect(built.report.errors.length).toBeGreaterThanOrEqual(10);
    expect(built.report.errors.length).toBeLessThan(3_001);
    expect(built.report.errors).toEqual(report.errors.slice(0, built.report.errors.length));
    expect(built.report.summary.errors).toBe(3_001);
    expect(built.report.truncated?.omittedFindings).toBe(2_000 - built.report.findings.length);
    expect(built.report.truncated?.fullReport).toBeUndefined();
  });

  it('shortens the not-audited list of a partial run that stopped early in a huge account', () => {
    // Prepare: 20,000 function ARNs were not reached
    const report = demoReport();
    const notAudited = Array.from(
      { length: 20_000 },
      (_, index) => `arn:aws:lambda:us-east-1:123456789012:function:batch-worker-${index}`,
    );
    report.partial = { reason: 'time limit: collection stopped with 28 s left', notAudited };

    // Act
    const built = buildMessage(report, { fullReportLocation: LOCATION });

    // Assess
    expect(built.bytes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
    expect(built.subject).toContain('(partial)');
    expect(built.report.findings).toEqual(report.findings);
    expect(built.report.partial?.notAudited.length).toBeGreaterThanOrEqual(10);
    expect(built.report.partial?.notAudited).toEqual(
      notAudited.slice(0, built.report.partial?.notAudited.length),
    );
    expect(built.report.truncated).toEqual({ omittedFindings: 0, fullReport: LOCATION });
  });

  it('honours a smaller limit and keeps the unmuted findings of the demo account first', () => {
    // Prepare: room for only a few findings
    const report = demoReport();
    const maxBytes = 40_000;

    // Act
    const built = buildMessage(report, { maxBytes, fullReportLocation: LOCATION });

    // Assess
    expect(built.bytes).toBeLessThanOrEqual(maxBytes);
    expect(built.report.findings.length).toBeGreaterThan(0);
    expect(built.report.findings.every((finding) => finding.muted === null)).toBe(true);
    expect(built.report.findings.map((finding) => finding.severity)).toContain('critical');
    expect(built.report.truncated?.omittedFindings).toBe(
      report.findings.length - built.report.findings.length,
    );
  });

  it('leaves a report that fits untouched', () => {
    // Prepare
    const report = demoReport();

    // Act
    const built = buildMessage(report);

    // Assess
    expect(built.report.truncated).toBeUndefined();
    expect(built.report.findings).toEqual(report.findings);
  });

  it('refuses a limit that no report fits', () => {
    // Prepare
    const report = demoReport();

    // Act
    const building = () => buildMessage(report, { maxBytes: 1_000 });

    // Assess
    expect(building).toThrow(MessageTooLargeError);
    expect(building).toThrow(PublishError);
  });
});

describe('shouldPublish', () => {
  const withFindings = demoReport();
  const clean = cleanReport();
  const history = reportWithHistory();
  const unchanged = diffReports(demoReport(), demoReport());
  const onlyResolved = diffReports(cleanReport(), demoReport());
  const mutedOnly = recount({
    ...demoReport(),
    findings: demoReport().findings.filter((finding) => finding.muted),
  });
  const partialClean = { ...cleanReport(), partial: { reason: 'time limit', notAudited: [] } };

  it.each<[string, AuditReport, PublishWhen, boolean]>([
    ['always: a clean run → publish', clean, 'always', true],
    ['findings: unmuted findings → publish', withFindings, 'findings', true],
    ['findings: a clean run → silent', clean, 'findings', false],
    ['findings: only muted findings → silent', mutedOnly, 'findings', false],
    ['changes: new findings → publish', history, 'changes', true],
    ['changes: nothing new, nothing resolved → silent', unchanged, 'changes', false],
    ['changes: only resolved findings → publish', onlyResolved, 'changes', true],
    ['changes: no previous report, unmuted findings → publish', withFindings, 'changes', true],
    ['changes: no previous report, a clean run → silent', clean, 'changes', false],
    ['changes: a partial run → publish', partialClean, 'changes', true],
    ['findings: a partial run → publish', partialClean, 'findings', true],
  ])('%s', (_name, report, when, expected) => {
    // Prepare: the report of the table row

    // Act
    const decision = shouldPublish(report, when);

    // Assess
    expect(decision).toBe(expected);
  });
});
