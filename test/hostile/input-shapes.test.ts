import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { InputFileError, loadOfflineSnapshot } from '../../src/load/offline.js';
import {
  auditOffline,
  cliOutputs,
  findingsOf,
  functionArnOf,
  functionEntry,
  functionFindings,
  REFERENCE_EXPECTED,
  referenceFindings,
  roleArnOf,
  roleDetail,
  roleFindingsOf,
} from './account.js';

const STEADY = roleArnOf('steady-role');

describe('Hostile functions file (offline audit)', () => {
  it.each([
    {
      name: 'no Role',
      entry: { FunctionName: 'no-role', FunctionArn: functionArnOf('no-role') },
      error: { arn: functionArnOf('no-role'), message: 'lacks a Role' },
    },
    {
      name: 'a Role that is a number',
      entry: { FunctionName: 'role-number', FunctionArn: functionArnOf('role-number'), Role: 123 },
      error: { arn: functionArnOf('role-number'), message: 'lacks a Role' },
    },
    {
      name: 'no FunctionArn',
      entry: { FunctionName: 'no-arn', Role: STEADY },
      error: { arn: 'no-arn', message: 'lacks a valid FunctionArn' },
    },
    {
      name: 'a FunctionArn that is not an ARN',
      entry: { FunctionName: 'bad-arn', FunctionArn: 'not-an-arn', Role: STEADY },
      error: { arn: 'not-an-arn', message: 'lacks a valid FunctionArn' },
    },
    {
      name: 'a FunctionArn that is a number',
      entry: { FunctionName: 'number-arn', FunctionArn: 42, Role: STEADY },
      error: { arn: 'number-arn', message: 'lacks a valid FunctionArn' },
    },
    {
      name: 'null',
      entry: null,
      error: { arn: 'functions#Functions[2]', message: 'lacks a valid FunctionArn' },
    },
    {
      name: 'a string',
      entry: 'orders-api',
      error: { arn: 'functions#Functions[2]', message: 'lacks a valid FunctionArn' },
    },
    {
      name: 'a list',
      entry: [STEADY],
      error: { arn: 'functions#Functions[2]', message: 'lacks a valid FunctionArn' },
    },
  ])('reports an entry with $name as an error and audits the rest', ({ entry, error }) => {
    // act
    const report = auditOffline({ functions: [entry] });

    // assess
    expect(report.errors).toEqual([
      {
        scope: 'function',
        arn: error.arn,
        code: 'MalformedInput',
        message: `function entry 2 ${error.message}: not audited`,
      },
    ]);
    expect(report.summary.functions).toBe(2);
    expect(referenceFindings(report)).toEqual(REFERENCE_EXPECTED);
  });

  it('audits functions whose Environment is not an object or whose variables are not strings', () => {
    // prepare
    const functions = [
      functionEntry('environment-string', 'steady-role', { Environment: 'DB_PASSWORD=hunter2' }),
      functionEntry('variables-list', 'steady-role', {
        Environment: { Variables: ['DB_PASSWORD', 'hunter2'] },
      }),
      functionEntry('variables-mixed', 'steady-role', {
        Environment: {
          Variables: {
            DB_PASSWORD: 12_345_678,
            TOKEN: null,
            NESTED: { key: 'value' },
            LIST: ['x'],
            API_KEY: 'sk-live-4f9a2c',
          },
        },
      }),
      functionEntry('odd-fields', 'steady-role', {
        Version: 3,
        Runtime: { name: 'nodejs' },
        LoggingConfig: 'text',
      }),
      { FunctionArn: functionArnOf('nameless'), Role: STEADY },
    ];

    // act
    const report = auditOffline({ functions });

    // assess
    expect(report.errors).toEqual([]);
    expect(report.summary.functions).toBe(7);
    // AWS only ever returns string values: a non-string value is not a literal secret, the string one is.
    const secrets = functionFindings(report, 'secrets-in-environment');
    expect(
      secrets.map((finding) => [finding.functionName, finding.evidence.flatMap((e) => e.variables)]),
    ).toEqual([['variables-mixed', ['API_KEY']]]);
    expect(JSON.stringify(report)).not.toContain('sk-live-4f9a2c');
    expect(JSON.stringify(report)).not.toContain('hunter2');
    // A function without a name gets the one in its ARN; every function shares the steady role, which
    // is reported shared once, for its six functions.
    expect(findingsOf(report, 'nameless')).toEqual(['role-shared low']);
    expect(findingsOf(report, 'odd-fields')).toEqual(['role-shared low']);
    expect(roleFindingsOf(report, 'steady-role')).toEqual(['role-shared 6']);
    expect(report.roles.find((role) => role.roleArn === STEADY)?.functions).toContain(
      functionArnOf('nameless'),
    );
  });

  it('treats keys named __proto__ and constructor, parsed from JSON text, as ordinary names', () => {
    // prepare: JSON.parse makes `__proto__` an own key; assigning it would change an object's prototype
    const text = JSON.stringify(
      cliOutputs({
        roles: [
          {
            ...roleDetail('prototype-keys', {
              trust: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Principal: { Service: 'lambda.amazonaws.com', PROTO: '*' },
                    Action: 'sts:AssumeRole',
                  },
                ],
              },
            }),
            Tags: [{ Key: 'PROTO', Value: 'polluted' }],
          },
        ],
        functions: [
          functionEntry('prototype-keys', 'prototype-keys', {
            Environment: { Variables: { PROTO: 'hunter2', constructor: 'x', DB_PASSWORD: 'p4ss-w0rd' } },
          }),
        ],
      }),
    ).replaceAll('PROTO', '__proto__');

    // act
    const report = auditSnapshot(loadOfflineSnapshot(JSON.parse(text)));

    // assess
    expect(findingsOf(report, 'prototype-keys')).toEqual([
      'secrets-in-environment high',
      'trust-too-broad high',
    ]);
    const broad = report.findings.find((finding) => finding.ruleId === 'trust-too-broad')!;
    expect(broad.evidence[0]!.principals).toEqual(['__proto__:*']);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a Role that is not an IAM role ARN as an error of each function naming it, not as a deleted role', () => {
    // Live collection records `InvalidRoleArn` for such a value (and Lambda never returns one); the
    // offline audit must not claim `role-missing` ("the role does not exist"), a finding it cannot know.

    // act
    const report = auditOffline({
      functions: [
        functionEntry('role-not-arn', 'x', { Role: 'just-a-name' }),
        functionEntry('role-not-arn-too', 'x', { Role: 'just-a-name' }),
      ],
    });

    // assess
    expect(findingsOf(report, 'role-not-arn')).toEqual(['role-shared low', 'role-unreadable info']);
    expect(roleFindingsOf(report, 'just-a-name')).toEqual(['role-shared 2', 'role-unreadable 2']);
    expect(report.errors).toEqual(
      ['role-not-arn', 'role-not-arn-too'].map((name) => ({
        scope: 'function',
        arn: functionArnOf(name),
        code: 'InvalidRoleArn',
        message: 'the execution role "just-a-name" is not an IAM role ARN',
      })),
    );
    // A value that names no role of the account is a finding about the functions, not a blind spot.
    expect(report.status).toBe('complete');
    expect(referenceFindings(report)).toEqual(REFERENCE_EXPECTED);
  });

  it.each([
    { name: 'not an object', functions: [] },
    { name: 'without a Functions list', functions: { Functions: { name: 'x' } } },
    { name: 'null', functions: null },
  ])('rejects a functions file that is $name with a clear message', ({ functions }) => {
    // act
    const load = () =>
      loadOfflineSnapshot({ authDetails: cliOutputs({}).authDetails, functions, functionsName: 'f.json' });

    // assess
    expect(load).toThrow(InputFileError);
    expect(load).toThrow(
      'f.json: expected the output of "aws lambda list-functions" (an object with a Functions list)',
    );
  });
});

