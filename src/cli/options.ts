import { parseArgs } from 'node:util';
import { isSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from '../report/render.js';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage:
  lambda-role-auditor audit [options]      audit every Lambda function's execution role
  lambda-role-auditor rules [--format F]   list the rule catalog
  lambda-role-auditor --version | --help

Audit input (offline when both files are given, live against AWS otherwise):
  --auth-details FILE     output of "aws iam get-account-authorization-details"
  --functions FILE        output of "aws lambda list-functions [--function-version ALL]"
  --region REGION         region to audit, repeatable, or "all" (live; default AWS_REGION)
  --collection MODE       auto | bulk | per-role (live; default auto)
  --snapshot-out DIR      save what was collected as DIR/auth-details.json and DIR/functions.json (offline input)

Output:
  --format FORMAT         ${REPORT_FORMATS.join(' | ')} (default: table on a terminal, json otherwise)
  --output FILE           write the report to FILE instead of stdout
  --min-severity SEV      leave out findings below SEV (${SEVERITIES.join(', ')})
  --fail-on SEV           exit 1 when an unmuted finding is at or above SEV
  --function GLOB         audit only functions whose name matches, repeatable
  --suppressions FILE     suppressions file (see README)
  --publish TOPIC_ARN     publish the report to an SNS topic
  --report-bucket BUCKET  archive the report in S3 and compare with the previous one
  --no-color              no ANSI colours in the table

Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or configuration error, 3 audit failed.
`;

export interface AuditCommand {
  command: 'audit';
  authDetails?: string;
  functions?: string;
  regions: string[];
  collection: 'auto' | 'bulk' | 'per-role';
  snapshotOut?: string;
  format?: ReportFormat;
  output?: string;
  minSeverity?: Severity;
  failOn?: Severity;
  functionGlobs: string[];
  suppressions?: string;
  publish?: string;
  reportBucket?: string;
  color: boolean;
}

export type Command =
  | AuditCommand
  | { command: 'rules'; format: 'table' | 'json' | 'markdown' }
  | { command: 'help' }
  | { command: 'version' };

function severityOption(value: string | undefined, name: string): Severity | undefined {
  if (value === undefined) return undefined;
  if (!isSeverity(value))
    throw new UsageError(`${name} must be one of ${SEVERITIES.join(', ')}, got "${value}"`);
  return value;
}

/**
 * Parses the command line into a command, or throws UsageError.
 *
 * @example
 * parseCommand(['audit', '--auth-details', 'a.json', '--functions', 'f.json', '--format', 'json']);
 */
export function parseCommand(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help')
    return { command: 'help' };
  if (first === '--version' || first === '-v') return { command: 'version' };
  if (first === 'rules') {
    const { values } = parse(rest, { format: { type: 'string' } });
    const format = values.format ?? 'table';
    if (format !== 'table' && format !== 'json' && format !== 'markdown') {
      throw new UsageError(`--format for rules must be table, json or markdown, got "${format}"`);
    }
    return { command: 'rules', format };
  }
  if (first !== 'audit') throw new UsageError(`unknown command "${first}"`);
  const { values } = parse(rest, {
    'auth-details': { type: 'string' },
    functions: { type: 'string' },
    region: { type: 'string', multiple: true },
    collection: { type: 'string' },
    'snapshot-out': { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string' },
    'min-severity': { type: 'string' },
    'fail-on': { type: 'string' },
    function: { type: 'string', multiple: true },
    suppressions: { type: 'string' },
    publish: { type: 'string' },
    'report-bucket': { type: 'string' },
    'no-color': { type: 'boolean' },
  });
  const authDetails = values['auth-details'];
  const functions = values.functions;
  if ((authDetails === undefined) !== (functions === undefined)) {
    throw new UsageError('offline mode needs both --auth-details and --functions');
  }
  if (values.format !== undefined && !isReportFormat(values.format)) {
    throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${values.format}"`);
  }
  const collection = values.collection ?? 'auto';
  if (collection !== 'auto' && collection !== 'bulk' && collection !== 'per-role') {
    throw new UsageError(`--collection must be auto, bulk or per-role, got "${collection}"`);
  }
  if (authDetails && (values.region || values['snapshot-out'] || values.collection)) {
    throw new UsageError(
      '--region, --collection and --snapshot-out apply to live audits, not to offline files',
    );
  }
  const badRegion = (values.region ?? []).find((region) => region !== 'all' && !REGION.test(region));
  if (badRegion !== undefined)
    throw new UsageError(`--region must be a region name such as us-east-1, or all; got "${badRegion}"`);
  if (values.publish !== undefined && !values.publish.startsWith('arn:')) {
    throw new UsageError(`--publish needs an SNS topic ARN, got "${values.publish}"`);
  }
  const command: AuditCommand = {
    command: 'audit',
    regions: values.region ?? [],
    collection,
    functionGlobs: values.function ?? [],
    color: !values['no-color'],
  };
  if (authDetails) command.authDetails = authDetails;
  if (functions) command.functions = functions;
  if (values['snapshot-out']) command.snapshotOut = values['snapshot-out'];
  if (values.format) command.format = values.format as ReportFormat;
  if (values.output) command.output = values.output;
  const minSeverity = severityOption(values['min-severity'], '--min-severity');
  if (minSeverity) command.minSeverity = minSeverity;
  const failOn = severityOption(values['fail-on'], '--fail-on');
  if (failOn) command.failOn = failOn;
  if (values.suppressions) command.suppressions = values.suppressions;
  if (values.publish) command.publish = values.publish;
  if (values['report-bucket']) command.reportBucket = values['report-bucket'];
  return command;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function parse<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}
