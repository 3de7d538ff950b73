/**
 * Deploys the auditor: uploads `dist/lambda.zip` to a per-account deployment bucket, creates or updates the
 * CloudFormation stack from `infra/template.yaml`, waits for it and prints its outputs.
 *
 * Honours the standard AWS environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL), so the same command
 * deploys into a local emulator.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDeploy } from './deploy/run.js';

export { type DeployOptions, parseDeployArguments } from './deploy/arguments.js';
export { DeployError, DeployUsageError, type StackFailure, StackOperationError } from './deploy/errors.js';
export { formatOutputsTable } from './deploy/output.js';
export {
  createDefaultClients,
  type DeployClients,
  type DeployResult,
  deploy,
  runDeploy,
} from './deploy/run.js';
export { deployStack, type StackDeployment, type StackOperation, type WaitSettings } from './deploy/stack.js';
export {
  codeBucketBase,
  createStackSetClients,
  deployStackSet,
  formatInstancesTable,
  type StackInstanceRow,
  type StackSetClients,
  type StackSetResult,
} from './deploy/stack-set.js';
export { parseStackSetArguments, type StackSetOptions } from './deploy/stack-set-arguments.js';
export {
  deploymentBucketName,
  ensureDeploymentBucket,
  resolveAccount,
  uploadArtifact,
} from './deploy/upload.js';

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runDeploy(process.argv.slice(2));
}
