import { GetPolicyCommand, type LambdaClient, paginateListFunctionUrlConfigs } from '@aws-sdk/client-lambda';
import type {
  AuditError,
  FunctionRecord,
  FunctionUrlRecord,
  ResourcePolicyRecord,
} from '../model/snapshot.js';
import { parseArn, splitFunctionArn } from '../policy/arn.js';
import { mentionsFunctionUrls } from '../policy/invoke-grants.js';
import { createLimiter, type Limiter } from './concurrency.js';
import { errorCode, errorMessage, isAbortError } from './errors.js';
import { paginate } from './paginate.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';
import type { RunControl } from './run-control.js';

/** What an earlier run read about one function, valid while the function's `RevisionId` is the same. */
export interface CachedResourcePolicy {
  /** The function's `RevisionId` (ListFunctions) when the facts were read. */
  revisionId: string;
  /** ISO time of the read. */
  readAt: string;
  /** `GetPolicy`'s Policy; absent: the function had no resource-based policy. */
  policy?: string;
  /** The function URLs, when they were read. */
  urls?: FunctionUrlRecord[];
}

/** Cached facts by function ARN (version-qualified for versions). */
export type ResourcePolicyCacheEntries = ReadonlyMap<string, CachedResourcePolicy>;

export interface ResourcePolicyOptions {
  /** Requests per second per API and region: AWS allows 15 `GetPolicy` calls per second. */
  requestsPerSecond?: number;
  /** Requests in flight per API and region. */
  concurrency?: number;
  /** Facts of earlier runs for an account; a function whose `RevisionId` did not change is not read again. */
  cache?: (account: string) => Promise<ResourcePolicyCacheEntries | undefined>;
  /**
   * Cached facts are read again after this long (and at most twice this long, spread by function ARN so
   * that a first run's reads do not all expire the same night): a URL's auth type may change without the
   * function's `RevisionId`.
   */
  maxAgeMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export const DEFAULT_REQUESTS_PER_SECOND = 15;
export const DEFAULT_POLICY_CONCURRENCY = 4;
export const DEFAULT_CACHE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** `read`: from AWS or from the cache (`cached`); `skipped`: the run stopped before it was read. */
export type ResourcePolicyOutcome =
  | { kind: 'read'; record: ResourcePolicyRecord; cached: boolean }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'skipped' };

