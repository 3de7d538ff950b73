import { parseArn } from '../policy/arn.js';
import type { FunctionContext } from './rule.js';

/** A stream name of the shape Lambda creates, used to ask whether the role may write to the group. */
const SAMPLE_STREAM = '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef';

/** The log group a function writes to: `LoggingConfig.LogGroup`, else `/aws/lambda/<name>`. */
export function logGroupNameFor(functionName: string, configured: string | undefined): string {
  return configured && configured.length > 0 ? configured : `/aws/lambda/${functionName}`;
}

export interface LogGroupArns {
  group: string;
  groupWildcard: string;
  stream: string;
}

/** ARNs of the function's log group and of a stream in it, in the function's region and account. */
export function logGroupArnsFor(context: FunctionContext): LogGroupArns {
  const { fn, snapshot } = context;
  const arn = parseArn(fn.functionArn);
  const partition = arn?.partition ?? snapshot.partition;
  const account = arn?.account ?? snapshot.account;
  const group = `arn:${partition}:logs:${fn.region}:${account}:log-group:${logGroupNameFor(fn.functionName, fn.logGroup)}`;
  return { group, groupWildcard: `${group}:*`, stream: `${group}:log-stream:${SAMPLE_STREAM}` };
}

/**
 * Whether the role may perform the action on one of the function's log ARNs (a conditional grant
 * counts: it may work). The ARNs are only built when the answer depends on them.
 */
export function mayPerform(context: FunctionContext, action: string, resource: keyof LogGroupArns): boolean {
  const permissions = context.role?.permissions;
  if (!permissions) return false;
  const access =
    permissions.accessForEveryResource(action) ??
    permissions.accessTo(action, logGroupArnsFor(context)[resource]);
  return access === 'allowed' || access === 'conditional';
}
