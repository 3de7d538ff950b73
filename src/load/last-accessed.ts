import { isPlainObject } from '../model/json.js';
import type { AccountSnapshot } from '../model/snapshot.js';
import { emptyUsage, parseLastAccessedDetails, type UsageData } from '../model/usage.js';
import { parseArn } from '../policy/arn.js';
import { InputFileError, readJsonFile } from './offline.js';

/**
 * Reads a `--last-accessed` file: an object of role ARN → the output of `aws iam
 * get-service-last-accessed-details` for that role's job, as the AWS CLI prints it (or the list of its
 * pages). A role whose entry is not a completed, untruncated report has no data (an error entry says
 * why); a file of another shape is an {@link InputFileError}.
 *
 * @example
 * const usage = loadLastAccessed(JSON.parse(text), 'last-accessed.json');
 */
export function loadLastAccessed(
  raw: unknown,
  file: string,
): { usage: UsageData; errors: AccountSnapshot['errors'] } {
  if (!isPlainObject(raw))
    throw new InputFileError(
      file,
      'expected an object of role ARN to the output of "aws iam get-service-last-accessed-details"',
    );
  const usage = emptyUsage();
  const errors: AccountSnapshot['errors'] = [];
  for (const [roleArn, details] of Object.entries(raw)) {
    const parts = parseArn(roleArn);
    if (parts?.service !== 'iam' || !parts.resource.startsWith('role/')) {
      throw new InputFileError(file, `"${roleArn.slice(0, 200)}" is not a role ARN`);
    }
    const parsed = parseLastAccessedDetails(details);
    if (parsed.ok) {
      usage.roles.set(roleArn, parsed.usage);
      continue;
    }
    const failure = { code: parsed.code, message: `${file}: ${parsed.message}` };
    usage.failures.set(roleArn, failure);
    errors.push({ scope: 'role', arn: roleArn, ...failure });
  }
  return { usage, errors };
}

/**
 * Reads a `--last-accessed` file into the snapshot: its roles' last-accessed data, and an error entry per
 * role whose entry cannot be used.
 */
export async function readLastAccessedFile(snapshot: AccountSnapshot, path: string): Promise<void> {
  const { usage, errors } = loadLastAccessed(await readJsonFile(path), path);
  snapshot.usage = usage;
  snapshot.errors.push(...errors);
}
