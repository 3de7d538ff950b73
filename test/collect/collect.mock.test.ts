import { Readable } from 'node:stream';
import {
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMServiceException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import {
  type FunctionConfiguration,
  GetPolicyCommand as GetFunctionPolicyCommand,
  LambdaServiceException,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsClients, type ClientsConfig, createClients } from '../../src/collect/clients.js';
import { type CollectProgress, collectSnapshot } from '../../src/collect/collect.js';
import { CollectionAbortedError } from '../../src/collect/errors.js';
import type { AccountSnapshot } from '../../src/model/snapshot.js';
import { TEST_CREDENTIALS } from '../../tools/moto.js';

const ACCOUNT = '111122223333';
const BASIC_EXECUTION = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const TRUST_LAMBDA = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const LOGS_DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
});

type IamStub = AwsClientStub<AwsClients['iam']>;
type LambdaStub = AwsClientStub<ReturnType<AwsClients['lambda']>>;

const roleArn = (name: string, account = ACCOUNT): string => `arn:aws:iam::${account}:role/${name}`;

function lambdaFunction(
  name: string,
  role: string,
  extra: Partial<FunctionConfiguration> & { region?: string } = {},
): FunctionConfiguration {
  const { region = 'us-east-1', ...rest } = extra;
  const version = rest.Version ?? '$LATEST';
  return {
    FunctionName: name,
    FunctionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}:${version}`,
    Version: version,
    Role: role,
    Runtime: 'nodejs20.x',
    ...rest,
  };
}

function setup(regions: string[] = ['us-east-1'], config: ClientsConfig = {}) {
  const clients = createClients({ region: 'us-east-1', credentials: TEST_CREDENTIALS, ...config });
  const iam = mockClient(clients.iam);
  const lambda: Record<string, LambdaStub> = {};
  for (const region of regions) {
    lambda[region] = mockClient(clients.lambda(region));
    // As AWS answers for a function without a resource-based policy.
    lambda[region].on(GetFunctionPolicyCommand).rejects(
      new ResourceNotFoundException({
        message: 'The resource you requested does not exist.',
        $metadata: {},
      }),
    );
  }
  return { clients, iam, lambda };
}

/** Answers the per-role calls for one role; documents come back URL-encoded like IAM sends them. */
function mockRole(
  iam: IamStub,
  name: string,
  parts: {
    attached?: string[];
    inline?: Record<string, string>;
    boundary?: string;
    tags?: Record<string, string>;
  } = {},
): void {
  iam.on(GetRoleCommand, { RoleName: name }).resolves({
    Role: {
      RoleName: name,
      Arn: roleArn(name),
      Path: '/',
      RoleId: `AROA${name.toUpperCase()}`,
      CreateDate: new Date('2024-01-01T00:00:00Z'),
      AssumeRolePolicyDocument: encodeURIComponent(TRUST_LAMBDA),
      ...(parts.boundary
        ? {
            PermissionsBoundary: {
              PermissionsBoundaryArn: parts.boundary,
              PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
            },
          }
        : {}),
      Tags: Object.entries(parts.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    },
  });
  iam
    .on(ListRolePoliciesCommand, { RoleName: name })
    .resolves({ PolicyNames: Object.keys(parts.inline ?? {}) });
  for (const [policyName, document] of Object.entries(parts.inline ?? {})) {
    iam
      .on(GetRolePolicyCommand, { RoleName: name, PolicyName: policyName })
      .resolves({ RoleName: name, PolicyName: policyName, PolicyDocument: encodeURIComponent(document) });
  }
  iam.on(ListAttachedRolePoliciesCommand, { RoleName: name }).resolves({
    AttachedPolicies: (parts.attached ?? []).map((PolicyArn) => ({
      PolicyArn,
      PolicyName: PolicyArn.split('/').pop(),
    })),
  });
}

function mockManagedPolicy(iam: IamStub, arn: string, document = LOGS_DOCUMENT): void {
  iam.on(GetPolicyCommand, { PolicyArn: arn }).resolves({
    Policy: { Arn: arn, PolicyName: arn.split('/').pop(), DefaultVersionId: 'v3' },
  });
  iam.on(GetPolicyVersionCommand, { PolicyArn: arn, VersionId: 'v3' }).resolves({
    PolicyVersion: { VersionId: 'v3', IsDefaultVersion: true, Document: encodeURIComponent(document) },
  });
}

function accessDenied(action: string): IAMServiceException {
  return new IAMServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/auditor/run is not authorized to perform: ${action}`,
  });
}

