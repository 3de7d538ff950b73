import { logGroupArnsFor, logGroupNameFor, mayPerform } from './logging.js';
import type { FunctionRule } from './rule.js';

const STREAM_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** Without CreateLogStream and PutLogEvents on its log group, the function's output goes nowhere. */
export const loggingMissing: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'logging-missing',
    severity: 'high',
    title: 'Function cannot write its logs',
    risk: 'console.log and error output are silently lost: failures cannot be seen or debugged.',
    remediation:
      'Attach AWSLambdaBasicExecutionRole, or allow logs:CreateLogStream and logs:PutLogEvents on "arn:aws:logs:<region>:<account>:log-group:<log group>:*".',
  },
  check(context) {
    if (!context.role) return [];
    const missing: string[] = [];
    for (const action of STREAM_ACTIONS) if (!mayPerform(context, action, 'stream')) missing.push(action);
    if (missing.length === 0) return [];
    const arns = logGroupArnsFor(context);
    const logGroup = logGroupNameFor(context.fn.functionName, context.fn.logGroup);
    return [
      {
        message: `The role cannot ${missing.join(' or ')} on the log group ${logGroup} in ${context.fn.region}.`,
        evidence: [
          { actions: missing, resources: [`${arns.group}:log-stream:*`], detail: `log group ${logGroup}` },
        ],
      },
    ];
  },
};
