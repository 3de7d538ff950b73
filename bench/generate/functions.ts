/** Function configurations (and published versions) as list-functions prints them. */
import { capitalised, DAY, EPOCH_END, lambdaDate, thirdPerson } from './helpers.js';
import { MIXED_ALPHANUMERIC, type Random } from './random.js';
import type { RoleBuild } from './roles.js';
import type { FunctionConfiguration, PlantedSecret } from './shapes.js';
import { resourceName, type Scope } from './statements.js';
import { APPS, NOUNS, OBJECTS, RUNTIMES, VERBS } from './vocabulary.js';

/**
 * Which role each function runs as: every role but a few orphans gets one function, the rest follow
 * log-normal weights, so a handful of roles end up shared by dozens or hundreds of functions.
 */
export function assignRoles(functionCount: number, roleCount: number, random: Random): number[] {
  if (roleCount === 0) return [];
  const roleIndexes = Array.from({ length: roleCount }, (_, index) => index);
  const orphans = new Set(random.sample(roleIndexes, Math.floor(roleCount * 0.02)));
  const used = roleIndexes.filter((index) => !orphans.has(index));
  const assignments: number[] = [];
  if (functionCount >= used.length) assignments.push(...used);
  const cumulative: number[] = [];
  let total = 0;
  for (let index = 0; index < used.length; index += 1) {
    total += Math.exp(1.4 * random.normal());
    cumulative.push(total);
  }
  while (assignments.length < functionCount) {
    const target = random.float() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    assignments.push(used[low]!);
  }
  return random.shuffle(assignments);
}

interface EnvironmentContext {
  scope: Scope;
  runtime: string;
  random: Random;
}

type VariableMaker = (context: EnvironmentContext) => [string, string] | undefined;

const HARMLESS_VARIABLES: readonly VariableMaker[] = [
  ({ scope }) => ['STAGE', scope.env],
  ({ scope, random }) => ['TABLE_NAME', resourceName(scope, random)],
  ({ scope, random }) => ['BUCKET_NAME', `${resourceName(scope, random)}-${scope.account}`],
  ({ scope, random }) => [
    'QUEUE_URL',
    `https://sqs.${scope.region}.amazonaws.com/${scope.account}/${resourceName(scope, random)}`,
  ],
  ({ scope, random }) => [
    'TOPIC_ARN',
    `arn:aws:sns:${scope.region}:${scope.account}:${resourceName(scope, random)}`,
  ],
  ({ random }) => ['LOG_LEVEL', random.pick(['INFO', 'DEBUG', 'WARN', 'ERROR'])],
  ({ scope }) => ['POWERTOOLS_SERVICE_NAME', scope.app],
  ({ scope }) => ['POWERTOOLS_METRICS_NAMESPACE', capitalised(scope.app)],
  ({ runtime }) => (runtime.startsWith('nodejs') ? ['AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1'] : undefined),
  ({ runtime }) => (runtime.startsWith('nodejs') ? ['NODE_OPTIONS', '--enable-source-maps'] : undefined),
  ({ random }) => ['TIMEOUT_MS', String(random.pick([1000, 3000, 5000, 10000]))],
  ({ random }) => [
    'FEATURE_FLAGS',
    random.sample(['newCheckout', 'fastSearch', 'betaUi', 'asyncExport'], 2).join(','),
  ],
  ({ scope }) => ['API_BASE_URL', `https://api.${scope.env}.example.com/v1`],
  ({ random }) => ['MAX_RETRIES', String(random.int(1, 5))],
  ({ random }) => ['BATCH_SIZE', String(random.pick([10, 25, 100]))],
  // Secret-looking names that hold references, not secrets.
  ({ scope, random }) => [
    'DB_SECRET_ARN',
    `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${scope.app}/${scope.env}/db-${random.text(6, MIXED_ALPHANUMERIC)}`,
  ],
  ({ scope }) => ['DB_PASSWORD_PARAMETER', `/${scope.app}/${scope.env}/db-password`],
  ({ scope }) => ['API_KEY_SSM_PATH', `/${scope.app}/${scope.env}/partner-api-key`],
];

