import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../src/policy/catalog.js';
import { EffectivePermissions } from '../../src/policy/effective.js';
import { parsePolicy } from '../../src/policy/policy.js';
import {
  defaultLocation,
  type ExampleLocation,
  exampleStack,
  isCreated,
  loadTemplate,
  resolveValue,
  type StackContext,
} from './template-helpers.js';

const template = loadTemplate('template.yaml');
const sourceRoot = path.resolve('src');

/** The IAM service prefix of each AWS SDK client package the code may use. */
const servicePrefixOfPackage: Record<string, string> = {
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-securityhub': 'securityhub',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sts': 'sts',
};

/** Calls that need no permission: no policy can deny `sts:GetCallerIdentity`. */
const permissionFree = new Set(['sts:GetCallerIdentity']);

/**
 * Permissions a call needs without being called: S3 answers a `GetObject` of a missing key with 404
 * only to a caller that may list the bucket, and 403 otherwise, which the auditor treats as a failure.
 */
const impliedByCall: Record<string, string[]> = { 's3:GetObject': ['s3:ListBucket'] };

interface CodeCall {
  /** `service:Operation`, the IAM action the call needs. */
  action: string;
  file: string;
}

interface CodeScan {
  calls: CodeCall[];
  /** Commands or paginators whose client package could not be told from the file's imports. */
  unresolved: string[];
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** Which client package each imported name (or namespace, `ns.`) of a file comes from. */
function sdkBindings(source: string): Map<string, string> {
  const bindings = new Map<string, string>();
  for (const [, names = '', from = ''] of source.matchAll(
    /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/[^']+)'/g,
  )) {
    for (const name of names.split(',')) {
      const local = name
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1);
      if (local) bindings.set(local, from);
    }
  }
  for (const [, namespace = '', from = ''] of source.matchAll(
    /import\s*\*\s*as\s+(\w+)\s+from\s*'(@aws-sdk\/[^']+)'/g,
  )) {
    bindings.set(`${namespace}.`, from);
  }
  for (const [, namespace = '', from = ''] of source.matchAll(
    /(?:const|let)\s+(\w+)\s*=\s*await\s+import\(\s*'(@aws-sdk\/[^']+)'\s*\)/g,
  )) {
    bindings.set(`${namespace}.`, from);
  }
  return bindings;
}

/**
 * Every AWS API call in `src/`, read from the code: `new <Operation>Command(` and SDK paginators
 * `paginate<Operation>(`, with the service taken from the client package the name is imported from.
 */
