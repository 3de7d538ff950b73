import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AuditReport, Finding } from '../model/report.js';
import { compareSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { renderReport, summaryLine } from '../report/render.js';
import { hasHistory } from '../report/render-text.js';

/** SNS's default maximum: message body, subject and message attributes together, in UTF-8 bytes. */
export const SNS_MESSAGE_LIMIT_BYTES = 262_144;

/** SNS asks for "less than 100 characters"; the specification for at most 100: both hold at 99. */
export const SUBJECT_MAX_LENGTH = 99;

/** When a run publishes (`PUBLISH_WHEN`, SPEC §7). */
export const PUBLISH_WHEN_VALUES = ['always', 'findings', 'changes'] as const;

export type PublishWhen = (typeof PUBLISH_WHEN_VALUES)[number];

/** The subscription protocols that receive the JSON report; the others receive the text digest. */
const JSON_PROTOCOLS = ['sqs', 'lambda', 'http', 'https'] as const;

/** Raised when the report could not be published (after the SDK's own retries). */
export class PublishError extends Error {
  override readonly name: string = 'PublishError';
  readonly topicArn: string | undefined;

  constructor(message: string, options: { cause?: unknown; topicArn?: string } = {}) {
    super(message, { cause: options.cause });
    this.topicArn = options.topicArn;
  }
}

/** Raised when not even a report without any findings fits the size limit (a limit far too small). */
export class MessageTooLargeError extends PublishError {
  override readonly name = 'MessageTooLargeError';
}

export interface BuildMessageOptions {
  /** Where the full report is (the archive's `s3://` location), named by the digest and a truncated report. */
  fullReportLocation?: string;
  /** Size limit in bytes; a topic may allow more than the default (`MaximumMessageSize`). */
  maxBytes?: number;
}

export interface SnsMessage {
  subject: string;
  /** The `MessageStructure: 'json'` envelope: one message per protocol. */
  message: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  /** The report as published: trimmed (with `truncated`) when the whole one did not fit. */
  report: AuditReport;
  /** UTF-8 size of message, subject and attributes, as SNS counts it. */
  bytes: number;
}

export interface PublishResult {
  messageId: string | undefined;
  bytes: number;
  truncated?: AuditReport['truncated'];
}

/**
 * Builds the SNS message of a report (SPEC §7): an ASCII subject, a JSON envelope with the text digest
 * for `default`/`email` and the compact JSON report for `sqs`/`lambda`/`http`/`https`, and filterable
 * attributes. A report too large for the limit is trimmed, highest severities kept.
 *
 * @example
 * const { subject, message } = buildMessage(report, { fullReportLocation: 's3://reports/r/1.json' });
 */
export function buildMessage(report: AuditReport, options: BuildMessageOptions = {}): SnsMessage {
  const maxBytes = options.maxBytes ?? SNS_MESSAGE_LIMIT_BYTES;
  const fullReport = options.fullReportLocation ?? report.location;
  const base: AuditReport = fullReport === undefined ? { ...report } : { ...report, location: fullReport };
  const subject = subjectOf(report);
  const messageAttributes = attributesOf(report);
  const fixedBytes = Buffer.byteLength(subject, 'utf8') + attributeBytes(messageAttributes);
  const envelopeOf = (published: AuditReport): SnsMessage => {
    const message = envelope(published);
    return {
      subject,
      message,
      messageAttributes,
      report: published,
      bytes: fixedBytes + Buffer.byteLength(message, 'utf8'),
    };
  };

  // Each JSON protocol carries its own copy of the report: a report whose copies alone are too large is
  // trimmed without rendering its (long) digest first.
  const copiesBytes = JSON_PROTOCOLS.length * Buffer.byteLength(JSON.stringify(base), 'utf8');
  if (fixedBytes + copiesBytes <= maxBytes) {
    const whole = envelopeOf(base);
    if (whole.bytes <= maxBytes) return whole;
  }
  const trimmed = new Trimmer(base, fullReport, (published) => envelopeOf(published), maxBytes).fit();
  if (trimmed === undefined) {
    throw new MessageTooLargeError(
      `Even a report without findings does not fit in ${maxBytes} bytes for account ${report.account}.`,
    );
  }
  return trimmed;
}

/**
 * Publishes a report to an SNS topic; a failure (after the SDK's retries) becomes a {@link PublishError}
 * with the SDK error as `cause`.
 *
 * @example
 * await publishReport(new SNSClient({}), process.env.TOPIC_ARN!, report, { fullReportLocation: location });
 */
export async function publishReport(
  sns: SNSClient,
  topicArn: string,
  report: AuditReport,
  options: BuildMessageOptions = {},
): Promise<PublishResult> {
  const built = buildMessage(report, options);
  try {
    const response = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: built.subject,
        MessageStructure: 'json',
        Message: built.message,
        MessageAttributes: built.messageAttributes,
      }),
    );
    return {
      messageId: response.MessageId,
      bytes: built.bytes,
      ...(built.report.truncated ? { truncated: built.report.truncated } : {}),
    };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new PublishError(
      `Publishing the report of account ${report.account} to ${topicArn} failed: ${reason}`,
      {
        cause: error,
        topicArn,
      },
    );
  }
}

