import {
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
  SNSServiceException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { compareReports } from '../../src/audit/diff.js';
import type { AuditReport, SeverityCounts } from '../../src/model/report.js';
import { SEVERITIES, type Severity } from '../../src/model/severity.js';
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
import { generatedAccount } from '../report/large-report.js';
import { demoReport, demoReportOfRoles, recount } from './demo-report.js';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:lambda-role-auditor';
const LOCATION = 's3://audit-reports/reports/123456789012/2026-11-26T03-00-00.000Z-run-1.json';
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

const snsMock = mockClient(SNSClient);

afterEach(() => {
  snsMock.reset();
});

function cleanReport(): AuditReport {
  return recount({ ...demoReport(), findings: [], errors: [], expiredSuppressions: undefined });
}

/**
 * Three roles of the demo account compared with a previous run: legacy-cron-role's two findings are
 * new, thumbnail-resizer-role's service-wildcard was fixed.
 */
function reportWithHistory(): AuditReport {
  const current = demoReportOfRoles('data-migration-role', 'csv-importer-role', 'legacy-cron-role');
  const previous = demoReportOfRoles('data-migration-role', 'csv-importer-role', 'thumbnail-resizer-role');
  return compareReports(current, previous).report;
}

function partial(report: AuditReport): AuditReport {
  return {
    ...report,
    status: 'partial',
    partial: { reason: 'ListFunctions failed in eu-west-1', notAudited: ['region eu-west-1'] },
  };
}

function failed(): AuditReport {
  return {
    ...cleanReport(),
    status: 'failed',
    roles: [],
    partial: { reason: 'no region could be listed', notAudited: ['region eu-west-1', 'region us-east-1'] },
  };
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

function envelope(message: string): Record<string, string> {
  return JSON.parse(message) as Record<string, string>;
}

/** The role names of the digest's "Fix first" lines: numbered blocks and one-line entries. */
function rolesNamed(digest: string): Set<string> {
  return new Set(
    digest.split('\n').flatMap((line) => {
      const match = /^(?:\d+\. [A-Z]+| {2}(?:critical|high|medium|low|info)) (\S+)/.exec(line);
      return match ? [match[1]!] : [];
    }),
  );
}

/** The critical and high roles of a generated account, by name. */
function urgentRoles(severityOfRole: Map<string, Severity>): string[] {
  return [...severityOfRole]
    .filter(([, severity]) => severity === 'critical' || severity === 'high')
    .map(([name]) => name);
}

/** Findings of `whole` that `published` left out, by severity, counted independently of the trimmer. */
function leftOut(whole: AuditReport, published: AuditReport): SeverityCounts {
  const kept = new Set(published.findings.map((finding) => finding.id));
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of whole.findings) if (!kept.has(finding.id)) counts[finding.severity] += 1;
  return counts;
}

describe('publishReport', () => {
  it('publishes a JSON envelope: the JSON report once for machines, the digest for email', async () => {
    // Prepare
    const report = demoReport();

    // Act
    const input = await publishedInput(report, LOCATION);

    // Assess
    expect(input.TopicArn).toBe(TOPIC_ARN);
    expect(input.MessageStructure).toBe('json');
    const messages = envelope(input.Message!);
    expect(Object.keys(messages).sort()).toEqual(['default', 'email']);
    const published = { ...report, location: LOCATION };
    expect(JSON.parse(messages.default!)).toEqual(published);
    expect(messages.email).toBe(renderReport(published, 'text'));
    expect(messages.email!.replace(/\s+/g, ' ')).toContain(`Full report: ${LOCATION}`);
    expect(input.Message!.split('"schemaVersion').length - 1).toBe(1);
    expect(snsBytes(input)).toBeLessThan(2 * Buffer.byteLength(messages.default!));
  });

  it('sets filterable attributes with their data types', async () => {
    // Prepare: 19 unmuted findings, critical the highest, no history
    const report = demoReport();

    // Act
    const input = await publishedInput(report);

    // Assess
    expect(input.MessageAttributes).toEqual({
      status: { DataType: 'String', StringValue: 'complete' },
      severity: { DataType: 'String', StringValue: 'critical' },
      findings: { DataType: 'Number', StringValue: '19' },
      new: { DataType: 'Number', StringValue: '19' },
      account: { DataType: 'String', StringValue: '123456789012' },
    });
  });

  it.each<[string, AuditReport, string, string, string, string]>([
    [
      'a run with history: new counts the new unmuted findings',
      reportWithHistory(),
      'complete',
      'critical',
      '6',
      '2',
    ],
    ['a clean run', cleanReport(), 'complete', 'none', '0', '0'],
    ['a partial run', partial(demoReport()), 'partial', 'critical', '19', '19'],
    ['a failed run', failed(), 'failed', 'none', '0', '0'],
  ])('sets the attributes of %s', async (_name, report, status, severity, findings, fresh) => {
    // Prepare: the report of the table row

    // Act
    const input = await publishedInput(report);

    // Assess
    const attributes = input.MessageAttributes!;
    expect(attributes.status?.StringValue).toBe(status);
    expect(attributes.severity?.StringValue).toBe(severity);
    expect(attributes.findings?.StringValue).toBe(findings);
    expect(attributes.new?.StringValue).toBe(fresh);
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
    [
      'a complete run',
      demoReport(),
      'lambda-role-auditor 123456789012: 11 roles to fix (3 critical, 4 high, 2 medium, 1 low, 1 info)',
    ],
    [
      'a run with new and fixed findings',
      reportWithHistory(),
      'lambda-role-auditor 123456789012: 3 roles to fix (1 critical, 2 high), 2 new, 1 fixed',
    ],
    [
      'a run with one role to fix',
      demoReportOfRoles('data-migration-role'),
      'lambda-role-auditor 123456789012: 1 role to fix (1 critical)',
    ],
    ['a clean run', cleanReport(), 'lambda-role-auditor 123456789012: nothing to fix'],
    [
      'a partial run, leaving out the breakdown to stay within 99 characters',
      partial(demoReport()),
      'lambda-role-auditor 123456789012: PARTIAL, 11 roles to fix',
    ],
    [
      'a partial run with room for the breakdown',
      partial(demoReportOfRoles('data-migration-role', 'csv-importer-role')),
      'lambda-role-auditor 123456789012: PARTIAL, 2 roles to fix (1 critical, 1 high)',
    ],
    ['a failed run', failed(), 'lambda-role-auditor 123456789012: AUDIT FAILED'],
  ])('summarises %s', (_name, report, expected) => {
    // Prepare: the report of the table row

    // Act
    const { subject } = buildMessage(report);

    // Assess
    expect(subject).toBe(expected);
    expect(subject.length).toBeLessThanOrEqual(99);
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
    expect(subject).toMatch(/\.\.\.: 11 roles to fix$/);
    expect(messageAttributes.account?.StringValue).toMatch(PRINTABLE_ASCII);
  });
});

describe('buildMessage: size limit', () => {
  describe('an account of 3,000 roles and 7,950 findings', () => {
    const { report, severityOfRole } = generatedAccount(3_000);
    const built = buildMessage(report, { fullReportLocation: LOCATION });
    const input = {
      Message: built.message,
      Subject: built.subject,
      MessageAttributes: built.messageAttributes,
    };
    const messages = envelope(built.message);
    const published = JSON.parse(messages.default!) as AuditReport;

    it('fits in 256 KB, as SNS counts it', () => {
      // Prepare: a whole report of about 5 MB
      const whole = Buffer.byteLength(JSON.stringify(report));

      // Act
      const bytes = snsBytes(input);

      // Assess
      expect(whole).toBeGreaterThan(4 * SNS_MESSAGE_LIMIT_BYTES);
      expect(bytes).toBe(built.bytes);
      expect(bytes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
      expect(bytes).toBeGreaterThan(SNS_MESSAGE_LIMIT_BYTES * 0.9);
      expect(Object.keys(messages).sort()).toEqual(['default', 'email']);
      expect(built.message.split('"schemaVersion').length - 1).toBe(1);
    });

    it('names every critical and high role in the digest', () => {
      // Prepare: 150 critical and 300 high roles
      const urgent = urgentRoles(severityOfRole);

      // Act
      const named = rolesNamed(messages.email!);

      // Assess
      expect(urgent).toHaveLength(450);
      expect(urgent.filter((name) => !named.has(name))).toEqual([]);
      expect(messages.email).toBe(renderReport({ ...report, location: LOCATION }, 'text'));
    });

    it('drops the lowest severities first and says exactly what it left out, by severity', () => {
      // Prepare
      const rank = (severity: Severity) => SEVERITIES.indexOf(severity);

      // Act
      const omitted = published.truncated?.omitted;

      // Assess
      expect(published.findings.length).toBeGreaterThan(100);
      expect(omitted).toEqual(leftOut(report, published));
      expect(published.truncated?.fullReport).toBe(LOCATION);
      const keptIds = new Set(published.findings.map((finding) => finding.id));
      const lowestKept = Math.max(...published.findings.map((finding) => rank(finding.severity)));
      const highestOmitted = Math.min(
        ...report.findings
          .filter((finding) => !keptIds.has(finding.id) && !finding.muted)
          .map((finding) => rank(finding.severity)),
      );
      expect(lowestKept).toBeLessThanOrEqual(highestOmitted);
      expect(published.findings.filter((finding) => finding.severity === 'critical')).toHaveLength(150);
      expect(built.report).toEqual(published);
    });

    it('keeps the whole summary and the roles of the findings it kept', () => {
      // Prepare
      const keptRoles = new Set(published.findings.map((finding) => finding.roleArn));

      // Act
      const roles = published.roles.map((role) => role.roleArn);

      // Assess
      expect(published.summary).toEqual(report.summary);
      expect(new Set(roles)).toEqual(keptRoles);
      for (const role of published.roles) {
        const whole = report.roles.find((candidate) => candidate.roleArn === role.roleArn)!;
        expect(role.functions).toEqual(whole.functions);
      }
    });
  });

  it('shortens the digest only when the JSON alone cannot make room, keeping every critical and high role', () => {
    // Prepare: the full digest is about 35 KB, one line per critical or high role about 31 KB; the JSON
    // report without findings takes a few KB more
    const { report, severityOfRole } = generatedAccount(3_000);
    const fullDigest = renderReport(report, 'text');
    const maxBytes = 36_000;

    // Act
    const built = buildMessage(report, { maxBytes });

    // Assess
    expect(built.bytes).toBeLessThanOrEqual(maxBytes);
    expect(built.digest.length).toBeLessThan(fullDigest.length);
    const named = rolesNamed(built.digest);
    expect(urgentRoles(severityOfRole).filter((name) => !named.has(name))).toEqual([]);
    expect(built.report.truncated?.omitted).toEqual(leftOut(report, built.report));
  });

  it('counts exactly the critical and high roles a far smaller limit leaves out of the digest', () => {
    // Prepare: not even one line per critical and high role fits
    const { report, severityOfRole } = generatedAccount(3_000);
    const urgent = urgentRoles(severityOfRole);

    // Act
    const built = buildMessage(report, { maxBytes: 20_000 });

    // Assess
    expect(built.bytes).toBeLessThanOrEqual(20_000);
    const named = rolesNamed(built.digest);
    const missing = urgent.filter((name) => !named.has(name));
    expect(missing.length).toBeGreaterThan(0);
    const missingBySeverity = SEVERITIES.filter((severity) => severity === 'critical' || severity === 'high')
      .map(
        (severity) =>
          [severity, missing.filter((name) => severityOfRole.get(name) === severity).length] as const,
      )
      .filter(([, count]) => count > 0)
      .map(([severity, count]) => `${count} ${severity}`);
    const notShown = built.digest
      .split('\n')
      .slice(built.digest.split('\n').findIndex((line) => line.startsWith('Not shown here:')))
      .join(' ');
    expect(notShown).toMatch(new RegExp(`^Not shown here: ${missingBySeverity.join(', ')}, `));
  });

  it('caps the not-audited list of a partial run that stopped early in a huge account', () => {
    // Prepare: 20,000 function ARNs were not reached
    const report = partial(demoReport());
    const notAudited = Array.from(
      { length: 20_000 },
      (_, index) => `arn:aws:lambda:us-east-1:123456789012:function:batch-worker-${index}`,
    );
    report.partial = { reason: 'time limit: collection stopped with 28 s left', notAudited };

    // Act
    const built = buildMessage(report, { fullReportLocation: LOCATION });

    // Assess
    expect(built.bytes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
    expect(built.subject).toContain(': PARTIAL, ');
    expect(built.report.findings).toEqual(report.findings);
    expect(built.report.partial?.notAudited).toEqual(notAudited.slice(0, 20));
    expect(built.report.truncated).toEqual({
      omitted: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      fullReport: LOCATION,
    });
  });

  it('keeps the unmuted findings of the demo account first under a smaller limit', () => {
    // Prepare: room for only a few findings
    const report = demoReport();
    const maxBytes = 16_000;

    // Act
    const built = buildMessage(report, { maxBytes, fullReportLocation: LOCATION });

    // Assess
    expect(built.bytes).toBeLessThanOrEqual(maxBytes);
    expect(built.report.findings.length).toBeGreaterThan(0);
    expect(built.report.findings.length).toBeLessThan(report.findings.length);
    expect(built.report.findings.every((finding) => finding.muted === null)).toBe(true);
    expect(built.report.findings.map((finding) => finding.severity)).toContain('critical');
    expect(built.report.truncated?.omitted).toEqual(leftOut(report, built.report));
  });

  it('leaves a report that fits untouched', () => {
    // Prepare
    const report = demoReport();

    // Act
    const built = buildMessage(report);

    // Assess
    expect(built.report.truncated).toBeUndefined();
    expect(built.report).toEqual(report);
    expect(built.digest).toBe(renderReport(report, 'text'));
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
  const unchanged = compareReports(demoReport(), demoReport()).report;
  const onlyResolved = compareReports(cleanReport(), demoReport()).report;
  const mutedOnly = recount({
    ...demoReport(),
    findings: demoReport().findings.filter((finding) => finding.muted),
  });
  const partialClean = partial(cleanReport());
  const partialUnchanged = partial(unchanged);

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
    ['changes: a partial run without changes → publish', partialUnchanged, 'changes', true],
    ['findings: a partial clean run → publish', partialClean, 'findings', true],
    ['findings: a failed run → publish', failed(), 'findings', true],
    ['changes: a failed run → publish', failed(), 'changes', true],
  ])('%s', (_name, report, when, expected) => {
    // Prepare: the report of the table row

    // Act
    const decision = shouldPublish(report, when);

    // Assess
    expect(decision).toBe(expected);
  });
});
