import type { S3Client } from '@aws-sdk/client-s3';
import type { CachedResourcePolicy, ResourcePolicyCacheEntries } from '../collect/resource-policies.js';
import { isPlainObject } from '../model/json.js';
import type { AccountSnapshot, FunctionUrlRecord } from '../model/snapshot.js';
import { parseArn } from '../policy/arn.js';
import { readObject, s3Location, writeObject } from '../publish/archive.js';

/** Where a run keeps who may invoke each function, for the next run (SPEC §4b). */
export function resourcePolicyCacheKey(account: string): string {
  return `cache/${account.replace(/[^A-Za-z0-9._-]/g, '_') || 'unknown'}/resource-policies.json`;
}

const CACHE_VERSION = 1;

function urlsOf(raw: unknown): FunctionUrlRecord[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const urls = raw.filter(
    (url): url is FunctionUrlRecord =>
      isPlainObject(url) &&
      typeof url.url === 'string' &&
      typeof url.authType === 'string' &&
      typeof url.functionArn === 'string',
  );
  return urls.length === raw.length ? urls : undefined;
}

/** The valid entries of a cache file; anything malformed is left out (and read again). */
function entriesOf(raw: unknown, account: string): Map<string, CachedResourcePolicy> | undefined {
  if (!isPlainObject(raw) || raw.version !== CACHE_VERSION || raw.account !== account) return undefined;
  if (!isPlainObject(raw.functions)) return undefined;
  const entries = new Map<string, CachedResourcePolicy>();
  for (const [arn, value] of Object.entries(raw.functions)) {
    if (!isPlainObject(value) || typeof value.revisionId !== 'string' || typeof value.readAt !== 'string')
      continue;
    if (value.policy !== undefined && typeof value.policy !== 'string') continue;
    const urls = urlsOf(value.urls);
    if (value.urls !== undefined && !urls) continue;
    entries.set(arn, {
      revisionId: value.revisionId,
      readAt: value.readAt,
      ...(value.policy !== undefined ? { policy: value.policy } : {}),
      ...(urls ? { urls } : {}),
    });
  }
  return entries;
}

/**
 * The resource-policy cache of one run in the report bucket: `load` (called by collection once it knows
 * the account) reads `cache/<account>/resource-policies.json`; `save` writes what this run knows after
 * collection, partial runs included, so that the next run continues where a deadline stopped this one.
 * A cache that cannot be read only means every function is read again; it never stands for facts the
 * run does not have (an entry counts only while the function's `RevisionId` is the same).
 *
 * @example
 * const cache = new ResourcePolicyCache(s3, 'audit-reports', warn);
 * const snapshot = await collectSnapshot({ clients, regions, resourcePolicies: { cache: (account) => cache.load(account) } });
 * await cache.save(snapshot, { pruneUnlisted: true });
 */
export class ResourcePolicyCache {
  private previous: { account: string; entries: ReadonlyMap<string, CachedResourcePolicy> } | undefined;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly warn?: (message: string, fields?: Record<string, unknown>) => void,
  ) {}

  async load(account: string): Promise<ResourcePolicyCacheEntries | undefined> {
    const key = resourcePolicyCacheKey(account);
    let entries: Map<string, CachedResourcePolicy> | undefined;
    try {
      const body = await readObject(this.s3, this.bucket, key);
      if (body === undefined) return undefined;
      entries = entriesOf(JSON.parse(body), account);
    } catch (error) {
      this.warn?.('resource-policy cache unreadable: every function is read again', {
        location: s3Location(this.bucket, key),
        problem: (error as Error).message,
      });
      return undefined;
    }
    if (!entries) {
      this.warn?.('resource-policy cache of another shape: every function is read again', {
        location: s3Location(this.bucket, key),
      });
      return undefined;
    }
    this.previous = { account, entries };
    return entries;
  }

  /**
   * Writes the cache for the next run: this run's facts, and the earlier entries of functions it did not
   * read. With `pruneUnlisted` (a run over every function of its regions) entries of functions that the
   * complete listings no longer show are dropped. A failed write is a warning: the report is not at stake.
   */
  async save(snapshot: AccountSnapshot, options: { pruneUnlisted: boolean }): Promise<void> {
    if (!snapshot.resourcePolicies || !/^\d{12}$/.test(snapshot.account)) return;
    const functions: Record<string, CachedResourcePolicy> = {};
    const previous = this.previous?.account === snapshot.account ? this.previous.entries : undefined;
    if (previous) {
      const listedRegions = completelyListedRegions(snapshot);
      for (const [arn, entry] of previous) {
        const region = parseArn(arn)?.region ?? '';
        if (options.pruneUnlisted && listedRegions.has(region)) continue;
        functions[arn] = entry;
      }
    }
    for (const fn of snapshot.functions) {
      const record = snapshot.resourcePolicies.get(fn.functionArn);
      if (!record?.readAt || !fn.revisionId) {
        // Not read this run (the deadline): an earlier entry stays only while it still describes the function.
        const earlier = previous?.get(fn.functionArn);
        if (earlier && earlier.revisionId === fn.revisionId) functions[fn.functionArn] = earlier;
        else delete functions[fn.functionArn];
        continue;
      }
      functions[fn.functionArn] = {
        revisionId: fn.revisionId,
        readAt: record.readAt,
        ...(record.policy !== undefined
          ? { policy: typeof record.policy === 'string' ? record.policy : JSON.stringify(record.policy) }
          : {}),
        ...(record.urls ? { urls: record.urls } : {}),
      };
    }
    const key = resourcePolicyCacheKey(snapshot.account);
    try {
      await writeObject(
        this.s3,
        this.bucket,
        key,
        JSON.stringify({ version: CACHE_VERSION, account: snapshot.account, functions }),
      );
    } catch (error) {
      this.warn?.('resource-policy cache not written: the next run reads every function again', {
        location: s3Location(this.bucket, key),
        problem: (error as Error).message,
      });
    }
  }
}

/** Regions whose listing this run finished: a function of theirs that it did not list is gone. */
function completelyListedRegions(snapshot: AccountSnapshot): Set<string> {
  const incomplete = new Set<string>();
  for (const error of snapshot.errors) if (error.scope === 'region') incomplete.add(error.arn);
  for (const entry of snapshot.partial?.notAudited ?? []) {
    const region = /^region (\S+?):/.exec(entry)?.[1];
    if (region) incomplete.add(region);
  }
  return new Set(snapshot.regions.filter((region) => !incomplete.has(region)));
}
