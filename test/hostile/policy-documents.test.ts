import { describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_CHARACTERS } from '../../src/policy/policy.js';
import { renderReport } from '../../src/report/render.js';
import {
  auditOffline,
  findingsOf,
  functionEntry,
  nested,
  nestedJson,
  REFERENCE_EXPECTED,
  referenceFindings,
  roleArnOf,
  roleDetail,
} from './account.js';

const HOSTILE_ROLE = roleArnOf('hostile-role');

const policy = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });

/** An account whose `hostile` function's role has AWSLambdaBasicExecutionRole plus the given inline document. */
function auditWithInline(document: unknown) {
  return auditOffline({
    roles: [roleDetail('hostile-role', { inline: { hostile: document } })],
    functions: [functionEntry('hostile', 'hostile-role')],
  });
}

/**
 * Every output format renders the report a hostile document produced: the JSON is the report itself,
 * and the others name the hostile role, each rule that fired and each error code.
 */
function renderAll(report: ReturnType<typeof auditOffline>): void {
  expect(JSON.parse(renderReport(report, 'json'))).toEqual(report);
  for (const format of ['table', 'text', 'markdown'] as const) {
    const output = renderReport(report, format);
    expect(output, format).toContain('hostile-role');
    for (const finding of report.findings) expect(output, format).toContain(finding.ruleId);
    for (const error of report.errors) expect(output, format).toContain(error.code);
  }
}