/** A stable fraction in [0, 1) of a function ARN (FNV-1a), to spread cache expiry over nights. */
function spreadOf(arn: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < arn.length; index += 1) {
    hash ^= arn.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

/** Whether a cached entry still describes the function as listed now. */
export function cacheHolds(
  entry: CachedResourcePolicy | undefined,
  fn: FunctionRecord,
  now: number,
  maxAgeMs: number,
): entry is CachedResourcePolicy {
  if (!entry || !fn.revisionId || entry.revisionId !== fn.revisionId) return false;
  const age = now - Date.parse(entry.readAt);
  return Number.isFinite(age) && age >= 0 && age < maxAgeMs * (1 + spreadOf(fn.functionArn));
}

function isResourceNotFound(error: unknown): boolean {
  return errorCode(error) === 'ResourceNotFound';
}

/**
 * Reads who may invoke each function (SPEC §4b): `GetPolicy` per function and per published version, and
 * `ListFunctionUrlConfigs` only for a `$LATEST` whose policy mentions function URLs. Each API is held to
 * `requestsPerSecond` per region; a function whose `RevisionId` matches the cache is not read again. Reads
 * start as soon as the listing names a function, so they run alongside the listing and the IAM chain.
 * Never rejects: failures and reads the run stopped before are outcomes.
 *
 * @example
 * const reader = new ResourcePolicyReader(clients.lambda, { control, cache: (account) => loadCache(account) });
 * for (const fn of functions) reader.note(fn);
 * const outcomes = await reader.settle();
 */
export class ResourcePolicyReader {
  private readonly outcomes = new Map<string, Promise<ResourcePolicyOutcome>>();
  private readonly limits = new Map<string, { rate: RateLimiter; slots: Limiter }>();
  private cacheEntries: Promise<ResourcePolicyCacheEntries | undefined> | undefined;
  private readonly perSecond: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly lambda: (region: string) => LambdaClient,
    private readonly options: ResourcePolicyOptions & { control: RunControl },
  ) {
    this.perSecond = options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Starts reading one function's facts (once per ARN), from the cache when it still holds. */
  note(fn: FunctionRecord): void {
    if (this.outcomes.has(fn.functionArn)) return;
    this.outcomes.set(fn.functionArn, this.read(fn));
  }

  /** Every function's outcome, by ARN, once all reads have ended. */
  async settle(): Promise<Map<string, ResourcePolicyOutcome>> {
    const entries = await Promise.all(
      [...this.outcomes].map(async ([arn, outcome]) => [arn, await outcome] as const),
    );
    return new Map(entries);
  }

  private cached(fn: FunctionRecord): Promise<ResourcePolicyCacheEntries | undefined> {
    if (!this.options.cache) return Promise.resolve(undefined);
    // The first function names the account; a cache that cannot be read only costs the reads.
    this.cacheEntries ??= this.options.cache(parseArn(fn.functionArn)?.account ?? '').catch(() => undefined);
    return this.cacheEntries;
  }

  private limitsFor(region: string, api: string): { rate: RateLimiter; slots: Limiter } {
    const key = `${region}\n${api}`;
    let limits = this.limits.get(key);
    if (!limits) {
      limits = {
        rate: createRateLimiter({ perSecond: this.perSecond, canStart: this.options.control.canStart }),
        slots: createLimiter(this.options.concurrency ?? DEFAULT_POLICY_CONCURRENCY),
      };
      this.limits.set(key, limits);
    }
    return limits;
  }

  /** Runs one call of an API in its region's slot and rate; `undefined` when the run stopped first. */
  private call<T>(region: string, api: string, send: () => Promise<T>): Promise<{ value: T } | undefined> {
    const { rate, slots } = this.limitsFor(region, api);
    return slots(async () => ((await rate.wait()) ? { value: await send() } : undefined));
  }

  private async read(fn: FunctionRecord): Promise<ResourcePolicyOutcome> {
    const entry = (await this.cached(fn))?.get(fn.functionArn);
    if (cacheHolds(entry, fn, this.now(), this.maxAgeMs)) {
      const record: ResourcePolicyRecord = { revisionId: entry.revisionId, readAt: entry.readAt };
      if (entry.policy !== undefined) record.policy = entry.policy;
      if (entry.urls) record.urls = entry.urls;
      return { kind: 'read', record, cached: true };
    }
    const { control } = this.options;
    const lambda = this.lambda(fn.region);
    const { unqualified } = splitFunctionArn(fn.functionArn);
    const readAt = new Date(this.now()).toISOString();
    try {
      const answer = await this.call(fn.region, 'GetPolicy', async () => {
        try {
          const output = await lambda.send(
            new GetPolicyCommand({
              FunctionName: unqualified,
              ...(fn.version === '$LATEST' ? {} : { Qualifier: fn.version }),
            }),
            { abortSignal: control.abortSignal },
          );
          return output.Policy;
        } catch (error) {
          // AWS answers 404 for a function without a resource-based policy.
          if (isResourceNotFound(error)) return undefined;
          throw error;
        }
      });
      if (!answer) return { kind: 'skipped' };
      const record: ResourcePolicyRecord = {
        readAt,
        ...(fn.revisionId ? { revisionId: fn.revisionId } : {}),
      };
      const policy = answer.value;
      if (policy === undefined) return { kind: 'read', record, cached: false };
      record.policy = policy;
      // Only $LATEST and aliases have URLs, and only a policy that mentions them makes one callable.
      if (fn.version === '$LATEST' && mentionsFunctionUrls(policy)) {
        const urls = await this.call(fn.region, 'ListFunctionUrlConfigs', () =>
          this.readUrls(lambda, unqualified),
        );
        if (!urls) return { kind: 'skipped' };
        record.urls = urls.value;
      }
      return { kind: 'read', record, cached: false };
    } catch (error) {
      if (isAbortError(error) && control.stopReason() !== undefined) return { kind: 'skipped' };
      return { kind: 'failed', code: errorCode(error), message: errorMessage(error) };
    }
  }

  private async readUrls(lambda: LambdaClient, functionName: string): Promise<FunctionUrlRecord[]> {
    const { items } = await paginate(
      paginateListFunctionUrlConfigs(
        { client: lambda },
        { FunctionName: functionName },
        { abortSignal: this.options.control.abortSignal },
      ),
      (page) => page.FunctionUrlConfigs,
    );
    return items.map((config) => ({
      url: config.FunctionUrl ?? '',
      authType: config.AuthType ?? '',
      functionArn: config.FunctionArn ?? functionName,
    }));
  }
}

/** The snapshot's share of the outcomes: records of what was read, and what could not be read. */
export interface ResourcePolicyResult {
  records: Map<string, ResourcePolicyRecord>;
  errors: AuditError[];
  /** Functions the run stopped before reading (the next run continues with them). */
  skipped: string[];
  /** Functions whose reads failed. */
  failed: string[];
}

/**
 * Sorts the outcomes for the snapshot, in the order of the functions.
 *
 * @example
 * const { records, skipped } = resourcePolicyResult(snapshot.functions, await reader.settle());
 */
export function resourcePolicyResult(
  functions: readonly FunctionRecord[],
  outcomes: ReadonlyMap<string, ResourcePolicyOutcome>,
): ResourcePolicyResult {
  const result: ResourcePolicyResult = { records: new Map(), errors: [], skipped: [], failed: [] };
  for (const fn of functions) {
    const outcome = outcomes.get(fn.functionArn);
    if (!outcome || outcome.kind === 'skipped') result.skipped.push(fn.functionArn);
    else if (outcome.kind === 'failed') {
      result.failed.push(fn.functionArn);
      result.errors.push({
        scope: 'function',
        arn: fn.functionArn,
        code: outcome.code,
        message: `who may invoke the function is unknown: lambda:GetPolicy or lambda:ListFunctionUrlConfigs failed: ${outcome.message}`,
      });
    } else result.records.set(fn.functionArn, outcome.record);
  }
  return result;
}