const PEM_BODY_LINES = 6;

const SECRET_VARIABLES: readonly ((random: Random) => [string, string])[] = [
  (random) => ['DB_PASSWORD', random.text(16, MIXED_ALPHANUMERIC)],
  (random) => ['PAYMENT_API_KEY', `key_live_${random.text(24, MIXED_ALPHANUMERIC)}`],
  (random) => ['SLACK_TOKEN', `xoxb-${random.int(100000, 999999)}-${random.text(24, MIXED_ALPHANUMERIC)}`],
  () => ['LEGACY_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE'],
  (random) => [
    'SIGNING_KEY',
    [
      '-----BEGIN RSA PRIVATE KEY-----',
      ...Array.from({ length: PEM_BODY_LINES }, () => random.base64(48)),
      '-----END RSA PRIVATE KEY-----',
    ].join('\n'),
  ],
];

function environmentVariables(
  context: EnvironmentContext,
  withSecret: boolean,
): { variables: Record<string, string>; secret?: string } {
  const { random } = context;
  const variables: Record<string, string> = {};
  const wanted = random.int(3, 8) - (withSecret ? 1 : 0);
  for (const make of random.shuffle(HARMLESS_VARIABLES)) {
    if (Object.keys(variables).length >= wanted) break;
    const entry = make(context);
    if (entry) variables[entry[0]] = entry[1];
  }
  if (!withSecret) return { variables };
  const [name, value] = random.pick(SECRET_VARIABLES)(random);
  variables[name] = value;
  return { variables, secret: name };
}

function handlerFor(runtime: string): string | undefined {
  if (runtime.startsWith('nodejs')) return 'index.handler';
  if (runtime.startsWith('python')) return 'app.lambda_handler';
  if (runtime.startsWith('java')) return 'com.example.Handler::handleRequest';
  if (runtime.startsWith('dotnet')) return 'Service::Service.Function::FunctionHandler';
  if (runtime.startsWith('ruby')) return 'function.handler';
  if (runtime === 'image') return undefined;
  return 'bootstrap';
}

function layersFor(
  runtime: string,
  region: string,
  random: Random,
): { Arn: string; CodeSize: number }[] | undefined {
  if (!random.chance(0.08)) return undefined;
  if (runtime.startsWith('nodejs')) {
    return [
      {
        Arn: `arn:aws:lambda:${region}:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:${random.int(10, 30)}`,
        CodeSize: random.int(900_000, 2_000_000),
      },
    ];
  }
  if (runtime.startsWith('python')) {
    return [
      {
        Arn: `arn:aws:lambda:${region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:${random.int(3, 12)}`,
        CodeSize: random.int(2_000_000, 5_000_000),
      },
    ];
  }
  return undefined;
}

export interface FunctionDraft {
  name: string;
  region: string;
  roleArn: string;
  role?: RoleBuild;
}

