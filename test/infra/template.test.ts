import { describe, expect, it } from 'vitest';
import {
  asList,
  defaultLocation,
  type ExampleLocation,
  evaluateConditions,
  exampleStack,
  grantsOf,
  isCreated,
  loadTemplate,
  type PolicyStatement,
  resolveValue,
  type StackContext,
  statementsOf,
  type Template,
} from './template-helpers.js';

const template = loadTemplate('template.yaml');

const centralTopicArn = 'arn:aws:sns:eu-west-1:999999999999:lambda-role-auditor';
const centralKeyArn = 'arn:aws:kms:eu-west-1:999999999999:key/0000aaaa-11bb-22cc-33dd-444444eeeeee';

function resource(logicalId: string) {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`The template has no resource ${logicalId}`);
  return found;
}

function resolvedProperties(logicalId: string, context: StackContext): Record<string, unknown> {
  return resolveValue(template, resource(logicalId).Properties, context) as Record<string, unknown>;
}

function resourcesOfType(type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, definition]) => definition.Type === type)
    .map(([logicalId]) => logicalId);
}

function rolePolicyStatements(context: StackContext): PolicyStatement[] {
  return statementsOf(resolvedProperties('RolePolicy', context).PolicyDocument);
}

function expectedGrants(
  location: ExampleLocation,
  topicArn: string,
  keyArn: string | undefined,
  bucketName: string | undefined,
): Record<string, string[]> {
  const { partition, account, region, stackName } = location;
  const roles = [`arn:${partition}:iam::${account}:role/*`];
  const policies = [`arn:${partition}:iam::${account}:policy/*`, `arn:${partition}:iam::aws:policy/*`].sort();
  const logGroup = `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${stackName}-auditor`;
  const grants: Record<string, string[]> = {
    'lambda:ListFunctions': ['*'],
    'iam:GetAccountAuthorizationDetails': ['*'],
    'ec2:DescribeRegions': ['*'],
    'iam:GetRole': roles,
    'iam:ListRolePolicies': roles,
    'iam:GetRolePolicy': roles,
    'iam:ListAttachedRolePolicies': roles,
    'iam:GetPolicy': policies,
    'iam:GetPolicyVersion': policies,
    'lambda:GetPolicy': [`arn:${partition}:lambda:*:${account}:function:*`],
    'lambda:ListFunctionUrlConfigs': [`arn:${partition}:lambda:*:${account}:function:*`],
    'sns:Publish': [topicArn],
    'logs:CreateLogGroup': [logGroup, `${logGroup}:*`],
    'logs:CreateLogStream': [`${logGroup}:*`],
    'logs:PutLogEvents': [`${logGroup}:*`],
  };
  if (keyArn) {
    grants['kms:GenerateDataKey'] = [keyArn];
    grants['kms:Decrypt'] = [keyArn];
  }
  if (bucketName) {
    const bucket = `arn:${partition}:s3:::${bucketName}`;
    grants['s3:GetObject'] = [
      `${bucket}/cache/${account}/*`,
      `${bucket}/config/suppressions.json`,
      `${bucket}/reports/${account}/*`,
    ];
    grants['s3:PutObject'] = [`${bucket}/cache/${account}/*`, `${bucket}/reports/${account}/*`];
    // Without it S3 answers 403 for a missing suppressions file, which the auditor must not read as "none".
    grants['s3:ListBucket'] = [bucket];
  }
  return grants;
}

interface Scenario {
  name: string;
  parameters: Record<string, string>;
  location: ExampleLocation;
  expected: (context: StackContext) => Record<string, string[]>;
}

