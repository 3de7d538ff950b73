/** The `--stack-set` command line of the deploy: the auditor in every account of organizational units. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeployUsageError } from './errors.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `--stack-set` part of the deploy's usage text. */
export const stackSetUsage = `Organization-wide (run in the management or a delegated administrator account):

  --stack-set NAME             service-managed stack set to create or update (at most 56 characters)
  --org-units LIST             organizational units (ou-…) or the root (r-…) to deploy to, comma list
  --regions LIST               regions to deploy the auditor to, comma list (default: the current
                               region); each member stack audits its own region
  --email ADDRESS              subscribe ADDRESS to the central topic
  --central-bucket NAME        use this existing central report bucket ...
  --central-topic ARN          ... and this existing central topic (both, or neither: then the stack
  --central-topic-key ARN      NAME-central from infra/central-topic.yaml creates them)
  --delegated-admin            call StackSets as a delegated administrator (CallAs DELEGATED_ADMIN)
  --schedule, --publish-when, --min-severity, --collection, --parameter KEY=VALUE, --zip, --template,
  --json                       as above, for the member stacks
  --timeout-minutes N          stop waiting for a stack set operation after N minutes (default 60)

The code is uploaded to lambda-role-auditor-code-<account>-<region> in each region, readable by the
organization; the member functions archive to reports/<their account>/ of the central bucket.`;

