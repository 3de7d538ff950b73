import type { Context } from 'aws-lambda';
import {
  type CollectAndAuditRequest,
  collectAndAudit,
  deliverReport,
  type LiveServices,
} from '../live/pipeline.js';
import type { ReportSummary, RunStatus } from '../model/report.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { planRoles } from '../report/fix-plan.js';
import { htmlLocationOf } from '../report/render-html.js';
import type { LambdaConfig } from './config.js';
import { EventValidationError, type InvocationOptions } from './event.js';
import type { Logger } from './logger.js';

/** What an invocation returns: enough for the Lambda console to show the result at a glance. */
export interface InvocationSummary extends ReportSummary {
  account: string;
  status: RunStatus;
  regions: string[];
  trigger: InvocationOptions['trigger'];
  dryRun: boolean;
  /** What a partial or failed run could not read. */
  partial?: { reason: string; notAudited: number };
  published: boolean;
  /** Whether this run became the baseline of the next comparison (a complete full-scope run). */
  baseline: boolean;
  location?: string;
  /** The HTML page archived beside the JSON report. */
  htmlLocation?: string;
  truncated?: boolean;
  /** What went to Security Hub (`SECURITY_HUB=on`): findings imported active, archived, and not taken. */
  securityHub?: { active: number; archived: number; failed: number };
  /** The roles to fix first, for a console invocation (never environment values). */
  top: Array<{ severity: string; role: string; functions: number; rules: string[]; new: boolean }>;
}

/** Raised after a failed run was published: the invocation fails so that the error alarm fires. */
export class AuditFailedError extends Error {
  override readonly name = 'AuditFailedError';
}

/** Leaves enough of the Lambda's time to audit, archive and publish what was collected. */
export const DEADLINE_MARGIN_MS = 45_000;

/**
 * One invocation of the auditor: collect, audit, compare with the baseline, archive, publish. Throws for
 * a failed publish or archive, and for a failed run after its failure was published (so the error alarm
 * fires); everything else becomes an entry in the report's `errors`.
 */
export async function runInvocation(
  services: LiveServices,
  config: LambdaConfig,
  options: InvocationOptions,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
  logger: Logger,
): Promise<InvocationSummary> {
  const regions = options.regions?.[0] === 'all' ? 'all' : (options.regions ?? config.regions);
  const minSeverity = options.minSeverity ?? config.minSeverity;
  logger.info('audit started', {
    trigger: options.trigger,
    dryRun: options.dryRun,
    regions,
    collection: config.collection,
    minSeverity,
    functions: options.functions,
    usageDays: config.usage?.days,
  });
  const request: CollectAndAuditRequest = {
    regions,
    collection: config.collection,
    ...(minSeverity !== 'info' ? { minSeverity } : {}),
    deadline: () => context.getRemainingTimeInMillis(),
    deadlineMarginMs: DEADLINE_MARGIN_MS,
    warn: (message, fields) => logger.warn(message, fields),
  };
  if (options.regions && !sameRegions(options.regions, config.regions)) request.regionsScoped = true;
  if (options.functions) request.functionGlobs = options.functions;
  if (options.dryRun) request.dryRun = true;
  if (config.reportBucket) request.reportBucket = config.reportBucket;
  if (config.usage) request.usage = { days: config.usage.days };
  const { snapshot, report } = await collectAndAudit(services, request);
  // A console run whose glob names no function would report an empty, "complete" audit: say so instead,
  // as the CLI does. Decidable only when every region was listed (a glob may name a function of a region
  // that failed).
  if (options.functions && !snapshot.errors.some((error) => error.scope === 'region')) {
    const unmatched = options.functions.filter(
      (glob) => !snapshot.functions.some((fn) => matchesWildcard(glob, fn.functionName)),
    );
    if (unmatched.length > 0) {
      const regionList = report.scope.regions.join(', ');
      throw new EventValidationError(
        `"functions": no function in ${regionList} matches ${unmatched.map((glob) => JSON.stringify(glob)).join(', ')}`,
      );
    }
  }
  logger.info('audit finished', {
    status: report.status,
    functions: report.summary.functions,
    roles: report.summary.roles,
    findings: report.summary.findings,
    errors: report.summary.errors,
    partial: report.partial ? report.partial.notAudited.length : undefined,
    proposals: report.proposals?.length,
    apiCalls: services.clients.callCounts(),
    apiAttempts: services.clients.attemptCounts(),
  });
  const delivery = await deliverReport(services, report, {
    ...(config.reportBucket ? { reportBucket: config.reportBucket } : {}),
    topicArn: config.topicArn,
    publishWhen: config.publishWhen,
    dryRun: options.dryRun,
    runId: context.awsRequestId,
    ...(config.securityHub
      ? { securityHub: true, remainingTime: () => context.getRemainingTimeInMillis() }
      : {}),
    warn: (message, fields) => logger.warn(message, fields),
  });
  if (delivery.securityHub) logger.info('findings imported into Security Hub', { ...delivery.securityHub });
  const final = delivery.report;
  logger.info(delivery.published ? 'report published' : 'report not published', {
    status: final.status,
    publishWhen: config.publishWhen,
    dryRun: options.dryRun,
    location: delivery.location,
    baseline: delivery.baseline,
    bytes: delivery.publishResult?.bytes,
    truncated: Boolean(delivery.publishResult?.truncated),
    new: final.summary.new,
    resolved: final.summary.resolved,
  });
  const summary: InvocationSummary = {
    account: final.account,
    status: final.status,
    regions: final.scope.regions,
    trigger: options.trigger,
    dryRun: options.dryRun,
    ...final.summary,
    published: delivery.published,
    baseline: delivery.baseline,
    top: planRoles(final)
      .slice(0, 10)
      .map((role) => ({
        severity: role.severity,
        role: role.roleName,
        functions: role.functionCount,
        rules: [
          ...new Set([
            ...role.roleFindings.map((finding) => finding.ruleId),
            ...role.functionFindings.map((rule) => rule.ruleId),
          ]),
        ],
        new: role.isNew,
      })),
  };
  if (final.partial)
    summary.partial = { reason: final.partial.reason, notAudited: final.partial.notAudited.length };
  if (delivery.location) {
    summary.location = delivery.location;
    summary.htmlLocation = htmlLocationOf(delivery.location);
  }
  if (delivery.securityHub) {
    const { active, archived, failed } = delivery.securityHub;
    summary.securityHub = { active, archived, failed };
  }
  if (delivery.publishResult?.truncated) summary.truncated = true;
  if (final.status === 'failed') {
    // Published (or dry run) first; failing now makes the error alarm fire.
    throw new AuditFailedError(
      `the audit of account ${final.account} failed: ${final.partial?.reason ?? 'nothing could be read'}`,
    );
  }
  return summary;
}

function sameRegions(requested: readonly string[], configured: readonly string[] | 'all'): boolean {
  if (configured === 'all') return requested.length === 1 && requested[0] === 'all';
  return requested.length === configured.length && requested.every((region) => configured.includes(region));
}
