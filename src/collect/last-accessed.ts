import { setTimeout as sleep } from 'node:timers/promises';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  type GetServiceLastAccessedDetailsCommandOutput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { RoleReadFailure, RoleRecord } from '../model/snapshot.js';
import { emptyUsage, parseLastAccessedDetails, type RoleUsage, type UsageData } from '../model/usage.js';
import { isYoungRole } from '../usage/coverage.js';
import { createLimiter, type Limiter } from './concurrency.js';
import { errorCode, errorMessage, isAbortError } from './errors.js';
import type { RunControl } from './run-control.js';

/** How the last-accessed reports of a run are requested and waited for (SPEC §4c). */
export interface UsageCollectionOptions {
  /** The usage window: roles created less recently than this need no report (the rules skip them). */
  days: number;
  /** Jobs generated and not yet read at once. */
  jobWindow?: number;
  /** The first wait after a job is generated, in milliseconds; each further wait doubles, up to 5 s. */
  pollIntervalMs?: number;
  /** A job still in progress after this long is given up (the role's data is then missing). */
  jobTimeoutMs?: number;
  /** `MaxItems` of each `GetServiceLastAccessedDetails` page (1–1000). */
  pageSize?: number;
}

export const DEFAULT_JOB_WINDOW = 100;
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
export const DEFAULT_JOB_TIMEOUT_MS = 300_000;
const MAX_POLL_INTERVAL_MS = 5_000;
const DEFAULT_PAGE_SIZE = 1_000;

const NOT_COLLECTED = 'NotCollected';

export interface LastAccessedReadOptions extends UsageCollectionOptions {
  control: RunControl;
  /** Bounds the IAM calls in flight (shared with the other IAM reads of the run, or its own). */
  limit?: Limiter;
  /** IAM calls in flight when no limiter is given. */
  concurrency?: number;
  now?: Date;
  onProgress?: (settled: number, total: number) => void;
}

/**
 * Reads IAM's last-accessed data of each role: `GenerateServiceLastAccessedDetails` with
 * `Granularity=ACTION_LEVEL`, then `GetServiceLastAccessedDetails` until the job completes, every page
 * (`Marker`) of it. Jobs run a bounded window at a time and calls are bounded by the limiter; throttling
 * is the SDK's adaptive retry's business. When the run's time is nearly up no job starts and waiting
 * ones are given up: their roles are in `failures` as `NotCollected`, and the report says `partial`.
 * Never rejects.
 *
 * @example
 * const usage = await readLastAccessed(clients.iam, [...snapshot.roles.values()], { control, days: 90 });
 */
export async function readLastAccessed(
  iam: IAMClient,
  roles: readonly RoleRecord[],
  options: LastAccessedReadOptions,
): Promise<UsageData> {
  const usage = emptyUsage();
  const now = options.now ?? new Date();
  const limit = options.limit ?? createLimiter(options.concurrency ?? 8);
  const window = createLimiter(options.jobWindow ?? DEFAULT_JOB_WINDOW);
  const wanted = roles.filter((role) => !isYoungRole(role.createDate, options.days, now));
  let settled = 0;
  await Promise.all(
    wanted.map((role) =>
      window(async () => {
        const outcome = await readOne(iam, role.arn, limit, options);
        if ('failure' in outcome) usage.failures.set(role.arn, outcome.failure);
        else usage.roles.set(role.arn, outcome.usage);
        settled += 1;
        options.onProgress?.(settled, wanted.length);
      }),
    ),
  );
  return usage;
}

type Outcome = { usage: RoleUsage } | { failure: RoleReadFailure };

function notCollected(control: RunControl): Outcome {
  return {
    failure: {
      code: NOT_COLLECTED,
      message: control.stopReason() ?? 'collection stopped before the last-accessed report was read',
    },
  };
}

async function readOne(
  iam: IAMClient,
  roleArn: string,
  limit: Limiter,
  options: LastAccessedReadOptions,
): Promise<Outcome> {
  const { control } = options;
  const send = { abortSignal: control.abortSignal };
  if (!control.canStart()) return notCollected(control);
  let jobId: string | undefined;
  try {
    ({ JobId: jobId } = await limit(() =>
      iam.send(
        new GenerateServiceLastAccessedDetailsCommand({ Arn: roleArn, Granularity: 'ACTION_LEVEL' }),
        send,
      ),
    ));
  } catch (error) {
    if (isAbortError(error)) return notCollected(control);
    return {
      failure: {
        code: errorCode(error),
        message: `GenerateServiceLastAccessedDetails failed: ${errorMessage(error)}`,
      },
    };
  }
  if (!jobId)
    return {
      failure: { code: 'MalformedResponse', message: 'GenerateServiceLastAccessedDetails returned no JobId' },
    };
  const startedAt = Date.now();
  let wait = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const timeout = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  try {
    while (true) {
      await sleep(wait, undefined, { signal: control.abortSignal });
      if (!control.canStart()) return notCollected(control);
      const first = await limit(() =>
        iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: pageSize }), send),
      );
      if (first.JobStatus === 'IN_PROGRESS') {
        if (Date.now() - startedAt >= timeout)
          return {
            failure: {
              code: 'LastAccessedNotReady',
              message: `the last-accessed job was still in progress after ${Math.round(timeout / 1000)} s`,
            },
          };
        wait = Math.min(wait * 2, MAX_POLL_INTERVAL_MS);
        continue;
      }
      const pages: GetServiceLastAccessedDetailsCommandOutput[] = [first];
      let page = first;
      while (page.JobStatus === 'COMPLETED' && page.IsTruncated && page.Marker) {
        if (!control.canStart()) return notCollected(control);
        const marker = page.Marker;
        page = await limit(() =>
          iam.send(
            new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: pageSize, Marker: marker }),
            send,
          ),
        );
        pages.push(page);
      }
      const parsed = parseLastAccessedDetails(pages);
      if (parsed.ok) return { usage: parsed.usage };
      return { failure: { code: parsed.code, message: parsed.message } };
    }
  } catch (error) {
    if (isAbortError(error) || control.abortSignal.aborted) return notCollected(control);
    return {
      failure: {
        code: errorCode(error),
        message: `GetServiceLastAccessedDetails failed: ${errorMessage(error)}`,
      },
    };
  }
}
