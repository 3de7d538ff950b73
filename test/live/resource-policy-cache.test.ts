import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type CachedResourcePolicy, cacheHolds } from '../../src/collect/resource-policies.js';
import { ResourcePolicyCache, resourcePolicyCacheKey } from '../../src/live/resource-policy-cache.js';
import { type AccountSnapshot, emptySnapshot, type FunctionRecord } from '../../src/model/snapshot.js';

const ACCOUNT = '111122223333';
const BUCKET = 'audit-reports';
const DAY = 24 * 3600 * 1000;
const arn = (name: string, region = 'us-east-1') => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;

function fn(name: string, revisionId: string, region = 'us-east-1'): FunctionRecord {
  return {
    functionName: name,
    functionArn: arn(name, region),
    version: '$LATEST',
    region,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
    revisionId,
    environmentVariableNames: [],
    secretSuspects: [],
  };
}

/** A cache file as the last run wrote it. */
function cacheFile(functions: Record<string, CachedResourcePolicy>, account = ACCOUNT): string {
  return JSON.stringify({ version: 1, account, functions });
}

function bucketWith(body: string | undefined) {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const stub = mockClient(s3);
  if (body === undefined)
    stub.on(GetObjectCommand).rejects(Object.assign(new Error('missing'), { name: 'NoSuchKey' }));
  else
    stub.on(GetObjectCommand).resolves({
      Body: { transformToString: async () => body } as never,
    });
  stub.on(PutObjectCommand).resolves({});
  const written = () =>
    stub
      .commandCalls(PutObjectCommand)
      .map((call) => JSON.parse(String(call.args[0].input.Body)) as { functions: Record<string, unknown> });
  return { s3, stub, written };
}

function snapshotOf(functions: FunctionRecord[], read: string[], regions = ['us-east-1']): AccountSnapshot {
  const snapshot = emptySnapshot(ACCOUNT);
  snapshot.regions = regions;
  snapshot.functions = functions;
  snapshot.resourcePolicies = new Map(
    functions
      .filter((record) => read.includes(record.functionName))
      .map((record) => [
        record.functionArn,
        { readAt: '2026-11-26T03:00:00.000Z', revisionId: record.revisionId! },
      ]),
  );
  return snapshot;
}

describe('Resource-policy cache in the report bucket', () => {
  it('keeps an entry only while the function has the same RevisionId and the entry is not too old', () => {
    // prepare
    const now = Date.parse('2026-11-26T03:00:00Z');
    const entry: CachedResourcePolicy = { revisionId: 'r1', readAt: '2026-11-25T03:00:00.000Z' };

    // act / assess
    expect(cacheHolds(entry, fn('api', 'r1'), now, 7 * DAY)).toBe(true);
    expect(cacheHolds(entry, fn('api', 'r2'), now, 7 * DAY)).toBe(false);
    expect(cacheHolds(entry, { ...fn('api', 'r1'), revisionId: undefined }, now, 7 * DAY)).toBe(false);
    expect(cacheHolds(entry, fn('api', 'r1'), now + 15 * DAY, 7 * DAY)).toBe(false);
    expect(cacheHolds({ ...entry, readAt: 'yesterday' }, fn('api', 'r1'), now, 7 * DAY)).toBe(false);
  });

  it('is read per account; a cache that is not JSON or of another account is a warning and reads everything again', async () => {
    // prepare
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    const broken = bucketWith('{not json');
    const other = bucketWith(cacheFile({}, '999999999999'));
    const missing = bucketWith(undefined);

    // act
    const fromBroken = await new ResourcePolicyCache(broken.s3, BUCKET, warn).load(ACCOUNT);
    const fromOther = await new ResourcePolicyCache(other.s3, BUCKET, warn).load(ACCOUNT);
    const fromMissing = await new ResourcePolicyCache(missing.s3, BUCKET, warn).load(ACCOUNT);

    // assess
    expect([fromBroken, fromOther, fromMissing]).toEqual([undefined, undefined, undefined]);
    expect(warnings).toEqual([
      'resource-policy cache unreadable: every function is read again',
      'resource-policy cache of another shape: every function is read again',
    ]);
    expect(broken.stub.commandCalls(GetObjectCommand)[0]?.args[0].input.Key).toBe(
      `cache/${ACCOUNT}/resource-policies.json`,
    );
    expect(resourcePolicyCacheKey(ACCOUNT)).toBe(`cache/${ACCOUNT}/resource-policies.json`);
  });

  it('writes this run’s facts, keeps what it did not read while it holds, and drops functions that are gone', async () => {
    // prepare: the last run knew api, worker, deleted-fn (us-east-1) and far (eu-west-1)
    const earlier = {
      [arn('api')]: { revisionId: 'r-api', readAt: '2026-11-25T03:00:00.000Z' },
      [arn('worker')]: { revisionId: 'r-worker', readAt: '2026-11-25T03:00:00.000Z' },
      [arn('stale')]: { revisionId: 'r-stale-old', readAt: '2026-11-25T03:00:00.000Z' },
      [arn('deleted-fn')]: { revisionId: 'r-deleted', readAt: '2026-11-25T03:00:00.000Z' },
      [arn('far', 'eu-west-1')]: { revisionId: 'r-far', readAt: '2026-11-25T03:00:00.000Z' },
    };
    const bucket = bucketWith(cacheFile(earlier));
    const cache = new ResourcePolicyCache(bucket.s3, BUCKET);
    await cache.load(ACCOUNT);
    // This run (us-east-1 only) read api again; the deadline left worker and stale unread; stale changed.
    const snapshot = snapshotOf(
      [fn('api', 'r-api-2'), fn('worker', 'r-worker'), fn('stale', 'r-stale-new')],
      ['api'],
    );

    // act
    await cache.save(snapshot, { pruneUnlisted: true });
    await cache.save(snapshot, { pruneUnlisted: false });

    // assess
    const [pruned, scoped] = bucket.written();
    expect(Object.keys(pruned!.functions).sort()).toEqual(
      [arn('api'), arn('far', 'eu-west-1'), arn('worker')].sort(),
    );
    expect(pruned!.functions[arn('api')]).toEqual({
      revisionId: 'r-api-2',
      readAt: '2026-11-26T03:00:00.000Z',
    });
    expect(Object.keys(scoped!.functions).sort()).toEqual(
      [arn('api'), arn('deleted-fn'), arn('far', 'eu-west-1'), arn('worker')].sort(),
    );
  });

  it('never fails the run when the cache cannot be written', async () => {
    // prepare
    const bucket = bucketWith(undefined);
    bucket.stub
      .on(PutObjectCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const warnings: string[] = [];
    const cache = new ResourcePolicyCache(bucket.s3, BUCKET, (message) => warnings.push(message));

    // act
    await cache.save(snapshotOf([fn('api', 'r1')], ['api']), { pruneUnlisted: true });

    // assess
    expect(warnings).toEqual(['resource-policy cache not written: the next run reads every function again']);
  });
});
