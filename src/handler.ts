import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { readLambdaConfig } from './lambda/config.js';
import { parseInvocationEvent } from './lambda/event.js';
import { createLogger } from './lambda/logger.js';
import { type InvocationSummary, runInvocation } from './lambda/run.js';
import { createLiveServices, type LiveServices } from './live/pipeline.js';
import { silenceSdkNodeVersionWarning } from './sdk-warnings.js';
import { TOOL_VERSION } from './version.js';

// The SDK's Node version warning is noise in every log of a supported runtime.
silenceSdkNodeVersionWarning();

const logger = createLogger({ service: 'lambda-role-auditor', version: TOOL_VERSION });

// Created on the first invocation and reused by warm ones: connections and adaptive retry state persist,
// per-invocation state (the call counts) starts afresh on every invocation (SPEC §8).
let services: LiveServices | undefined;

async function audit(event: unknown, context: Context): Promise<InvocationSummary> {
  const config = readLambdaConfig(process.env);
  const options = parseInvocationEvent(event);
  services ??= createLiveServices({ topicArn: config.topicArn });
  services.clients.resetCounts();
  return runInvocation(services, config, options, context, logger.with({ requestId: context.awsRequestId }));
}

/**
 * The auditor's Lambda handler: EventBridge scheduled events and console test events
 * (`{}` or `{"dryRun":true,"regions":["us-east-1"],"functions":["prefix-*"],"minSeverity":"high"}`).
 */
export const handler = middy<unknown, InvocationSummary, Error, Context>(audit).use({
  onError: async (request) => {
    const error = request.error;
    // Configuration and event errors fail fast; their messages name the variable or field.
    logger.error('invocation failed', { error, requestId: request.context.awsRequestId });
  },
});