const scenarios: Scenario[] = [
  {
    name: 'its own topic and report bucket (the defaults)',
    parameters: {},
    location: defaultLocation,
    expected: (context) =>
      expectedGrants(
        defaultLocation,
        context.references.Topic!,
        context.attributes['TopicKey.Arn'],
        context.references.ReportBucket,
      ),
  },
  {
    name: 'a central topic with its key and no report bucket',
    parameters: {
      ExistingTopicArn: centralTopicArn,
      ExistingTopicKeyArn: centralKeyArn,
      CreateReportBucket: 'false',
    },
    location: defaultLocation,
    expected: () => expectedGrants(defaultLocation, centralTopicArn, centralKeyArn, undefined),
  },
  {
    name: 'a central topic and a central report bucket (a stack set member)',
    parameters: {
      ExistingTopicArn: centralTopicArn,
      ExistingTopicKeyArn: centralKeyArn,
      ExistingReportBucket: 'org-audit-reports',
    },
    location: defaultLocation,
    expected: () => expectedGrants(defaultLocation, centralTopicArn, centralKeyArn, 'org-audit-reports'),
  },
  {
    name: 'an unencrypted central topic and a report bucket',
    parameters: { ExistingTopicArn: centralTopicArn },
    location: defaultLocation,
    expected: (context) =>
      expectedGrants(defaultLocation, centralTopicArn, undefined, context.references.ReportBucket),
  },
  {
    name: 'another partition (GovCloud)',
    parameters: {},
    location: { account: '210987654321', region: 'us-gov-west-1', partition: 'aws-us-gov', stackName: 'gov' },
    expected: (context) =>
      expectedGrants(
        { account: '210987654321', region: 'us-gov-west-1', partition: 'aws-us-gov', stackName: 'gov' },
        context.references.Topic!,
        context.attributes['TopicKey.Arn'],
        context.references.ReportBucket,
      ),
  },
];

function createdResources(definition: Template, context: StackContext, logicalIds: string[]): boolean[] {
  return logicalIds.map((logicalId) => isCreated(definition, logicalId, context));
}

