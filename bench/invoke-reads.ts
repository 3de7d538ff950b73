/**
 * Who may invoke (SPEC §4b) costs one `GetPolicy` per function and version, and AWS allows 15 per second
 * per region, so its time is set by call counts, not by the machine. This part of `npm run bench`:
 *
 * 1. measures, on a moto account behind the latency proxy (which enforces 15 requests/s per API like
 *    Lambda), a first run and a run after 1 % of the functions changed: calls, time, throttled requests;
 * 2. computes the same for the 10,000-function account from its call counts at 15 requests/s per region,
 *    with the per-region rate the only floor (the listing and the IAM chain run alongside).
 */

import { AddPermissionCommand, CreateFunctionUrlConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { createClients } from '../src/collect/clients.js';
import { DEFAULT_REQUESTS_PER_SECOND } from '../src/collect/resource-policies.js';
import { collectAndAudit, type LiveServices } from '../src/live/pipeline.js';
import { parseArn } from '../src/policy/arn.js';
import { startMoto, TEST_CREDENTIALS } from '../tools/moto.js';
import type { GeneratedAccount } from './generate.js';
import { generateAccount } from './generate.js';
import { lambdaInvokeReadLimits, startLatencyProxy } from './latency-proxy.js';
import { seedMoto } from './seed-moto.js';

/** Every 10th function has a resource-based policy, every 50th a public function URL. */
const POLICY_EVERY = 10;
const URL_EVERY = 50;
/** The share of functions whose policy changes between two runs. */
export const CHANGED_SHARE = 0.01;

export interface InvokeReadRun {
  getPolicy: number;
  listFunctionUrlConfigs: number;
  /** Wall time of the whole audit (listing, IAM, who may invoke), or the computed floor of the reads. */
  ms: number;
  /** Requests the proxy answered 429 (the auditor's own rate keeps it at 0). */
  throttled?: number;
}

export interface InvokeReadResult {
  records: number;
  regions: Record<string, number>;
  perSecond: number;
  first: InvokeReadRun;
  changed: InvokeReadRun & { functionsChanged: number };
}

/** Functions and versions per region: the reads of each region share its own 15 requests/s. */
function recordsByRegion(account: GeneratedAccount): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of account.functions.Functions) {
    const region = parseArn(entry.FunctionArn ?? '')?.region || 'us-east-1';
    counts[region] = (counts[region] ?? 0) + 1;
  }
  return counts;
}

/** The `$LATEST` entries of the account, in order. */
function latestFunctions(account: GeneratedAccount) {
  return account.functions.Functions.filter((entry) => entry.Version === '$LATEST');
}

/**
 * The reads of a first run and of a run where `CHANGED_SHARE` of the functions changed, computed from
 * call counts: every function and version is read once, URL configurations where a policy mentions
 * them; each region reads at `perSecond`, regions side by side.
 *
 * @example
 * invokeReadModel(generateAccount({ functions: 10_000, roles: 2_000, policies: 500, seed: 42 }), 15);
 */
export function invokeReadModel(
  account: GeneratedAccount,
  perSecond = DEFAULT_REQUESTS_PER_SECOND,
): InvokeReadResult {
  const regions = recordsByRegion(account);
  const latest = latestFunctions(account);
  const records = account.functions.Functions.length;
  const urls = latest.filter((_, index) => index % URL_EVERY === 0).length;
  const floorMs = (perRegion: Record<string, number>) =>
    (Math.max(...Object.values(perRegion)) / perSecond) * 1000;
  const changed = Math.ceil(latest.length * CHANGED_SHARE);
  const changedByRegion: Record<string, number> = {};
  for (const [region, count] of Object.entries(regions))
    changedByRegion[region] = Math.ceil((count / records) * changed);
  return {
    records,
    regions,
    perSecond,
    first: { getPolicy: records, listFunctionUrlConfigs: urls, ms: floorMs(regions) },
    changed: {
      getPolicy: changed,
      listFunctionUrlConfigs: Math.ceil(changed / URL_EVERY),
      ms: floorMs(changedByRegion),
      functionsChanged: changed,
    },
  };
}