function callCount(stub: IamStub | LambdaStub, command: Parameters<IamStub['commandCalls']>[0]): number {
  return (stub as IamStub).commandCalls(command).length;
}

/** JSON of a snapshot with its Maps as objects, the way a saved snapshot or a report would carry it. */
function serialise(value: unknown): string {
  return JSON.stringify(value, (_key, inner) => (inner instanceof Map ? Object.fromEntries(inner) : inner));
}

afterEach(() => {
  mockClient(STSClient).restore();
});

describe('collectSnapshot: function listing', () => {
  it('lists every page of every region with FunctionVersion=ALL', async () => {
    // prepare
    const { clients, iam, lambda } = setup(['us-east-1', 'eu-west-1']);
    mockRole(iam, 'app', { attached: [BASIC_EXECUTION] });
    mockManagedPolicy(iam, BASIC_EXECUTION);
    lambda['us-east-1']!.on(ListFunctionsCommand, { Marker: undefined })
      .resolves({
        Functions: [
          lambdaFunction('api', roleArn('app'), {
            LoggingConfig: { LogGroup: '/custom/api', LogFormat: 'JSON' },
          }),
          lambdaFunction('api', roleArn('app'), { Version: '7' }),
        ],
        NextMarker: 'page-2',
      })
      .on(ListFunctionsCommand, { Marker: 'page-2' })
      .resolves({ Functions: [lambdaFunction('worker', roleArn('app'))] });
    lambda['eu-west-1']!.on(ListFunctionsCommand, { Marker: undefined })
      .resolves({
        Functions: [lambdaFunction('eu-api', roleArn('app'), { region: 'eu-west-1' })],
        NextMarker: 'next',
      })
      .on(ListFunctionsCommand, { Marker: 'next' })
      .resolves({ Functions: [lambdaFunction('eu-worker', roleArn('app'), { region: 'eu-west-1' })] });

    // act
    const snapshot = await collectSnapshot({
      clients,
      regions: ['us-east-1', 'eu-west-1'],
      collection: 'per-role',
    });

    // assess
    expect(snapshot.functions.map((record) => [record.functionArn, record.version, record.region])).toEqual([
      [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:api`, '$LATEST', 'us-east-1'],
      [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:api:7`, '7', 'us-east-1'],
      [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker`, '$LATEST', 'us-east-1'],
      [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:eu-api`, '$LATEST', 'eu-west-1'],
      [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:eu-worker`, '$LATEST', 'eu-west-1'],
    ]);
    expect(snapshot.functions[0]?.logGroup).toBe('/custom/api');
    expect(snapshot.functions[2]?.logGroup).toBeUndefined();
    expect(snapshot.account).toBe(ACCOUNT);
    expect(snapshot.regions).toEqual(['us-east-1', 'eu-west-1']);
    for (const stub of Object.values(lambda)) {
      expect(
        stub.commandCalls(ListFunctionsCommand).map((call) => call.args[0].input.FunctionVersion),
      ).toEqual(['ALL', 'ALL']);
    }
    expect(snapshot.errors).toEqual([]);
  });

  it('keeps only the functions the filter accepts, versions included', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    mockRole(iam, 'app');
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [
        lambdaFunction('orders-api', roleArn('app')),
        lambdaFunction('orders-api', roleArn('app'), { Version: '2' }),
        lambdaFunction('billing', roleArn('other')),
      ],
    });

    // act
    const snapshot = await collectSnapshot({
      clients,
      regions: ['us-east-1'],
      functionFilter: (name) => name.startsWith('orders-'),
    });

    // assess
    expect(snapshot.functions.map((record) => record.functionArn)).toEqual([
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders-api`,
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders-api:2`,
    ]);
    expect(iam.commandCalls(GetRoleCommand).map((call) => call.args[0].input.RoleName)).toEqual(['app']);
  });

  it('records a region whose listing fails and audits the other regions', async () => {
    // prepare
    const { clients, iam, lambda } = setup(['us-east-1', 'eu-west-1']);
    mockRole(iam, 'app');
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('api', roleArn('app'))],
    });
    lambda['eu-west-1']!.on(ListFunctionsCommand).rejects(
      new LambdaServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized to perform: lambda:ListFunctions',
      }),
    );

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1', 'eu-west-1'] });

    // assess
    expect(snapshot.functions.map((record) => record.functionName)).toEqual(['api']);
    expect(snapshot.roles.has(roleArn('app'))).toBe(true);
    expect(snapshot.errors).toEqual([
      expect.objectContaining({ scope: 'region', arn: 'eu-west-1', code: 'AccessDenied' }),
    ]);
  });

  it('names secret-looking variables and never keeps their values', async () => {
    // prepare
    const secret = 'correct-horse-battery-staple-42';
    const accessKey = 'AKIAABCDEFGHIJKLMNOP';
    const { clients, iam, lambda } = setup();
    mockRole(iam, 'app');
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [
        lambdaFunction('api', roleArn('app'), {
          Environment: { Variables: { DB_PASSWORD: secret, UPSTREAM_KEY: accessKey, TABLE: 'orders' } },
        }),
      ],
    });
    const events: CollectProgress[] = [];

    // act
    const snapshot = await collectSnapshot({
      clients,
      regions: ['us-east-1'],
      onProgress: (event) => events.push(event),
    });

    // assess
    expect(snapshot.functions[0]?.environmentVariableNames).toEqual(['DB_PASSWORD', 'UPSTREAM_KEY', 'TABLE']);
    expect(snapshot.functions[0]?.secretSuspects).toEqual([
      { name: 'DB_PASSWORD', reason: 'secret-name' },
      { name: 'UPSTREAM_KEY', reason: 'access-key-id' },
    ]);
    const everything = serialise({ snapshot, events });
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(accessKey);
    expect(everything).not.toContain('orders"');
  });

  it('records a function whose environment could not be decrypted', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    mockRole(iam, 'app');
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [
        lambdaFunction('api', roleArn('app'), {
          Environment: { Error: { ErrorCode: 'AccessDeniedException', Message: 'kms:Decrypt denied' } },
        }),
      ],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'] });

    // assess
    expect(snapshot.errors).toEqual([
      expect.objectContaining({
        scope: 'function',
        arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:api`,
        code: 'AccessDeniedException',
      }),
    ]);
    expect(snapshot.functions[0]?.secretSuspects).toEqual([]);
  });
});