describe('infra/template.yaml', () => {
  it('is plain CloudFormation without transforms, so StackSets can deploy it', () => {
    // prepare / act
    const { AWSTemplateFormatVersion, Transform } = template;

    // assess
    expect(AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(Transform).toBeUndefined();
    expect(resourcesOfType('AWS::Serverless::Function')).toEqual([]);
  });

  it.each([
    ['NotificationEmail', ''],
    ['Schedule', 'cron(0 3 * * ? *)'],
    ['Regions', ''],
    ['PublishWhen', 'always'],
    ['MinSeverity', 'info'],
    ['Collection', 'auto'],
    ['UsageAnalysis', 'off'],
    ['UsageDays', '90'],
    ['ExistingTopicArn', ''],
    ['CreateReportBucket', 'true'],
    ['ReportRetentionDays', '90'],
    ['LogRetentionDays', '30'],
    ['MemorySize', '512'],
    ['Timeout', '900'],
  ])('defaults parameter %s to %j', (name, expected) => {
    // prepare / act
    const parameter = template.Parameters[name];

    // assess
    expect(parameter).toBeDefined();
    expect(String(parameter?.Default)).toBe(expected);
  });

  it('requires the code location and restricts the enumerated parameters', () => {
    // prepare / act
    const { CodeBucket, CodeKey, PublishWhen, MinSeverity, Collection } = template.Parameters;

    // assess
    expect(CodeBucket?.Default).toBeUndefined();
    expect(CodeKey?.Default).toBeUndefined();
    expect(PublishWhen?.AllowedValues).toEqual(['always', 'findings', 'changes']);
    expect(MinSeverity?.AllowedValues).toEqual(['critical', 'high', 'medium', 'low', 'info']);
    expect(Collection?.AllowedValues).toEqual(['auto', 'bulk', 'per-role']);
    expect(template.Parameters.UsageAnalysis?.AllowedValues).toEqual(['on', 'off']);
  });

  it('runs the function on nodejs24.x arm64 from the S3 zip, never overlapping', () => {
    // prepare
    const context = exampleStack(template, { MemorySize: '256', Timeout: '600' });

    // act
    const properties = resolvedProperties('Function', context);

    // assess
    expect(properties).toMatchObject({
      FunctionName: 'audit-auditor',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'handler.handler',
      Code: { S3Bucket: 'code-bucket', S3Key: 'code/key.zip' },
      Role: context.attributes['Role.Arn'],
      MemorySize: '256',
      Timeout: '600',
      ReservedConcurrentExecutions: 1,
      LoggingConfig: { LogGroup: '/aws/lambda/audit-auditor' },
    });
  });

  it.each([
    {
      name: 'the defaults',
      parameters: {},
      expected: (context: StackContext) => ({
        TOPIC_ARN: context.references.Topic,
        REPORT_BUCKET: context.references.ReportBucket,
        REGIONS: 'eu-west-1',
        PUBLISH_WHEN: 'always',
        MIN_SEVERITY: 'info',
        COLLECTION: 'auto',
        USAGE: 'off',
        USAGE_DAYS: '90',
      }),
    },
    {
      name: 'a central topic, no bucket and explicit settings',
      parameters: {
        ExistingTopicArn: centralTopicArn,
        CreateReportBucket: 'false',
        Regions: 'all',
        PublishWhen: 'changes',
        MinSeverity: 'high',
        Collection: 'per-role',
        UsageAnalysis: 'on',
        UsageDays: '180',
      },
      expected: () => ({
        TOPIC_ARN: centralTopicArn,
        REGIONS: 'all',
        PUBLISH_WHEN: 'changes',
        MIN_SEVERITY: 'high',
        COLLECTION: 'per-role',
        USAGE: 'on',
        USAGE_DAYS: '180',
      }),
    },
  ])('configures the function through its environment with $name', ({ parameters, expected }) => {
    // prepare
    const context = exampleStack(template, parameters);

    // act
    const environment = resolvedProperties('Function', context).Environment as { Variables: object };

    // assess
    expect(environment.Variables).toEqual(expected(context));
  });

  it('as a stack set member: archives to the central bucket, names its function, reads code in its region', () => {
    // prepare
    const context = exampleStack(template, {
      ExistingTopicArn: centralTopicArn,
      ExistingReportBucket: 'org-audit-reports',
      FunctionName: 'org-audit-auditor',
      CodeBucket: 'lambda-role-auditor-code-999999999999',
      CodeBucketPerRegion: 'true',
    });

    // act
    const properties = resolvedProperties('Function', context);

    // assess
    expect(isCreated(template, 'ReportBucket', context)).toBe(false);
    expect(properties).toMatchObject({
      FunctionName: 'org-audit-auditor',
      Code: { S3Bucket: 'lambda-role-auditor-code-999999999999-eu-west-1' },
      Environment: { Variables: { REPORT_BUCKET: 'org-audit-reports', TOPIC_ARN: centralTopicArn } },
    });
  });

  it('gives the function its own log group with a retention', () => {
    // prepare
    const context = exampleStack(template, { LogRetentionDays: '14' });

    // act
    const properties = resolvedProperties('LogGroup', context);

    // assess
    expect(properties).toEqual({ LogGroupName: '/aws/lambda/audit-auditor', RetentionInDays: '14' });
  });

  it('attaches the last-accessed policy to the role only with UsageAnalysis=on', () => {
    // prepare
    const off = exampleStack(template, {});
    const on = exampleStack(template, { UsageAnalysis: 'on' });

    // act
    const properties = resolvedProperties('UsagePolicy', on) as { Roles: string[]; PolicyDocument: unknown };

    // assess
    expect(isCreated(template, 'UsagePolicy', off)).toBe(false);
    expect(isCreated(template, 'UsagePolicy', on)).toBe(true);
    expect(properties.Roles).toEqual([on.references.Role]);
    expect(grantsOf(statementsOf(properties.PolicyDocument))).toEqual({
      'iam:GenerateServiceLastAccessedDetails': ['arn:aws:iam::123456789012:role/*'],
      'iam:GetServiceLastAccessedDetails': ['*'],
    });
  });

  it('trusts only Lambda (of this account) and has no inline policies or ManagedPolicyArns', () => {
    // prepare
    const context = exampleStack(template, {});

    // act
    const properties = resolvedProperties('Role', context);
    const trust = statementsOf(properties.AssumeRolePolicyDocument);

    // assess
    expect(properties.Policies).toBeUndefined();
    expect(properties.ManagedPolicyArns).toBeUndefined();
    expect(properties.PermissionsBoundary).toBeUndefined();
    expect(resourcesOfType('AWS::IAM::Policy')).toEqual([]);
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      },
    ]);
  });

  it('attaches one named managed policy to the role (and the usage policy only with UsageAnalysis=on)', () => {
    // prepare
    const context = exampleStack(template, {});

    // act
    const properties = resolvedProperties('RolePolicy', context);

    // assess
    expect(
      resourcesOfType('AWS::IAM::ManagedPolicy').filter((logicalId) =>
        isCreated(template, logicalId, context),
      ),
    ).toEqual(['RolePolicy']);
    expect(template.Resources.UsagePolicy?.Condition).toBe('AnalyseUsage');
    expect(properties.ManagedPolicyName).toBe('audit-auditor-eu-west-1');
    expect(properties.Roles).toEqual([context.references.Role]);
    expect(properties.Users).toBeUndefined();
    expect(properties.Groups).toBeUndefined();
  });

  it.each(scenarios)(
    'grants exactly the expected actions on the expected resources with $name',
    (scenario) => {
      // prepare
      const context = exampleStack(template, scenario.parameters, scenario.location);

      // act
      const grants = grantsOf(rolePolicyStatements(context));

      // assess
      expect(grants).toEqual(scenario.expected(context));
    },
  );

  it.each(scenarios)('uses only plain Allow statements without wildcard actions with $name', (scenario) => {
    // prepare
    const context = exampleStack(template, scenario.parameters, scenario.location);

    // act
    const statements = rolePolicyStatements(context);

    // assess
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      expect(statement.Condition).toBeUndefined();
      for (const action of asList(statement.Action)) expect(action).not.toMatch(/[*?]/);
      for (const resourceArn of asList(statement.Resource)) {
        if (resourceArn !== '*')
          expect(resourceArn.startsWith(`arn:${scenario.location.partition}:`)).toBe(true);
      }
    }
  });

  it('grants Resource "*" only for actions that cannot be scoped', () => {
    // prepare
    const context = exampleStack(template, {});

    // act
    const unscoped = Object.entries(grantsOf(rolePolicyStatements(context)))
      .filter(([, resources]) => resources.includes('*'))
      .map(([action]) => action)
      .sort();

    // assess
    expect(unscoped).toEqual([
      'ec2:DescribeRegions',
      'iam:GetAccountAuthorizationDetails',
      'lambda:ListFunctions',
    ]);
  });

  it.each([
    { name: 'the defaults', parameters: {}, expected: [true, true, true, false, true, true] },
    {
      name: 'an email address',
      parameters: { NotificationEmail: 'secops@example.com' },
      expected: [true, true, true, true, true, true],
    },
    {
      name: 'a central topic (its email subscription belongs to the central stack)',
      parameters: { ExistingTopicArn: centralTopicArn, NotificationEmail: 'secops@example.com' },
      expected: [false, false, false, false, true, true],
    },
    {
      name: 'no report bucket',
      parameters: { CreateReportBucket: 'false' },
      expected: [true, true, true, false, false, false],
    },
  ])('creates the optional resources that fit $name', ({ parameters, expected }) => {
    // prepare
    const context = exampleStack(template, parameters);

    // act
    const created = createdResources(template, context, [
      'Topic',
      'TopicKey',
      'TopicPolicy',
      'EmailSubscription',
      'ReportBucket',
      'ReportBucketPolicy',
    ]);

    // assess
    expect(created).toEqual(expected);
  });

  it('subscribes the email address to the topic', () => {
    // prepare
    const context = exampleStack(template, { NotificationEmail: 'secops@example.com' });

    // act
    const properties = resolvedProperties('EmailSubscription', context);

    // assess
    expect(properties).toEqual({
      TopicArn: context.references.Topic,
      Protocol: 'email',
      Endpoint: 'secops@example.com',
    });
  });

  it('encrypts the topic with a rotated customer managed key that CloudWatch alarms may use', () => {
    // prepare
    const context = exampleStack(template, {});

    // act
    const topic = resolvedProperties('Topic', context);
    const key = resolvedProperties('TopicKey', context);
    const alarmStatement = statementsOf(key.KeyPolicy).find(
      (statement) => (statement.Principal as { Service?: string }).Service === 'cloudwatch.amazonaws.com',
    );

    // assess
    expect(topic.KmsMasterKeyId).toBe(context.attributes['TopicKey.Arn']);
    expect(key.EnableKeyRotation).toBe(true);
    expect(alarmStatement).toMatchObject({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
  });

  it('lets only CloudWatch alarms of this account publish through the topic policy, over TLS', () => {
    // prepare
    const context = exampleStack(template, {});

    // act
    const properties = resolvedProperties('TopicPolicy', context);
    const statements = statementsOf(properties.PolicyDocument);

    // assess
    expect(properties.Topics).toEqual([context.references.Topic]);
    expect(statements).toContainEqual({
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: context.references.Topic,
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*' },
      },
    });
    expect(statements.filter((statement) => statement.Effect === 'Allow')).toHaveLength(1);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('keeps the report bucket encrypted, private, owner-enforced and expiring', () => {
    // prepare
    const context = exampleStack(template, { ReportRetentionDays: '30' });

    // act
    const properties = resolvedProperties('ReportBucket', context);

    // assess
    expect(properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect((properties.LifecycleConfiguration as { Rules: unknown[] }).Rules).toContainEqual({
      Id: 'expire-reports',
      Status: 'Enabled',
      Prefix: 'reports/',
      ExpirationInDays: '30',
    });
    expect(resource('ReportBucket').DeletionPolicy).toBe('Retain');
  });

  it('denies every non-TLS request to the report bucket', () => {
    // prepare
    const context = exampleStack(template, {});
    const bucketArn = context.attributes['ReportBucket.Arn']!;

    // act
    const properties = resolvedProperties('ReportBucketPolicy', context);

    // assess
    expect(properties.Bucket).toBe(context.references.ReportBucket);
    expect(statementsOf(properties.PolicyDocument)).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  it('runs the function on the schedule through an EventBridge rule allowed to invoke it', () => {
    // prepare
    const context = exampleStack(template, { Schedule: 'rate(12 hours)' });

    // act
    const rule = resolvedProperties('ScheduleRule', context);
    const permission = resolvedProperties('SchedulePermission', context);

    // assess
    expect(rule).toMatchObject({
      ScheduleExpression: 'rate(12 hours)',
      State: 'ENABLED',
      Targets: [{ Id: 'auditor', Arn: context.attributes['Function.Arn'] }],
    });
    expect(permission).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: 'audit-auditor',
      Principal: 'events.amazonaws.com',
      SourceAccount: '123456789012',
      SourceArn: context.attributes['ScheduleRule.Arn'],
    });
  });

  it.each([
    { name: 'its own topic', parameters: {}, topic: (context: StackContext) => context.references.Topic },
    {
      name: 'a central topic',
      parameters: { ExistingTopicArn: centralTopicArn },
      topic: () => centralTopicArn,
    },
  ])('alarms on the function errors to $name', ({ parameters, topic }) => {
    // prepare
    const context = exampleStack(template, parameters);

    // act
    const alarm = resolvedProperties('ErrorAlarm', context);

    // assess
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'audit-auditor' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic(context)],
    });
  });

  it('does not retry a failed asynchronous run', () => {
    // prepare
    const context = exampleStack(template, {});

    // act
    const properties = resolvedProperties('FunctionInvokeConfig', context);

    // assess
    expect(properties).toEqual({
      FunctionName: 'audit-auditor',
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
    });
  });

  it.each([
    { name: 'the defaults', parameters: {}, bucketOutput: true },
    { name: 'no report bucket', parameters: { CreateReportBucket: 'false' }, bucketOutput: false },
  ])('outputs the function, role, topic and bucket with $name', ({ parameters, bucketOutput }) => {
    // prepare
    const context = exampleStack(template, parameters);
    const conditions = evaluateConditions(template, context);

    // act
    const outputs = Object.fromEntries(
      Object.entries(template.Outputs ?? {})
        .filter(([, output]) => output.Condition === undefined || conditions[output.Condition])
        .map(([name, output]) => [name, resolveValue(template, output.Value, context)]),
    );

    // assess
    expect(outputs).toEqual({
      FunctionName: 'audit-auditor',
      FunctionArn: context.attributes['Function.Arn'],
      RoleArn: context.attributes['Role.Arn'],
      TopicArn: context.references.Topic,
      ...(bucketOutput ? { ReportBucketName: context.references.ReportBucket } : {}),
    });
  });
});

