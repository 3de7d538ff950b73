import { isPlainObject } from '../model/json.js';
import { isSeverity, SEVERITIES, type Severity } from '../model/severity.js';

/** An event the handler does not accept: the invocation fails with this message. */
export class EventValidationError extends Error {
  override name = 'EventValidationError';
}

/** What one invocation was asked to do. */
export interface InvocationOptions {
  trigger: 'schedule' | 'console';
  dryRun: boolean;
  regions?: string[];
  functions?: string[];
  minSeverity?: Severity;
}

const CONSOLE_FIELDS = ['dryRun', 'regions', 'functions', 'minSeverity'];
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

function stringList(value: unknown, field: string, check?: (item: string) => boolean): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((item) => typeof item === 'string' && item !== '')
  ) {
    throw new EventValidationError(`"${field}" must be a non-empty list of strings`);
  }
  const bad = check ? value.find((item) => !check(item)) : undefined;
  if (bad !== undefined) throw new EventValidationError(`"${field}" has an invalid entry "${bad}"`);
  return value as string[];
}

/**
 * Accepts an EventBridge scheduled event or a console test event (`{}` or
 * `{"dryRun":true,"regions":["us-east-1"],"functions":["prefix-*"],"minSeverity":"high"}`).
 *
 * @example
 * parseInvocationEvent({ dryRun: true }); // { trigger: 'console', dryRun: true }
 */
export function parseInvocationEvent(event: unknown): InvocationOptions {
  if (event === undefined || event === null) return { trigger: 'console', dryRun: false };
  if (!isPlainObject(event)) throw new EventValidationError('the event must be a JSON object');
  if (event.source === 'aws.events' || event['detail-type'] === 'Scheduled Event') {
    return { trigger: 'schedule', dryRun: false };
  }
  const unknown = Object.keys(event).filter((key) => !CONSOLE_FIELDS.includes(key));
  if (unknown.length > 0) {
    throw new EventValidationError(
      `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((key) => `"${key}"`).join(', ')}; accepted: ${CONSOLE_FIELDS.join(', ')}`,
    );
  }
  const options: InvocationOptions = { trigger: 'console', dryRun: false };
  if (event.dryRun !== undefined) {
    if (typeof event.dryRun !== 'boolean') throw new EventValidationError('"dryRun" must be true or false');
    options.dryRun = event.dryRun;
  }
  if (event.regions !== undefined) {
    options.regions =
      Array.isArray(event.regions) && event.regions.length === 1 && event.regions[0] === 'all'
        ? ['all']
        : stringList(event.regions, 'regions', (region) => REGION.test(region));
  }
  if (event.functions !== undefined) options.functions = stringList(event.functions, 'functions');
  if (event.minSeverity !== undefined) {
    if (!isSeverity(event.minSeverity)) {
      throw new EventValidationError(`"minSeverity" must be one of ${SEVERITIES.join(', ')}`);
    }
    options.minSeverity = event.minSeverity;
  }
  return options;
}