export interface StackSetOptions {
  kind: 'stack-set';
  stackSetName: string;
  organizationalUnits: string[];
  /** Regions of the stack instances; empty: the deploying session's region. */
  regions: string[];
  email: string | undefined;
  /** Existing central resources (bucket and topic together), or undefined for the central stack. */
  central: { bucket: string; topicArn: string; topicKeyArn: string } | undefined;
  delegatedAdmin: boolean;
  /** Member template parameters given on the command line. */
  parameters: Record<string, string>;
  zipPath: string;
  templatePath: string;
  centralTemplatePath: string;
  json: boolean;
  timeoutMinutes: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ORGANIZATIONAL_UNIT = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Member parameters the stack set deploy sets itself. */
const RESERVED = [
  'CodeBucket',
  'CodeKey',
  'CodeBucketPerRegion',
  'FunctionName',
  'ExistingTopicArn',
  'ExistingTopicKeyArn',
  'ExistingReportBucket',
];

const passedThrough = {
  schedule: 'Schedule',
  'publish-when': 'PublishWhen',
  'min-severity': 'MinSeverity',
  collection: 'Collection',
} as const;

/**
 * Parses a `--stack-set` deploy command line; throws {@link DeployUsageError} on anything invalid.
 *
 * @example
 * parseStackSetArguments(['--stack-set', 'org-audit', '--org-units', 'ou-ab12-cdef3456', '--regions', 'eu-west-1,us-east-1']);
 */
export function parseStackSetArguments(argv: readonly string[]): StackSetOptions | 'help' {
  let values: ReturnType<typeof parseStackSetArgv>['values'];
  try {
    ({ values } = parseStackSetArgv(argv));
  } catch (error) {
    throw new DeployUsageError((error as Error).message.split('\n')[0] ?? String(error), { cause: error });
  }
  if (values.help) return 'help';
  if (values['stack-name'] !== undefined) {
    throw new DeployUsageError('--stack-set and --stack-name cannot be combined: choose one');
  }
  for (const option of ['existing-topic-arn', 'existing-topic-key-arn', 'code-bucket'] as const) {
    if (values[option] !== undefined)
      throw new DeployUsageError(`--${option} does not apply to --stack-set (it sets them itself)`);
  }
  const stackSetName = values['stack-set'] ?? '';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,55}$/.test(stackSetName)) {
    throw new DeployUsageError(
      `--stack-set ${JSON.stringify(stackSetName)} must start with a letter, contain only letters, digits and hyphens, and have at most 56 characters`,
    );
  }
  const organizationalUnits = splitList(values['org-units']);
  if (organizationalUnits.length === 0)
    throw new DeployUsageError('--stack-set needs --org-units ou-…[,ou-…] (or the root, r-…)');
  const badUnit = organizationalUnits.find((unit) => !ORGANIZATIONAL_UNIT.test(unit));
  if (badUnit !== undefined) {
    throw new DeployUsageError(
      `--org-units: ${JSON.stringify(badUnit)} is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)`,
    );
  }
  const regions = splitList(values.regions);
  const badRegion = regions.find((region) => !REGION.test(region));
  if (badRegion !== undefined) {
    throw new DeployUsageError(
      `--regions: ${JSON.stringify(badRegion)} is not a region name such as eu-west-1 ('all' is not a place to deploy to)`,
    );
  }

  let central: StackSetOptions['central'];
  const bucket = values['central-bucket'];
  const topicArn = values['central-topic'];
  if ((bucket === undefined) !== (topicArn === undefined)) {
    throw new DeployUsageError('give --central-bucket and --central-topic together, or neither');
  }
  if (values['central-topic-key'] !== undefined && topicArn === undefined) {
    throw new DeployUsageError('--central-topic-key needs --central-topic');
  }
  if (bucket !== undefined && topicArn !== undefined) {
    if (!BUCKET.test(bucket))
      throw new DeployUsageError(`--central-bucket ${JSON.stringify(bucket)} is not a bucket name`);
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(topicArn))
      throw new DeployUsageError(`--central-topic ${JSON.stringify(topicArn)} is not an SNS topic ARN`);
    central = { bucket, topicArn, topicKeyArn: values['central-topic-key'] ?? '' };
    if (values.email !== undefined) {
      throw new DeployUsageError(
        '--email subscribes to the central topic this deploy creates; subscribe to --central-topic directly',
      );
    }
  }

  const parameters: Record<string, string> = {};
  for (const assignment of values.parameter ?? []) {
    const separator = assignment.indexOf('=');
    if (separator < 1)
      throw new DeployUsageError(`--parameter ${JSON.stringify(assignment)} is not KEY=VALUE`);
    parameters[assignment.slice(0, separator)] = assignment.slice(separator + 1);
  }
  for (const [option, key] of Object.entries(passedThrough) as [keyof typeof passedThrough, string][]) {
    const value = values[option];
    if (value !== undefined) parameters[key] = value;
  }
  const reserved = RESERVED.find((key) => Object.hasOwn(parameters, key));
  if (reserved !== undefined) throw new DeployUsageError(`${reserved} is set by the stack set deploy itself`);

  const timeoutText = values['timeout-minutes'] ?? '60';
  const timeoutMinutes = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || timeoutMinutes < 1) {
    throw new DeployUsageError(
      `--timeout-minutes must be a whole number of at least 1, got ${JSON.stringify(timeoutText)}`,
    );
  }

  return {
    kind: 'stack-set',
    stackSetName,
    organizationalUnits,
    regions,
    email: values.email,
    central,
    delegatedAdmin: values['delegated-admin'] ?? false,
    parameters,
    zipPath: path.resolve(values.zip ?? path.join(repositoryRoot, 'dist', 'lambda.zip')),
    templatePath: path.resolve(values.template ?? path.join(repositoryRoot, 'infra', 'template.yaml')),
    centralTemplatePath: path.join(repositoryRoot, 'infra', 'central-topic.yaml'),
    json: values.json ?? false,
    timeoutMinutes,
  };
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseStackSetArgv(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'stack-set': { type: 'string' },
      'stack-name': { type: 'string' },
      'org-units': { type: 'string' },
      regions: { type: 'string' },
      email: { type: 'string' },
      'central-bucket': { type: 'string' },
      'central-topic': { type: 'string' },
      'central-topic-key': { type: 'string' },
      'delegated-admin': { type: 'boolean' },
      schedule: { type: 'string' },
      'publish-when': { type: 'string' },
      'min-severity': { type: 'string' },
      collection: { type: 'string' },
      'existing-topic-arn': { type: 'string' },
      'existing-topic-key-arn': { type: 'string' },
      'code-bucket': { type: 'string' },
      parameter: { type: 'string', multiple: true },
      zip: { type: 'string' },
      template: { type: 'string' },
      json: { type: 'boolean' },
      'timeout-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
