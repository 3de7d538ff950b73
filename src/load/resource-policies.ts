import { isPlainObject } from '../model/json.js';
import type { AccountSnapshot, FunctionUrlRecord, ResourcePolicyRecord } from '../model/snapshot.js';
import { invokeGrantsOf } from '../policy/invoke-grants.js';

/**
 * Extension key of a resource-policies file written by `--snapshot-out`: the functions whose policy the
 * live run did not read (the deadline), so that an offline re-audit does not read them as "no policy".
 */
export const RESOURCE_POLICIES_EXTENSION_KEY = 'LambdaRoleAuditorSnapshot';

/** The key of a function in the file: its ARN, `$LATEST` written either way. */
function functionKey(arn: string): string {
  return arn.endsWith(':$LATEST') ? arn.slice(0, -':$LATEST'.length) : arn;
}

function urlsOf(raw: unknown): FunctionUrlRecord[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw.filter(isPlainObject).flatMap((config) =>
    typeof config.FunctionUrl === 'string' && typeof config.AuthType === 'string'
      ? [
          {
            url: config.FunctionUrl,
            authType: config.AuthType,
            functionArn: typeof config.FunctionArn === 'string' ? config.FunctionArn : '',
          },
        ]
      : [],
  );
}

/**
 * Adds who may invoke each function to a snapshot loaded offline: `raw` is an object of function ARN →
 * the output of `aws lambda get-policy` (`{"Policy": "<JSON string>", "RevisionId": …}`), optionally
 * with the `FunctionUrlConfigs` of `aws lambda list-function-url-configs`. A function the file does not
 * name has no resource-based policy (`get-policy` fails for those). Returns false when `raw` is not an
 * object keyed by function ARNs; a malformed policy is an error entry.
 *
 * @example
 * applyResourcePolicies(snapshot, JSON.parse(text), 'resource-policies.json');
 */
export function applyResourcePolicies(snapshot: AccountSnapshot, raw: unknown, file: string): boolean {
  if (!isPlainObject(raw)) return false;
  const functionArn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:/;
  if (!Object.keys(raw).every((key) => key === RESOURCE_POLICIES_EXTENSION_KEY || functionArn.test(key)))
    return false;
  const extension = raw[RESOURCE_POLICIES_EXTENSION_KEY];
  const notRead = new Set(
    isPlainObject(extension) && Array.isArray(extension.notRead)
      ? extension.notRead.filter((arn): arn is string => typeof arn === 'string')
      : [],
  );
  const entries = new Map<string, unknown>();
  for (const [arn, value] of Object.entries(raw)) {
    if (arn !== RESOURCE_POLICIES_EXTENSION_KEY) entries.set(functionKey(arn), value);
  }
  const records = new Map<string, ResourcePolicyRecord>();
  for (const fn of snapshot.functions) {
    if (notRead.has(fn.functionArn)) continue;
    const value = entries.get(fn.functionArn);
    const record: ResourcePolicyRecord = {};
    if (isPlainObject(value)) {
      if (value.Policy !== undefined && value.Policy !== null) {
        record.policy = value.Policy;
        const parsed = invokeGrantsOf(value.Policy);
        if (!parsed.ok) {
          snapshot.errors.push({
            scope: 'function',
            arn: fn.functionArn,
            code: parsed.code,
            message: `${file}: ${parsed.message}`,
          });
        } else if (parsed.policy.problems.length > 0) {
          snapshot.errors.push({
            scope: 'function',
            arn: fn.functionArn,
            code: 'MalformedStatement',
            message: `${file}: resource-based policy: ${parsed.policy.problems.slice(0, 5).join('; ')}`,
          });
        }
      }
      if (typeof value.RevisionId === 'string') record.revisionId = value.RevisionId;
      const urls = urlsOf(value.FunctionUrlConfigs);
      if (urls) record.urls = urls;
    }
    records.set(fn.functionArn, record);
  }
  snapshot.resourcePolicies = records;
  return true;
}

/**
 * The resource policies of a snapshot in the shape {@link applyResourcePolicies} reads: function ARN →
 * `get-policy` output (+ `FunctionUrlConfigs` when read), and the functions not read.
 *
 * @example
 * writeFileSync('resource-policies.json', JSON.stringify(resourcePoliciesFile(snapshot), null, 4));
 */
export function resourcePoliciesFile(snapshot: AccountSnapshot): Record<string, unknown> {
  const file: Record<string, unknown> = {};
  const notRead: string[] = [];
  for (const fn of snapshot.functions) {
    const record = snapshot.resourcePolicies?.get(fn.functionArn);
    if (!record) {
      notRead.push(fn.functionArn);
      continue;
    }
    if (record.policy === undefined) continue;
    file[fn.functionArn] = {
      Policy: typeof record.policy === 'string' ? record.policy : JSON.stringify(record.policy),
      ...(record.revisionId ? { RevisionId: record.revisionId } : {}),
      ...(record.urls
        ? {
            FunctionUrlConfigs: record.urls.map((url) => ({
              FunctionUrl: url.url,
              FunctionArn: url.functionArn,
              AuthType: url.authType,
            })),
          }
        : {}),
    };
  }
  if (notRead.length > 0 && snapshot.resourcePolicies) file[RESOURCE_POLICIES_EXTENSION_KEY] = { notRead };
  return file;
}
