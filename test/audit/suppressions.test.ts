import { describe, expect, it } from 'vitest';
import {
  parseSuppressions,
  readSuppressionEntries,
  SuppressionFileError,
  suppressionsFromTags,
} from '../../src/audit/suppressions.js';
import type { RoleRecord } from '../../src/model/snapshot.js';
import { RULES } from '../../src/rules/index.js';

const REASON = 'accepted by the platform team';

function taggedRole(tags: Record<string, string>): RoleRecord {
  return {
    arn: 'arn:aws:iam::123456789012:role/batch',
    name: 'batch',
    path: '/',
    trustPolicy: {},
    inlinePolicies: [],
    attachedPolicyArns: [],
    tags,
  };
}

describe('parseSuppressions', () => {
  it('accepts every rule id of the catalog and globs that match one', () => {
    // Prepare
    const entries = [...RULES.map((rule) => rule.meta.id), 'unscoped-*', 'trust-???-lambda', '*'].map(
      (rule) => ({ rule, reason: REASON }),
    );

    // Act
    const suppressions = parseSuppressions({ suppressions: entries });

    // Assess
    expect(suppressions.map((suppression) => suppression.rule)).toEqual(entries.map((entry) => entry.rule));
  });

  it.each([
    ['admin-acess', 'suppressions[0].rule names no rule: "admin-acess" (did you mean admin-access?)'],
    ['Admin-Access', 'suppressions[0].rule names no rule: "Admin-Access" (did you mean admin-access?)'],
    ['adm1n-*', 'suppressions[0].rule names no rule: "adm1n-*"'],
    ['', 'suppressions[0].rule names no rule: ""'],
  ])('refuses the unknown rule %j, naming the entry', (rule, message) => {
    // Act
    const parsing = () => parseSuppressions({ suppressions: [{ rule, reason: REASON }] });

    // Assess
    expect(parsing).toThrow(SuppressionFileError);
    expect(parsing).toThrow(message);
  });

  it.each(['2099-02-30', '2027-02-29', '2027-04-31', '2027-13-01', '2027-00-10', '2027-1-31', '31/01/2027'])(
    'refuses the impossible date %s',
    (until) => {
      // Act
      const parsing = () =>
        parseSuppressions({ suppressions: [{ rule: 'role-shared', reason: REASON, until }] });

      // Assess
      expect(parsing).toThrow(`suppressions[0].until must be a date YYYY-MM-DD, got "${until}"`);
    },
  );

  it.each(['2028-02-29', '2027-12-31', '2027-01-01'])('accepts the real date %s', (until) => {
    // Act
    const [suppression] = parseSuppressions({
      suppressions: [{ rule: 'role-shared', reason: REASON, until }],
    });

    // Assess
    expect(suppression?.until).toBe(until);
  });
});

describe('readSuppressionEntries', () => {
  it('keeps the valid entries and names each invalid one', () => {
    // Prepare
    const raw = {
      suppressions: [
        { rule: 'admin-acess', reason: REASON },
        { rule: 'role-shared', function: 'webhook-*', reason: REASON },
        { rule: 'inline-policy', reason: REASON, until: '2099-02-30' },
        { rule: 'inline-policy' },
        { role: 'batch-*', reason: REASON, owner: 'platform@example.com' },
      ],
    };

    // Act
    const { suppressions, problems } = readSuppressionEntries(raw);

    // Assess
    expect(suppressions).toEqual([
      { rule: 'role-shared', function: 'webhook-*', reason: REASON },
      { role: 'batch-*', reason: REASON, owner: 'platform@example.com' },
    ]);
    expect(problems).toEqual([
      'suppressions[0].rule names no rule: "admin-acess" (did you mean admin-access?)',
      'suppressions[2].until must be a date YYYY-MM-DD, got "2099-02-30"',
      'suppressions[3] needs a "reason"',
    ]);
  });

  it('gives one problem and no suppression for a file without a suppressions list', () => {
    // Act
    const read = readSuppressionEntries({ rules: [] });

    // Assess
    expect(read).toEqual({
      suppressions: [],
      problems: ['expected an object with a "suppressions" list'],
    });
  });
});

describe('suppressionsFromTags', () => {
  it('refuses an impossible until date: nothing is muted and the problem names the tag', () => {
    // Prepare
    const role = taggedRole({
      'lambda-role-auditor:suppress': 'role-shared',
      'lambda-role-auditor:reason': REASON,
      'lambda-role-auditor:until': '2099-02-30',
    });

    // Act
    const read = suppressionsFromTags(role);

    // Assess
    expect(read.suppressions).toEqual([]);
    expect(read.problem).toBe('tag lambda-role-auditor:until must be a date YYYY-MM-DD, got "2099-02-30"');
  });

  it('names an unknown rule id and still applies the known ones', () => {
    // Prepare
    const role = taggedRole({
      'lambda-role-auditor:suppress': 'role-shared admin-acess inline-policy',
      'lambda-role-auditor:reason': REASON,
    });

    // Act
    const read = suppressionsFromTags(role);

    // Assess
    expect(read.suppressions.map((suppression) => suppression.rule)).toEqual([
      'role-shared',
      'inline-policy',
    ]);
    expect(read.problem).toBe(
      'tag lambda-role-auditor:suppress names no rule: "admin-acess" (did you mean admin-access?)',
    );
  });
});
