import type { FunctionRule, RuleHit } from './rule.js';
import { shortList } from './shared.js';

/** One role for several functions means each gets the union of what all of them need. */
export const roleShared: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'role-shared',
    severity: 'low',
    title: 'Execution role is shared by several functions',
    risk: 'Every function gets the permissions all of them need, and a change for one silently changes the others.',
    remediation: 'Give each function its own role with only the permissions that function uses.',
  },
  check(context) {
    const { sample, count } = context.sharedWith;
    if (count === 0) return [];
    const roleArn = context.fn.roleArn;
    // Most users of a widely shared role get the same sample: their hit is built once and shared.
    if (last && last.sample === sample && last.count === count && last.roleArn === roleArn) return last.hits;
    const more = count - sample.length;
    const evidence = Object.freeze({
      resources: [roleArn],
      functions: sample,
      ...(more > 0 ? { detail: `and ${more} more functions` } : {}),
    });
    const hits: RuleHit[] = [
      {
        message: `The role is also the execution role of ${count} other function${count === 1 ? '' : 's'}: ${shortList(sample, 5, count)}.`,
        evidence: Object.freeze([evidence]) as RuleHit['evidence'],
      },
    ];
    last = { sample, count, roleArn, hits };
    return hits;
  },
};

/** The last hit built, with what it was built from (one entry: no map of every role to keep). */
let last: { sample: string[]; count: number; roleArn: string; hits: RuleHit[] } | undefined;
