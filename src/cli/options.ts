import { parseArgs } from 'node:util';
import { closestName } from '../model/closest.js';
import { isSeverity, SEVERITIES, type Severity } from '../model/severity.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from '../report/render.js';
import { DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS } from '../usage/coverage.js';
import { ORG_HELP, type OrgCommand, parseOrgCommand } from './org-options.js';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/** A mistake on the command line: one line naming it, `see --help`, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const AUDIT_OPTIONS = `Audit input (offline when both files are given, live against AWS otherwise):
  --auth-details FILE     output of "aws iam get-account-authorization-details"
  --functions FILE        output of "aws lambda list-functions [--function-version ALL]"
  --resource-policies FILE
                          function ARN -> output of "aws lambda get-policy" (offline: who may invoke)
  --region REGION         region to audit, repeatable, or "all" (live; default AWS_REGION)
  --collection MODE       auto | bulk | per-role (live; default auto)
  --snapshot-out DIR      save what was collected as DIR/auth-details.json, DIR/functions.json,
                          DIR/resource-policies.json and, with --usage, DIR/last-accessed.json
                          (offline input)

Least privilege from usage (IAM's last-accessed data):
  --usage                 read each role's last-accessed data (live; IAM permissions
                          iam:GenerateServiceLastAccessedDetails, iam:GetServiceLastAccessedDetails)
  --last-accessed FILE    offline: role ARN -> output of "aws iam get-service-last-accessed-details"
  --usage-days N          usage window in days, 1-400 (default 90)
  --proposals-dir DIR     write each role's proven replacement policy to DIR/<role name>.json

Output:
  --format FORMAT         ${REPORT_FORMATS.join(' | ')} (default: table on a terminal, json otherwise)
  --output FILE           write the report to FILE instead of stdout
  --min-severity SEV      leave out findings below SEV (${SEVERITIES.join(', ')})
  --fail-on SEV           exit 1 when an unmuted finding is at or above SEV
  --function GLOB         audit only functions whose name matches, repeatable
  --suppressions FILE     suppressions file (see README)
  --publish TOPIC_ARN     publish the report to an SNS topic
  --report-bucket BUCKET  archive the report in S3 and compare with the previous one
  --security-hub          import the findings into the account's Security Hub (AWS_REGION); with
                          --report-bucket, findings fixed since the last run are archived there
  --no-color              no ANSI colours in the table
  --help, -h              this help
`;

const EXIT_CODES =
  'Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or configuration error,\n' +
  '3 audit failed, or the report (still printed) could not be archived or published.\n';

export const USAGE = `Usage:
  lambda-role-auditor audit [options]      audit every Lambda function's execution role
  lambda-role-auditor rules [--format F]   list the rule catalog
  lambda-role-auditor org --report-bucket B
                                           roll up every account's reports in a central bucket
  lambda-role-auditor help [COMMAND]       this help, or the help of a command
  lambda-role-auditor --version | --help

${AUDIT_OPTIONS}
${EXIT_CODES}`;

const AUDIT_HELP = `Usage: lambda-role-auditor audit [options]

Audits the execution role of every Lambda function: live against AWS (standard credential chain,
AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL), or offline on the JSON the AWS CLI prints.

${AUDIT_OPTIONS}
${EXIT_CODES}`;

const RULES_HELP = `Usage: lambda-role-auditor rules [--format table|json|markdown]

Lists the rule catalog: id, severity, title (and remediation in json and markdown).
`;

/**
 * The help text of a command, or the overview without one.
 *
 * @example
 * process.stdout.write(helpText('audit'));
 */
export function helpText(topic?: HelpTopic): string {
  if (topic === 'audit') return AUDIT_HELP;
  if (topic === 'rules') return RULES_HELP;
  if (topic === 'org') return ORG_HELP;
  return USAGE;
}

export type HelpTopic = 'audit' | 'rules' | 'org';

const COMMANDS = ['audit', 'rules', 'org', 'help'] as const;

export interface AuditCommand {
  command: 'audit';
  authDetails?: string;
  functions?: string;
  resourcePolicies?: string;
  regions: string[];
  collection: 'auto' | 'bulk' | 'per-role';
  snapshotOut?: string;
  /** Read last-accessed data: live (`--usage`), or from the `--last-accessed` file. */
  usage: boolean;
  /** Offline: last-accessed data file (`--last-accessed`). */
  lastAccessed?: string;
  /** The usage window in days, when usage data is read. */
  usageDays?: number;
  proposalsDir?: string;
  format?: ReportFormat;
  output?: string;
  minSeverity?: Severity;
  failOn?: Severity;
  functionGlobs: string[];
  suppressions?: string;
  publish?: string;
  reportBucket?: string;
  securityHub?: boolean;
  color: boolean;
}

export type Command =
  | AuditCommand
  | OrgCommand
  | { command: 'rules'; format: 'table' | 'json' | 'markdown' }
  | { command: 'help'; topic?: HelpTopic }
  | { command: 'version' };

export function severityOption(value: string | undefined, name: string): Severity | undefined {
  if (value === undefined) return undefined;
  if (!isSeverity(value))
    throw new UsageError(`${name} must be one of ${SEVERITIES.join(', ')}, got "${value}"`);
  return value;
}

/** `--usage-days`: whole days from 1 to 400 (IAM keeps last-accessed data 400 days), default 90. */
function usageDaysOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_USAGE_DAYS;
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > MAX_USAGE_DAYS)
    throw new UsageError(
      `--usage-days must be a whole number of days from 1 to ${MAX_USAGE_DAYS}, got "${value}"`,
    );
  return days;
}

