import type { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { STSClient } from '@aws-sdk/client-sts';
import type { HandlerExecutionContext } from '@smithy/types';

/**
 * The AWS clients a collection run uses, created once (module scope in the Lambda, so warm
 * invocations reuse connections) and passed in. Every client counts its calls per operation.
 */
export interface AwsClients {
  iam: IAMClient;
  /** The account's enabled regions (`ec2:DescribeRegions`), for `regions: 'all'`; the EC2 client loads on demand. */
  enabledRegions(abortSignal?: AbortSignal): Promise<string[]>;
  /** One Lambda client per region, created on first use and reused. */
  lambda(region: string): LambdaClient;
  /** `sts:GetCallerIdentity`: the account id of an account without functions (no policy can deny it). */
  callerIdentity(abortSignal?: AbortSignal): Promise<{ account: string; arn: string }>;
  /** Logical calls per operation (`'iam:GetRole': 4`), retries not included. */
  callCounts(): Record<string, number>;
  /** HTTP attempts per operation: above `callCounts` when the SDK retried (throttling, 5xx). */
  attemptCounts(): Record<string, number>;
  /**
   * Starts both counts from zero: a warm Lambda container reuses the clients (connections, retry
   * state) for the next invocation, but each invocation reports its own calls.
   */
  resetCounts(): void;
}

export interface ClientsConfig {
  /** Home region for IAM, EC2 and STS; defaults to the SDK's own resolution (`AWS_REGION`, profile). */
  region?: string;
  /** Overrides the endpoint of every client; `AWS_ENDPOINT_URL` is honoured by the SDK without it. */
  endpoint?: string;
  credentials?: IAMClientConfig['credentials'];
  /** Attempts per call including the first; throttling is absorbed by the SDK's adaptive retry. */
  maxAttempts?: number;
  /** Replaces the HTTP layer (tests simulate throttling with it). */
  requestHandler?: IAMClientConfig['requestHandler'];
}

const DEFAULT_MAX_ATTEMPTS = 8;

type Counter = Map<string, number>;

interface Instrumentable {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: HandlerExecutionContext,
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize' | 'deserialize'; name: string; priority?: 'high' | 'low' },
    ): void;
  };
}

function increment(counter: Counter, key: string): void {
  counter.set(key, (counter.get(key) ?? 0) + 1);
}

function operationKey(service: string, context: HandlerExecutionContext): string {
  const command = context.commandName ?? 'UnknownCommand';
  return `${service}:${command.endsWith('Command') ? command.slice(0, -'Command'.length) : command}`;
}

/** Counts logical calls before the retry loop and HTTP attempts inside it. */
function instrument<Client>(client: Client, service: string, calls: Counter, attempts: Counter): Client {
  const stack = (client as unknown as Instrumentable).middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      increment(calls, operationKey(service, context));
      return next(args);
    },
    { step: 'initialize', name: 'lambdaRoleAuditorCallCounter', priority: 'high' },
  );
  stack.add(
    (next, context) => async (args) => {
      increment(attempts, operationKey(service, context));
      return next(args);
    },
    { step: 'deserialize', name: 'lambdaRoleAuditorAttemptCounter', priority: 'low' },
  );
  return client;
}

function snapshotOf(counter: Counter): Record<string, number> {
  return Object.fromEntries([...counter.entries()].sort(([left], [right]) => left.localeCompare(right)));
}

/**
 * Builds the clients from the standard AWS environment (credential chain, `AWS_REGION`,
 * `AWS_PROFILE`, `AWS_ENDPOINT_URL`) with adaptive retry, so throttling makes a run slower, not failed.
 *
 * @example
 * const clients = createClients();
 * const snapshot = await collectSnapshot({ clients, regions: ['eu-west-1'] });
 * console.error(clients.callCounts());
 */
export function createClients(config: ClientsConfig = {}): AwsClients {
  const calls: Counter = new Map();
  const attempts: Counter = new Map();
  const common = {
    retryMode: 'adaptive',
    maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.requestHandler ? { requestHandler: config.requestHandler } : {}),
  } as const;
  const iam = instrument(
    new IAMClient({
      ...common,
      ...(config.region ? { region: config.region } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
    }),
    'iam',
    calls,
    attempts,
  );
  // One memoised credential provider for every client: a profile that assumes a role or uses SSO
  // then resolves once per run, not once per region.
  const credentials = iam.config.credentials;
  const lambdaClients = new Map<string, LambdaClient>();
  let stsClient: STSClient | undefined;
  let ec2Client: EC2Client | undefined;
  return {
    iam,
    async enabledRegions(abortSignal) {
      // Loaded on demand: the EC2 client is a third of the bundle and only `regions: 'all'` needs it.
      const ec2 = await import('@aws-sdk/client-ec2');
      ec2Client ??= instrument(
        new ec2.EC2Client({ ...common, region: iam.config.region, credentials }),
        'ec2',
        calls,
        attempts,
      );
      const { Regions } = await ec2Client.send(
        new ec2.DescribeRegionsCommand({ AllRegions: false }),
        abortSignal ? { abortSignal } : {},
      );
      return (Regions ?? [])
        .filter((region) => region.OptInStatus !== 'not-opted-in')
        .flatMap((region) => (region.RegionName ? [region.RegionName] : []));
    },
    lambda(region) {
      let client = lambdaClients.get(region);
      if (!client) {
        client = instrument(new LambdaClient({ ...common, region, credentials }), 'lambda', calls, attempts);
        lambdaClients.set(region, client);
      }
      return client;
    },
    async callerIdentity(abortSignal) {
      // Loaded on demand: only an account without functions and without IAM data needs it.
      const sts = await import('@aws-sdk/client-sts');
      stsClient ??= instrument(
        new sts.STSClient({ ...common, region: iam.config.region, credentials }),
        'sts',
        calls,
        attempts,
      );
      const identity = await stsClient.send(
        new sts.GetCallerIdentityCommand({}),
        abortSignal ? { abortSignal } : {},
      );
      return { account: identity.Account ?? 'unknown', arn: identity.Arn ?? '' };
    },
    callCounts: () => snapshotOf(calls),
    attemptCounts: () => snapshotOf(attempts),
    resetCounts() {
      calls.clear();
      attempts.clear();
    },
  };
}
