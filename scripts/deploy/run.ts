/** Every deployment step in order, and the command line around them. */
import { access, readFile } from 'node:fs/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { type DeployOptions, parseDeployArguments, usage } from './arguments.js';
import { DeployError, messageOf, StackOperationError } from './errors.js';
import { formatOutputsTable } from './output.js';
import { deployStack, type StackDeployment, type WaitSettings } from './stack.js';
import {
  createStackSetClients,
  deployStackSet,
  formatInstancesTable,
  type StackSetClients,
} from './stack-set.js';
import { parseStackSetArguments, type StackSetOptions } from './stack-set-arguments.js';
import { deploymentBucketName, ensureDeploymentBucket, resolveAccount, uploadArtifact } from './upload.js';

export interface DeployClients {
  s3: S3Client;
  sts: STSClient;
  cloudFormation: CloudFormationClient;
}

export interface DeployResult extends StackDeployment {
  stackName: string;
  account: string;
  region: string;
  codeBucket: string;
  codeKey: string;
}

/**
 * Runs every deployment step: checks the zip, resolves the account, ensures the bucket, uploads, deploys.
 *
 * @example
 * const result = await deploy(options, createDefaultClients(), (line) => process.stderr.write(`${line}\n`));
 */
export async function deploy(
  options: DeployOptions,
  clients: DeployClients,
  log: (line: string) => void,
  waitSettings: Partial<WaitSettings> = {},
): Promise<DeployResult> {
  try {
    await access(options.zipPath);
  } catch (error) {
    throw new DeployError(`${options.zipPath} does not exist: run \`npm run build\` first`, { cause: error });
  }
  let templateBody: string;
  try {
    templateBody = await readFile(options.templatePath, 'utf8');
  } catch (error) {
    throw new DeployError(`Cannot read template ${options.templatePath}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  let region: string;
  try {
    region = await clients.s3.config.region();
  } catch (error) {
    throw new DeployError(
      `No AWS region configured: set AWS_REGION or a profile region (${messageOf(error)})`,
      {
        cause: error,
      },
    );
  }
  const account = await resolveAccount(clients.sts);
  log(`Account ${account}, region ${region}`);
  const codeBucket = options.codeBucket ?? deploymentBucketName(account, region);
  await ensureDeploymentBucket(clients.s3, { bucket: codeBucket, region, account }, log);
  const { key: codeKey } = await uploadArtifact(
    clients.s3,
    { bucket: codeBucket, account, zipPath: options.zipPath },
    log,
  );
  const deployment = await deployStack(
    clients.cloudFormation,
    {
      stackName: options.stackName,
      templateBody,
      parameters: { ...options.parameters, CodeBucket: codeBucket, CodeKey: codeKey },
    },
    log,
    waitSettings,
  );
  return { ...deployment, stackName: options.stackName, account, region, codeBucket, codeKey };
}

/**
 * Creates the SDK clients from the standard AWS environment; S3 uses path-style addressing when a custom
 * endpoint (an emulator) is configured, since bucket subdomains do not resolve there.
 *
 * @example
 * const clients = createDefaultClients(process.env);
 */
export function createDefaultClients(environment: NodeJS.ProcessEnv = process.env): DeployClients {
  const customEndpoint = Boolean(environment.AWS_ENDPOINT_URL || environment.AWS_ENDPOINT_URL_S3);
  return {
    s3: new S3Client({ forcePathStyle: customEndpoint }),
    sts: new STSClient({}),
    cloudFormation: new CloudFormationClient({}),
  };
}

/**
 * Runs the deploy command line and returns the exit code: 0 deployed, 1 failed, 2 usage error.
 *
 * @example
 * process.exitCode = await runDeploy(process.argv.slice(2));
 */
export async function runDeploy(
  argv: readonly string[],
  dependencies: {
    clients?: () => DeployClients;
    stackSetClients?: () => StackSetClients;
    stdout?: (text: string) => void;
    stderr?: (text: string) => void;
    waitSettings?: Partial<WaitSettings>;
  } = {},
): Promise<number> {
  const stdout = dependencies.stdout ?? ((text: string) => process.stdout.write(`${text}\n`));
  const stderr = dependencies.stderr ?? ((text: string) => process.stderr.write(`${text}\n`));
  let options: DeployOptions | StackSetOptions | 'help';
  try {
    // --stack-set: the whole organization through a stack set; otherwise one stack in this account.
    options = argv.some((argument) => argument === '--stack-set' || argument.startsWith('--stack-set='))
      ? parseStackSetArguments(argv)
      : parseDeployArguments(argv);
  } catch (error) {
    stderr(`deploy: ${messageOf(error)}; see --help`);
    return 2;
  }
  if (options === 'help') {
    stdout(usage);
    return 0;
  }
  if ('kind' in options) return runStackSetDeploy(options, dependencies, stdout, stderr);
  try {
    const clients = (dependencies.clients ?? createDefaultClients)();
    const result = await deploy(options, clients, stderr, dependencies.waitSettings);
    if (options.json) {
      stdout(JSON.stringify(result, null, 2));
    } else {
      stderr(
        `Stack ${result.stackName}: ${result.status}${result.operation === 'none' ? ' (no changes)' : ''}`,
      );
      stdout(formatOutputsTable(result.outputs));
    }
    return 0;
  } catch (error) {
    stderr(`Deploy failed: ${messageOf(error)}`);
    if (error instanceof StackOperationError) {
      for (const failure of error.failures) {
        stderr(
          `  ${failure.logicalResourceId} (${failure.resourceType}) ${failure.resourceStatus}: ${failure.reason}`,
        );
      }
    }
    return 1;
  }
}

async function runStackSetDeploy(
  options: StackSetOptions,
  dependencies: { stackSetClients?: () => StackSetClients; waitSettings?: Partial<WaitSettings> },
  stdout: (text: string) => void,
  stderr: (text: string) => void,
): Promise<number> {
  try {
    const clients = (dependencies.stackSetClients ?? createStackSetClients)();
    const result = await deployStackSet(options, clients, stderr, dependencies.waitSettings);
    if (options.json) stdout(JSON.stringify(result, null, 2));
    else {
      stderr(
        `Stack set ${result.stackSetName}: ${result.ok ? 'deployed' : 'NOT deployed everywhere'}; ` +
          `reports in s3://${result.central.reportBucket}/reports/<account>/, topic ${result.central.topicArn}`,
      );
      stdout(formatInstancesTable(result.instances));
    }
    return result.ok ? 0 : 1;
  } catch (error) {
    stderr(`Deploy failed: ${messageOf(error)}`);
    return 1;
  }
}