describe('collectSnapshot: per-role collection', () => {
  it('reads a role shared by 50 functions, and a policy shared by roles, once', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    mockRole(iam, 'shared', { attached: [BASIC_EXECUTION], inline: { logs: LOGS_DOCUMENT } });
    mockRole(iam, 'other', { attached: [BASIC_EXECUTION] });
    mockManagedPolicy(iam, BASIC_EXECUTION);
    const functions = Array.from({ length: 50 }, (_, index) =>
      lambdaFunction(`fn-${index}`, roleArn('shared')),
    );
    lambda['us-east-1']!.on(ListFunctionsCommand, { Marker: undefined })
      .resolves({ Functions: functions.slice(0, 25), NextMarker: 'p2' })
      .on(ListFunctionsCommand, { Marker: 'p2' })
      .resolves({ Functions: [...functions.slice(25), lambdaFunction('other-fn', roleArn('other'))] });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'per-role' });

    // assess
    expect(snapshot.functions).toHaveLength(51);
    expect(iam.commandCalls(GetRoleCommand).map((call) => call.args[0].input.RoleName)).toEqual([
      'shared',
      'other',
    ]);
    expect(callCount(iam, GetPolicyCommand)).toBe(1);
    expect(callCount(iam, GetPolicyVersionCommand)).toBe(1);
    expect(callCount(iam, GetAccountAuthorizationDetailsCommand)).toBe(0);
    expect(snapshot.roles.get(roleArn('shared'))).toEqual({
      arn: roleArn('shared'),
      name: 'shared',
      path: '/',
      trustPolicy: TRUST_LAMBDA,
      inlinePolicies: [{ name: 'logs', document: LOGS_DOCUMENT }],
      attachedPolicyArns: [BASIC_EXECUTION],
      tags: {},
      createDate: '2024-01-01T00:00:00.000Z',
    });
    expect(snapshot.managedPolicies.get(BASIC_EXECUTION)).toEqual({
      arn: BASIC_EXECUTION,
      name: 'AWSLambdaBasicExecutionRole',
      document: LOGS_DOCUMENT,
      defaultVersionId: 'v3',
    });
  });

  it('records AccessDenied on one role and collects the others', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    mockRole(iam, 'readable', { tags: { team: 'payments' } });
    iam.on(GetRoleCommand, { RoleName: 'locked' }).rejects(accessDenied('iam:GetRole'));
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('a', roleArn('readable')), lambdaFunction('b', roleArn('locked'))],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'per-role' });

    // assess
    expect([...snapshot.roles.keys()]).toEqual([roleArn('readable')]);
    expect(snapshot.roles.get(roleArn('readable'))?.tags).toEqual({ team: 'payments' });
    expect(snapshot.roleFailures.get(roleArn('locked'))).toEqual({
      code: 'AccessDenied',
      message: expect.stringContaining('iam:GetRole'),
    });
    expect(snapshot.errors).toEqual([
      expect.objectContaining({ scope: 'role', arn: roleArn('locked'), code: 'AccessDenied' }),
    ]);
  });

  it('marks a deleted role NoSuchEntity without an error entry', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    iam
      .on(GetRoleCommand, { RoleName: 'gone' })
      .rejects(new NoSuchEntityException({ message: 'Role gone not found', $metadata: {} }));
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('a', roleArn('gone'))],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'per-role' });

    // assess
    expect(snapshot.roleFailures.get(roleArn('gone'))?.code).toBe('NoSuchEntity');
    expect(snapshot.errors).toEqual([]);
  });

  it('makes no call for a role in another account', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('a', roleArn('elsewhere', '999988887777'))],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'per-role' });

    // assess
    expect(snapshot.roleFailures.get(roleArn('elsewhere', '999988887777'))?.code).toBe('CrossAccount');
    expect(iam.calls()).toHaveLength(0);
  });

  it('does not audit a role whose managed policy cannot be read', async () => {
    // prepare
    const locked = `arn:aws:iam::${ACCOUNT}:policy/locked`;
    const { clients, iam, lambda } = setup();
    mockRole(iam, 'app', { attached: [BASIC_EXECUTION, locked] });
    mockManagedPolicy(iam, BASIC_EXECUTION);
    iam.on(GetPolicyCommand, { PolicyArn: locked }).rejects(accessDenied('iam:GetPolicy'));
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('a', roleArn('app'))],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'per-role' });

    // assess
    expect(snapshot.roles.size).toBe(0);
    expect(snapshot.roleFailures.get(roleArn('app'))).toEqual({
      code: 'AccessDenied',
      message: expect.stringContaining(locked),
    });
    expect(snapshot.errors).toEqual([
      expect.objectContaining({ scope: 'policy', arn: locked, code: 'AccessDenied' }),
    ]);
  });
});

