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

/**
 * Partition and account of function ARNs, by the ARN's first five fields (`arn:aws:lambda:region:account`):
 * thousands of functions share a handful of them, so each is parsed once.
 */
const accountFields = new Map<string, { partition: string; account: string } | undefined>();

function partitionAndAccountOf(functionArn: string): { partition: string; account: string } | undefined {
  let end = -1;
  for (let field = 0; field < 5; field += 1) {
    end = functionArn.indexOf(':', end + 1);
    if (end < 0) return undefined;
  }
  const key = functionArn.slice(0, end);
  if (!accountFields.has(key)) {
    // A cache, not a record: odd inputs with many distinct prefixes must not make it grow for ever.
    if (accountFields.size >= 1_000) accountFields.clear();
    // The fields after the fifth colon do not change the first five: parse the shared prefix once.
    const parts = parseArn(`${key}:`);
    accountFields.set(key, parts ? { partition: parts.partition, account: parts.account } : undefined);
  }
  return accountFields.get(key);
}

/** ARNs of the function's log group and of a stream in it, in the function's region and account. */
export function logGroupArnsFor(context: FunctionContext): LogGroupArns {
  const { fn, snapshot } = context;
  // Both logging rules ask: worked out once and kept on the context.
  if (context.logGroupArns) return context.logGroupArns;
  const arn = partitionAndAccountOf(fn.functionArn);
  const partition = arn?.partition ?? snapshot.partition;
  const account = arn?.account ?? snapshot.account;
  const group = `arn:${partition}:logs:${fn.region}:${account}:log-group:${logGroupNameFor(fn.functionName, fn.logGroup)}`;
  const arns = { group, groupWildcard: `${group}:*`, stream: `${group}:log-stream:${SAMPLE_STREAM}` };
  context.logGroupArns = arns;
  return arns;
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
