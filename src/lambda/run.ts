import type { Context } from 'aws-lambda';
import {
  type CollectAndAuditRequest,
  collectAndAudit,
  deliverReport,
  type LiveServices,
} from '../live/pipeline.js';
import type { ReportSummary } from '../model/report.js';
import type { LambdaConfig } from './config.js';
import type { InvocationOptions } from './event.js';
import type { Logger } from './logger.js';

/** What an invocation returns: enough for the Lambda console to show the result at a glance. */
export interface InvocationSummary extends ReportSummary {
  account: string;
  regions: string[];
  trigger: InvocationOptions['trigger'];
  dryRun: boolean;
  partial?: { reason: string; notAudited: number };
  published: boolean;
  location?: string;
  truncated?: boolean;
  /** The most severe findings, for a console invocation (never environment values). */
  top: Array<{ severity: string; ruleId: string; functionName: string; region: string }>;
}

/** Leaves enough of the Lambda's time to audit, archive and publish what was collected. */
export const DEADLINE_MARGIN_MS = 45_000;

/**
 * One invocation of the auditor: collect, audit, compare with the last run, archive, publish.
 * Throws only for a failed publish or archive (so the error alarm fires); everything else becomes an
 * entry in the report's `errors`.
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
  });
  const request: CollectAndAuditRequest = {
    regions,
    collection: config.collection,
    minSeverity,
    deadline: () => context.getRemainingTimeInMillis(),
    deadlineMarginMs: DEADLINE_MARGIN_MS,
    warn: (message, fields) => logger.warn(message, fields),
  };
  if (options.functions) request.functionGlobs = options.functions;
  if (config.reportBucket) request.reportBucket = config.reportBucket;
  const { snapshot, report } = await collectAndAudit(services, request);
  logger.info('audit finished', {
    functions: report.summary.functions,
    roles: report.summary.roles,
    findings: report.summary.findings,
    errors: report.summary.errors,
    partial: report.partial ? report.partial.notAudited.length : undefined,
    apiCalls: services.clients.callCounts(),
    apiAttempts: services.clients.attemptCounts(),
  });
  const delivery = await deliverReport(services, report, {
    ...(config.reportBucket ? { reportBucket: config.reportBucket } : {}),
    topicArn: config.topicArn,
    publishWhen: config.publishWhen,
    dryRun: options.dryRun,
    auditedFunctionArns: snapshot.functions.map((fn) => fn.functionArn),
    warn: (message, fields) => logger.warn(message, fields),
  });
  const final = delivery.report;
  logger.info(delivery.published ? 'report published' : 'report not published', {
    publishWhen: config.publishWhen,
    dryRun: options.dryRun,
    location: delivery.location,
    bytes: delivery.publishResult?.bytes,
    truncated: Boolean(delivery.publishResult?.truncated),
    new: final.summary.new,
    resolved: final.summary.resolved,
  });
  const summary: InvocationSummary = {
    account: final.account,
    regions: final.regions,
    trigger: options.trigger,
    dryRun: options.dryRun,
    ...final.summary,
    published: delivery.published,
    top: final.findings
      .filter((finding) => !finding.muted)
      .slice(0, 10)
      .map(({ severity, ruleId, functionName, region }) => ({ severity, ruleId, functionName, region })),
  };
  if (final.partial)
    summary.partial = { reason: final.partial.reason, notAudited: final.partial.notAudited.length };
  if (delivery.location) summary.location = delivery.location;
  if (delivery.publishResult?.truncated) summary.truncated = true;
  return summary;
}