describe('collectSnapshot: bulk collection', () => {
  const bulkPages: GetAccountAuthorizationDetailsCommandOutput[] = [
    {
      $metadata: {},
      IsTruncated: true,
      Marker: 'page-2',
      RoleDetailList: [
        {
          RoleName: 'app',
          Arn: roleArn('app'),
          Path: '/',
          AssumeRolePolicyDocument: encodeURIComponent(TRUST_LAMBDA),
          RolePolicyList: [{ PolicyName: 'logs', PolicyDocument: encodeURIComponent(LOGS_DOCUMENT) }],
          AttachedManagedPolicies: [
            { PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: BASIC_EXECUTION },
          ],
          PermissionsBoundary: {
            PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
          },
          Tags: [{ Key: 'team', Value: 'payments' }],
        },
        {
          RoleName: 'unused',
          Arn: roleArn('unused'),
          Path: '/',
          AssumeRolePolicyDocument: encodeURIComponent(TRUST_LAMBDA),
        },
      ],
    },
    {
      $metadata: {},
      IsTruncated: false,
      Policies: [
        {
          PolicyName: 'AWSLambdaBasicExecutionRole',
          Arn: BASIC_EXECUTION,
          DefaultVersionId: 'v2',
          PolicyVersionList: [
            { VersionId: 'v1', IsDefaultVersion: false, Document: encodeURIComponent('{"old":true}') },
            { VersionId: 'v2', IsDefaultVersion: true, Document: encodeURIComponent(LOGS_DOCUMENT) },
          ],
        },
        {
          Arn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
          DefaultVersionId: 'v1',
          PolicyVersionList: [
            { VersionId: 'v1', IsDefaultVersion: true, Document: encodeURIComponent(LOGS_DOCUMENT) },
          ],
        },
      ],
    },
  ];

  it('reads every page of GetAccountAuthorizationDetails instead of per-role calls', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    iam
      .on(GetAccountAuthorizationDetailsCommand, { Marker: undefined })
      .resolves(bulkPages[0]!)
      .on(GetAccountAuthorizationDetailsCommand, { Marker: 'page-2' })
      .resolves(bulkPages[1]!);
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('a', roleArn('app')), lambdaFunction('b', roleArn('app'))],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'bulk' });

    // assess
    expect(
      iam.commandCalls(GetAccountAuthorizationDetailsCommand).map((call) => call.args[0].input.Filter),
    ).toEqual([
      ['Role', 'LocalManagedPolicy', 'AWSManagedPolicy'],
      ['Role', 'LocalManagedPolicy', 'AWSManagedPolicy'],
    ]);
    expect(iam.calls()).toHaveLength(2);
    expect([...snapshot.roles.keys()]).toEqual([roleArn('app')]);
    expect(snapshot.roles.get(roleArn('app'))).toEqual({
      arn: roleArn('app'),
      name: 'app',
      path: '/',
      trustPolicy: TRUST_LAMBDA,
      inlinePolicies: [{ name: 'logs', document: LOGS_DOCUMENT }],
      attachedPolicyArns: [BASIC_EXECUTION],
      permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
      tags: { team: 'payments' },
    });
    expect([...snapshot.managedPolicies.values()]).toEqual([
      {
        arn: BASIC_EXECUTION,
        name: 'AWSLambdaBasicExecutionRole',
        document: LOGS_DOCUMENT,
        defaultVersionId: 'v2',
      },
      {
        arn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
        name: 'boundary',
        document: LOGS_DOCUMENT,
        defaultVersionId: 'v1',
      },
    ]);
  });

  it('marks a role absent from complete bulk data NoSuchEntity', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ ...bulkPages[1]!, RoleDetailList: [] });
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('a', roleArn('gone'))],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'bulk' });

    // assess
    expect(snapshot.roleFailures.get(roleArn('gone'))?.code).toBe('NoSuchEntity');
    expect(callCount(iam, GetRoleCommand)).toBe(0);
  });

  it('falls back to per-role reads when GetAccountAuthorizationDetails is denied', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(accessDenied('iam:GetAccountAuthorizationDetails'));
    mockRole(iam, 'app');
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('a', roleArn('app'))],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'bulk' });

    // assess
    expect([...snapshot.roles.keys()]).toEqual([roleArn('app')]);
    expect(callCount(iam, GetRoleCommand)).toBe(1);
    expect(snapshot.errors).toEqual([
      expect.objectContaining({
        scope: 'account',
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        code: 'AccessDenied',
      }),
    ]);
  });

  it('reads a boundary policy that bulk data lacks one by one', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      ...bulkPages[0]!,
      IsTruncated: false,
      Marker: undefined,
      Policies: [bulkPages[1]!.Policies![0]!],
    });
    mockManagedPolicy(iam, `arn:aws:iam::${ACCOUNT}:policy/boundary`);
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: [lambdaFunction('a', roleArn('app'))],
    });

    // act
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], collection: 'bulk' });

    // assess
    expect(iam.commandCalls(GetPolicyCommand).map((call) => call.args[0].input.PolicyArn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:policy/boundary`,
    ]);
    expect(snapshot.roles.has(roleArn('app'))).toBe(true);
    expect(snapshot.managedPolicies.has(`arn:aws:iam::${ACCOUNT}:policy/boundary`)).toBe(true);
  });
});

describe('collectSnapshot: automatic strategy', () => {
  it('switches to bulk above the threshold of distinct roles', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    const names = Array.from({ length: 60 }, (_, index) => `role-${index}`);
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      RoleDetailList: names.map((name) => ({
        RoleName: name,
        Arn: roleArn(name),
        Path: '/',
        AssumeRolePolicyDocument: encodeURIComponent(TRUST_LAMBDA),
      })),
    });
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: names.map((name) => lambdaFunction(`fn-${name}`, roleArn(name))),
    });
    const strategies: string[] = [];

    // act
    const snapshot = await collectSnapshot({
      clients,
      regions: ['us-east-1'],
      collection: 'auto',
      onProgress: (event) => {
        if (event.kind === 'strategy') strategies.push(event.strategy);
      },
    });

    // assess
    expect(strategies).toEqual(['bulk']);
    expect(snapshot.roles.size).toBe(60);
    expect(callCount(iam, GetAccountAuthorizationDetailsCommand)).toBe(1);
    // Reads queued before the switch never went out: bulk data covers them.
    expect(callCount(iam, GetRoleCommand)).toBe(0);
  });

  it('reads roles one by one at or below the threshold', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    for (const name of ['a', 'b', 'c']) mockRole(iam, name);
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({
      Functions: ['a', 'b', 'c'].map((name) => lambdaFunction(`fn-${name}`, roleArn(name))),
    });

    // act
    const snapshot = await collectSnapshot({
      clients,
      regions: ['us-east-1'],
      collection: 'auto',
      bulkThreshold: 3,
    });

    // assess
    expect(snapshot.roles.size).toBe(3);
    expect(callCount(iam, GetRoleCommand)).toBe(3);
    expect(callCount(iam, GetAccountAuthorizationDetailsCommand)).toBe(0);
  });
});

describe('collectSnapshot: time limit, cancellation, account', () => {
  it('returns a partial snapshot naming what was not audited when time runs out', async () => {
    // prepare
    const { clients, iam, lambda } = setup();
    mockRole(iam, 'app');
    let pagesServed = 0;
    lambda['us-east-1']!.on(ListFunctionsCommand, { Marker: undefined })
      .callsFake(() => {
        pagesServed += 1;
        return { Functions: [lambdaFunction('first', roleArn('app'))], NextMarker: 'p2' };
      })
      .on(ListFunctionsCommand, { Marker: 'p2' })
      .resolves({ Functions: [lambdaFunction('second', roleArn('app'))] });

    // act
    const snapshot = await collectSnapshot({
      clients,
      regions: ['us-east-1'],
      collection: 'per-role',
      deadline: () => (pagesServed === 0 ? 600_000 : 10_000),
      deadlineMarginMs: 30_000,
    });

    // assess
    expect(snapshot.functions.map((record) => record.functionName)).toEqual(['first']);
    expect(callCount(lambda['us-east-1']!, ListFunctionsCommand)).toBe(1);
    expect(callCount(iam, GetRoleCommand)).toBe(0);
    expect(snapshot.roleFailures.get(roleArn('app'))?.code).toBe('NotCollected');
    expect(snapshot.partial).toEqual({
      reason: expect.stringContaining('time limit'),
      notAudited: [
        'region us-east-1: listing stopped after 1 functions',
        `arn:aws:lambda:us-east-1:${ACCOUNT}:function:first`,
      ],
    });
  });

  it('rejects with CollectionAbortedError when the caller cancels', async () => {
    // prepare
    const { clients, lambda } = setup();
    const controller = new AbortController();
    lambda['us-east-1']!.on(ListFunctionsCommand).callsFake(() => {
      controller.abort();
      return { Functions: [lambdaFunction('a', roleArn('app'))] };
    });

    // act
    const run = collectSnapshot({ clients, regions: ['us-east-1'], signal: controller.signal });

    // assess
    await expect(run).rejects.toBeInstanceOf(CollectionAbortedError);
  });

  it('asks STS for the account when there is no function', async () => {
    // prepare
    const { clients, lambda } = setup();
    const sts = mockClient(STSClient);
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws-us-gov:sts::${ACCOUNT}:assumed-role/a/b` });
    lambda['us-east-1']!.on(ListFunctionsCommand).resolves({ Functions: [] });

    // act
    const snapshot: AccountSnapshot = await collectSnapshot({ clients, regions: ['us-east-1'] });

    // assess
    expect(snapshot.account).toBe(ACCOUNT);
    expect(snapshot.partition).toBe('aws-us-gov');
    expect(snapshot.functions).toEqual([]);
  });
});

