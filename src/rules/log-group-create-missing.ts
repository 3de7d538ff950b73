import { logGroupArnsFor, logGroupNameFor, mayPerform } from './logging.js';
import type { FunctionRule } from './rule.js';

/** Lambda creates the log group on first write; without the permission it must exist beforehand. */
export const logGroupCreateMissing: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'log-group-create-missing',
    severity: 'low',
    title: 'Function cannot create its log group',
    risk: 'If the log group does not exist yet (new function, deleted group, new region) logs are lost.',
    remediation:
      'Create the log group ahead of time (for example in the same template, with a retention period), or allow logs:CreateLogGroup on it.',
  },
  check(context) {
    if (!context.role) return [];
    if (
      mayPerform(context, 'logs:CreateLogGroup', 'group') ||
      mayPerform(context, 'logs:CreateLogGroup', 'groupWildcard')
    ) {
      return [];
    }
    const arns = logGroupArnsFor(context);
    const logGroup = logGroupNameFor(context.fn.functionName, context.fn.logGroup);
    return [
      {
        message: `The role cannot logs:CreateLogGroup for ${logGroup} in ${context.fn.region}.`,
        evidence: [
          { actions: ['logs:CreateLogGroup'], resources: [arns.group], detail: `log group ${logGroup}` },
        ],
      },
    ];
  },
};