describe('Hostile authorization details file (offline audit)', () => {
  it('reports role entries without an Arn and audits the roles around them', () => {
    // act
    const report = auditOffline({
      roles: [{ RoleName: 'no-arn' }, null as unknown as Record<string, unknown>],
    });

    // assess
    expect(report.errors).toEqual([
      {
        scope: 'role',
        arn: 'auth-details#RoleDetailList[2]',
        code: 'MalformedInput',
        message: 'role entry without an Arn',
      },
      {
        scope: 'role',
        arn: 'auth-details#RoleDetailList[3]',
        code: 'MalformedInput',
        message: 'role entry without an Arn',
      },
    ]);
    expect(referenceFindings(report)).toEqual(REFERENCE_EXPECTED);
  });

  it('reports managed policies without a readable default version and odd role fields as errors', () => {
    // prepare
    const noVersions = 'arn:aws:iam::123456789012:policy/no-versions';
    const noDefault = 'arn:aws:iam::123456789012:policy/no-default';
    const absent = 'arn:aws:iam::123456789012:policy/absent';
    const base = roleDetail('weird-fields', { attached: [noVersions, noDefault] });
    const weird = {
      ...base,
      RolePolicyList: 'none',
      AttachedManagedPolicies: [...(base.AttachedManagedPolicies as unknown[]), null, 5, { PolicyArn: 7 }],
      Tags: { team: 1 },
      PermissionsBoundary: 'boundary',
      Path: 5,
      RoleName: ['weird-fields'],
    };

    // act
    const report = auditOffline({
      roles: [weird, roleDetail('absent-policy-role', { attached: [absent] })],
      policies: [
        { Arn: noVersions, PolicyName: 'no-versions' },
        {
          Arn: noDefault,
          PolicyName: 'no-default',
          DefaultVersionId: 'v2',
          PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: false, Document: { Statement: [] } }],
        },
        { PolicyName: 'policy-without-arn' },
      ],
      functions: [functionEntry('weird', 'weird-fields'), functionEntry('absent', 'absent-policy-role')],
    });

    // assess
    expect(report.errors).toEqual([
      {
        scope: 'policy',
        arn: noDefault,
        code: 'MalformedPolicy',
        message: `${noDefault}: policy document is undefined, not an object`,
      },
      {
        scope: 'policy',
        arn: noVersions,
        code: 'MalformedPolicy',
        message: `${noVersions}: policy document is undefined, not an object`,
      },
      {
        scope: 'role',
        arn: roleArnOf('absent-policy-role'),
        code: 'PolicyUnreadable',
        message: `policy ${absent} not in the snapshot: the role cannot be audited`,
      },
    ]);
    // A policy whose document cannot be read is skipped with an error; a policy that is absent makes
    // the whole role unreadable, since auditing it without that policy could invent findings.
    expect(findingsOf(report, 'weird')).toEqual(['log-group-create-missing low', 'logging-missing high']);
    expect(findingsOf(report, 'absent')).toEqual(['role-unreadable info']);
    // A role of the account that could not be audited makes the run partial, naming the role.
    expect(report.status).toBe('partial');
    expect(report.partial).toEqual({
      reason: '1 of 4 roles of the account could not be read',
      notAudited: [roleArnOf('absent-policy-role')],
    });
  });

  it('rejects an authorization details file without roles or policies with a clear message', () => {
    // act
    const load = () =>
      loadOfflineSnapshot({
        authDetails: { UserDetailList: [] },
        functions: { Functions: [] },
        authDetailsName: 'a.json',
      });

    // assess
    expect(load).toThrow(InputFileError);
    expect(load).toThrow(/^a\.json: expected the output of "aws iam get-account-authorization-details"/);
  });

  it('audits an offline snapshot whose loader output is fed straight back to the audit twice', () => {
    // prepare: the audit must not mutate the snapshot it was given (a re-run gives the same report)
    const snapshot = loadOfflineSnapshot(
      cliOutputs({
        roles: [roleDetail('hostile', { trust: '{' })],
        functions: [functionEntry('h', 'hostile')],
      }),
    );
    const now = new Date('2026-11-26T03:00:00Z');

    // act
    const first = auditSnapshot(snapshot, { now });
    const second = auditSnapshot(snapshot, { now });

    // assess
    expect(second).toEqual(first);
    expect(first.errors).toEqual([
      {
        scope: 'role',
        arn: roleArnOf('hostile'),
        code: 'MalformedPolicy',
        message: expect.stringMatching(/^trust policy: trust-policy: policy document is not valid JSON/),
      },
    ]);
  });
});
