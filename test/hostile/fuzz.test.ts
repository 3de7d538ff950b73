import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { compareFixOrder } from '../../src/audit/summary.js';
import { InputFileError, loadOfflineSnapshot } from '../../src/load/offline.js';
import type { AuditReport } from '../../src/model/report.js';
import { SEVERITIES } from '../../src/model/severity.js';
import { splitFunctionArn } from '../../src/policy/arn.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { buildMessage } from '../../src/publish/sns.js';
import { renderReport } from '../../src/report/render.js';
import { RULES } from '../../src/rules/index.js';
import { ruleSubject } from '../../src/rules/rule.js';
import {
  ACCOUNT,
  cliOutputs,
  functionEntry,
  REFERENCE_EXPECTED,
  referenceFindings,
  roleArnOf,
  roleDetail,
  summarise,
} from './account.js';

const SUBJECT_OF_RULE = new Map(RULES.map((rule) => [rule.meta.id, ruleSubject(rule)]));
const SCOPES = new Set(['function', 'role', 'policy', 'region', 'account', 'config']);
const FUZZ_POLICY = `arn:aws:iam::${ACCOUNT}:policy/fuzzed`;
const FUZZ_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/fuzzed-boundary`;
const FUZZ_ROLE = roleArnOf('fuzzed-role');

/** Pieces of real policies, so that random documents also reach the evaluator, not only the parser. */
const action = fc.oneof(
  fc.constantFrom(
    '*',
    's3:GetObject',
    's3:*',
    'iam:PassRole',
    'lambda:CreateFunction',
    'logs:*',
    'sts:AssumeRole',
    'S3:get*',
    'ec2:?un*',
  ),
  fc.string({ maxLength: 12 }),
);
const resource = fc.oneof(
  fc.constantFrom(
    '*',
    'arn:aws:s3:::*',
    'arn:aws:s3:::bucket/*',
    'arn:aws:logs:*:*:*',
    'arn:aws:iam::*:role/*',
  ),
  fc.string({ maxLength: 12 }),
);
const stringOrList = <T>(item: fc.Arbitrary<T>) => fc.oneof(item, fc.array(item, { maxLength: 3 }));
const principal = fc.oneof(
  fc.constant('*'),
  fc.record({ AWS: stringOrList(fc.constantFrom('*', '210987654321', 'arn:aws:iam::210987654321:root')) }),
  fc.record({ Service: stringOrList(fc.constantFrom('lambda.amazonaws.com', 'ec2.amazonaws.com')) }),
  fc.record({ Federated: fc.constant('cognito-identity.amazonaws.com') }),
  fc.jsonValue({ maxDepth: 2 }),
);
const statement = fc.record(
  {
    Sid: fc.oneof(fc.string({ maxLength: 6 }), fc.integer()),
    Effect: fc.oneof(fc.constantFrom('Allow', 'Deny', 'allow'), fc.jsonValue({ maxDepth: 1 })),
    Action: fc.oneof(stringOrList(action), fc.jsonValue({ maxDepth: 2 })),
    NotAction: stringOrList(action),
    Resource: fc.oneof(stringOrList(resource), fc.jsonValue({ maxDepth: 2 })),
    NotResource: stringOrList(resource),
    Principal: principal,
    NotPrincipal: principal,
    Condition: fc.oneof(
      fc.constant({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  },
  { requiredKeys: [] },
);
const policyShaped = fc.record(
  {
    Version: fc.constantFrom('2012-10-17', '2008-10-17'),
    Statement: fc.oneof(
      statement,
      fc.array(fc.oneof(statement, fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 }),
    ),
  },
  { requiredKeys: [] },
);

/** Anything a document field could hold in a hand-edited or corrupted file. */
const documentField = fc.oneof(
  fc.jsonValue(),
  policyShaped,
  policyShaped.map((document) => JSON.stringify(document)),
  policyShaped.map((document) => encodeURIComponent(JSON.stringify(document))),
  fc.string(),
  fc.json(),
  fc.constant(undefined),
);

interface FuzzedAccount {
  trust: unknown;
  inline: unknown;
  managed: unknown;
  boundary: unknown;
}

function fuzzedCliOutputs(documents: FuzzedAccount) {
  const version = (document: unknown) => [{ VersionId: 'v1', IsDefaultVersion: true, Document: document }];
  const role = {
    ...roleDetail('fuzzed-role', {
      trust: documents.trust,
      inline: { fuzzed: documents.inline },
      attached: [FUZZ_POLICY, 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    }),
    PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: FUZZ_BOUNDARY },
  };
  return cliOutputs({
    roles: [role],
    policies: [
      {
        Arn: FUZZ_POLICY,
        PolicyName: 'fuzzed',
        DefaultVersionId: 'v1',
        PolicyVersionList: version(documents.managed),
      },
      {
        Arn: FUZZ_BOUNDARY,
        PolicyName: 'fuzzed-boundary',
        DefaultVersionId: 'v1',
        PolicyVersionList: version(documents.boundary),
      },
    ],
    functions: [
      functionEntry('fuzzed-a', 'fuzzed-role'),
      functionEntry('fuzzed-b', 'fuzzed-role', {
        Version: '1',
        FunctionArn: `${functionEntry('fuzzed-b', 'x').FunctionArn}:1`,
      }),
    ],
  });
}

/** What must hold for every report, whatever the input. */
function assertWellFormed(report: AuditReport): void {
  for (const error of report.errors) {
    expect(SCOPES.has(error.scope)).toBe(true);
    // An error names what it is about.
    expect(error.arn).toMatch(/\S/);
    expect(error.code).toMatch(/^[A-Za-z]+$/);
    expect(error.message.length).toBeGreaterThan(0);
  }
  expect(report.schemaVersion).toBe(2);
  expect(['complete', 'partial', 'failed']).toContain(report.status);
  expect(report.partial !== undefined).toBe(report.status !== 'complete');
  // Each function ARN is listed once, under its role; a role finding counts the role's functions.
  const listed = report.roles.flatMap((role) => role.functions);
  expect(new Set(listed).size).toBe(listed.length);
  const functionsOfRole = new Map(
    report.roles.map((role) => [
      role.roleArn,
      new Set(role.functions.map((arn) => splitFunctionArn(arn).unqualified)).size,
    ]),
  );
  for (const finding of report.findings) {
    expect(finding.subject).toBe(SUBJECT_OF_RULE.get(finding.ruleId));
    expect(SEVERITIES).toContain(finding.severity);
    expect(finding.message.length).toBeGreaterThan(0);
    if (finding.subject === 'role') expect(finding.functionCount).toBe(functionsOfRole.get(finding.roleArn));
    else expect(listed).toContain(finding.functionArn);
  }
  // Role findings are stated once per role.
  const roleKeys = report.findings
    .filter((finding) => finding.subject === 'role')
    .map((finding) => `${finding.ruleId} ${finding.roleArn}`);
  expect(new Set(roleKeys).size).toBe(roleKeys.length);
  expect([...report.findings].sort(compareFixOrder)).toEqual(report.findings);
  expect(report.summary.roles).toBe(report.roles.length);
  expect(report.summary.errors).toBe(report.errors.length);
  const counted = Object.values(report.summary.findings).reduce((sum, count) => sum + count, 0);
  expect(counted + report.summary.muted).toBe(report.findings.length);
  // Every format states the account and the status, and starts where the report does: its worst finding.
  const worst = report.findings.find((finding) => !finding.muted);
  for (const format of ['table', 'text', 'markdown'] as const) {
    const output = renderReport(report, format);
    expect(output, format).toContain(report.account);
    expect(output, format).toContain(report.status.toUpperCase());
    if (worst) expect(output, format).toContain(worst.ruleId);
  }
  expect(JSON.parse(renderReport(report, 'json'))).toEqual(report);
  expect(buildMessage(report).subject).toMatch(/^[\x20-\x7e]+$/);
}

describe('Fuzz: random JSON in every document field, through the whole offline audit', () => {
  it('never throws, isolates the fuzzed role and reports every unreadable document', () => {
    fc.assert(
      fc.property(
        fc.record({
          trust: documentField,
          inline: documentField,
          managed: documentField,
          boundary: documentField,
        }),
        (documents) => {
          // act
          const report = auditSnapshot(loadOfflineSnapshot(fuzzedCliOutputs(documents)), {
            now: new Date('2026-11-26T03:00:00Z'),
          });

          // assess
          assertWellFormed(report);
          expect(report.summary.functions).toBe(4);
          // One bad role never changes what the other functions get: every other finding is theirs.
          expect(summarise(report.findings.filter((finding) => finding.roleArn !== FUZZ_ROLE))).toEqual(
            REFERENCE_EXPECTED,
          );
          expect(report.roles.find((role) => role.roleArn === FUZZ_ROLE)?.functions).toEqual([
            `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fuzzed-a`,
            `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fuzzed-b:1`,
          ]);
          // A document the parser rejects is named in an error, never silently treated as empty.
          const unreadable = [
            { document: documents.inline, arn: FUZZ_ROLE },
            { document: documents.managed, arn: FUZZ_POLICY },
            { document: documents.boundary, arn: FUZZ_BOUNDARY },
          ].filter(({ document }) => !parsePolicy(document, 'x').ok);
          for (const { arn } of unreadable) {
            expect(
              report.errors.some(
                (error) => error.arn === arn && /^(MalformedPolicy|PolicyTooLarge)$/.test(error.code),
              ),
            ).toBe(true);
          }
        },
      ),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('never throws on random entries in the functions list', () => {
    const entry = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          FunctionName: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
          FunctionArn: fc.oneof(
            fc.constant(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:random`),
            fc.string(),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          Role: fc.oneof(fc.constant(roleArnOf('steady-role')), fc.string(), fc.jsonValue({ maxDepth: 1 })),
          Version: fc.oneof(fc.constantFrom('$LATEST', '1'), fc.jsonValue({ maxDepth: 1 })),
          Environment: fc.oneof(
            fc.record({
              Variables: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 }))),
            }),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          LoggingConfig: fc.oneof(fc.record({ LogGroup: fc.string() }), fc.jsonValue({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (entries) => {
        // act
        const snapshot = loadOfflineSnapshot(cliOutputs({ functions: entries }));
        const report = auditSnapshot(snapshot, { now: new Date('2026-11-26T03:00:00Z') });

        // assess
        assertWellFormed(report);
        // Every entry is either audited or named in an error, next to the two reference functions.
        const malformed = snapshot.errors.filter((error) => error.code === 'MalformedInput').length;
        expect(snapshot.functions.length + malformed).toBe(entries.length + 2);
        // Random entries may share the steady role; nothing else about the reference functions changes.
        expect(referenceFindings(report).filter((finding) => finding !== 'role-shared steady-role')).toEqual(
          REFERENCE_EXPECTED,
        );
      }),
      { numRuns: 200, seed: 20261127 },
    );
  });

  it('rejects whole files of random JSON with InputFileError only', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ RoleDetailList: fc.array(fc.jsonValue()), Policies: fc.array(fc.jsonValue()) }),
        ),
        fc.oneof(fc.jsonValue(), fc.record({ Functions: fc.array(fc.jsonValue()) })),
        (authDetails, functions) => {
          // act
          let outcome: unknown;
          try {
            outcome = auditSnapshot(loadOfflineSnapshot({ authDetails, functions }));
          } catch (error) {
            outcome = error;
          }

          // assess
          if (outcome instanceof Error) expect(outcome).toBeInstanceOf(InputFileError);
          else assertWellFormed(outcome as AuditReport);
        },
      ),
      { numRuns: 300, seed: 20261128 },
    );
  });
});