/** A stand-in for the HTTP layer: the real SDK middleware (retry, counting) runs on top of it. */
interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

function fakeHttp(respond: (action: string, attempt: number) => FakeReply) {
  const attemptsByAction = new Map<string, number>();
  const handler = {
    async handle(request: { hostname: string; path: string; body?: unknown }) {
      const action = request.hostname.startsWith('lambda')
        ? `lambda:${request.path}`
        : `iam:${new URLSearchParams(String(request.body ?? '')).get('Action')}`;
      const attempt = (attemptsByAction.get(action) ?? 0) + 1;
      attemptsByAction.set(action, attempt);
      const reply = respond(action, attempt);
      return {
        response: {
          statusCode: reply.status,
          headers: reply.headers ?? {},
          body: Readable.from([Buffer.from(reply.body)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return handler as unknown as NonNullable<ClientsConfig['requestHandler']>;
}

const IAM_NAMESPACE = 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"';
const iamXml = (action: string, result: string): string =>
  `<${action}Response ${IAM_NAMESPACE}><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`;

describe('collectSnapshot: throttling', () => {
  it('retries a throttled ListFunctions page through the SDK (TooManyRequestsException)', async () => {
    // prepare
    const requestHandler = fakeHttp(
      (action, attempt): FakeReply =>
        attempt === 1
          ? {
              status: 429,
              headers: { 'x-amzn-errortype': 'TooManyRequestsException', 'content-type': 'application/json' },
              body: JSON.stringify({
                Type: 'User',
                message: 'Rate exceeded',
                Reason: 'CallerRateLimitExceeded',
              }),
            }
          : {
              status: 200,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                Functions: action.startsWith('lambda') ? [lambdaFunction('api', roleArn('app'))] : [],
              }),
            },
    );
    const clients = createClients({ region: 'us-east-1', credentials: TEST_CREDENTIALS, requestHandler });
    mockRole(mockClient(clients.iam), 'app');

    // act: who may invoke is left out, the fake answers only ListFunctions
    const snapshot = await collectSnapshot({ clients, regions: ['us-east-1'], resourcePolicies: false });

    // assess
    expect(snapshot.functions.map((record) => record.functionName)).toEqual(['api']);
    expect(snapshot.errors).toEqual([]);
    expect(clients.callCounts()).toEqual({ 'lambda:ListFunctions': 1 });
    expect(clients.attemptCounts()).toEqual({ 'lambda:ListFunctions': 2 });
  });

  it('retries a throttled GetRole through the SDK (Throttling)', async () => {
    // prepare
    const role = `<Role><Path>/</Path><RoleName>app</RoleName><RoleId>AROAAPP</RoleId><Arn>${roleArn('app')}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${encodeURIComponent(TRUST_LAMBDA)}</AssumeRolePolicyDocument></Role>`;
    const requestHandler = fakeHttp((action, attempt): FakeReply => {
      if (action === 'iam:GetRole' && attempt === 1) {
        return {
          status: 400,
          headers: { 'content-type': 'text/xml' },
          body: `<ErrorResponse ${IAM_NAMESPACE}><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        };
      }
      const results: Record<string, string> = {
        'iam:GetRole': iamXml('GetRole', role),
        'iam:ListRolePolicies': iamXml('ListRolePolicies', '<IsTruncated>false</IsTruncated><PolicyNames/>'),
        'iam:ListAttachedRolePolicies': iamXml(
          'ListAttachedRolePolicies',
          '<IsTruncated>false</IsTruncated><AttachedPolicies/>',
        ),
      };
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: results[action] ?? '' };
    });
    const clients = createClients({ region: 'us-east-1', credentials: TEST_CREDENTIALS, requestHandler });
    mockClient(clients.lambda('us-east-1'))
      .on(ListFunctionsCommand)
      .resolves({ Functions: [lambdaFunction('api', roleArn('app'))] });

    // act
    const snapshot = await collectSnapshot({
      clients,
      regions: ['us-east-1'],
      collection: 'per-role',
      resourcePolicies: false,
    });

    // assess
    expect(snapshot.roles.get(roleArn('app'))?.trustPolicy).toBe(TRUST_LAMBDA);
    expect(snapshot.errors).toEqual([]);
    expect(clients.callCounts()['iam:GetRole']).toBe(1);
    expect(clients.attemptCounts()['iam:GetRole']).toBe(2);
  });
});
