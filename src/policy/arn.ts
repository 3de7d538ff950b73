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
  if (!arn.startsWith('arn:')) return undefined;
  const partitionEnd = arn.indexOf(':', 4);
  const serviceEnd = partitionEnd < 0 ? -1 : arn.indexOf(':', partitionEnd + 1);
  const regionEnd = serviceEnd < 0 ? -1 : arn.indexOf(':', serviceEnd + 1);
  const accountEnd = regionEnd < 0 ? -1 : arn.indexOf(':', regionEnd + 1);
  if (accountEnd < 0) return undefined;
  return {
    partition: arn.slice(4, partitionEnd),
    service: arn.slice(partitionEnd + 1, serviceEnd),
    region: arn.slice(serviceEnd + 1, regionEnd),
    account: arn.slice(regionEnd + 1, accountEnd),
    resource: arn.slice(accountEnd + 1),
  };
}

/**
 * The name of an IAM role or managed policy from its ARN: the last path segment of the resource.
 *
 * @example
 * roleNameFromArn('arn:aws:iam::123456789012:role/service-role/app'); // 'app'
 */
export function roleNameFromArn(arn: string): string {
  const resource = parseArn(arn)?.resource ?? arn;
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/**
 * The name of a managed policy from its ARN (IAM names policies like roles: the last path segment).
 *
 * @example
 * policyNameFromArn('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'); // 'AWSLambdaBasicExecutionRole'
 */
export function policyNameFromArn(arn: string): string {
  return roleNameFromArn(arn);
}

/**
 * The IAM path of a role or managed policy ARN: what lies between the resource type and the name.
 *
 * @example
 * iamPathFromArn('arn:aws:iam::123456789012:role/service-role/app'); // '/service-role/'
 */
export function iamPathFromArn(arn: string): string {
  const resource = parseArn(arn)?.resource ?? arn;
  const typeEnd = resource.indexOf('/');
  return typeEnd < 0 ? '/' : resource.slice(typeEnd, resource.lastIndexOf('/') + 1);
}

/**
 * A Lambda function ARN split into the unqualified ARN and its qualifier (version or alias), if any.
 *
 * @example
 * splitFunctionArn('arn:aws:lambda:us-east-1:1:function:app:3'); // { unqualified: '…:function:app', qualifier: '3' }
 */
export function splitFunctionArn(arn: string): { unqualified: string; qualifier?: string } {
  const parts = parseArn(arn);
  if (parts?.service !== 'lambda' || !parts.resource.startsWith('function:')) return { unqualified: arn };
  const qualifierAt = parts.resource.indexOf(':', 'function:'.length);
  if (qualifierAt < 0) return { unqualified: arn };
  const cut = arn.length - (parts.resource.length - qualifierAt);
  return { unqualified: arn.slice(0, cut), qualifier: arn.slice(cut + 1) };
}

/**
 * A function ARN as Lambda lists `$LATEST` with `--function-version ALL` (`…:function:app:$LATEST`),
 * without that qualifier: `$LATEST` is the function itself. Other ARNs are returned as they are.
 *
 * @example
 * withoutLatestQualifier('arn:aws:lambda:us-east-1:1:function:app:$LATEST'); // 'arn:aws:lambda:us-east-1:1:function:app'
 */
export function withoutLatestQualifier(arn: string): string {
  return arn.endsWith(':$LATEST') ? arn.slice(0, -':$LATEST'.length) : arn;
}

/** The function name of a Lambda function ARN (qualified or not); other values are returned whole. */
export function functionNameFromArn(arn: string): string {
  const { unqualified } = splitFunctionArn(arn);
  const at = unqualified.lastIndexOf(':function:');
  return at < 0 ? arn : unqualified.slice(at + ':function:'.length);
}

const WILDCARD_ONLY = /^[*?]*$/;
const WILDCARD_RESOURCE = /^[*?/:]*$/;

/**
 * The six fields of an ARN or ARN pattern: `arn`, partition, service, region, account and the resource
 * (which keeps its colons); null for a pattern of fewer fields (`*`, `arn:aws:s3*`).
 *
 * @example
 * arnPatternFields('arn:aws:logs:*:*:log-group:/aws/lambda/app:*')?.[5]; // 'log-group:/aws/lambda/app:*'
 */
export function arnPatternFields(pattern: string): string[] | null {
  const parts = pattern.split(':');
  if (parts.length < 6) return null;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

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
  return compileResourcePattern(pattern).matches(new ArnToMatch(arn));
}

/** A concrete ARN asked about by several patterns: split into its first five parts once, when needed. */
export class ArnToMatch {
  private parts: string[] | null | undefined;

  constructor(readonly arn: string) {}

  /** The five leading parts followed by the resource (which keeps its colons), or null when there are fewer. */
  fields(): string[] | null {
    if (this.parts !== undefined) return this.parts;
    const { arn } = this;
    const parts: string[] = [];
    let start = 0;
    for (let field = 0; field < 5; field += 1) {
      const end = arn.indexOf(':', start);
      if (end < 0) {
        this.parts = null;
        return null;
      }
      parts.push(arn.slice(start, end));
      start = end + 1;
    }
    parts.push(arn.slice(start));
    this.parts = parts;
    return parts;
  }
}

/** A `Resource` pattern prepared for matching many ARNs. */
export interface ResourcePattern {
  /** `*`: every resource. */
  readonly everything: boolean;
  matches(target: ArnToMatch): boolean;
}

const EVERY_RESOURCE: ResourcePattern = { everything: true, matches: () => true };

function matchesPart(pattern: string, value: string): boolean {
  return pattern === value || (hasWildcardChar(pattern) && matchesWildcard(pattern, value));
}

function hasWildcardChar(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

/**
 * Prepares a `Resource` pattern: `*` matches everything, an ARN pattern is matched part by part (so a
 * `*` in the region cannot swallow the account), anything else as one wildcard pattern.
 */
export function compileResourcePattern(pattern: string): ResourcePattern {
  if (pattern === '*') return EVERY_RESOURCE;
  const patternParts = pattern.split(':');
  if (patternParts.length < 6) {
    return { everything: false, matches: (target) => matchesWildcard(pattern, target.arn) };
  }
  const heads = patternParts.slice(0, 5);
  const rest = patternParts.slice(5).join(':');
  return {
    everything: false,
    matches(target) {
      const fields = target.fields();
      if (!fields) return false;
      for (let index = 0; index < 5; index += 1) {
        if (!matchesPart(heads[index]!, fields[index]!)) return false;
      }
      return matchesPart(rest, fields[5]!);
    },
  };
}
