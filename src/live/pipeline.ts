import { S3Client } from '@aws-sdk/client-s3';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { auditSnapshot } from '../audit/audit.js';
import { compareReports, isBaseline } from '../audit/diff.js';
import { withMinSeverity } from '../audit/summary.js';
import { readSuppressionEntries, type Suppression, SuppressionFileError } from '../audit/suppressions.js';
import { type AwsClients, createClients } from '../collect/clients.js';
import { type CollectionStrategy, type CollectProgress, collectSnapshot } from '../collect/collect.js';
import type { UsageCollectionOptions } from '../collect/last-accessed.js';
import type { ResourcePolicyOptions } from '../collect/resource-policies.js';
import type { AuditReport } from '../model/report.js';
import type { Severity } from '../model/severity.js';
import type { AccountSnapshot } from '../model/snapshot.js';
import { parseArn } from '../policy/arn.js';
import { matchesWildcard } from '../policy/wildcard.js';
import {
  archiveReport,
  readLatestReport,
  readSuppressionsFile,
  SUPPRESSIONS_KEY,
} from '../publish/archive.js';
import type { SecurityHubExport } from '../publish/security-hub.js';
import { type PublishResult, type PublishWhen, publishReport, shouldPublish } from '../publish/sns.js';
import { ResourcePolicyCache } from './resource-policy-cache.js';

/** The AWS clients of a live run, created once per process (per Lambda container) and reused. */
export interface LiveServices {
  clients: AwsClients;
  sns: SNSClient;
  s3: S3Client;
  /** Created on the first export to Security Hub (its module loads only then), then reused. */
  securityHub?: SecurityHubClient;
}

/**
 * Creates the clients from the standard environment (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`),
 * all with the SDK's adaptive retry mode.
 */
export function createLiveServices(options: { topicArn?: string } = {}): LiveServices {
  const common = { retryMode: 'adaptive', maxAttempts: 8 } as const;
  // A central topic may live in another region than the auditor: publish in the topic's region.
  const topicRegion = options.topicArn ? parseArn(options.topicArn)?.region : undefined;
  return {
    clients: createClients(),
    sns: new SNSClient(topicRegion ? { ...common, region: topicRegion } : common),
    // Path-style addressing keeps a custom endpoint (a local emulator) working for any bucket name.
    s3: new S3Client({ ...common, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }),
  };
}

export type Warn = (message: string, fields?: Record<string, unknown>) => void;

export interface CollectAndAuditRequest {
  regions: string[] | 'all';
  collection: CollectionStrategy;
  functionGlobs?: string[];
  minSeverity?: Severity;
  /** The run covers fewer regions than configured (a console event naming regions): a scoped run. */
  regionsScoped?: boolean;
  /** Suppressions from a local file; the bucket's `config/suppressions.json` is added to them. */
  suppressions?: Suppression[];
  reportBucket?: string;
  deadline?: () => number;
  deadlineMarginMs?: number;
  /** Read the roles' last-accessed data and apply the usage rules (SPEC §4c). */
  usage?: UsageCollectionOptions;
  onProgress?: (event: CollectProgress) => void;
  warn?: Warn;
  /** Audit only: the resource-policy cache of `reportBucket` is read, not written. */
  dryRun?: boolean;
  /** Who may invoke each function: rate and cache age (the cache lives in `reportBucket`); `false` skips it. */
  resourcePolicies?: Omit<ResourcePolicyOptions, 'cache'> | false;
}