/**
 * Decides whether a run publishes: `always`; `findings` when an unmuted finding exists; `changes` when
 * findings are new or resolved since the last report (without a previous report every finding is new).
 * A partial report is always published, so that an incomplete run never goes unnoticed.
 *
 * @example
 * if (shouldPublish(report, config.publishWhen)) await publishReport(sns, topicArn, report);
 */
export function shouldPublish(report: AuditReport, when: PublishWhen): boolean {
  if (when === 'always' || report.partial) return true;
  const unmuted = unmutedCount(report);
  if (when === 'findings') return unmuted > 0;
  if (!hasHistory(report)) return unmuted > 0;
  return (report.summary.new ?? 0) > 0 || (report.summary.resolved ?? 0) > 0;
}

/**
 * The subject line: `lambda-role-auditor <account>[ (partial)]: <summary line>`, printable ASCII only and
 * at most {@link SUBJECT_MAX_LENGTH} characters. When too long, the muted, error and fixed counts go
 * first, then a long account label is shortened.
 *
 * @example
 * subjectOf(report); // 'lambda-role-auditor 123456789012: 1 critical, 4 high (2 new)'
 */
export function subjectOf(report: AuditReport): string {
  const head = 'lambda-role-auditor ';
  const account = asciiOnly(String(report.account ?? ''));
  const partial = report.partial ? ' (partial)' : '';
  const summary = report.summary;
  const variants = [
    summary,
    { ...summary, muted: 0 },
    { ...summary, muted: 0, errors: 0 },
    { ...summary, muted: 0, errors: 0, resolved: undefined },
  ];
  let tail = '';
  for (const variant of variants) {
    tail = `${partial}: ${asciiOnly(summaryLine({ ...report, summary: variant }))}`;
    if (head.length + account.length + tail.length <= SUBJECT_MAX_LENGTH) return `${head}${account}${tail}`;
  }
  const room = SUBJECT_MAX_LENGTH - head.length - tail.length;
  const label = account.length <= room ? account : `${account.slice(0, Math.max(0, room - 3))}...`;
  const subject = `${head}${label}${tail}`;
  return subject.length <= SUBJECT_MAX_LENGTH ? subject : `${subject.slice(0, SUBJECT_MAX_LENGTH - 3)}...`;
}

/** The highest severity with an unmuted finding, or `none`. */
export function highestSeverity(report: AuditReport): Severity | 'none' {
  return SEVERITIES.find((severity) => (report.summary?.findings?.[severity] ?? 0) > 0) ?? 'none';
}

function unmutedCount(report: AuditReport): number {
  return SEVERITIES.reduce((total, severity) => total + (report.summary?.findings?.[severity] ?? 0), 0);
}

/**
 * The filterable attributes. `new` is `summary.new` when the run was compared with a previous report,
 * otherwise every unmuted finding: a subscriber without history has seen none of them.
 */
function attributesOf(report: AuditReport): Record<string, MessageAttributeValue> {
  const unmuted = unmutedCount(report);
  const fresh = hasHistory(report) ? (report.summary.new ?? 0) : unmuted;
  return {
    severity: { DataType: 'String', StringValue: highestSeverity(report) },
    findings: { DataType: 'Number', StringValue: String(unmuted) },
    new: { DataType: 'Number', StringValue: String(fresh) },
    account: { DataType: 'String', StringValue: asciiOnly(String(report.account ?? '')) || 'unknown' },
  };
}

