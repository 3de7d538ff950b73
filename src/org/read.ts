/**
 * Reads the central report bucket for the organization roll-up: one `reports/<account>/` prefix per
 * account, its newest archived run and its `latest.json`.
 */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { createLimiter } from '../collect/concurrency.js';
import { paginate } from '../collect/paginate.js';
import { readObject, reportTimestamp, s3Location } from '../publish/archive.js';
import type { AccountReports, StoredReport } from './rollup.js';

/** Raised when the bucket itself cannot be listed: nothing can be rolled up. */
export class OrganizationReadError extends Error {
  override name = 'OrganizationReadError';
}

export interface ReadOrganizationOptions {
  /** Accounts read at the same time (each is two or three requests). */
  concurrency?: number;
  /** Told after each account, for a progress display. */
  onAccount?: (done: number, total: number) => void;
  /** The time of the roll-up: listings start at the runs of the last days before it. */
  now?: Date;
}

/** How far back the first listing of an account starts; only an account quiet for longer is listed whole. */
const RECENT_DAYS = 8;

const REPORTS = 'reports/';
const LATEST = 'latest.json';

/**
 * Lists the account prefixes of the bucket and reads, for each, the newest archived run (the last
 * `.json` key: keys start with the run's time) and `latest.json`. A document that cannot be read or
 * parsed is recorded as a problem of its account; a bucket that cannot be listed throws
 * {@link OrganizationReadError}.
 *
 * @example
 * const accounts = await readOrganizationReports(new S3Client({}), 'org-audit-reports');
 */
export function readOrganizationReports(
  s3: S3Client,
  bucket: string,
  options: ReadOrganizationOptions = {},
): Promise<AccountReports[]> {
  return readEachAccount(s3, bucket, (input) => input, options);
}

/**
 * Like {@link readOrganizationReports}, but hands each account's reports to `each` as soon as they are
 * read and keeps only what it returns: with `rollUpAccount`, memory stays bounded by the accounts read
 * at the same time, not by the whole organization's reports.
 *
 * @example
 * const rollups = await readEachAccount(s3, bucket, (input) => rollUpAccount(input, { now }));
 */
export async function readEachAccount<T>(
  s3: S3Client,
  bucket: string,
  each: (input: AccountReports) => T,
  options: ReadOrganizationOptions = {},
): Promise<T[]> {
  const accounts = await listAccountPrefixes(s3, bucket);
  const limit = createLimiter(options.concurrency ?? 8);
  const now = options.now ?? new Date();
  const recent = reportTimestamp(new Date(now.getTime() - RECENT_DAYS * 86_400_000).toISOString());
  let done = 0;
  return Promise.all(
    accounts.map((account) =>
      limit(async () => {
        const result = each(await readAccount(s3, bucket, account, recent));
        done += 1;
        options.onAccount?.(done, accounts.length);
        return result;
      }),
    ),
  );
}

async function listAccountPrefixes(s3: S3Client, bucket: string): Promise<string[]> {
  try {
    const { items } = await paginate(
      paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: REPORTS, Delimiter: '/' }),
      (page) => page.CommonPrefixes,
    );
    return items
      .map((prefix) => prefix.Prefix?.slice(REPORTS.length, -1) ?? '')
      .filter((account) => account !== '');
  } catch (error) {
    throw new OrganizationReadError(`cannot list ${s3Location(bucket, REPORTS)}: ${errorText(error)}`, {
      cause: error,
    });
  }
}

async function readAccount(
  s3: S3Client,
  bucket: string,
  account: string,
  recent: string,
): Promise<AccountReports> {
  const prefix = `${REPORTS}${account}/`;
  let newestKey: string | undefined;
  let hasLatest = false;
  // Keys come in ascending order: the last run's key is the last `.json` other than latest.json (which
  // sorts after every timestamp). Runs are keyed by time, so the listing starts at the last days' runs;
  // only an account without a run since then is listed whole, for the time of its last run.
  const list = (startAfter: string | undefined) =>
    paginate(
      paginateListObjectsV2(
        { client: s3 },
        { Bucket: bucket, Prefix: prefix, ...(startAfter ? { StartAfter: startAfter } : {}) },
      ),
      (page) => page.Contents,
      {
        onPage: (objects) => {
          for (const { Key: key } of objects) {
            if (!key?.endsWith('.json') || key.slice(prefix.length).includes('/')) continue;
            if (key === `${prefix}${LATEST}`) hasLatest = true;
            else if (newestKey === undefined || key > newestKey) newestKey = key;
          }
        },
      },
    );
  try {
    await list(`${prefix}${recent}`);
    if (newestKey === undefined) await list(undefined);
  } catch (error) {
    const problem = `could not be listed (${errorText(error)})`;
    return { account, newest: { key: prefix, problem } };
  }
  const result: AccountReports = { account };
  if (newestKey !== undefined) result.newest = await readStored(s3, bucket, newestKey);
  if (hasLatest) result.baseline = await readStored(s3, bucket, `${prefix}${LATEST}`);
  return result;
}

async function readStored(s3: S3Client, bucket: string, key: string): Promise<StoredReport> {
  let body: string | undefined;
  try {
    body = await readObject(s3, bucket, key);
  } catch (error) {
    return { key, problem: `could not be read (${errorText(error)})` };
  }
  if (body === undefined) return { key, problem: 'could not be read (missing or access denied)' };
  try {
    return { key, report: JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body) };
  } catch (error) {
    return { key, problem: `is not valid JSON (${(error as Error).message})` };
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