/**
 * Parses the command line into a command, or throws UsageError.
 *
 * @example
 * parseCommand(['audit', '--auth-details', 'a.json', '--functions', 'f.json', '--format', 'json']);
 */
export function parseCommand(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') return { command: 'help' };
  if (first === '--version' || first === '-v') return { command: 'version' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { command: 'help' };
    if (topic === 'audit' || topic === 'rules' || topic === 'org') return { command: 'help', topic };
    throw unknownCommand(topic);
  }
  if (first === 'rules') {
    if (asksForHelp(rest)) return { command: 'help', topic: 'rules' };
    const { values } = parse(rest, { format: { type: 'string' } });
    const format = values.format ?? 'table';
    if (format !== 'table' && format !== 'json' && format !== 'markdown') {
      throw new UsageError(`--format for rules must be table, json or markdown, got "${format}"`);
    }
    return { command: 'rules', format };
  }
  if (first === 'org') {
    if (asksForHelp(rest)) return { command: 'help', topic: 'org' };
    return parseOrgCommand(rest);
  }
  if (first !== 'audit') {
    if (first.startsWith('-')) throw unknownOption(first, ['--help', '--version']);
    throw unknownCommand(first);
  }
  if (asksForHelp(rest)) return { command: 'help', topic: 'audit' };
  const { values } = parse(rest, {
    'auth-details': { type: 'string' },
    functions: { type: 'string' },
    'resource-policies': { type: 'string' },
    region: { type: 'string', multiple: true },
    collection: { type: 'string' },
    'snapshot-out': { type: 'string' },
    usage: { type: 'boolean' },
    'last-accessed': { type: 'string' },
    'usage-days': { type: 'string' },
    'proposals-dir': { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string' },
    'min-severity': { type: 'string' },
    'fail-on': { type: 'string' },
    function: { type: 'string', multiple: true },
    suppressions: { type: 'string' },
    publish: { type: 'string' },
    'report-bucket': { type: 'string' },
    'security-hub': { type: 'boolean' },
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
  if (values['resource-policies'] !== undefined && !authDetails) {
    throw new UsageError(
      '--resource-policies applies to offline audits (with --auth-details and --functions)',
    );
  }
  if (authDetails && values.usage) {
    throw new UsageError('--usage reads last-accessed data live; offline, give it with --last-accessed FILE');
  }
  if (values['last-accessed'] !== undefined && !authDetails) {
    throw new UsageError('--last-accessed applies to offline audits (with --auth-details and --functions)');
  }
  const readsUsage = values.usage === true || values['last-accessed'] !== undefined;
  if (!readsUsage && (values['usage-days'] !== undefined || values['proposals-dir'] !== undefined)) {
    throw new UsageError(
      `${values['usage-days'] !== undefined ? '--usage-days' : '--proposals-dir'} needs last-accessed data: add --usage (live) or --last-accessed FILE (offline)`,
    );
  }
  const usageDays = usageDaysOption(values['usage-days']);
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
    usage: readsUsage,
  };
  if (values['last-accessed']) command.lastAccessed = values['last-accessed'];
  if (readsUsage) command.usageDays = usageDays;
  if (values['proposals-dir']) command.proposalsDir = values['proposals-dir'];
  if (authDetails) command.authDetails = authDetails;
  if (functions) command.functions = functions;
  if (values['resource-policies']) command.resourcePolicies = values['resource-policies'];
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
  if (values['security-hub']) command.securityHub = true;
  return command;
}

/**
 * The usage error for `--function` globs that match none of the functions (a typo would otherwise audit
 * nothing and pass), or undefined when every glob matches one.
 *
 * @example
 * const problem = unmatchedFunctionGlobs(['payments-*'], snapshot.functions.map((fn) => fn.functionName));
 */
export function unmatchedFunctionGlobs(globs: string[], names: readonly string[]): UsageError | undefined {
  const unmatched = globs.filter((glob) => !names.some((name) => matchesWildcard(glob, name)));
  if (unmatched.length === 0) return undefined;
  return new UsageError(
    `no function matches --function ${unmatched.map((glob) => JSON.stringify(glob)).join(', ')}`,
  );
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/** `--help` or `-h` anywhere before `--`: the help wins over every other mistake on the line. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function unknownCommand(name: string): UsageError {
  const suggestion = closestName(name, COMMANDS);
  return new UsageError(
    `unknown command ${JSON.stringify(name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
  );
}

function unknownOption(rawName: string, known: string[]): UsageError {
  const suggestion = rawName.startsWith('--') ? closestName(rawName, known) : undefined;
  return new UsageError(`unknown option ${rawName}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
}

/**
 * Parses options with one clear message per mistake (node's own messages run to several sentences):
 * the first unknown option (with the likely intended one), missing value or stray argument.
 */
export function parse<T extends OptionSpec>(args: string[], options: T) {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional')
      throw new UsageError(`unexpected argument ${JSON.stringify(token.value)}`);
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!spec) {
      throw unknownOption(
        token.rawName,
        Object.keys(options).map((name) => `--${name}`),
      );
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw new UsageError(`${token.rawName} takes no value`);
    }
    // Non-strict parsing takes the next option as the value: `--format --output x` misses a value.
    if (
      spec.type === 'string' &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))
    ) {
      throw new UsageError(`${token.rawName} needs a value`);
    }
  }
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!, { cause: error });
  }
}
