import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AuditReport, Finding, SeverityCounts } from '../model/report.js';
import { compareSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { type PlanRole, planRoles, rolesBySeverity } from '../report/fix-plan.js';
import { hasHistory } from '../report/format.js';
import { withoutControlCharacters } from '../report/render.js';
import { type DigestLimits, renderDigest } from '../report/render-text.js';

/** SNS's default maximum: message body, subject and message attributes together, in UTF-8 bytes. */
export const SNS_MESSAGE_LIMIT_BYTES = 262_144;

/** SNS asks for "less than 100 characters"; the specification for at most 100: both hold at 99. */
export const SUBJECT_MAX_LENGTH = 99;

/** When a run publishes (`PUBLISH_WHEN`, SPEC §7). */
export const PUBLISH_WHEN_VALUES = ['always', 'findings', 'changes'] as const;

export type PublishWhen = (typeof PUBLISH_WHEN_VALUES)[number];

/** Raised when the report could not be published (after the SDK's own retries). */
export class PublishError extends Error {
  override readonly name: string = 'PublishError';
  readonly topicArn: string | undefined;

  constructor(message: string, options: { cause?: unknown; topicArn?: string } = {}) {
    super(message, { cause: options.cause });
    this.topicArn = options.topicArn;
  }
}

/** Raised when not even a minimal digest and report fit the size limit (a limit far too small). */
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
  /** The `MessageStructure: 'json'` envelope: the JSON report once (`default`), the digest for `email`. */
  message: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  /** The report as published: trimmed (with `truncated`) when the whole one did not fit. */
  report: AuditReport;
  /** The digest as published. */
  digest: string;
  /** UTF-8 size of message, subject and attributes, as SNS counts it. */
  bytes: number;
}

export interface PublishResult {
  messageId: string | undefined;
  bytes: number;
  truncated?: AuditReport['truncated'];
}

/**
 * How far the digest is shortened, step by step, when the message is too large: the JSON report gives
 * way first; the digest keeps every critical and high role until the last step.
 */
const DIGEST_STEPS: ReadonlyArray<Partial<DigestLimits>> = [
  {},
  { others: 5, functionRoles: 5, lists: 5 },
  { detailed: 5, others: 0, functionRoles: 0, lists: 3 },
  { detailed: 3, others: 0, functionRoles: 0, lists: 0 },
  { detailed: 1, others: 0, functionRoles: 0, lists: 0, urgent: 200 },
  { detailed: 0, others: 0, functionRoles: 0, lists: 0, urgent: 0 },
];

/** What a trimmed JSON report keeps of its secondary lists. */
const LIST_CAPS = {
  errors: 20,
  notes: 20,
  resolved: 100,
  notAudited: 20,
  expiredSuppressions: 20,
  roleFunctions: 20,
  proposals: 10,
};

/**
 * Builds the SNS message of a report (SPEC §7): an ASCII subject, a JSON envelope with the JSON report
 * once under `default` (SNS delivers it to SQS, Lambda, HTTP/S and email-json subscribers) and the text
 * digest under `email`, and filterable attributes. Too large for the limit, the JSON report drops its
 * lowest severities first (and says so in `truncated`); the digest, bounded by design, is shortened only
 * when the JSON alone cannot make room, keeping every critical and high role as long as possible.
 *
 * @example
 * const { subject, message } = buildMessage(report, { fullReportLocation: 's3://reports/r/1.json' });
 */
