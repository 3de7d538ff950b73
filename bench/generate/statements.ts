/** Policy statements: well-scoped, broad and broken ones, by flavour. */
import { capitalised, oneOrMany, sidFrom, statementsOf } from './helpers.js';
import type { Random } from './random.js';
import { LOWER_ALPHANUMERIC, MIXED_ALPHANUMERIC } from './random.js';
import type { PolicyDocument, PolicyStatement } from './shapes.js';
import { NOUNS, OBJECTS, POLICY_VARIABLE_TENANT, type PolicyFlavour, VERBS, words } from './vocabulary.js';

export interface Scope {
  account: string;
  region: string;
  app: string;
  env: string;
}

type StatementTemplate = (scope: Scope, random: Random) => PolicyStatement;

export function resourceName(scope: Scope, random: Random): string {
  return `${scope.app}-${scope.env}-${random.pick(NOUNS)}`;
}

function withSid(statement: PolicyStatement, random: Random, ...words: string[]): PolicyStatement {
  return random.chance(0.5) ? { Sid: sidFrom(...words), ...statement } : statement;
}

function actions(service: string, names: readonly string[], random: Random, minimum = 1): string[] {
  const chosen = random.sample(names, random.int(minimum, names.length)).map((name) => `${service}:${name}`);
  // IAM action names are case-insensitive and people type them every which way.
  return random.chance(0.02) ? chosen.map((action) => action.toLowerCase()) : chosen;
}

