/** The `org` command line: the organization roll-up of a central report bucket (SPEC §9b). */
import { SEVERITIES, type Severity } from '../model/severity.js';
import { ORGANIZATION_FORMATS, type OrganizationFormat } from '../org/render.js';
import { DEFAULT_STALE_HOURS } from '../org/rollup.js';
import { parse, severityOption, UsageError } from './options.js';

export const ORG_HELP = `Usage: lambda-role-auditor org --report-bucket BUCKET [options]

Rolls up the reports every account archived in a central bucket (reports/<account>/): accounts
ranked by their worst roles, each account's status (complete, partial, failed, or stale when it
has not reported lately), totals by rule and the top roles to fix across the organization.
Reads with the standard AWS credential chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL).

Options:
  --report-bucket BUCKET  the central report bucket (required)
  --format FORMAT         ${ORGANIZATION_FORMATS.join(' | ')} (default: text on a terminal, json otherwise)
  --output FILE           write the roll-up to FILE instead of stdout
  --fail-on SEV           exit 1 when an account has an unmuted finding at or above SEV
                          (${SEVERITIES.join(', ')}), or is partial, failed, stale or
                          without a baseline
  --stale-hours N         an account without a report for N hours is stale (default ${DEFAULT_STALE_HOURS})
  --organization          also list the organization's active accounts (organizations:ListAccounts):
                          an account that never reported is stale
  --help, -h              this help

Exit codes: 0 ok, 1 --fail-on tripped, 2 usage or configuration error, 3 the bucket could
not be read.
`;

export interface OrgCommand {
  command: 'org';
  reportBucket: string;
  format?: OrganizationFormat;
  output?: string;
  failOn?: Severity;
  staleHours: number;
  /** Also name the organization's accounts that have no report in the bucket. */
  organization?: boolean;
}

/** S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses the options of `org` (after the command name), or throws UsageError.
 *
 * @example
 * parseOrgCommand(['--report-bucket', 'org-audit-reports', '--fail-on', 'high']);
 */
export function parseOrgCommand(args: string[]): OrgCommand {
  const { values } = parse(args, {
    'report-bucket': { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string' },
    'fail-on': { type: 'string' },
    'stale-hours': { type: 'string' },
    organization: { type: 'boolean' },
  });
  const bucket = values['report-bucket'];
  if (bucket === undefined) throw new UsageError('org needs --report-bucket BUCKET');
  if (!BUCKET.test(bucket))
    throw new UsageError(`--report-bucket must be an S3 bucket name, got "${bucket}"`);
  const format = values.format;
  if (format !== undefined && !(ORGANIZATION_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format for org must be one of ${ORGANIZATION_FORMATS.join(', ')}, got "${format}"`,
    );
  }
  let staleHours = DEFAULT_STALE_HOURS;
  if (values['stale-hours'] !== undefined) {
    staleHours = Number(values['stale-hours']);
    if (!/^\d+$/.test(values['stale-hours']) || staleHours < 1) {
      throw new UsageError(
        `--stale-hours must be a whole number of hours of at least 1, got "${values['stale-hours']}"`,
      );
    }
  }
  const command: OrgCommand = { command: 'org', reportBucket: bucket, staleHours };
  if (format) command.format = format as OrganizationFormat;
  if (values.output) command.output = values.output;
  const failOn = severityOption(values['fail-on'], '--fail-on');
  if (failOn) command.failOn = failOn;
  if (values.organization) command.organization = true;
  return command;
}