/** Collects the account and audits it; one bad function or role never stops it (see `report.errors`). */
export async function collectAndAudit(
  services: LiveServices,
  request: CollectAndAuditRequest,
): Promise<{ snapshot: AccountSnapshot; report: AuditReport }> {
  const globs = request.functionGlobs ?? [];
  const cache = request.reportBucket
    ? new ResourcePolicyCache(services.s3, request.reportBucket, request.warn)
    : undefined;
  const resourcePolicies =
    request.resourcePolicies === false
      ? false
      : {
          ...request.resourcePolicies,
          ...(cache ? { cache: (account: string) => cache.load(account) } : {}),
        };
  const [snapshot, bucketSuppressions] = await Promise.all([
    collectSnapshot({
      clients: services.clients,
      regions: request.regions,
      collection: request.collection,
      resourcePolicies,
      ...(globs.length ? { functionFilter: globFilter(globs) } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.deadline ? { deadline: request.deadline } : {}),
      ...(request.deadlineMarginMs !== undefined ? { deadlineMarginMs: request.deadlineMarginMs } : {}),
      ...(request.usage ? { usage: request.usage } : {}),
    }),
    request.reportBucket ? loadBucketSuppressions(services.s3, request.reportBucket) : noSuppressions,
  ]);
  // Partial runs too: the next run continues with the functions this one did not read.
  if (!request.dryRun) await cache?.save(snapshot, { pruneUnlisted: globs.length === 0 });
  for (const problem of bucketSuppressions.problems) {
    // A typo in the suppressions file must not silence the nightly report: audit without that entry and say so.
    snapshot.errors.push({
      scope: 'config',
      arn: `s3://${request.reportBucket}/${SUPPRESSIONS_KEY}`,
      ...problem,
    });
    request.warn?.('suppressions file in the report bucket not fully applied', { problem: problem.message });
  }
  const report = auditSnapshot(snapshot, {
    suppressions: [...(request.suppressions ?? []), ...bucketSuppressions.suppressions],
    ...(request.minSeverity ? { minSeverity: request.minSeverity } : {}),
    ...(globs.length ? { functions: globs } : {}),
    ...(request.regionsScoped ? { regionsScoped: true } : {}),
    ...(request.usage ? { usageDays: request.usage.days } : {}),
  });
  return { snapshot, report };
}

interface BucketSuppressions {
  suppressions: Suppression[];
  problems: Array<{
    code: 'SuppressionsUnreadable' | 'InvalidSuppressions' | 'InvalidSuppression';
    message: string;
  }>;
}

const noSuppressions: BucketSuppressions = { suppressions: [], problems: [] };

/** The valid entries of the bucket's file; an unreadable file or invalid entry is a problem, never "none". */
async function loadBucketSuppressions(s3: S3Client, bucket: string): Promise<BucketSuppressions> {
  let raw: unknown;
  try {
    raw = await readSuppressionsFile(s3, bucket);
  } catch (error) {
    const code = error instanceof SuppressionFileError ? 'InvalidSuppressions' : 'SuppressionsUnreadable';
    return { suppressions: [], problems: [{ code, message: (error as Error).message }] };
  }
  if (raw === undefined) return noSuppressions;
  const { suppressions, problems } = readSuppressionEntries(raw);
  return {
    suppressions,
    // One bad entry mutes nothing; the others still apply, and the run is not partial for it.
    problems: problems.map((message) => ({ code: 'InvalidSuppression', message })),
  };
}

function globFilter(globs: string[]): (name: string) => boolean {
  return (name) => globs.some((glob) => matchesWildcard(glob, name));
}

export interface DeliverRequest {
  reportBucket?: string;
  topicArn?: string;
  publishWhen: PublishWhen;
  /** Audit only: no archive, no publish. */
  dryRun?: boolean;
  /** Makes the archive key unique: the Lambda's request id, or a random id for the CLI. */
  runId: string;
  /** Import the findings into the account's Security Hub (and archive the resolved ones there). */
  securityHub?: boolean;
  /** Milliseconds the run has left (the Lambda's remaining time), so the export never crowds out delivery. */
  remainingTime?: () => number;
  warn?: Warn;
}

/** Time the Security Hub export leaves for archiving and publishing when the run has a deadline. */
export const DELIVERY_RESERVE_MS = 30_000;

export interface Delivery {
  /** What was printed and published: the compared report under the run's severity filter. */
  report: AuditReport;
  location?: string;
  published: boolean;
  publishResult?: PublishResult;
  previous: 'compared' | 'none' | 'ignored';
  /** Whether this run replaced `latest.json`, the baseline of the next comparison. */
  baseline: boolean;
  /** What the Security Hub export did, when asked for. */
  securityHub?: Omit<SecurityHubExport, 'errors'> & { errors: number };
}

/**
 * Reads the baseline and compares with it; a function of its own so that the parsed baseline (as large
 * as a report) is garbage before the report is archived and published.
 */
