/** The deployment bucket and the content-addressed upload of the Lambda zip. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BucketLocationConstraint } from '@aws-sdk/client-s3';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DeployError, httpStatusOf, messageOf } from './errors.js';

/**
 * Name of the per-account, per-region bucket that holds deployment artifacts.
 *
 * @example
 * deploymentBucketName('123456789012', 'eu-west-1'); // 'lambda-role-auditor-deploy-123456789012-eu-west-1'
 */
export function deploymentBucketName(account: string, region: string): string {
  return `lambda-role-auditor-deploy-${account}-${region}`;
}

/**
 * Returns the account id of the caller's credentials.
 *
 * @example
 * const account = await resolveAccount(new STSClient({}));
 */
export async function resolveAccount(sts: STSClient): Promise<string> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new DeployError('STS GetCallerIdentity returned no account');
    return identity.Account;
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError(`Cannot resolve the AWS account (check credentials): ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/**
 * Makes sure the deployment bucket exists and belongs to the account, creating it (private) when absent.
 *
 * @example
 * await ensureDeploymentBucket(s3, { bucket, region: 'eu-west-1', account: '123456789012' }, console.error);
 */
export async function ensureDeploymentBucket(
  s3: S3Client,
  target: { bucket: string; region: string; account: string },
  log: (line: string) => void,
): Promise<'existing' | 'created'> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: target.bucket, ExpectedBucketOwner: target.account }));
    return 'existing';
  } catch (error) {
    if (httpStatusOf(error) !== 404) {
      throw new DeployError(
        `Deployment bucket ${target.bucket} exists but is not usable by account ${target.account} (${messageOf(error)})`,
        { cause: error },
      );
    }
  }
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: target.bucket,
        ...(target.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: target.region as BucketLocationConstraint } }),
      }),
    );
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: target.bucket,
        ExpectedBucketOwner: target.account,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
  } catch (error) {
    throw new DeployError(`Cannot create deployment bucket ${target.bucket}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  log(`Created deployment bucket ${target.bucket}`);
  return 'created';
}

/**
 * Uploads the zip under a key derived from its SHA-256, skipping the upload when that key already exists;
 * a content-addressed key makes CloudFormation update the function exactly when the code changed.
 *
 * @example
 * const { key } = await uploadArtifact(s3, { bucket, account, zipPath: 'dist/lambda.zip' }, console.error);
 */
export async function uploadArtifact(
  s3: S3Client,
  target: { bucket: string; account: string; zipPath: string },
  log: (line: string) => void,
): Promise<{ key: string; uploaded: boolean }> {
  const body = await readFile(target.zipPath);
  const digest = createHash('sha256').update(body).digest();
  const key = `lambda-role-auditor/${digest.toString('hex')}.zip`;
  try {
    await s3.send(
      new HeadObjectCommand({ Bucket: target.bucket, Key: key, ExpectedBucketOwner: target.account }),
    );
    log(`Artifact s3://${target.bucket}/${key} already uploaded`);
    return { key, uploaded: false };
  } catch (error) {
    if (httpStatusOf(error) !== 404) {
      throw new DeployError(`Cannot check s3://${target.bucket}/${key}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/zip',
        ChecksumSHA256: digest.toString('base64'),
        ExpectedBucketOwner: target.account,
      }),
    );
  } catch (error) {
    throw new DeployError(
      `Cannot upload ${target.zipPath} to s3://${target.bucket}/${key}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  log(`Uploaded ${path.basename(target.zipPath)} (${body.length} bytes) to s3://${target.bucket}/${key}`);
  return { key, uploaded: true };
}
