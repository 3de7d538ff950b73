import { matchesWildcard } from './wildcard.js';

/** The parts of an ARN; the resource part keeps any further colons. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/**
 * The one ARN parser of the project.
 *
 * @example
 * parseArn('arn:aws:iam::123456789012:role/app')?.account // '123456789012'
 */
export function parseArn(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    partition: parts[1]!,
    service: parts[2]!,
    region: parts[3]!,
    account: parts[4]!,
    resource: parts.slice(5).join(':'),
  };
}

/** The last path segment of a role ARN (`arn:aws:iam::1:role/service-role/app` → `app`). */
export function roleNameFromArn(arn: string): string {
  const resource = parseArn(arn)?.resource ?? arn;
  return resource.slice(resource.lastIndexOf('/') + 1);
}

const WILDCARD_ONLY = /^[*?]*$/;
const WILDCARD_RESOURCE = /^[*?/:]*$/;

/**
 * An *unrestricted resource* as the rule catalog defines it: `*`, or an ARN pattern whose region,
 * account and resource parts are all wildcards (`arn:aws:s3:::*`, `arn:aws:logs:*:*:*`).
 */
export function isUnrestrictedResource(pattern: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split(':');
  if (parts[0] !== 'arn' || parts.length < 3) return false;
  if (parts.length < 6) {
    // `arn:aws:s3:*`: the trailing wildcard swallows the missing parts.
    const last = parts[parts.length - 1]!;
    return last.endsWith('*') && parts.slice(3).every((part) => WILDCARD_ONLY.test(part));
  }
  const [, , , region, account] = parts;
  const resource = parts.slice(5).join(':');
  return (
    WILDCARD_ONLY.test(region!) &&
    WILDCARD_ONLY.test(account!) &&
    resource !== '' &&
    WILDCARD_RESOURCE.test(resource) &&
    resource.includes('*')
  );
}

/** Whether a `Resource` pattern covers a concrete ARN; the first five ARN parts are matched one by one. */
export function resourceMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const patternParts = pattern.split(':');
  if (patternParts.length < 6) return matchesWildcard(pattern, arn);
  const valueParts = arn.split(':');
  if (valueParts.length < 6) return false;
  for (let index = 0; index < 5; index += 1) {
    if (!matchesWildcard(patternParts[index]!, valueParts[index]!)) return false;
  }
  return matchesWildcard(patternParts.slice(5).join(':'), valueParts.slice(5).join(':'));
}
