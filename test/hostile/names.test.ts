import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { reportPrefix } from '../../src/publish/archive.js';
import { buildMessage, SNS_MESSAGE_LIMIT_BYTES } from '../../src/publish/sns.js';
import { renderReport } from '../../src/report/render.js';
import {
  auditOffline,
  findingsOf,
  functionArnOf,
  functionEntry,
  REFERENCE_EXPECTED,
  referenceFindings,
  roleArnOf,
  roleDetail,
  roleFindingsOf,
  rolesOf,
} from './account.js';

const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const DYNAMODB_ALL = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
};

const EMOJI_ROLE = 'rôle-🚀-paiements';
const ROLE_64 = `r${'-x'.repeat(31)}r`;
const FUNCTION_64 = 'n'.repeat(64);
const FUNCTION_10000 = 'f'.repeat(10_000);
const UNICODE_FUNCTIONS = ['zahlungs-dienst-✓', '函数-🔥', 'مرحبا-دالة'];

function auditNames() {
  return auditOffline({
    roles: [
      roleDetail(EMOJI_ROLE, { inline: { all: ADMIN } }),
      roleDetail(ROLE_64, { inline: { dynamodb: DYNAMODB_ALL } }),
    ],
    functions: [
      ...UNICODE_FUNCTIONS.map((name) => functionEntry(name, EMOJI_ROLE)),
      functionEntry(FUNCTION_64, ROLE_64),
      functionEntry(FUNCTION_10000, ROLE_64),
    ],
  });
}

/** Control characters other than line feed and tab, as code points. */
function controlCharacters(text: string): number[] {
  return [...text]
    .map((character) => character.codePointAt(0)!)
    .filter((code) => (code < 0x20 && code !== 0x0a && code !== 0x09) || code === 0x7f);
}

describe('Hostile names (offline audit)', () => {
  it('audits functions and roles with non-ASCII names and keeps the names exactly', () => {
    // act
    const report = auditNames();

    // assess
    expect(report.errors).toEqual([]);
    for (const name of UNICODE_FUNCTIONS) {
      expect(findingsOf(report, name)).toEqual([
        'admin-access critical',
        'inline-policy info',
        'role-shared low',
      ]);
    }
    // The role's findings are stated once, for its three functions, listed under the role.
    expect(roleFindingsOf(report, EMOJI_ROLE)).toEqual([
      'admin-access 3',
      'inline-policy 3',
      'role-shared 3',
    ]);
    expect(rolesOf(report, '函数-🔥')).toEqual([roleArnOf(EMOJI_ROLE)]);
    expect(report.roles.find((role) => role.roleArn === roleArnOf(EMOJI_ROLE))?.functions).toEqual(
      UNICODE_FUNCTIONS.map((name) => functionArnOf(name)),
    );
    const shared = report.findings.find(
      (finding) => finding.roleArn === roleArnOf(EMOJI_ROLE) && finding.ruleId === 'role-shared',
    )!;
    expect(shared.evidence).toEqual([{ resources: [roleArnOf(EMOJI_ROLE)], functions: UNICODE_FUNCTIONS }]);
    expect(referenceFindings(report)).toEqual(REFERENCE_EXPECTED);
  });

  it('audits a 64-character role, a 64-character function and a 10,000-character function name', () => {
    // act
    const report = auditNames();

    // assess
    for (const name of [FUNCTION_64, FUNCTION_10000]) {
      expect(findingsOf(report, name)).toEqual([
        'inline-policy info',
        'role-shared low',
        'service-wildcard high',
      ]);
    }
    expect(rolesOf(report, FUNCTION_10000)).toEqual([roleArnOf(ROLE_64)]);
    expect(report.roles.find((role) => role.roleArn === roleArnOf(ROLE_64))?.functions).toEqual([
      functionArnOf(FUNCTION_64),
      functionArnOf(FUNCTION_10000),
    ]);
    const wildcard = report.findings.find((finding) => finding.ruleId === 'service-wildcard')!;
    expect(wildcard).toMatchObject({ subject: 'role', roleArn: roleArnOf(ROLE_64), functionCount: 2 });
    expect(wildcard.evidence).toEqual([expect.objectContaining({ services: ['dynamodb'] })]);
    expect(report.summary.functions).toBe(7);
  });

  it('renders every format and builds an SNS message with an ASCII subject within the size limit', () => {
    // prepare
    const report = auditNames();

    // act
    const outputs = (['table', 'text', 'json', 'markdown'] as const).map((format) =>
      renderReport(report, format),
    );
    const message = buildMessage(report, { fullReportLocation: 's3://bucket/reports/123456789012/x.json' });

    // assess
    expect(JSON.parse(outputs[2]!)).toEqual(report);
    expect(outputs[1]).toContain('函数-🔥');
    expect(outputs[3]).toContain(EMOJI_ROLE);
    expect(message.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
    expect(message.bytes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
    const published = JSON.parse(JSON.parse(message.message).default) as AuditReport;
    const omitted = Object.values(published.truncated?.omitted ?? {}).reduce((sum, count) => sum + count, 0);
    expect(published.findings.length + omitted).toBe(report.findings.length);
    expect(published.roles.map((role) => role.roleArn)).toContain(roleArnOf(EMOJI_ROLE));
    expect(JSON.parse(message.message).email).toContain('函数-🔥');
  });

  it.each([
    ['123456789012', 'reports/123456789012/'],
    ['../../etc', 'reports/.._.._etc/'],
    ['..', 'reports/_/'],
    ['compte-🚀', 'reports/compte-__/'],
  ])('keeps the archive key of account label %j under reports/', (account, prefix) => {
    expect(reportPrefix(account)).toBe(prefix);
  });

  it('does not pass terminal control characters of a name through to the table and text output', () => {
    // A hand-written offline file can name a function `evil\u001b]0;pwned\u0007`: printed raw, the
    // escape sequence drives the reader's terminal (retitles it here; other sequences rewrite the screen).
    const name = 'evil\u001b]0;pwned\u0007-\u001b[2J';
    const report = auditOffline({ functions: [functionEntry(name, 'steady-role')] });
    for (const format of ['table', 'text', 'markdown'] as const) {
      const output = renderReport(report, format, { color: false });
      // The name is shown (the shared role's finding lists it), each control character replaced.
      expect(output, format).toMatch(/evil\uFFFD\\?\]0;pwned\uFFFD-\uFFFD\\?\[2J/);
      expect(controlCharacters(output)).toEqual([]);
    }
  });
});