function attributeBytes(attributes: Record<string, MessageAttributeValue>): number {
  let total = 0;
  for (const [name, value] of Object.entries(attributes)) {
    total += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    total += Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return total;
}

function envelope(report: AuditReport): string {
  const digest = renderReport(report, 'text');
  const json = JSON.stringify(report);
  const messages: Record<string, string> = { default: digest, email: digest };
  for (const protocol of JSON_PROTOCOLS) messages[protocol] = json;
  return JSON.stringify(messages);
}

/** Letters with accents lose them; whatever is still not printable ASCII becomes `?`, line breaks a space. */
function asciiOnly(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** The lists a message may shorten, most important first. */
type ListName = 'findings' | 'resolved' | 'errors' | 'notAudited' | 'expiredSuppressions';

/** Entries of every list kept before the lists, in priority order, take what room is left. */
const RESERVED_ENTRIES = 10;

const LIST_NAMES: readonly ListName[] = [
  'findings',
  'resolved',
  'errors',
  'notAudited',
  'expiredSuppressions',
];

type Counts = Record<ListName, number>;

/**
 * Finds the largest trimmed report that fits: first up to {@link RESERVED_ENTRIES} entries of every list
 * (so that no list disappears entirely), then each list in priority order grows as far as the rest of
 * the budget allows. Every candidate is measured; only a measured fit is returned.
 */
class Trimmer {
  /** Findings in the order they are kept: unmuted first, then by severity, the report's order within. */
  private readonly rankedFindings: Finding[];
  private readonly lists: Record<ListName, readonly unknown[]>;

  constructor(
    private readonly report: AuditReport,
    private readonly fullReport: string | undefined,
    private readonly measure: (published: AuditReport) => SnsMessage,
    private readonly maxBytes: number,
  ) {
    const findings = report.findings ?? [];
    this.rankedFindings = findings
      .map((finding, index) => ({ finding, index }))
      .sort(
        (a, b) =>
          Number(Boolean(a.finding.muted)) - Number(Boolean(b.finding.muted)) ||
          compareSeverity(b.finding.severity, a.finding.severity) ||
          a.index - b.index,
      )
      .map(({ finding }) => finding);
    this.lists = {
      findings: this.rankedFindings,
      resolved: [...(report.resolved ?? [])].sort((a, b) => compareSeverity(b.severity, a.severity)),
      errors: report.errors ?? [],
      notAudited: report.partial?.notAudited ?? [],
      expiredSuppressions: report.expiredSuppressions ?? [],
    };
  }

  fit(): SnsMessage | undefined {
    const bounds = this.countsOf((name) => this.upperBound(name));
    let counts = this.countsOf(() => 0);
    let best = this.tryCounts(counts);
    if (best === undefined) return undefined;

    // A few entries of every list first, so that long errors cannot crowd out every finding or vice versa.
    const reserve = Math.min(RESERVED_ENTRIES, Math.max(...LIST_NAMES.map((name) => bounds[name])));
    const even = this.largest(0, reserve, (k) => this.countsOf((name) => Math.min(k, bounds[name])));
    if (even.message) {
      best = even.message;
      counts = this.countsOf((name) => Math.min(even.value, bounds[name]));
    }
    for (const name of LIST_NAMES) {
      const grown = this.largest(counts[name], bounds[name], (n) => ({ ...counts, [name]: n }));
      if (grown.message) {
        best = grown.message;
        counts = { ...counts, [name]: grown.value };
      }
    }
    return best;
  }

  /**
   * How many entries of a list could fit at most: each JSON protocol carries its own copy of an entry, so
   * it costs at least four times its compact JSON. Keeps the binary searches short on huge reports.
   */
  private upperBound(name: ListName): number {
    const list = this.lists[name];
    let total = 0;
    for (let index = 0; index < list.length; index += 1) {
      total += JSON_PROTOCOLS.length * Buffer.byteLength(JSON.stringify(list[index]) ?? '', 'utf8');
      if (total > this.maxBytes) return index;
    }
    return list.length;
  }

  private countsOf(pick: (name: ListName) => number): Counts {
    return {
      findings: pick('findings'),
      resolved: pick('resolved'),
      errors: pick('errors'),
      notAudited: pick('notAudited'),
      expiredSuppressions: pick('expiredSuppressions'),
    };
  }

  /** Binary search for the largest value in [low, high] whose counts fit; `low` is assumed to fit. */
  private largest(
    low: number,
    high: number,
    countsFor: (value: number) => Counts,
  ): { value: number; message?: SnsMessage } {
    let fits = low;
    let message: SnsMessage | undefined;
    let top = high;
    while (fits < top) {
      const middle = Math.ceil((fits + top) / 2);
      const candidate = this.tryCounts(countsFor(middle));
      if (candidate) {
        fits = middle;
        message = candidate;
      } else {
        top = middle - 1;
      }
    }
    return message ? { value: fits, message } : { value: low };
  }

  private tryCounts(counts: Counts): SnsMessage | undefined {
    const candidate = this.measure(this.trimmedReport(counts));
    return candidate.bytes <= this.maxBytes ? candidate : undefined;
  }

  private trimmedReport(counts: Counts): AuditReport {
    const report = this.report;
    const kept = new Set(this.rankedFindings.slice(0, counts.findings));
    const findings = (report.findings ?? []).filter((finding) => kept.has(finding));
    const trimmed: AuditReport = {
      ...report,
      findings,
      errors: (report.errors ?? []).slice(0, counts.errors),
      truncated: {
        omittedFindings: (report.findings ?? []).length - findings.length,
        ...(this.fullReport === undefined ? {} : { fullReport: this.fullReport }),
      },
    };
    if (report.resolved)
      trimmed.resolved = (this.lists.resolved as AuditReport['resolved'])!.slice(0, counts.resolved);
    if (report.partial)
      trimmed.partial = {
        ...report.partial,
        notAudited: report.partial.notAudited.slice(0, counts.notAudited),
      };
    if (report.expiredSuppressions) {
      trimmed.expiredSuppressions = report.expiredSuppressions.slice(0, counts.expiredSuppressions);
    }
    return trimmed;
  }
}