const SCOPED_TEMPLATES: readonly StatementTemplate[] = [
  (scope, random) => {
    const table = `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${resourceName(scope, random)}`;
    const names = [
      'GetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'Query',
      'Scan',
      'BatchGetItem',
      'BatchWriteItem',
    ];
    return withSid(
      {
        Effect: 'Allow',
        Action: oneOrMany(actions('dynamodb', names, random), random),
        Resource: random.chance(0.4) ? [table, `${table}/index/*`] : table,
      },
      random,
      'table',
      scope.app,
    );
  },
  (scope, random) => {
    const bucket = `${resourceName(scope, random)}-${scope.account}`;
    const prefix = random.chance(0.5) ? `${random.pick(NOUNS)}/*` : '*';
    return withSid(
      {
        Effect: 'Allow',
        Action: oneOrMany(
          actions('s3', ['GetObject', 'PutObject', 'DeleteObject', 'GetObjectTagging'], random),
          random,
        ),
        Resource: `arn:aws:s3:::${bucket}/${prefix}`,
      },
      random,
      'objects',
      scope.app,
    );
  },
  (scope, random) => ({
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: `arn:aws:s3:::${resourceName(scope, random)}-${scope.account}`,
  }),
  (scope, random) =>
    withSid(
      {
        Effect: 'Allow',
        Action: oneOrMany(
          actions(
            'sqs',
            [
              'SendMessage',
              'ReceiveMessage',
              'DeleteMessage',
              'GetQueueAttributes',
              'ChangeMessageVisibility',
            ],
            random,
          ),
          random,
        ),
        Resource: `arn:aws:sqs:${scope.region}:${scope.account}:${resourceName(scope, random)}`,
      },
      random,
      'queue',
      scope.app,
    ),
  (scope, random) => ({
    Effect: 'Allow',
    Action: 'sns:Publish',
    Resource: `arn:aws:sns:${scope.region}:${scope.account}:${resourceName(scope, random)}`,
  }),
  (scope, random) =>
    withSid(
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${scope.app}/${scope.env}/${random.pick(NOUNS)}-${random.text(6, MIXED_ALPHANUMERIC)}`,
      },
      random,
      'read',
      'secret',
    ),
  (scope, random) => ({
    Effect: 'Allow',
    Action: actions('ssm', ['GetParameter', 'GetParameters', 'GetParametersByPath'], random),
    Resource: `arn:aws:ssm:${scope.region}:${scope.account}:parameter/${scope.app}/${scope.env}/*`,
  }),
  (scope, random) =>
    withSid(
      {
        Effect: 'Allow',
        Action: oneOrMany(actions('kms', ['Decrypt', 'GenerateDataKey', 'Encrypt'], random), random),
        Resource: `arn:aws:kms:${scope.region}:${scope.account}:key/${random.uuid()}`,
      },
      random,
      'use',
      'key',
    ),
  (scope, random) => ({
    Effect: 'Allow',
    Action: actions(
      'kinesis',
      ['GetRecords', 'GetShardIterator', 'DescribeStream', 'ListShards', 'PutRecord', 'PutRecords'],
      random,
      2,
    ),
    Resource: `arn:aws:kinesis:${scope.region}:${scope.account}:stream/${resourceName(scope, random)}`,
  }),
  (scope) => ({
    Effect: 'Allow',
    Action: 'events:PutEvents',
    Resource: `arn:aws:events:${scope.region}:${scope.account}:event-bus/${scope.app}-${scope.env}`,
  }),
  (scope, random) => ({
    Effect: 'Allow',
    Action: 'states:StartExecution',
    Resource: `arn:aws:states:${scope.region}:${scope.account}:stateMachine:${capitalised(scope.app)}${random.pick(OBJECTS)}Workflow`,
  }),
  (scope, random) =>
    withSid(
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: `arn:aws:lambda:${scope.region}:${scope.account}:function:${scope.app}-${scope.env}-${random.pick(VERBS)}${random.pick(OBJECTS)}`,
      },
      random,
      'invoke',
      'downstream',
    ),
  () => ({
    Effect: 'Allow',
    Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    Resource: '*',
  }),
  (scope, random) => ({
    Effect: 'Allow',
    Action: 'execute-api:ManageConnections',
    Resource: `arn:aws:execute-api:${scope.region}:${scope.account}:${random.text(10, LOWER_ALPHANUMERIC)}/${scope.env}/POST/@connections/*`,
  }),
];

const ESCALATION_TEMPLATES: readonly ((scope: Scope, random: Random) => PolicyStatement[])[] = [
  () => [
    {
      Sid: 'DeployFunctions',
      Effect: 'Allow',
      Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
      Resource: '*',
    },
    { Sid: 'PassAnyRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
  ],
  () => [{ Effect: 'Allow', Action: ['iam:PutRolePolicy', 'iam:AttachRolePolicy'], Resource: '*' }],
  () => [
    { Effect: 'Allow', Action: ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion'], Resource: '*' },
  ],
  () => [{ Sid: 'SelfUpdate', Effect: 'Allow', Action: 'lambda:UpdateFunctionCode', Resource: '*' }],
  () => [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
  () => [
    { Effect: 'Allow', Action: ['ec2:RunInstances', 'ec2:DescribeInstances'], Resource: '*' },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
  ],
  (scope) => [
    {
      Effect: 'Allow',
      Action: ['cloudformation:CreateStack', 'cloudformation:DescribeStacks'],
      Resource: '*',
    },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${scope.account}:role/*` },
  ],
];

const UNSCOPED_TEMPLATES: readonly StatementTemplate[] = [
  (_scope, random) => ({
    Effect: 'Allow',
    Action: actions('s3', ['GetObject', 'PutObject'], random),
    Resource: '*',
  }),
  (_scope, random) => ({
    Effect: 'Allow',
    Action: actions('dynamodb', ['GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem'], random, 2),
    Resource: '*',
  }),
  () => ({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
  () => ({ Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParametersByPath'], Resource: '*' }),
  () => ({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }),
  () => ({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:DeleteMessage'], Resource: '*' }),
  () => ({ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }),
  () => ({ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: 'arn:aws:dynamodb:*:*:*' }),
];

const WILDCARD_SERVICES = words(`
  dynamodb s3 sqs sns kinesis lambda ssm secretsmanager events
`);

function wildcardStatement(random: Random): PolicyStatement {
  if (random.chance(0.1)) {
    return { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' };
  }
  const services = random.sample(
    WILDCARD_SERVICES,
    random.weighted([
      [1, 7],
      [2, 2],
      [3, 1],
    ] as const),
  );
  return withSid(
    {
      Effect: 'Allow',
      Action: oneOrMany(
        services.map((service) => `${service}:*`),
        random,
      ),
      Resource: '*',
    },
    random,
    'full',
    services[0] ?? 'service',
  );
}

function denyStatement(scope: Scope, random: Random): PolicyStatement {
  return random.pick<() => PolicyStatement>([
    () => ({
      Sid: 'ProtectTables',
      Effect: 'Deny',
      Action: ['dynamodb:DeleteTable', 'dynamodb:DeleteItem'],
      Resource: '*',
    }),
    () => ({
      Effect: 'Deny',
      Action: 's3:DeleteObject',
      Resource: `arn:aws:s3:::${resourceName(scope, random)}-${scope.account}/*`,
    }),
    () => ({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
    () => ({
      Effect: 'Deny',
      Action: 's3:*',
      NotResource: [`arn:aws:s3:::${scope.app}-*`, `arn:aws:s3:::${scope.app}-*/*`],
    }),
    () => ({ Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' }),
  ])();
}

function conditionalStatement(scope: Scope, random: Random): PolicyStatement {
  return random.pick<() => PolicyStatement>([
    () => ({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${resourceName(scope, random)}-${scope.account}`,
      Condition: { StringLike: { 's3:prefix': [`${scope.env}/*`, 'shared/*'] } },
    }),
    () => ({
      Sid: 'TeamBuckets',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': scope.app } },
    }),
    () => ({
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': `${capitalised(scope.app)}/${scope.env}` } },
    }),
    () => ({
      Effect: 'Allow',
      Action: ['ec2:DescribeInstances', 'ec2:StartInstances', 'ec2:StopInstances'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': scope.region } },
    }),
    () => ({
      Sid: 'DecryptViaSecretsManager',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${scope.region}.amazonaws.com` } },
    }),
    () => ({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${resourceName(scope, random)}`,
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [POLICY_VARIABLE_TENANT] } },
    }),
  ])();
}