describe('infra/central-topic.yaml', () => {
  const central = loadTemplate('central-topic.yaml');
  const context: StackContext = {
    parameters: {
      OrganizationId: 'o-abcdef1234',
      NotificationEmail: '',
      TopicName: 'lambda-role-auditor',
      CreateReportBucket: 'false',
      ReportRetentionDays: '400',
    },
    references: {
      'AWS::AccountId': '999999999999',
      'AWS::Region': 'eu-west-1',
      'AWS::Partition': 'aws',
      'AWS::StackName': 'central',
      Topic: centralTopicArn,
      TopicKey: '0000aaaa-11bb-22cc-33dd-444444eeeeee',
    },
    attributes: { 'TopicKey.Arn': centralKeyArn },
  };
  const resolvedCentral = (logicalId: string) =>
    resolveValue(central, central.Resources[logicalId]?.Properties, context) as Record<string, unknown>;

  it('is plain CloudFormation and encrypts the topic with its own rotated key', () => {
    // prepare / act
    const topic = resolvedCentral('Topic');
    const key = resolvedCentral('TopicKey');

    // assess
    expect(central.Transform).toBeUndefined();
    expect(topic.KmsMasterKeyId).toBe(centralKeyArn);
    expect(key.EnableKeyRotation).toBe(true);
  });

  it('lets principals and alarms of the organization, and no one else, publish', () => {
    // prepare / act
    const allows = statementsOf(resolvedCentral('TopicPolicy').PolicyDocument).filter(
      (statement) => statement.Effect === 'Allow',
    );

    // assess
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { AWS: '*' },
        Action: 'sns:Publish',
        Resource: centralTopicArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } },
      }),
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { StringEquals: { 'aws:SourceOrgID': 'o-abcdef1234' } },
      }),
    ]);
  });

  it('lets the organization use the key only through SNS', () => {
    // prepare / act
    const statements = statementsOf(resolvedCentral('TopicKey').KeyPolicy);
    const organization = statements.find((statement) => statement.Sid === 'OrganizationPublishesThroughSns');

    // assess
    expect(organization).toMatchObject({
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: {
        StringEquals: {
          'aws:PrincipalOrgID': 'o-abcdef1234',
          'kms:ViaService': 'sns.eu-west-1.amazonaws.com',
        },
      },
    });
  });

  it.each([
    { email: '', subscribed: false },
    { email: 'secops@example.com', subscribed: true },
  ])('subscribes an email address only when given ($email)', ({ email, subscribed }) => {
    // prepare
    const withEmail = { ...context, parameters: { ...context.parameters, NotificationEmail: email } };

    // act
    const created = isCreated(central, 'EmailSubscription', withEmail);

    // assess
    expect(created).toBe(subscribed);
  });

  it('outputs the topic and key ARNs for the member stacks', () => {
    // prepare / act
    const outputs = Object.fromEntries(
      Object.entries(central.Outputs ?? {})
        .filter(([, output]) => output.Condition === undefined)
        .map(([name, output]) => [name, resolveValue(central, output.Value, context)]),
    );

    // assess
    expect(outputs).toEqual({ TopicArn: centralTopicArn, TopicKeyArn: centralKeyArn });
    expect(isCreated(central, 'ReportBucket', context)).toBe(false);
  });

  describe('with the central report bucket', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template.
    const principalAccount = '${aws:PrincipalAccount}';
    const withBucket: StackContext = {
      ...context,
      parameters: { ...context.parameters, CreateReportBucket: 'true', ReportRetentionDays: '400' },
      references: { ...context.references, ReportBucket: 'org-audit-reports' },
      attributes: { ...context.attributes, 'ReportBucket.Arn': 'arn:aws:s3:::org-audit-reports' },
    };
    const resolved = (logicalId: string) =>
      resolveValue(central, central.Resources[logicalId]?.Properties, withBucket) as Record<string, unknown>;

    it('keeps the bucket private, encrypted, owned by this account and expiring', () => {
      // act
      const bucket = resolved('ReportBucket');

      // assess
      expect(central.Resources.ReportBucket?.DeletionPolicy).toBe('Retain');
      expect(bucket).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            expect.objectContaining({ Prefix: 'reports/', ExpirationInDays: '400' }),
            expect.anything(),
          ],
        },
      });
    });

    it('lets each account of the organization write and list only its own prefixes, over TLS', () => {
      // act
      const statements = statementsOf(resolved('ReportBucketPolicy').PolicyDocument);

      // assess
      const organization = { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } };
      expect(statements).toEqual([
        expect.objectContaining({
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        {
          Sid: 'MembersArchiveOwnReports',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: [
            `arn:aws:s3:::org-audit-reports/reports/${principalAccount}/*`,
            `arn:aws:s3:::org-audit-reports/cache/${principalAccount}/*`,
          ],
          Condition: organization,
        },
        {
          Sid: 'MembersReadSuppressions',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::org-audit-reports/config/suppressions.json',
          Condition: organization,
        },
        {
          Sid: 'MembersListOwnPrefixes',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::org-audit-reports',
          Condition: {
            ...organization,
            StringLike: {
              's3:prefix': [`reports/${principalAccount}/*`, `cache/${principalAccount}/*`],
            },
          },
        },
      ]);
    });

    it('outputs the bucket for the member stacks and the roll-up', () => {
      // act
      const name = resolveValue(central, central.Outputs?.ReportBucketName?.Value, withBucket);

      // assess
      expect(name).toBe('org-audit-reports');
    });
  });
});
