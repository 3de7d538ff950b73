import { isSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS } from '../usage/coverage.js';

/** An invalid environment: the invocation fails at once with a message naming the variable. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export type PublishWhen = 'always' | 'findings' | 'changes';
export type CollectionMode = 'auto' | 'bulk' | 'per-role';

/** The auditor Lambda's configuration, from its environment (SPEC §8). */
export interface LambdaConfig {
  topicArn: string;
  reportBucket?: string;
  /** Region names, or 'all' for the account's enabled regions. */
  regions: string[] | 'all';
  publishWhen: PublishWhen;
  minSeverity: Severity;
  collection: CollectionMode;
  /** Set when `USAGE=on`: the usage window of the last-accessed analysis (SPEC §4c). */
  usage?: { days: number };
  /** `SECURITY_HUB=on`: import the findings into the account's Security Hub (default off). */
  securityHub?: boolean;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(?:\.fifo)?$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  variable: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = env[variable]?.trim();
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(variable, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** `USAGE_DAYS`: a whole number of days from 1 to 400 (IAM keeps last-accessed data 400 days), default 90. */
function readUsageDays(raw: string | undefined): number {
  const value = raw?.trim();
  if (value === undefined || value === '') return DEFAULT_USAGE_DAYS;
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > MAX_USAGE_DAYS)
    throw new ConfigurationError(
      'USAGE_DAYS',
      `must be a whole number of days from 1 to ${MAX_USAGE_DAYS}, got "${value}"`,
    );
  return days;
}

/**
 * Reads and validates the environment; throws ConfigurationError naming the first bad variable.
 *
 * @example
 * const config = readLambdaConfig({ TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:audit', AWS_REGION: 'us-east-1' });
 */
export function readLambdaConfig(env: NodeJS.ProcessEnv): LambdaConfig {
  const topicArn = env.TOPIC_ARN?.trim() ?? '';
  if (topicArn === '')
    throw new ConfigurationError('TOPIC_ARN', 'is required (the SNS topic to publish reports to)');
  if (!TOPIC_ARN.test(topicArn))
    throw new ConfigurationError('TOPIC_ARN', `is not an SNS topic ARN: "${topicArn}"`);

  const bucket = env.REPORT_BUCKET?.trim();
  if (bucket && !BUCKET.test(bucket))
    throw new ConfigurationError('REPORT_BUCKET', `is not a valid bucket name: "${bucket}"`);

  const ownRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const rawRegions = env.REGIONS?.trim() ?? '';
  let regions: string[] | 'all';
  if (rawRegions === '') {
    if (!ownRegion) throw new ConfigurationError('REGIONS', 'is empty and AWS_REGION is not set');
    regions = [ownRegion];
  } else if (rawRegions === 'all') {
    regions = 'all';
  } else {
    regions = [
      ...new Set(
        rawRegions
          .split(',')
          .map((region) => region.trim())
          .filter(Boolean),
      ),
    ];
    const bad = regions.find((region) => !REGION.test(region));
    if (bad !== undefined || regions.length === 0) {
      throw new ConfigurationError(
        'REGIONS',
        `must be "all" or a comma-separated list of regions, got "${rawRegions}"`,
      );
    }
  }

  const minSeverity = env.MIN_SEVERITY?.trim() || 'info';
  if (!isSeverity(minSeverity)) {
    throw new ConfigurationError(
      'MIN_SEVERITY',
      `must be one of ${SEVERITIES.join(', ')}, got "${minSeverity}"`,
    );
  }
  const config: LambdaConfig = {
    topicArn,
    regions,
    publishWhen: oneOf(env, 'PUBLISH_WHEN', ['always', 'findings', 'changes'] as const, 'always'),
    minSeverity,
    collection: oneOf(env, 'COLLECTION', ['auto', 'bulk', 'per-role'] as const, 'auto'),
  };
  if (bucket) config.reportBucket = bucket;
  const usage = oneOf(env, 'USAGE', ['on', 'off'] as const, 'off');
  const days = readUsageDays(env.USAGE_DAYS);
  if (usage === 'on') config.usage = { days };
  if (oneOf(env, 'SECURITY_HUB', ['on', 'off'] as const, 'off') === 'on') config.securityHub = true;
  return config;
}