function services(endpoint: string): LiveServices {
  const config = { endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  return {
    clients: createClients(config),
    sns: new SNSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

/** Resource-based policies as the console and the CLI write them: some S3 triggers, some public URLs. */
async function seedPolicies(endpoint: string, account: GeneratedAccount): Promise<void> {
  const clients = new Map<string, LambdaClient>();
  const lambda = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new LambdaClient({ endpoint, region, credentials: TEST_CREDENTIALS });
      clients.set(region, client);
    }
    return client;
  };
  const latest = latestFunctions(account);
  for (const [index, entry] of latest.entries()) {
    const region = parseArn(entry.FunctionArn ?? '')?.region || 'us-east-1';
    const client = lambda(region);
    const name = entry.FunctionName;
    if (index % URL_EVERY === 0) {
      await client.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' }));
      await client.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 'FunctionURLAllowPublicAccess',
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        }),
      );
    } else if (index % POLICY_EVERY === 0) {
      await client.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 's3-uploads',
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
          SourceAccount: account.account,
          SourceArn: `arn:aws:s3:::bench-uploads-${index}`,
        }),
      );
    }
  }
  for (const client of clients.values()) client.destroy();
}

/** Changes the policy of the first `count` functions that have none yet (their RevisionId changes). */
async function changePolicies(endpoint: string, account: GeneratedAccount, count: number): Promise<void> {
  const latest = latestFunctions(account).filter((_, index) => index % POLICY_EVERY !== 0);
  for (const entry of latest.slice(0, count)) {
    const region = parseArn(entry.FunctionArn ?? '')?.region || 'us-east-1';
    const client = new LambdaClient({ endpoint, region, credentials: TEST_CREDENTIALS });
    await client.send(
      new AddPermissionCommand({
        FunctionName: entry.FunctionName,
        StatementId: 'events-nightly',
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: `arn:aws:events:${region}:${account.account}:rule/nightly`,
      }),
    );
    client.destroy();
  }
}

export interface InvokeReadBenchOptions {
  functions: number;
  roles: number;
  policies: number;
  seed: number;
  latencyMs: number;
  perSecond?: number;
  progress?: (message: string) => void;
}

/**
 * Measures two live runs against moto behind the latency proxy, which enforces `perSecond` per API like
 * Lambda: the first run reads everything, the second only what changed (the cache is in the bucket).
 */
export async function benchInvokeReads(options: InvokeReadBenchOptions): Promise<InvokeReadResult> {
  const perSecond = options.perSecond ?? DEFAULT_REQUESTS_PER_SECOND;
  const moto = await startMoto();
  const proxy = await startLatencyProxy({
    target: moto.endpoint,
    delayMs: options.latencyMs,
    rateLimits: lambdaInvokeReadLimits(perSecond),
  });
  try {
    const account = generateAccount({
      functions: options.functions,
      roles: options.roles,
      policies: options.policies,
      seed: options.seed,
    });
    options.progress?.(`invoke reads: seeding ${options.functions} functions with resource-based policies`);
    await seedMoto(moto.endpoint, account, { concurrency: 16 });
    await seedPolicies(moto.endpoint, account);
    const bucket = 'bench-invoke-cache';
    const s3 = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();

    const run = async (): Promise<InvokeReadRun> => {
      const live = services(proxy.endpoint);
      proxy.resetCount();
      const startedAt = performance.now();
      await collectAndAudit(live, { regions: account.regions, collection: 'bulk', reportBucket: bucket });
      const ms = performance.now() - startedAt;
      const calls = live.clients.callCounts();
      return {
        getPolicy: calls['lambda:GetPolicy'] ?? 0,
        listFunctionUrlConfigs: calls['lambda:ListFunctionUrlConfigs'] ?? 0,
        ms,
        throttled: Object.values(proxy.throttledCounts()).reduce((sum, count) => sum + count, 0),
      };
    };
    options.progress?.(`invoke reads: first run at ${perSecond} requests/s per API`);
    const first = await run();
    const functionsChanged = Math.ceil(latestFunctions(account).length * CHANGED_SHARE);
    await changePolicies(moto.endpoint, account, functionsChanged);
    options.progress?.(`invoke reads: run after ${functionsChanged} functions changed`);
    const changed = await run();
    return {
      records: account.functions.Functions.length,
      regions: recordsByRegion(account),
      perSecond,
      first,
      changed: { ...changed, functionsChanged },
    };
  } finally {
    await proxy.close();
    // The moto child is unreferenced: without a timer of our own the process would end while waiting for it.
    const keepAlive = setInterval(() => undefined, 1_000);
    await moto.stop();
    clearInterval(keepAlive);
  }
}
