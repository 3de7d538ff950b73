import { parseArn } from '../policy/arn.js';
import type { FunctionContext } from './rule.js';

/** A stream name of the shape Lambda creates, used to ask whether the role may write to the group. */
const SAMPLE_STREAM = '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef';

/** The log group a function writes to: `LoggingConfig.LogGroup`, else `/aws/lambda/<name>`. */
export function logGroupNameFor(functionName: string, configured: string | undefined): string {
  return configured && configured.length > 0 ? configured : `/aws/lambda/${functionName}`;
}

/** ARNs of the function's log group and of a stream in it, in the function's region and account. */
export function logGroupArnsFor(context: FunctionContext): {
  group: string;
  groupWildcard: string;
  stream: string;
} {
  const { fn, snapshot } = context;
  const arn = parseArn(fn.functionArn);
  const partition = arn?.partition ?? snapshot.partition;
  const account = arn?.account ?? snapshot.account;
  const group = `arn:${partition}:logs:${fn.region}:${account}:log-group:${logGroupNameFor(fn.functionName, fn.logGroup)}`;
  return { group, groupWildcard: `${group}:*`, stream: `${group}:log-stream:${SAMPLE_STREAM}` };
}

/** Whether the role may perform the action on the resource (a conditional grant counts: it may work). */
export function mayPerform(context: FunctionContext, action: string, resource: string): boolean {
  const access = context.role?.permissions.accessTo(action, resource);
  return access === 'allowed' || access === 'conditional';
}
