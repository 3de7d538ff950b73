import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A finding a case expects: `functionName` names the function of a function finding, or one of the
 * functions of a role finding's role (a role finding is reported once, whichever of its functions the
 * case names; several expectations may name it through different functions).
 */
export interface ExpectedFinding {
  ruleId: string;
  functionName: string;
  /** `role` or `function`: checked when given. */
  subject?: string;
  /** For a role finding: how many functions use the role. */
  functionCount?: number;
  severity?: string;
  conditional?: boolean;
  muted?: boolean;
  evidence?: Array<Record<string, unknown>>;
  /** How many evidence entries the finding has in all (e.g. none citing a platform policy). */
  evidenceCount?: number;
}

export interface RuleCase {
  file: string;
  description: string;
  authDetails: { RoleDetailList?: Array<Record<string, unknown>>; Policies?: Array<Record<string, unknown>> };
  functions: unknown;
  /** Function ARN → `aws lambda get-policy` output (+ `FunctionUrlConfigs`), as `--resource-policies` reads it. */
  resourcePolicies?: unknown;
  suppressions?: unknown;
  /** Role ARN → `aws iam get-service-last-accessed-details` output: the usage rules run with it. */
  lastAccessed?: unknown;
  usageDays?: number;
  now?: string;
  expect: { findings: ExpectedFinding[]; errors?: Array<Record<string, unknown>> };
}

const managedPolicies = JSON.parse(
  readFileSync(new URL('../fixtures/aws-managed-policies.json', import.meta.url), 'utf8'),
) as Array<{ Arn: string }>;

/** Adds the real documents of AWS managed policies that a case attaches but does not include. */
export function withAwsManagedPolicies(authDetails: RuleCase['authDetails']): RuleCase['authDetails'] {
  const policies = [...(authDetails.Policies ?? [])];
  const present = new Set(policies.map((policy) => policy.Arn));
  const referenced = new Set<string>();
  for (const role of authDetails.RoleDetailList ?? []) {
    for (const attached of (role.AttachedManagedPolicies as Array<{ PolicyArn: string }> | undefined) ?? []) {
      referenced.add(attached.PolicyArn);
    }
    const boundary = role.PermissionsBoundary as { PermissionsBoundaryArn?: string } | undefined;
    if (boundary?.PermissionsBoundaryArn) referenced.add(boundary.PermissionsBoundaryArn);
  }
  for (const policy of managedPolicies) {
    if (referenced.has(policy.Arn) && !present.has(policy.Arn)) policies.push(policy);
  }
  return { ...authDetails, Policies: policies };
}

/** Every rule case under a folder, one per JSON file. */
export function loadRuleCases(folder: string): RuleCase[] {
  const cases: RuleCase[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory).sort()) {
      const path = join(directory, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.json'))
        cases.push({ file: path.slice(folder.length + 1), ...JSON.parse(readFileSync(path, 'utf8')) });
    }
  };
  walk(folder);
  return cases;
}