export function buildMessage(report: AuditReport, options: BuildMessageOptions = {}): SnsMessage {
  const maxBytes = options.maxBytes ?? SNS_MESSAGE_LIMIT_BYTES;
  const fullReport = options.fullReportLocation ?? report.location;
  const base: AuditReport = fullReport === undefined ? { ...report } : { ...report, location: fullReport };
  const plan = planRoles(base);
  const subject = subjectOf(base, plan);
  const messageAttributes = attributesOf(base);
  const fixedBytes = Buffer.byteLength(subject, 'utf8') + attributeBytes(messageAttributes);
  const trimmer = new ReportTrimmer(base, fullReport);
  for (const limits of DIGEST_STEPS) {
    const digest = renderDigest(withoutControlCharacters(base), plan, { limits });
    const measure = (published: AuditReport): SnsMessage => {
      const message = JSON.stringify({ default: JSON.stringify(published), email: digest });
      return {
        subject,
        message,
        messageAttributes,
        report: published,
        digest,
        bytes: fixedBytes + Buffer.byteLength(message, 'utf8'),
      };
    };
    const fitted = trimmer.fit(measure, maxBytes);
    if (fitted) return fitted;
  }
  throw new MessageTooLargeError(
    `Even a minimal digest and report do not fit in ${maxBytes} bytes for account ${report.account}.`,
  );
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
 * A failed or partial report is always published, so that a blind run never goes unnoticed.
 *
 * @example
 * if (shouldPublish(report, config.publishWhen)) await publishReport(sns, topicArn, report);
 */
export function shouldPublish(report: AuditReport, when: PublishWhen): boolean {
  if (when === 'always' || report.status !== 'complete') return true;
  const unmuted = unmutedCount(report);
  if (when === 'findings') return unmuted > 0;
  if (!hasHistory(report)) return unmuted > 0;
  return (report.summary.new ?? 0) > 0 || (report.summary.resolved ?? 0) > 0;
}

/**
 * The subject line: `lambda-role-auditor <account>: <status and what to fix>`, printable ASCII only and
 * at most {@link SUBJECT_MAX_LENGTH} characters; a failed run says `AUDIT FAILED`, a partial one
 * `PARTIAL`. When too long, the breakdown and the counters go first, then a long account is shortened.
 *
 * @example
 * subjectOf(report); // 'lambda-role-auditor 123456789012: 3 roles to fix (1 critical, 2 high), 2 new'
 */
export function subjectOf(report: AuditReport, plan: readonly PlanRole[] = planRoles(report)): string {
  const head = 'lambda-role-auditor ';
  const account = asciiOnly(String(report.account ?? ''));
  const status = report.status === 'failed' ? 'AUDIT FAILED' : report.status === 'partial' ? 'PARTIAL' : '';
  const bySeverity = rolesBySeverity(plan);
  const breakdown = SEVERITIES.filter((severity) => bySeverity[severity] > 0)
    .map((severity) => `${bySeverity[severity]} ${severity}`)
    .join(', ');
  const roles =
    plan.length === 0
      ? report.status === 'complete'
        ? 'nothing to fix'
        : 'nothing found in what was read'
      : `${plan.length} role${plan.length === 1 ? '' : 's'} to fix`;
  const summary = report.summary;
  const counters = [
    (summary?.new ?? 0) > 0 ? `${summary.new} new` : '',
    (summary?.resolved ?? 0) > 0 ? `${summary.resolved} fixed` : '',
  ].filter(Boolean);
  const detailed = `${roles}${breakdown ? ` (${breakdown})` : ''}`;
  // What changed since the last run matters more than the breakdown by severity: it goes last.
  const variants =
    report.status === 'failed'
      ? [status]
      : [
          [status, detailed, ...counters],
          [status, roles, ...counters],
          [status, roles, counters[0] ?? ''],
          [status, roles],
        ].map((parts) => parts.filter(Boolean).join(', '));
  let tail = '';
  for (const variant of variants) {
    tail = `: ${variant}`;
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
    status: { DataType: 'String', StringValue: report.status ?? 'complete' },
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

/**
 * Shortens a report to fit a message: findings ranked unmuted first, then by severity (the fix-plan
 * order within), kept as far as the budget allows; secondary lists capped; `roles[]` keeps the roles of
 * the kept findings with at most a few function ARNs each. `truncated` says what was left out.
 */
class ReportTrimmer {
  private readonly ranked: Finding[];
  /** Compact JSON bytes of the first n ranked findings, to bound the search cheaply. */
  private readonly cumulative: number[];

  constructor(
    private readonly report: AuditReport,
    private readonly fullReport: string | undefined,
  ) {
    this.ranked = (report.findings ?? [])
      .map((finding, index) => ({ finding, index }))
      .sort(
        (a, b) =>
          Number(Boolean(a.finding.muted)) - Number(Boolean(b.finding.muted)) ||
          compareSeverity(b.finding.severity, a.finding.severity) ||
          a.index - b.index,
      )
      .map(({ finding }) => finding);
    this.cumulative = [0];
  }

  fit(measure: (published: AuditReport) => SnsMessage, maxBytes: number): SnsMessage | undefined {
    // Rendering a report whose findings alone exceed the limit (megabytes on a large account) is wasted.
    if (this.boundFor(maxBytes) >= this.ranked.length) {
      const whole = measure(this.report);
      if (whole.bytes <= maxBytes) return whole;
    }
    const smallest = measure(this.trimmed(0));
    if (smallest.bytes > maxBytes) return undefined;
    // The findings' own bytes bound how many can fit; then a binary search on measured candidates.
    const budget = maxBytes - smallest.bytes;
    let high = this.boundFor(budget);
    let low = 0;
    let best = smallest;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      const candidate = measure(this.trimmed(middle));
      if (candidate.bytes <= maxBytes) {
        low = middle;
        best = candidate;
      } else {
        high = middle - 1;
      }
    }
    return best;
  }

  /** The most findings whose JSON (escaped once more inside the envelope) could fit in `budget` bytes. */
  private boundFor(budget: number): number {
    while (this.cumulative.length <= this.ranked.length) {
      const last = this.cumulative[this.cumulative.length - 1]!;
      if (last > budget) break;
      const next = this.ranked[this.cumulative.length - 1]!;
      this.cumulative.push(last + Buffer.byteLength(JSON.stringify(next), 'utf8'));
    }
    let count = 0;
    while (count + 1 < this.cumulative.length && this.cumulative[count + 1]! <= budget) count += 1;
    return count;
  }

  private trimmed(count: number): AuditReport {
    const report = this.report;
    const kept = new Set(this.ranked.slice(0, count));
    const findings = (report.findings ?? []).filter((finding) => kept.has(finding));
    const omitted: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    for (const finding of this.ranked.slice(count)) omitted[finding.severity] += 1;
    const keptRoles = new Set(findings.map((finding) => finding.roleArn));
    const trimmed: AuditReport = {
      ...report,
      roles: (report.roles ?? [])
        .filter((role) => keptRoles.has(role.roleArn))
        .map((role) => ({
          roleArn: role.roleArn,
          functions: role.functions.slice(0, LIST_CAPS.roleFunctions),
        })),
      findings,
      errors: (report.errors ?? []).slice(0, LIST_CAPS.errors),
      truncated: {
        omitted,
        ...(this.fullReport === undefined ? {} : { fullReport: this.fullReport }),
      },
    };
    if (report.notes) trimmed.notes = report.notes.slice(0, LIST_CAPS.notes);
    if (report.resolved) trimmed.resolved = report.resolved.slice(0, LIST_CAPS.resolved);
    if (report.partial)
      trimmed.partial = {
        ...report.partial,
        notAudited: report.partial.notAudited.slice(0, LIST_CAPS.notAudited),
      };
    if (report.expiredSuppressions)
      trimmed.expiredSuppressions = report.expiredSuppressions.slice(0, LIST_CAPS.expiredSuppressions);
    // A proposed policy is up to 6 KB: only those of the roles kept, a few (the archive has them all).
    if (report.proposals) {
      const proposals = report.proposals
        .filter((proposal) => keptRoles.has(proposal.roleArn))
        .slice(0, LIST_CAPS.proposals);
      if (proposals.length > 0) trimmed.proposals = proposals;
      else delete trimmed.proposals;
    }
    return trimmed;
  }
}
