import type { Evidence } from '../model/report.js';
import type { CatalogAction } from '../policy/catalog.js';
import type { Grant } from '../policy/effective.js';
import type { Statement } from '../policy/policy.js';

/**
 * Lambda platform permissions: what `AWSLambdaBasicExecutionRole`, `AWSLambdaVPCAccessExecutionRole`
 * and X-Ray tracing grant on `*`. They are what every function needs and never findings on their own.
 */
export const PLATFORM_ACTIONS: ReadonlySet<string> = new Set([
  'logs:createloggroup',
  'logs:createlogstream',
  'logs:putlogevents',
  'ec2:createnetworkinterface',
  'ec2:describenetworkinterfaces',
  'ec2:deletenetworkinterface',
  'ec2:describesubnets',
  'ec2:describevpcs',
  'ec2:assignprivateipaddresses',
  'ec2:unassignprivateipaddresses',
  'xray:puttracesegments',
  'xray:puttelemetryrecords',
]);

/**
 * Read actions that return data (object contents, items, secrets, parameters, plaintext), as opposed
 * to metadata reads such as `s3:GetBucketLocation`.
 */
export const DATA_READ_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectAttributes',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:GetRecords',
  'secretsmanager:GetSecretValue',
  'secretsmanager:BatchGetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
  'kms:Decrypt',
  'sqs:ReceiveMessage',
  'kinesis:GetRecords',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'athena:GetQueryResults',
  'lambda:GetFunction',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'codecommit:GitPull',
  'glacier:GetJobOutput',
  'es:ESHttpGet',
  'redshift-data:GetStatementResult',
  'timestream:Select',
];

export const DATA_READ_KEYS: ReadonlySet<string> = new Set(
  DATA_READ_ACTIONS.map((action) => action.toLowerCase()),
);

/**
 * True for a statement that names only Lambda platform actions (e.g. `AWSLambdaBasicExecutionRole`'s):
 * it is never cited as evidence of another finding.
 */
export function grantsOnlyPlatformActions(statement: Statement): boolean {
  return (
    statement.actions !== null &&
    statement.actionsAsWritten.length > 0 &&
    statement.actionsAsWritten.every((action) => PLATFORM_ACTIONS.has(action.toLowerCase()))
  );
}

/** Evidence naming one statement as written. */
export function statementEvidence(statement: Statement, extra: Partial<Evidence> = {}): Evidence {
  const negations = [
    statement.actions === null ? 'NotAction' : '',
    statement.notResources ? 'NotResource' : '',
  ].filter(Boolean);
  return {
    policy: statement.policy,
    statement: statement.id,
    actions: statement.actionsAsWritten,
    resources: statement.notResources ?? statement.resources ?? [],
    ...(negations.length > 0 ? { detail: `uses ${negations.join(' and ')}` } : {}),
    ...extra,
  };
}

/** Groups granted actions by the statements that grant them, one evidence entry per statement. */
export function evidenceByStatement(grants: Array<{ action: CatalogAction; grant: Grant }>): Evidence[] {
  const byStatement = new Map<Statement, string[]>();
  for (const { action, grant } of grants) {
    for (const statement of grant.statements) {
      let list = byStatement.get(statement);
      if (!list) {
        list = [];
        byStatement.set(statement, list);
      }
      list.push(action.name);
    }
  }
  return [...byStatement].map(([statement, matched]) =>
    statementEvidence(statement, { matchedActions: matched }),
  );
}

/** A short human list: `a, b, c and 4 more` (`total` when the list is itself a sample of more). */
export function shortList(items: readonly string[], limit = 5, total = items.length): string {
  if (total <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${total - Math.min(limit, items.length)} more`;
}

/** One of AWS's event-source execution policies, and the same permissions scoped to one source. */
interface EventSourcePolicy {
  name: string;
  /** What the scoped policy names, for the remediation. */
  source: string;
  /** Statements of the scoped policy, `ACCOUNT` standing for the role's account. */
  scoped: Array<{ Action: string[]; Resource: string }>;
}

/**
 * AWS's execution policies for Lambda event sources (and durable functions), which the Lambda
 * documentation recommends: grants on `*` that only these policies make are at most `low`, and the
 * remediation shows them scoped to the event source.
 */
export const EVENT_SOURCE_POLICIES: ReadonlyMap<string, EventSourcePolicy> = new Map(
  (
    [
      {
        name: 'AWSLambdaSQSQueueExecutionRole',
        source: 'the queue',
        scoped: [
          {
            Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
            Resource: 'arn:aws:sqs:REGION:ACCOUNT:QUEUE_NAME',
          },
        ],
      },
      {
        name: 'AWSLambdaDynamoDBExecutionRole',
        source: 'the table stream',
        scoped: [
          {
            Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
            Resource: 'arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE_NAME/stream/*',
          },
          { Action: ['dynamodb:ListStreams'], Resource: '*' },
        ],
      },
      {
        name: 'AWSLambdaKinesisExecutionRole',
        source: 'the stream',
        scoped: [
          {
            Action: [
              'kinesis:DescribeStream',
              'kinesis:DescribeStreamSummary',
              'kinesis:GetRecords',
              'kinesis:GetShardIterator',
              'kinesis:ListShards',
              'kinesis:SubscribeToShard',
            ],
            Resource: 'arn:aws:kinesis:REGION:ACCOUNT:stream/STREAM_NAME*',
          },
          { Action: ['kinesis:ListStreams'], Resource: '*' },
        ],
      },
      {
        name: 'AWSLambdaMSKExecutionRole',
        source: 'the cluster',
        scoped: [
          {
            Action: ['kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'],
            Resource: 'arn:aws:kafka:REGION:ACCOUNT:cluster/CLUSTER_NAME/*',
          },
        ],
      },
      {
        name: 'AWSLambdaBasicDurableExecutionRolePolicy',
        source: 'the function',
        scoped: [
          {
            Action: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
            Resource: 'arn:aws:lambda:REGION:ACCOUNT:function:FUNCTION_NAME:*',
          },
        ],
      },
    ] satisfies EventSourcePolicy[]
  ).map((policy) => [`arn:aws:iam::aws:policy/service-role/${policy.name}`, policy]),
);

/**
 * When every statement behind a finding comes from AWS's event-source execution policies: the
 * severity and the remediation that scopes them to the event source. Undefined otherwise.
 *
 * @example
 * eventSourceOnly(evidence, '123456789012')?.severity // 'low'
 */
export function eventSourceOnly(
  evidence: readonly Evidence[],
  account: string,
): { severity: 'low'; remediation: string } | undefined {
  const policies = new Set<EventSourcePolicy>();
  for (const entry of evidence) {
    const policy = entry.policy === undefined ? undefined : EVENT_SOURCE_POLICIES.get(entry.policy);
    if (!policy) return undefined;
    policies.add(policy);
  }
  if (policies.size === 0) return undefined;
  const parts = [...policies].map((policy) => {
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: policy.scoped.map((statement) => ({
        Effect: 'Allow',
        Action: statement.Action,
        Resource: statement.Resource.replace('ACCOUNT', account || 'ACCOUNT'),
      })),
    });
    return `replace ${policy.name} with this policy scoped to ${policy.source}: ${document}`;
  });
  return {
    severity: 'low',
    remediation: `AWS's event-source policy grants these actions on "*"; ${parts.join('; ')} (with AWSLambdaBasicExecutionRole for the logs).`,
  };
}
