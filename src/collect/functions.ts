import { type FunctionConfiguration, type LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import { findSecretSuspects } from '../model/secrets.js';
import type { AuditError, FunctionRecord } from '../model/snapshot.js';
import { parseArn, withoutLatestQualifier } from '../policy/arn.js';
import { paginate } from './paginate.js';
import type { RunControl } from './run-control.js';

/** The largest page `ListFunctions` returns. */
const LIST_FUNCTIONS_PAGE_SIZE = 50;

export interface ConvertedFunction {
  record?: FunctionRecord;
  errors: AuditError[];
}

/**
 * Turns one `ListFunctions` entry into a record. The environment variables' values are looked at
 * here, once, to find secret suspects, and go no further: only names reach the record.
 *
 * @example
 * functionRecordFrom({ FunctionName: 'api', FunctionArn: 'arn:aws:lambda:eu-west-1:1:function:api', Role: roleArn, Version: '$LATEST' }, 'eu-west-1')
 */
export function functionRecordFrom(
  configuration: FunctionConfiguration,
  listedRegion: string,
): ConvertedFunction {
  const functionName = configuration.FunctionName ?? '';
  const version = configuration.Version ?? '$LATEST';
  const returnedArn = configuration.FunctionArn ?? '';
  // `$LATEST` is the function itself: its findings carry the unqualified ARN.
  const functionArn = version === '$LATEST' ? withoutLatestQualifier(returnedArn) : returnedArn;
  const region = parseArn(functionArn)?.region || listedRegion;
  const errors: AuditError[] = [];
  if (!configuration.Role) {
    errors.push({
      scope: 'function',
      arn: functionArn,
      code: 'MissingRole',
      message: 'ListFunctions returned no execution role',
    });
    return { errors };
  }
  const variables = configuration.Environment?.Variables;
  const environmentError = configuration.Environment?.Error;
  if (environmentError) {
    errors.push({
      scope: 'function',
      arn: functionArn,
      code: environmentError.ErrorCode ?? 'EnvironmentError',
      message:
        `environment variables could not be read, secrets not checked: ${environmentError.Message ?? ''}`.trim(),
    });
  }
  const record: FunctionRecord = {
    functionName,
    functionArn,
    version,
    region,
    roleArn: configuration.Role,
    ...(configuration.LoggingConfig?.LogGroup ? { logGroup: configuration.LoggingConfig.LogGroup } : {}),
    ...(configuration.Runtime ? { runtime: configuration.Runtime } : {}),
    ...(configuration.RevisionId ? { revisionId: configuration.RevisionId } : {}),
    environmentVariableNames: Object.keys(variables ?? {}),
    secretSuspects: findSecretSuspects(variables),
  };
  return { record, errors };
}

export interface RegionListing {
  region: string;
  /** False when the time limit stopped the listing or a page failed. */
  complete: boolean;
  /** The error of the page that failed, if one did. */
  error?: unknown;
}

export interface ListRegionOptions {
  control: RunControl;
  functionFilter?: (functionName: string) => boolean;
  /** Receives each page's converted functions as it arrives. */
  onFunctions: (converted: ConvertedFunction[]) => void;
}

/**
 * Lists every function and every published version of one region (`FunctionVersion=ALL`), page by
 * page. Never rejects: a failing page ends the listing with `complete: false` and the error.
 *
 * @example
 * await listRegionFunctions(clients.lambda('eu-west-1'), 'eu-west-1', { control, onFunctions: (page) => keep(page) });
 */
export async function listRegionFunctions(
  lambda: LambdaClient,
  region: string,
  options: ListRegionOptions,
): Promise<RegionListing> {
  const { control, functionFilter } = options;
  if (!control.canStart()) return { region, complete: false };
  try {
    const { complete } = await paginate(
      paginateListFunctions(
        { client: lambda, pageSize: LIST_FUNCTIONS_PAGE_SIZE },
        { FunctionVersion: 'ALL' },
        { abortSignal: control.abortSignal },
      ),
      (page) => page.Functions,
      {
        onPage: (configurations) => {
          const kept = functionFilter
            ? configurations.filter((configuration) => functionFilter(configuration.FunctionName ?? ''))
            : configurations;
          options.onFunctions(kept.map((configuration) => functionRecordFrom(configuration, region)));
        },
        canContinue: control.canStart,
      },
    );
    return { region, complete };
  } catch (error) {
    return { region, complete: false, error };
  }
}