function loggingStatements(account: string): PolicyStatement[] {
  return [
    {
      Sid: 'CreateLogGroup',
      Effect: 'Allow',
      Action: 'logs:CreateLogGroup',
      Resource: `arn:aws:logs:*:${account}:*`,
    },
    {
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `arn:aws:logs:*:${account}:log-group:/aws/lambda/*:*`,
    },
  ];
}

function boundaryStatements(random: Random): PolicyStatement[] {
  const allowed = [
    'logs:*',
    'dynamodb:*',
    's3:*',
    'sqs:*',
    'sns:*',
    'xray:*',
    'ssm:GetParameter*',
    'secretsmanager:GetSecretValue',
    'kms:Decrypt',
    'events:PutEvents',
    'states:StartExecution',
    'lambda:InvokeFunction',
    'cloudwatch:PutMetricData',
    'ec2:CreateNetworkInterface',
    'ec2:DeleteNetworkInterface',
    'ec2:Describe*',
  ];
  const statements: PolicyStatement[] = [
    {
      Sid: 'WorkloadServices',
      Effect: 'Allow',
      Action: random.sample(allowed, random.int(8, allowed.length)),
      Resource: '*',
    },
    {
      Sid: 'NoIdentityChanges',
      Effect: 'Deny',
      Action: ['iam:*', 'organizations:*', 'account:*'],
      Resource: '*',
    },
  ];
  if (random.chance(0.5)) {
    statements.push({
      Sid: 'KeepBoundary',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary'],
      Resource: '*',
    });
  }
  return statements;
}

/** A statement count between 1 and 15, small ones far more common (as in real accounts). */
function statementCount(random: Random): number {
  return 1 + Math.floor(14 * random.float() ** 2.2);
}

export function scopedStatements(scope: Scope, random: Random, count: number): PolicyStatement[] {
  return Array.from({ length: count }, () => random.pick(SCOPED_TEMPLATES)(scope, random));
}

export function flavouredStatements(flavour: PolicyFlavour, scope: Scope, random: Random): PolicyStatement[] {
  switch (flavour) {
    case 'scoped':
      return scopedStatements(scope, random, statementCount(random));
    case 'logging':
      return loggingStatements(scope.account);
    case 'service-wildcard':
      return [wildcardStatement(random), ...scopedStatements(scope, random, random.int(0, 4))];
    case 'escalation':
      return [
        ...random.pick(ESCALATION_TEMPLATES)(scope, random),
        ...scopedStatements(scope, random, random.int(0, 3)),
      ];
    case 'unscoped':
      return [
        ...random.sample(UNSCOPED_TEMPLATES, random.int(1, 3)).map((template) => template(scope, random)),
        ...scopedStatements(scope, random, random.int(0, 3)),
      ];
    case 'deny':
      return [
        ...scopedStatements(scope, random, random.int(1, 4)),
        ...Array.from({ length: random.int(1, 2) }, () => denyStatement(scope, random)),
      ];
    case 'conditional':
      return [
        ...Array.from({ length: random.int(1, 2) }, () => conditionalStatement(scope, random)),
        ...scopedStatements(scope, random, random.int(0, 3)),
      ];
    case 'boundary':
      return boundaryStatements(random);
  }
}

/** An older, usually broader, draft of a policy: what the default version replaced. */
export function olderDraft(current: PolicyDocument, random: Random): PolicyDocument {
  const statements = structuredClone(statementsOf(current));
  const first = statements[0];
  if (first && first.Effect === 'Allow' && random.chance(0.6)) {
    first.Resource = '*';
    delete first.NotResource;
  } else if (statements.length > 1) {
    statements.pop();
  } else {
    statements.push({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
  }
  return { Version: '2012-10-17', Statement: statements };
}
