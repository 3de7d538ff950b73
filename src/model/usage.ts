/**
 * IAM's last-accessed data of a role (SPEC §4c): what `GetServiceLastAccessedDetails` reports, kept
 * close to the API's shape so that an offline file, a live collection and a saved snapshot carry the
 * same facts. Timestamps stay ISO 8601 strings as AWS prints them; the analysis parses them and reads
 * one it cannot parse as "used", never as "unused".
 */
import { isPlainObject } from './json.js';
import type { RoleReadFailure } from './snapshot.js';

/** An action IAM tracks for a service, and when the role last attempted it (absent: not in the tracking period). */
export interface TrackedActionUsage {
  /** The action's name as IAM reports it (`GetObject`; a `s3:` prefix, if any, is dropped). */
  action: string;
  lastAccessed?: string;
}

/** One service the role's permission policies allow, as the report lists it. */
export interface ServiceUsage {
  /** The service prefix, lower-case (`s3`). */
  namespace: string;
  name?: string;
  /** When the role last attempted to use the service; absent when not in the tracking period. */
  lastAuthenticated?: string;
  totalAuthenticatedEntities?: number;
  /**
   * The service's actions IAM tracks (`ACTION_LEVEL` reports only). Undefined when the report names none:
   * then which actions are tracked is unknown, and no action of the service is ever called unused.
   */
  trackedActions?: TrackedActionUsage[];
}

/** The completed last-accessed report of one role. */
export interface RoleUsage {
  /** `JobCompletionDate`: the data is as of this time. */
  completedAt: string;
  granularity: 'ACTION_LEVEL' | 'SERVICE_LEVEL';
  services: ServiceUsage[];
}

/** Last-accessed data of a run (present when `--usage`, `USAGE=on` or `--last-accessed` asked for it). */
export interface UsageData {
  /** Completed reports by role ARN. */
  roles: Map<string, RoleUsage>;
  /** Roles whose report could not be had (job failed, access denied, not finished in time), by role ARN. */
  failures: Map<string, RoleReadFailure>;
}

/** Creates empty last-accessed data, to be filled by a loader or collector. */
export function emptyUsage(): UsageData {
  return { roles: new Map(), failures: new Map() };
}

/**
 * Milliseconds since the epoch of a timestamp as AWS prints it (`2026-11-25T04:12:33.241000+00:00`, or with
 * a space instead of `T`), or undefined when it is not one.
 */
export function parseAwsTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** The result of reading one `get-service-last-accessed-details` output (or the pages of one job). */
export type UsageParseResult = { ok: true; usage: RoleUsage } | { ok: false; code: string; message: string };

function timestamp(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : value.toISOString();
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function serviceOf(raw: unknown): ServiceUsage | undefined {
  if (!isPlainObject(raw)) return undefined;
  const namespace = text(raw.ServiceNamespace)?.toLowerCase();
  if (!namespace) return undefined;
  const service: ServiceUsage = { namespace };
  const name = text(raw.ServiceName);
  if (name) service.name = name;
  const last = timestamp(raw.LastAuthenticated);
  if (last) service.lastAuthenticated = last;
  if (typeof raw.TotalAuthenticatedEntities === 'number')
    service.totalAuthenticatedEntities = raw.TotalAuthenticatedEntities;
  if (Array.isArray(raw.TrackedActionsLastAccessed) && raw.TrackedActionsLastAccessed.length > 0) {
    service.trackedActions = raw.TrackedActionsLastAccessed.flatMap((entry) => {
      if (!isPlainObject(entry)) return [];
      const named = text(entry.ActionName);
      if (!named) return [];
      const action: TrackedActionUsage = { action: named.slice(named.indexOf(':') + 1) };
      const accessed = timestamp(entry.LastAccessedTime);
      if (accessed) action.lastAccessed = accessed;
      return [action];
    });
  }
  return service;
}

/**
 * Reads the output of `aws iam get-service-last-accessed-details` (as the AWS CLI prints it, or as the SDK
 * returns it), one page or the list of a job's pages in order. Only a completed, untruncated report is
 * usable: an unfinished, failed or truncated one is a reason why not.
 *
 * @example
 * const parsed = parseLastAccessedDetails(JSON.parse(cliOutput));
 * if (parsed.ok) console.log(parsed.usage.services.length);
 */
export function parseLastAccessedDetails(raw: unknown): UsageParseResult {
  const pages = Array.isArray(raw) ? raw : [raw];
  if (pages.length === 0 || !pages.every(isPlainObject))
    return {
      ok: false,
      code: 'MalformedInput',
      message: 'expected get-service-last-accessed-details output',
    };
  const last = pages[pages.length - 1] as Record<string, unknown>;
  const status = text(last.JobStatus);
  if (status === 'FAILED') {
    const error = isPlainObject(last.Error) ? last.Error : {};
    return {
      ok: false,
      code: 'LastAccessedJobFailed',
      message:
        `the last-accessed job failed: ${text(error.Code) ?? 'unknown'}: ${text(error.Message) ?? ''}`.trim(),
    };
  }
  if (status !== 'COMPLETED')
    return {
      ok: false,
      code: 'LastAccessedNotReady',
      message: `the last-accessed job is ${status ?? 'of no status'}`,
    };
  if (last.IsTruncated === true)
    return {
      ok: false,
      code: 'LastAccessedTruncated',
      message: 'the report is truncated (IsTruncated): give every page, in a list',
    };
  const completedAt = timestamp(last.JobCompletionDate);
  if (parseAwsTime(completedAt) === undefined)
    return { ok: false, code: 'MalformedInput', message: 'the report has no valid JobCompletionDate' };
  const services: ServiceUsage[] = [];
  for (const page of pages as Array<Record<string, unknown>>) {
    if (!Array.isArray(page.ServicesLastAccessed))
      return { ok: false, code: 'MalformedInput', message: 'a page has no ServicesLastAccessed list' };
    for (const entry of page.ServicesLastAccessed) {
      const service = serviceOf(entry);
      if (service) services.push(service);
    }
  }
  return {
    ok: true,
    usage: {
      completedAt: completedAt!,
      granularity: last.JobType === 'SERVICE_LEVEL' ? 'SERVICE_LEVEL' : 'ACTION_LEVEL',
      services,
    },
  };
}

/**
 * A role's report in the AWS CLI shape again (one complete page), for `--snapshot-out`: read back by
 * {@link parseLastAccessedDetails} it gives the same facts.
 */
export function lastAccessedDetailsOf(usage: RoleUsage): Record<string, unknown> {
  return {
    JobStatus: 'COMPLETED',
    JobType: usage.granularity,
    JobCompletionDate: usage.completedAt,
    ServicesLastAccessed: usage.services.map((service) => ({
      ServiceName: service.name ?? service.namespace,
      ServiceNamespace: service.namespace,
      ...(service.lastAuthenticated ? { LastAuthenticated: service.lastAuthenticated } : {}),
      ...(service.totalAuthenticatedEntities !== undefined
        ? { TotalAuthenticatedEntities: service.totalAuthenticatedEntities }
        : {}),
      ...(service.trackedActions
        ? {
            TrackedActionsLastAccessed: service.trackedActions.map((tracked) => ({
              ActionName: tracked.action,
              ...(tracked.lastAccessed ? { LastAccessedTime: tracked.lastAccessed } : {}),
            })),
          }
        : {}),
    })),
    IsTruncated: false,
  };
}