function scanSdkCalls(): CodeScan {
  const calls: CodeCall[] = [];
  const unresolved: string[] = [];
  const files = readdirSync(sourceRoot, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    // The organization roll-up is a CLI command run by people with their own credentials, never the function.
    .filter((file) => !file.split(path.sep).join('/').startsWith('org/'))
    .sort();
  for (const file of files) {
    const source = withoutComments(readFileSync(path.join(sourceRoot, file), 'utf8'));
    const bindings = sdkBindings(source);
    const usages = [
      ...[...source.matchAll(/new\s+(?:(\w+)\.)?((\w+)Command)\s*\(/g)].map(
        ([, namespace, local = '', operation = '']) => ({ namespace, local, operation }),
      ),
      ...[...source.matchAll(/\b(?:(\w+)\.)?(paginate([A-Z]\w*))\s*\(/g)].map(
        ([, namespace, local = '', operation = '']) => ({ namespace, local, operation }),
      ),
    ];
    for (const { namespace, local, operation } of usages) {
      const from = bindings.get(namespace ? `${namespace}.` : local);
      const prefix = from === undefined ? undefined : servicePrefixOfPackage[from];
      if (prefix === undefined) unresolved.push(`${file}: ${namespace ? `${namespace}.` : ''}${local}`);
      else calls.push({ action: `${prefix}:${operation}`, file });
    }
  }
  return { calls, unresolved };
}

/** The actions the auditor's role allows on at least some resource, evaluated by the project's policy engine. */
function grantedActions(permissions: EffectivePermissions): string[] {
  const catalog = defaultCatalog();
  return permissions
    .candidateServices()
    .flatMap((service) => catalog.actionsOf(service))
    .filter((action) => permissions.grantOnAnyResource(action.key) !== undefined)
    .map((action) => action.name)
    .sort();
}

/** The managed policies the stack attaches to the auditor's role: its policy, and the usage and Security Hub ones when created. */
function rolePermissions(context: StackContext): EffectivePermissions {
  const policies = ['RolePolicy', 'UsagePolicy', 'SecurityHubPolicy']
    .filter((logicalId) => isCreated(template, logicalId, context))
    .map((logicalId) => {
      const properties = resolveValue(template, template.Resources[logicalId]?.Properties, context) as {
        ManagedPolicyName: string;
        PolicyDocument: unknown;
      };
      const parsed = parsePolicy(properties.PolicyDocument, properties.ManagedPolicyName);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.policy.problems).toEqual([]);
      return parsed.policy;
    });
  return new EffectivePermissions({ identity: policies }, defaultCatalog());
}

/** What a deployed auditor touches with each call: the resources a request names (`*` for unscopable ones). */
function resourcesTouched(action: string, context: StackContext, location: ExampleLocation): string[] {
  const { partition, account, region } = location;
  const topic = context.parameters.ExistingTopicArn || context.references.Topic!;
  const bucket = `arn:${partition}:s3:::${context.references.ReportBucket}`;
  const table: Record<string, string[]> = {
    'lambda:ListFunctions': ['*'],
    'iam:GetAccountAuthorizationDetails': ['*'],
    'ec2:DescribeRegions': ['*'],
    'iam:GetRole': [`arn:${partition}:iam::${account}:role/service-role/orders-api`],
    'iam:ListRolePolicies': [`arn:${partition}:iam::${account}:role/orders-api`],
    'iam:GetRolePolicy': [`arn:${partition}:iam::${account}:role/team/orders-api`],
    'iam:ListAttachedRolePolicies': [`arn:${partition}:iam::${account}:role/orders-api`],
    'iam:GetPolicy': [
      `arn:${partition}:iam::aws:policy/AdministratorAccess`,
      `arn:${partition}:iam::${account}:policy/orders-read`,
    ],
    'iam:GetPolicyVersion': [
      `arn:${partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
      `arn:${partition}:iam::${account}:policy/team/orders-read`,
    ],
    'iam:GenerateServiceLastAccessedDetails': [
      `arn:${partition}:iam::${account}:role/service-role/orders-api`,
    ],
    'iam:GetServiceLastAccessedDetails': ['*'],
    'lambda:GetPolicy': [
      `arn:${partition}:lambda:${region}:${account}:function:orders-api`,
      `arn:${partition}:lambda:eu-west-1:${account}:function:orders-api:3`,
    ],
    'lambda:ListFunctionUrlConfigs': [`arn:${partition}:lambda:${region}:${account}:function:orders-api`],
    'sns:Publish': [topic],
    's3:GetObject': [
      `${bucket}/config/suppressions.json`,
      `${bucket}/reports/${account}/latest.json`,
      `${bucket}/cache/${account}/resource-policies.json`,
    ],
    's3:ListBucket': [bucket],
    's3:PutObject': [
      `${bucket}/reports/${account}/2026-01-31T03-00-00Z.json`,
      `${bucket}/reports/${account}/2026-01-31T03-00-00Z.html`,
      `${bucket}/reports/${account}/latest.json`,
      `${bucket}/cache/${account}/resource-policies.json`,
    ],
    'securityhub:BatchImportFindings': [
      `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
    ],
  };
  const resources = table[action];
  if (!resources)
    throw new Error(`No example resource for ${action} in ${region}: add the call to this table`);
  return resources;
}

const centralTopicArn = 'arn:aws:sns:eu-west-1:999999999999:lambda-role-auditor';
const centralKeyArn = 'arn:aws:kms:eu-west-1:999999999999:key/0000aaaa-11bb-22cc-33dd-444444eeeeee';

interface Scenario {
  name: string;
  parameters: Record<string, string>;
  location: ExampleLocation;
  /** The topic's KMS key, when the role must be able to use one. */
  topicKey: (context: StackContext) => string | undefined;
  reportBucket: boolean;
  /** `UsageAnalysis=on`: the role may read last-accessed data. */
  usage: boolean;
  securityHub: boolean;
}

const scenarios: Scenario[] = [
  {
    name: 'its own encrypted topic and report bucket (the defaults)',
    parameters: {},
    location: defaultLocation,
    topicKey: (context) => context.attributes['TopicKey.Arn'],
    reportBucket: true,
    usage: false,
    securityHub: false,
  },
  {
    name: 'a central topic with its key and no report bucket',
    parameters: {
      ExistingTopicArn: centralTopicArn,
      ExistingTopicKeyArn: centralKeyArn,
      CreateReportBucket: 'false',
    },
    location: defaultLocation,
    topicKey: () => centralKeyArn,
    reportBucket: false,
    usage: false,
    securityHub: false,
  },
  {
    name: 'an unencrypted central topic and a report bucket, in GovCloud',
    parameters: { ExistingTopicArn: 'arn:aws-us-gov:sns:us-gov-west-1:210987654321:lambda-role-auditor' },
    location: { account: '210987654321', region: 'us-gov-west-1', partition: 'aws-us-gov', stackName: 'gov' },
    topicKey: () => undefined,
    reportBucket: true,
    usage: false,
    securityHub: false,
  },
  {
    name: 'usage analysis on (last-accessed data)',
    parameters: { UsageAnalysis: 'on', UsageDays: '120' },
    location: defaultLocation,
    topicKey: (context) => context.attributes['TopicKey.Arn'],
    reportBucket: true,
    usage: true,
    securityHub: false,
  },
  {
    name: 'the Security Hub export, in GovCloud',
    parameters: { SecurityHubExport: 'true' },
    location: { account: '210987654321', region: 'us-gov-west-1', partition: 'aws-us-gov', stackName: 'gov' },
    topicKey: (context) => context.attributes['TopicKey.Arn'],
    reportBucket: true,
    usage: false,
    securityHub: true,
  },
];

/** IAM calls made only with usage analysis on (the test below checks they are the collector's). */
const USAGE_ACTIONS = new Set([
  'iam:GenerateServiceLastAccessedDetails',
  'iam:GetServiceLastAccessedDetails',
]);

/**
 * Whether a scenario's stack lets the code make a call: S3 needs the bucket, last-accessed reads
 * usage analysis, Security Hub the export.
 */
function grantedIn(scenario: Scenario, action: string): boolean {
  if (action.startsWith('s3:')) return scenario.reportBucket;
  if (USAGE_ACTIONS.has(action)) return scenario.usage;
  if (action.startsWith('securityhub:')) return scenario.securityHub;
  return true;
}

const logActions = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];
const keyActions = ['kms:Decrypt', 'kms:GenerateDataKey'];

describe('Self-audit: the auditor role allows exactly the calls in the code', () => {
  const scan = scanSdkCalls();
  const codeActions = [...new Set(scan.calls.map((call) => call.action))].sort();
  const needed = [
    ...new Set(
      codeActions
        .filter((action) => !permissionFree.has(action))
        .flatMap((action) => [action, ...(impliedByCall[action] ?? [])]),
    ),
  ].sort();
  /** Calls made only when usage analysis is on: those of the last-accessed collector. */
  const usageOnly = new Set(
    scan.calls
      .filter((call) => call.file.split(path.sep).join('/') === 'collect/last-accessed.ts')
      .map((call) => call.action),
  );

  it('reads every SDK call of the collector and the publisher from src/', () => {
    // prepare
    const filesOf = (action: string) =>
      scan.calls.filter((call) => call.action === action).map((call) => call.file.split(path.sep).join('/'));

    // act
    const listings = filesOf('lambda:ListFunctions');

    // assess
    expect(scan.unresolved).toEqual([]);
    expect(listings).toEqual(['collect/functions.ts']);
    expect(filesOf('ec2:DescribeRegions')).toEqual(['collect/clients.ts']);
    expect(filesOf('sts:GetCallerIdentity')).toEqual(['collect/clients.ts']);
    expect(filesOf('sns:Publish')).toEqual(['publish/sns.ts']);
    expect(filesOf('iam:GenerateServiceLastAccessedDetails')).toEqual(['collect/last-accessed.ts']);
    expect(usageOnly).toEqual(USAGE_ACTIONS);
    expect(filesOf('securityhub:BatchImportFindings')).toEqual(['publish/security-hub.ts']);
    expect(codeActions.every((action) => /^[a-z0-9]+:[A-Z]\w+$/.test(action))).toBe(true);
  });

  it.each(scenarios)('grants nothing the code does not call, with $name', (scenario) => {
    // prepare
    const context = exampleStack(template, scenario.parameters, scenario.location);
    const expected = [
      ...needed.filter((action) => grantedIn(scenario, action)),
      ...logActions,
      ...(scenario.topicKey(context) ? keyActions : []),
    ].sort();

    // act
    const granted = grantedActions(rolePermissions(context));

    // assess
    expect(granted).toEqual(expected);
  });

  it.each(scenarios)('grants every call of the code on the resources it touches, with $name', (scenario) => {
    // prepare
    const context = exampleStack(template, scenario.parameters, scenario.location);
    const permissions = rolePermissions(context);
    const requests = needed
      .filter((action) => grantedIn(scenario, action))
      .flatMap((action) =>
        resourcesTouched(action, context, scenario.location).map((resource) => ({ action, resource })),
      );

    // act
    const denied = requests.filter(
      ({ action, resource }) => permissions.accessTo(action, resource) !== 'allowed',
    );

    // assess
    expect(requests.length).toBeGreaterThan(8);
    expect(denied).toEqual([]);
  });

  it.each(scenarios)(
    'uses logs only on its own log group and KMS only on the topic key, with $name',
    (scenario) => {
      // prepare
      const context = exampleStack(template, scenario.parameters, scenario.location);
      const permissions = rolePermissions(context);
      const { partition, account, region, stackName } = scenario.location;
      const logGroup = (name: string) =>
        `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${name}`;
      const key = scenario.topicKey(context);
      const otherKey = `arn:${partition}:kms:${region}:${account}:key/99999999-8888-7777-6666-555555555555`;

      // act
      const access = {
        ownStream: permissions.accessTo(
          'logs:PutLogEvents',
          `${logGroup(`${stackName}-auditor`)}:log-stream:2026/01/31/x`,
        ),
        ownGroup: permissions.accessTo('logs:CreateLogGroup', logGroup(`${stackName}-auditor`)),
        otherStream: permissions.accessTo(
          'logs:PutLogEvents',
          `${logGroup('payments-api')}:log-stream:2026/01/31/x`,
        ),
        otherGroup: permissions.accessTo('logs:CreateLogGroup', logGroup('payments-api')),
        topicKey: key ? permissions.accessTo('kms:GenerateDataKey', key) : 'no key',
        otherKey: permissions.accessTo('kms:Decrypt', otherKey),
      };

      // assess
      expect(access).toEqual({
        ownStream: 'allowed',
        ownGroup: 'allowed',
        otherStream: 'not-allowed',
        otherGroup: 'not-allowed',
        topicKey: key ? 'allowed' : 'no key',
        otherKey: 'not-allowed',
      });
    },
  );

  it("reads last-accessed data only when usage analysis is on, and only of the account's roles", () => {
    // prepare
    const on = rolePermissions(exampleStack(template, { UsageAnalysis: 'on' }));
    const off = rolePermissions(exampleStack(template, {}));
    const generate = 'iam:GenerateServiceLastAccessedDetails';

    // act
    const access = {
      ownRole: on.accessTo(generate, 'arn:aws:iam::123456789012:role/service-role/orders-api'),
      user: on.accessTo(generate, 'arn:aws:iam::123456789012:user/bob'),
      policy: on.accessTo(generate, 'arn:aws:iam::123456789012:policy/orders-read'),
      otherAccount: on.accessTo(generate, 'arn:aws:iam::999999999999:role/app'),
      offOwnRole: off.accessTo(generate, 'arn:aws:iam::123456789012:role/service-role/orders-api'),
      offRead: off.accessTo('iam:GetServiceLastAccessedDetails', '*'),
    };

    // assess
    expect(access).toEqual({
      ownRole: 'allowed',
      user: 'not-allowed',
      policy: 'not-allowed',
      otherAccount: 'not-allowed',
      offOwnRole: 'not-allowed',
      offRead: 'not-allowed',
    });
  });

  it('writes only to its topic and under reports/ and cache/ in its bucket', () => {
    // prepare
    const context = exampleStack(template, {});
    const permissions = rolePermissions(context);
    const bucket = `arn:aws:s3:::${context.references.ReportBucket}`;
    const writes = [
      ['s3:PutObject', `${bucket}/config/suppressions.json`],
      ['s3:PutObject', 'arn:aws:s3:::another-bucket/reports/123456789012/latest.json'],
      ['s3:GetObject', 'arn:aws:s3:::another-bucket/reports/123456789012/latest.json'],
      ['s3:DeleteObject', `${bucket}/reports/123456789012/latest.json`],
      ['sns:Publish', 'arn:aws:sns:eu-west-1:123456789012:another-topic'],
      ['iam:GetRole', 'arn:aws:iam::999999999999:role/another-account'],
      ['iam:PassRole', `arn:aws:iam::123456789012:role/${context.references.Role}`],
      ['lambda:UpdateFunctionCode', context.attributes['Function.Arn']!],
      ['lambda:AddPermission', context.attributes['Function.Arn']!],
      ['lambda:GetPolicy', 'arn:aws:lambda:eu-west-1:999999999999:function:another-account'],
    ] as const;

    // act
    const allowed = writes.filter(
      ([action, resource]) => permissions.accessTo(action, resource) !== 'not-allowed',
    );

    // assess
    expect(allowed).toEqual([]);
  });

  it('imports findings into Security Hub only with the export on, and only under its own product ARN', () => {
    // prepare
    const own = 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default';
    const requests = [
      own,
      'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
      'arn:aws:securityhub:eu-west-1:999999999999:product/999999999999/default',
      'arn:aws:securityhub:eu-west-1::product/aws/guardduty',
    ];
    const withExport = rolePermissions(exampleStack(template, { SecurityHubExport: 'true' }));
    const without = rolePermissions(exampleStack(template, {}));

    // act
    const allowed = requests.filter(
      (resource) => withExport.accessTo('securityhub:BatchImportFindings', resource) === 'allowed',
    );
    const allowedWithout = requests.filter(
      (resource) => without.accessTo('securityhub:BatchImportFindings', resource) !== 'not-allowed',
    );

    // assess
    expect(allowed).toEqual([own]);
    expect(allowedWithout).toEqual([]);
  });
});
