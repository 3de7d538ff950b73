/** The deploy command line: its usage text and the options it parses into. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeployUsageError } from './errors.js';
import { stackSetUsage } from './stack-set-arguments.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What `--help` prints, and what follows a usage error. */
export const usage = `Usage: npm run deploy -- --stack-name NAME [options]
       npm run deploy -- --stack-set NAME --org-units LIST [options]   (whole organization, see below)

  --stack-name NAME            stack to create or update (letters, digits, hyphens; at most 56 characters)
  --email ADDRESS              subscribe ADDRESS to the report topic ('' removes it)
  --regions LIST               regions to audit: comma list or 'all' (default: the stack's region)
  --schedule EXPR              EventBridge schedule, e.g. 'cron(0 3 * * ? *)' or 'rate(1 day)'
  --publish-when WHEN          always | findings | changes
  --min-severity SEVERITY      critical | high | medium | low | info
  --collection MODE            auto | bulk | per-role
  --existing-topic-arn ARN     publish to an existing (central) topic instead of creating one
  --existing-topic-key-arn ARN KMS key of that topic
  --parameter KEY=VALUE        any other template parameter (repeatable)
  --code-bucket NAME           bucket for the zip (default: lambda-role-auditor-deploy-<account>-<region>)
  --zip FILE                   artifact to deploy (default: dist/lambda.zip)
  --template FILE              template (default: infra/template.yaml)
  --json                       print the result as JSON on stdout (progress stays on stderr)
  --help                       show this text

Parameters not given keep their current value on update and their default on create.

${stackSetUsage}`;

const namedParameterOptions = {
  email: 'NotificationEmail',
  regions: 'Regions',
  schedule: 'Schedule',
  'publish-when': 'PublishWhen',
  'min-severity': 'MinSeverity',
  collection: 'Collection',
  'existing-topic-arn': 'ExistingTopicArn',
  'existing-topic-key-arn': 'ExistingTopicKeyArn',
} as const;

type NamedParameterOption = keyof typeof namedParameterOptions;

const allowedValues: Partial<Record<NamedParameterOption, readonly string[]>> = {
  'publish-when': ['always', 'findings', 'changes'],
  'min-severity': ['critical', 'high', 'medium', 'low', 'info'],
  collection: ['auto', 'bulk', 'per-role'],
};

export interface DeployOptions {
  stackName: string;
  /** Template parameters given on the command line (CodeBucket and CodeKey are added by the deploy). */
  parameters: Record<string, string>;
  codeBucket: string | undefined;
  zipPath: string;
  templatePath: string;
  json: boolean;
}

/**
 * Parses the deploy command line into options; throws {@link DeployUsageError} on anything invalid.
 *
 * @example
 * parseDeployArguments(['--stack-name', 'auditor', '--email', 'secops@example.com']);
 */
export function parseDeployArguments(argv: readonly string[]): DeployOptions | 'help' {
  let values: ReturnType<typeof parseDeployArgv>['values'];
  try {
    ({ values } = parseDeployArgv(argv));
  } catch (error) {
    throw new DeployUsageError((error as Error).message, { cause: error });
  }
  if (values.help) return 'help';

  const stackName = values['stack-name'];
  if (!stackName) throw new DeployUsageError('--stack-name is required');
  // The function is named `<stack>-auditor` and Lambda function names have at most 64 characters.
  if (!/^[A-Za-z][A-Za-z0-9-]{0,55}$/.test(stackName)) {
    throw new DeployUsageError(
      `--stack-name ${JSON.stringify(stackName)} must start with a letter, contain only letters, digits and hyphens, and have at most 56 characters`,
    );
  }

  const parameters: Record<string, string> = {};
  for (const assignment of values.parameter ?? []) {
    const separator = assignment.indexOf('=');
    if (separator < 1)
      throw new DeployUsageError(`--parameter ${JSON.stringify(assignment)} is not KEY=VALUE`);
    parameters[assignment.slice(0, separator)] = assignment.slice(separator + 1);
  }
  for (const [option, parameterKey] of Object.entries(namedParameterOptions) as [
    NamedParameterOption,
    string,
  ][]) {
    const value = values[option];
    if (value === undefined) continue;
    const allowed = allowedValues[option];
    if (allowed && !allowed.includes(value)) {
      throw new DeployUsageError(
        `--${option} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`,
      );
    }
    parameters[parameterKey] = option === 'regions' ? value.replace(/\s+/g, '') : value;
  }
  for (const reserved of ['CodeBucket', 'CodeKey']) {
    if (Object.hasOwn(parameters, reserved)) {
      throw new DeployUsageError(
        `${reserved} is set by the deploy itself (use --code-bucket for the bucket)`,
      );
    }
  }

  return {
    stackName,
    parameters,
    codeBucket: values['code-bucket'],
    zipPath: path.resolve(values.zip ?? path.join(repositoryRoot, 'dist', 'lambda.zip')),
    templatePath: path.resolve(values.template ?? path.join(repositoryRoot, 'infra', 'template.yaml')),
    json: values.json ?? false,
  };
}

function parseDeployArgv(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'stack-name': { type: 'string' },
      email: { type: 'string' },
      regions: { type: 'string' },
      schedule: { type: 'string' },
      'publish-when': { type: 'string' },
      'min-severity': { type: 'string' },
      collection: { type: 'string' },
      'existing-topic-arn': { type: 'string' },
      'existing-topic-key-arn': { type: 'string' },
      parameter: { type: 'string', multiple: true },
      'code-bucket': { type: 'string' },
      zip: { type: 'string' },
      template: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