export function buildFunction(
  draft: FunctionDraft,
  account: string,
  random: Random,
  secrets: PlantedSecret[],
): FunctionConfiguration {
  const { name, region, roleArn, role } = draft;
  const scope: Scope = { account, region, app: role?.app ?? random.pick(APPS), env: role?.env ?? 'prod' };
  const runtime = random.weighted(RUNTIMES);
  const handler = handlerFor(runtime);
  const image = runtime === 'image';
  const withSecret = random.chance(0.012);
  let environment: FunctionConfiguration['Environment'];
  if (random.chance(0.95) || withSecret) {
    const { variables, secret } = environmentVariables({ scope, runtime, random }, withSecret);
    environment = { Variables: variables };
    if (secret) secrets.push({ functionName: name, variable: secret });
  }
  const logFormat = random.chance(0.15) ? 'JSON' : 'Text';
  const logGroup = random.chance(0.04) ? `/${scope.app}/${scope.env}/lambda` : `/aws/lambda/${name}`;
  const layers = image ? undefined : layersFor(runtime, region, random);
  const java = runtime.startsWith('java');
  const configuration: FunctionConfiguration = {
    FunctionName: name,
    // With --function-version ALL, Lambda qualifies $LATEST too (unlike a plain list-functions).
    FunctionArn: `arn:aws:lambda:${region}:${account}:function:${name}:$LATEST`,
    ...(image ? {} : { Runtime: runtime }),
    Role: roleArn,
    ...(handler ? { Handler: handler } : {}),
    CodeSize: image
      ? 0
      : Math.min(52_428_800, Math.max(200, Math.round(Math.exp(10.5 + 1.5 * random.normal())))),
    Description: random.chance(0.4)
      ? `${thirdPerson(random.pick(VERBS))} ${random.pick(OBJECTS).toLowerCase()} ${random.pick(NOUNS)} for ${scope.app}`
      : '',
    Timeout: random.pick([3, 3, 6, 10, 15, 30, 30, 60, 120, 300, 900]),
    MemorySize: random.pick([128, 128, 256, 512, 1024, 1536, 2048, 3008, 10240]),
    LastModified: lambdaDate(EPOCH_END - random.float() * 365 * DAY),
    CodeSha256: random.base64(32),
    Version: '$LATEST',
    ...(role?.vpc
      ? {
          VpcConfig: {
            SubnetIds: [`subnet-${random.hex(17)}`, `subnet-${random.hex(17)}`],
            SecurityGroupIds: [`sg-${random.hex(17)}`],
            VpcId: `vpc-${random.hex(17)}`,
            Ipv6AllowedForDualStack: false,
          },
        }
      : {}),
    ...(environment ? { Environment: environment } : {}),
    TracingConfig: { Mode: random.chance(0.25) ? 'Active' : 'PassThrough' },
    RevisionId: random.uuid(),
    ...(layers ? { Layers: layers } : {}),
    PackageType: image ? 'Image' : 'Zip',
    Architectures: [random.chance(0.3) ? 'arm64' : 'x86_64'],
    EphemeralStorage: { Size: random.chance(0.03) ? random.pick([1024, 2048, 4096, 10240]) : 512 },
    SnapStart:
      java && random.chance(0.3)
        ? { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' }
        : { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig:
      logFormat === 'JSON'
        ? { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO', LogGroup: logGroup }
        : { LogFormat: 'Text', LogGroup: logGroup },
  };
  return configuration;
}

export function publishedVersions(
  latest: FunctionConfiguration,
  count: number,
  otherRoleArn: string | undefined,
  random: Random,
): FunctionConfiguration[] {
  const latestModified = Date.parse(latest.LastModified.replace('+0000', 'Z'));
  const differentAt = otherRoleArn ? random.int(1, count) : 0;
  return Array.from({ length: count }, (_, index) => {
    const number = index + 1;
    const modified = latestModified - (count - index) * random.int(1, 40) * DAY;
    return {
      ...structuredClone(latest),
      FunctionArn: latest.FunctionArn.replace(/:\$LATEST$/, `:${number}`),
      Role: number === differentAt && otherRoleArn ? otherRoleArn : latest.Role,
      Description: `Release ${number}`,
      LastModified: lambdaDate(modified),
      CodeSha256: random.base64(32),
      Version: String(number),
      RevisionId: random.uuid(),
      ...(latest.SnapStart.ApplyOn === 'PublishedVersions'
        ? { SnapStart: { ApplyOn: 'PublishedVersions' as const, OptimizationStatus: 'On' as const } }
        : {}),
    };
  });
}

export function functionName(app: string, env: string, random: Random, taken: Set<string>): string {
  const base = `${app}-${env}-${random.pick(VERBS)}${random.pick(OBJECTS)}`;
  let name = base;
  for (let suffix = 2; taken.has(name); suffix += 1) name = `${base}-${suffix}`;
  taken.add(name);
  return name;
}