async function compareWithBaseline(
  s3: S3Client,
  bucket: string,
  current: AuditReport,
  warn: Warn | undefined,
): Promise<ReturnType<typeof compareReports>> {
  let latest: unknown;
  try {
    latest = await readLatestReport(s3, bucket, current.account, { onWarning: (message) => warn?.(message) });
  } catch (error) {
    // Without history every finding counts as new: a noisier report, never a missing one.
    warn?.('previous report could not be read; comparing with none', { problem: (error as Error).message });
  }
  return compareReports(current, latest);
}

/**
 * Compares with the baseline (the last complete full-scope report), archives the whole report (every
 * finding, whatever the severity filter), then publishes what the filter keeps. The archive is written
 * before publishing so that a failed publish (which fails the run) loses nothing; an archive that cannot
 * be written fails the run too, but only after the report was published. A baseline that cannot be read
 * only costs the comparison. Only a complete full-scope run replaces the baseline.
 */
export async function deliverReport(
  services: LiveServices,
  current: AuditReport,
  request: DeliverRequest,
): Promise<Delivery> {
  let report = current;
  let previous: Delivery['previous'] = 'none';
  if (request.reportBucket) {
    const comparison = await compareWithBaseline(services.s3, request.reportBucket, current, request.warn);
    report = comparison.report;
    previous = comparison.previous;
    if (comparison.problem) request.warn?.('previous report ignored', { problem: comparison.problem });
  }
  const view = (whole: AuditReport): AuditReport => withMinSeverity(whole, whole.scope.minSeverity);
  if (request.dryRun) return { report: view(report), published: false, previous, baseline: false };
  // Before the archive, so that what Security Hub refused is in the archived and published report.
  let securityHub: Delivery['securityHub'];
  if (request.securityHub && report.status !== 'failed') {
    const exported = await exportToSecurityHub(services, report, request);
    securityHub = { ...exported, errors: exported.errors.length };
    if (exported.errors.length > 0) {
      report = {
        ...report,
        errors: [...report.errors, ...exported.errors],
        summary: { ...report.summary, errors: report.summary.errors + exported.errors.length },
      };
      request.warn?.('Security Hub did not take every finding', { problem: exported.errors[0]!.message });
    }
  }
  const exportSummary = securityHub ? { securityHub } : {};
  let location: string | undefined;
  let archiveError: unknown;
  const baseline = isBaseline(report);
  if (request.reportBucket) {
    try {
      location = await archiveReport(services.s3, request.reportBucket, report, {
        updateLatest: baseline,
        runId: request.runId,
      });
      report = { ...report, location };
    } catch (error) {
      // The subscribers still get tonight's report; the run fails afterwards so the error alarm fires.
      archiveError = error;
      request.warn?.('report could not be archived; publishing it anyway', {
        problem: (error as Error).message,
      });
    }
  }
  const shown = view(report);
  const archived = { ...(location ? { location } : {}), baseline: baseline && location !== undefined };
  if (!request.topicArn || !shouldPublish(shown, request.publishWhen)) {
    if (archiveError) throw archiveError;
    return { report: shown, ...archived, ...exportSummary, published: false, previous };
  }
  const publishResult = await publishReport(services.sns, request.topicArn, shown, {
    ...(location ? { fullReportLocation: location } : {}),
  });
  if (archiveError) throw archiveError;
  return { report: shown, ...archived, ...exportSummary, published: true, publishResult, previous };
}

/**
 * Imports the whole report (every finding, whatever the severity filter) into Security Hub. Never
 * throws: a failure, even to load the client, is an `errors[]` entry of the report.
 */
async function exportToSecurityHub(
  services: LiveServices,
  report: AuditReport,
  request: DeliverRequest,
): Promise<SecurityHubExport> {
  try {
    const securityHub = await import('../publish/security-hub.js');
    services.securityHub ??= securityHub.createSecurityHubClient();
    return await securityHub.exportToSecurityHub(services.securityHub, report, {
      ...(request.remainingTime
        ? { remainingTime: request.remainingTime, reserveMs: DELIVERY_RESERVE_MS }
        : {}),
    });
  } catch (error) {
    return {
      productArn: '',
      active: 0,
      archived: 0,
      failed: (report.findings?.length ?? 0) + (report.resolved?.length ?? 0),
      requests: 0,
      errors: [
        {
          scope: 'account',
          arn: report.account,
          code: error instanceof Error ? error.name : 'SecurityHubExportFailed',
          message: `Security Hub export failed: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
    };
  }
}
