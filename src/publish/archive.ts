import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SuppressionFileError } from '../audit/suppressions.js';
import type { AuditReport } from '../model/report.js';
import { htmlLocationOf, renderHtmlBytes } from '../report/render-html.js';

/** Where the Lambda reads its suppressions file in the report bucket (SPEC §8). */
export const SUPPRESSIONS_KEY = 'config/suppressions.json';

/** Raised when the report bucket cannot be read or written for another reason than a missing object. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  readonly location: string;

  constructor(message: string, location: string, options?: { cause?: unknown }) {
    super(message, options);
    this.location = location;
  }
}

export interface ReadLatestOptions {
  /** Told when `latest.json` exists but is not JSON; the run goes on without history. */
  onWarning?: (message: string, cause?: unknown) => void;
}

export interface ArchiveOptions {
  /**
   * Also overwrite `latest.json`, the baseline the next run compares with. Only a complete full-scope
   * run may (see `isBaseline`); the caller decides.
   */
  updateLatest: boolean;
  /** Makes the key unique among runs in the same millisecond: the Lambda's request id, or a random id. */
  runId: string;
}

/** The key prefix of one account's reports; unusual characters of an offline account label become `_`. */
export function reportPrefix(account: string): string {
  const safe = account.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+$/, '_');
  return `reports/${safe === '' ? 'unknown' : safe}/`;
}

/**
 * The file-name-safe timestamp of a report, to the millisecond: `2026-11-26T03:00:00.123Z` becomes
 * `2026-11-26T03-00-00.123Z`. An unreadable `generatedAt` falls back to `now`.
 *
 * @example
 * reportTimestamp('2026-11-26T03:00:00.123Z'); // '2026-11-26T03-00-00.123Z'
 */
export function reportTimestamp(generatedAt: string, now: Date = new Date()): string {
  const parsed = new Date(generatedAt);
  const date = Number.isNaN(parsed.getTime()) ? now : parsed;
  return date.toISOString().replaceAll(':', '-');
}

/**
 * Reads the last archived report of an account, `reports/<account>/latest.json`, as parsed JSON (not yet
 * validated: `compareReports` checks its shape). A missing object, bucket key or permission to list the
 * bucket (S3 answers 403 then) gives `undefined`; other failures throw {@link ArchiveError}.
 *
 * @example
 * const previous = await readLatestReport(s3, 'audit-reports', '123456789012', { onWarning: logger.warn });
 */
export async function readLatestReport(
  s3: S3Client,
  bucket: string,
  account: string,
  options: ReadLatestOptions = {},
): Promise<unknown> {
  const key = `${reportPrefix(account)}latest.json`;
  const body = await readObject(s3, bucket, key);
  if (body === undefined) return undefined;
  try {
    return parseJson(body);
  } catch (error) {
    options.onWarning?.(
      `${s3Location(bucket, key)} is not valid JSON; comparing with no previous report`,
      error,
    );
    return undefined;
  }
}

/**
 * Archives a report as `reports/<account>/<timestamp>-<run id>.json` (unique per run) and, for a
 * baseline, `reports/<account>/latest.json` (encrypted by the bucket's default encryption), then the
 * same report as a page for people beside the run's copy, `<timestamp>-<run id>.html`; returns the
 * `s3://` location of the run's JSON copy (`htmlLocationOf` names the page). Both JSON copies carry that
 * location in `location`.
 *
 * @example
 * report.location = await archiveReport(s3, 'audit-reports', report, { updateLatest: isBaseline(report), runId });
 * // 's3://audit-reports/reports/123456789012/2026-11-26T03-00-00.123Z-8f2c….json'
 */