describe('Hostile policy documents (offline audit)', () => {
  it.each([
    {
      name: 'invalid JSON',
      document: '{"Version":"2012-10-17","Statement":[{',
      error: { code: 'MalformedPolicy', message: /hostile-role\/hostile: policy document is not valid JSON/ },
    },
    {
      name: 'JSON that is not an object',
      document: '[{"Effect":"Allow","Action":"*","Resource":"*"}]',
      error: { code: 'MalformedPolicy', message: /policy document is not a JSON object/ },
    },
    {
      name: 'a number instead of a document',
      document: 42,
      error: { code: 'MalformedPolicy', message: /policy document is number, not an object/ },
    },
    {
      name: 'URL encoding that does not decode',
      document: '%7B%22Statement%22%3A%E0%A4%A',
      error: { code: 'MalformedPolicy', message: /neither JSON nor valid URL-encoded JSON/ },
    },
    {
      name: 'Statement a number',
      document: { Version: '2012-10-17', Statement: 5 },
      error: { code: 'MalformedPolicy', message: /Statement must be an object or a list of objects/ },
    },
    {
      name: 'Effect "allow" (IAM is case-sensitive)',
      document: policy({ Effect: 'allow', Action: '*', Resource: '*' }),
      error: { code: 'MalformedStatement', message: /statement 0: Effect must be "Allow" or "Deny"/ },
    },
    {
      name: 'a statement nested 5,000 arrays deep',
      document: `{"Version":"2012-10-17","Statement":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
      error: { code: 'MalformedStatement', message: /statement 0 is not an object/ },
    },
    {
      name: `a document over ${MAX_DOCUMENT_CHARACTERS} characters (300,000 levels of nesting)`,
      document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":${nestedJson(300_000, '{}')}}]}`,
      error: { code: 'PolicyTooLarge', message: /document is larger than 2000000 characters/ },
    },
  ])('reports $name as an error of the role and grants nothing from it', ({ document, error }) => {
    // act
    const report = auditWithInline(document);

    // assess
    expect(report.errors).toEqual([
      { scope: 'role', arn: HOSTILE_ROLE, code: error.code, message: expect.stringMatching(error.message) },
    ]);
    // Only the inline policy's presence is a finding: the document granted nothing (not even `*` on `*`).
    expect(findingsOf(report, 'hostile')).toEqual(['inline-policy info']);
    expect(referenceFindings(report)).toEqual(REFERENCE_EXPECTED);
    expect(report.summary.functions).toBe(3);
    // One unreadable document is an error entry; the role was read, so the run is still complete.
    expect(report.status).toBe('complete');
    renderAll(report);
  });

  it('skips a statement whose Action is an object and keeps the valid statements of the document', () => {
    // act
    const report = auditWithInline(
      policy(
        { Effect: 'Allow', Action: { s3: '*' }, Resource: '*' },
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      ),
    );

    // assess
    expect(report.errors).toEqual([
      {
        scope: 'role',
        arn: HOSTILE_ROLE,
        code: 'MalformedStatement',
        message: 'hostile-role/hostile: statement 0: Action must be a string or a list of strings',
      },
    ]);
    expect(findingsOf(report, 'hostile')).toEqual(['inline-policy info', 'service-wildcard high']);
    expect(referenceFindings(report)).toEqual(REFERENCE_EXPECTED);
  });

  it('evaluates 10,000 statements and finds the escalation hidden at the end', () => {
    // prepare
    const buckets = Array.from({ length: 9_998 }, (_, index) => ({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::bucket-${index}/*`,
    }));
    const document = policy(
      ...buckets,
      { Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
      {
        Sid: 'Create',
        Effect: 'Allow',
        Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
        Resource: '*',
      },
    );

    // act
    const report = auditWithInline(document);

    // assess
    expect(report.errors).toEqual([]);
    expect(findingsOf(report, 'hostile')).toEqual(['inline-policy info', 'privilege-escalation critical']);
    const escalation = report.findings.find((finding) => finding.ruleId === 'privilege-escalation')!;
    expect(escalation).toMatchObject({ subject: 'role', roleArn: HOSTILE_ROLE, functionCount: 1 });
    expect(escalation.evidence.map((evidence) => evidence.statement).sort()).toEqual(['Create', 'Pass']);
    expect(referenceFindings(report)).toEqual(REFERENCE_EXPECTED);
  });

  it.each([
    {
      name: 'an object in the file',
      condition: nested(5_000, { StringEquals: { 'aws:PrincipalAccount': '123456789012' } }),
    },
    { name: 'JSON text', condition: undefined },
  ])('treats a Condition nested 5,000 levels deep ($name) as a condition', ({ condition }) => {
    // prepare: an Allow under a condition is reported one severity lower and marked conditional
    const document =
      condition === undefined
        ? `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":${nestedJson(5_000, '{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}')}}]}`
        : policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: condition });

    // act
    const report = auditWithInline(document);

    // assess
    expect(report.errors).toEqual([]);
    expect(findingsOf(report, 'hostile')).toEqual(['inline-policy info', 'unscoped-read low conditional']);
    renderAll(report);
  });

  it('parses a Condition value nested 300,000 arrays deep without overflowing the stack', () => {
    // prepare: 600,000 characters, under the size limit; JSON.parse must not recurse per level
    const depth = 300_000;
    const document = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":${'['.repeat(depth)}${']'.repeat(depth)}}}}]}`;

    // act
    const report = auditWithInline(document);

    // assess
    expect(report.errors).toEqual([]);
    expect(findingsOf(report, 'hostile')).toEqual(['inline-policy info', 'unscoped-read low conditional']);
  });

  it('handles 10,000-character wildcard patterns as Action and Resource without backtracking', () => {
    // prepare: `*?*?…` matches only strings of at least 5,000 characters: no real action, no real ARN
    const wildcard = '*?'.repeat(5_000);
    const document = policy(
      { Sid: 'Anything', Effect: 'Allow', Action: wildcard, Resource: wildcard },
      { Sid: 'S3', Effect: 'Allow', Action: `s3:${wildcard}`, Resource: `arn:aws:s3:::${wildcard}` },
      { Sid: 'AllOnLong', Effect: 'Allow', Action: '*', Resource: wildcard },
    );

    // act
    const report = auditWithInline(document);

    // assess
    expect(report.errors).toEqual([
      {
        scope: 'role',
        arn: HOSTILE_ROLE,
        code: 'UnknownAction',
        message: expect.stringMatching(
          /^hostile-role\/hostile names actions not in the IAM catalog: \*\?\*\?/,
        ),
      },
    ]);
    // The pattern is named, cut short: an error entry is not the place for 10,000 characters.
    expect(report.errors[0]!.message).toContain(`s3:${wildcard.slice(0, 40)}`);
    expect(report.errors[0]!.message.length).toBeLessThan(400);
    // `*` on a pattern that no real ARN matches is not administrator access.
    expect(findingsOf(report, 'hostile')).toEqual(['inline-policy info']);
    expect(referenceFindings(report)).toEqual(REFERENCE_EXPECTED);
  });

  it('matches a quadratic-worst-case pattern against a 10,000-character log group in bounded time', () => {
    // prepare: `*a*a…*ab` against `aaa…a` is where a backtracking matcher explodes
    const name = 'a'.repeat(10_000);
    const report = auditOffline({
      roles: [
        roleDetail('long-logs', {
          attached: [],
          inline: {
            logs: policy({
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `arn:aws:logs:*:*:log-group:/aws/lambda/${'*a'.repeat(5_000)}b:*`,
            }),
          },
        }),
      ],
      functions: [functionEntry(name, 'long-logs')],
    });

    // assess: the pattern needs a final `b`, so the function's own log group is not covered
    expect(findingsOf(report, name)).toEqual([
      'inline-policy info',
      'log-group-create-missing low',
      'logging-missing high',
    ]);
    expect(report.errors).toEqual([]);
  });
});