export async function archiveReport(
  s3: S3Client,
  bucket: string,
  report: AuditReport,
  options: ArchiveOptions,
): Promise<string> {
  const prefix = reportPrefix(report.account);
  const runId = options.runId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'run';
  const key = `${prefix}${reportTimestamp(report.generatedAt)}-${runId}.json`;
  const location = s3Location(bucket, key);
  await writeJson(
    s3,
    bucket,
    key,
    { ...report, location },
    options.updateLatest ? `${prefix}latest.json` : undefined,
  );
  // For people, beside it: the same report as a self-contained page (rendered once the JSON text is garbage).
  await writeObject(
    s3,
    bucket,
    htmlLocationOf(key),
    renderHtmlBytes({ ...report, location }, { jsonLocation: location }),
    'text/html; charset=utf-8',
  );
  return location;
}

/** Writes the JSON copy of a run, then `latest.json` when given: it must never name a report not written. */
async function writeJson(
  s3: S3Client,
  bucket: string,
  key: string,
  report: AuditReport,
  latestKey: string | undefined,
): Promise<void> {
  // Compact: the archive is read by machines (and the next run), and indentation costs a third more.
  const body = JSON.stringify(report);
  await writeObject(s3, bucket, key, body);
  if (latestKey) await writeObject(s3, bucket, latestKey, body);
}

/**
 * Reads the suppressions file `config/suppressions.json` of the report bucket as parsed JSON, or
 * `undefined` when there is none (404 `NoSuchKey` only); validate it with `readSuppressionEntries`. Any
 * other failure, 403 included, throws {@link ArchiveError}, and a file that is not JSON is a configuration
 * error ({@link SuppressionFileError}): read as "no file", either would silently unmute every finding.
 *
 * @example
 * const raw = await readSuppressionsFile(s3, 'audit-reports');
 * const suppressions = raw === undefined ? [] : parseSuppressions(raw);
 */
export async function readSuppressionsFile(s3: S3Client, bucket: string): Promise<unknown> {
  const body = await readObject(s3, bucket, SUPPRESSIONS_KEY, isMissingKey);
  if (body === undefined) return undefined;
  try {
    return parseJson(body);
  } catch (error) {
    throw new SuppressionFileError(
      `${s3Location(bucket, SUPPRESSIONS_KEY)} is not valid JSON (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** `s3://bucket/key`. */
export function s3Location(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * The text of an object, or `undefined` when it is absent (by default also a 403, which S3 answers for a
 * missing key to a caller that may not list the bucket); other failures throw {@link ArchiveError}.
 */
export async function readObject(
  s3: S3Client,
  bucket: string,
  key: string,
  absent: (error: unknown) => boolean = isAbsent,
): Promise<string | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await response.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if (absent(error)) return undefined;
    throw new ArchiveError(
      `Reading ${s3Location(bucket, key)} failed: ${errorText(error)}`,
      s3Location(bucket, key),
      { cause: error },
    );
  }
}

/** Writes an object (encrypted by the bucket's default encryption); failures throw {@link ArchiveError}. */
export async function writeObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array,
  contentType = 'application/json',
): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  } catch (error) {
    throw new ArchiveError(
      `Writing ${s3Location(bucket, key)} failed: ${errorText(error)}`,
      s3Location(bucket, key),
      { cause: error },
    );
  }
}

/** S3 answers 403 instead of 404 for a missing key when the caller may not list the bucket. */
function isAbsent(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Code, $metadata } = error as {
    name?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const code = typeof Code === 'string' ? Code : name;
  return (
    code === 'NoSuchKey' ||
    code === 'NotFound' ||
    code === 'AccessDenied' ||
    $metadata?.httpStatusCode === 404 ||
    $metadata?.httpStatusCode === 403
  );
}

/** Only a missing key of an existing bucket: no 403 (which may hide a file) and no missing bucket. */
function isMissingKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Code, $metadata } = error as {
    name?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const code = typeof Code === 'string' ? Code : name;
  if (code === 'NoSuchKey') return true;
  return $metadata?.httpStatusCode === 404 && code !== 'NoSuchBucket';
}

function parseJson(body: string): unknown {
  return JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
