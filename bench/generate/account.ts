/** The whole account: options checked, roles planned and built, functions assigned. */
import {
  assignRoles,
  buildFunction,
  type FunctionDraft,
  functionName,
  publishedVersions,
} from './functions.js';
import { awsManagedPolicies, customerPolicies } from './managed-policies.js';
import { Random } from './random.js';
import { buildRole, type PolicyPools, planRoles, roleName } from './roles.js';
import {
  type FunctionConfiguration,
  type GeneratedAccount,
  type GenerateOptions,
  GenerateOptionsError,
  type PlantedSecret,
} from './shapes.js';
import { APPS, ENVIRONMENTS } from './vocabulary.js';

export function validate(options: GenerateOptions): void {
  for (const key of ['functions', 'roles', 'policies'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0)
      throw new GenerateOptionsError(`${key} must be a whole number ≥ 0`);
  }
  if (options.functions > 0 && options.roles === 0) {
    throw new GenerateOptionsError('functions need at least one role');
  }
  if (!Number.isInteger(options.seed)) throw new GenerateOptionsError('seed must be an integer');
  if (options.account !== undefined && !/^\d{12}$/.test(options.account)) {
    throw new GenerateOptionsError('account must be 12 digits');
  }
  if (options.regions !== undefined && options.regions.length === 0) {
    throw new GenerateOptionsError('regions must not be empty');
  }
  const ratio = options.versionsRatio;
  if (ratio !== undefined && !(ratio >= 0 && ratio <= 1))
    throw new GenerateOptionsError('versionsRatio must be in [0, 1]');
}

/**
 * Generates a synthetic account: the AWS CLI JSON of its IAM authorization details and of its
 * Lambda functions (every version), plus a manifest of what was planted. Same options, same output.
 *
 * @example
 * const { authDetails, functions } = generateAccount({ functions: 100, roles: 20, policies: 10, seed: 1 });
 * functions.Functions[0]?.Role; // 'arn:aws:iam::123456789012:role/…'
 */
export function generateAccount(options: GenerateOptions): GeneratedAccount {
  validate(options);
  const account = options.account ?? '123456789012';
  const regions = options.regions ?? ['us-east-1', 'eu-west-1'];
  const versionsRatio = options.versionsRatio ?? 0.15;
  const random = new Random(options.seed);

  const customer = customerPolicies(options.policies, account, regions, random);
  const pools: PolicyPools = { byFlavour: new Map() };
  for (const policy of customer) {
    const pool = pools.byFlavour.get(policy.flavour) ?? [];
    pool.push(policy);
    pools.byFlavour.set(policy.flavour, pool);
  }

  const takenRoleNames = new Set<string>();
  const roles = planRoles(options.roles, random).map((plan) =>
    buildRole(plan, account, regions, pools, random, takenRoleNames),
  );

  const regionWeights = regions.map((region, index) => [region, 1 / (index + 1)] as const);
  const takenFunctionNames = new Set<string>();
  const missingCount = options.functions >= 10 ? Math.max(1, Math.round(options.functions * 0.002)) : 0;
  const missingRoleArns: string[] = [];
  const drafts: FunctionDraft[] = assignRoles(options.functions - missingCount, roles.length, random).map(
    (index) => {
      const role = roles[index]!;
      const app = random.chance(0.8) ? role.app : random.pick(APPS);
      return {
        name: functionName(app, role.env, random, takenFunctionNames),
        region: random.weighted(regionWeights),
        roleArn: role.detail.Arn,
        role,
      };
    },
  );
  for (let index = 0; index < missingCount; index += 1) {
    const app = random.pick(APPS);
    const env = random.weighted(ENVIRONMENTS);
    const name = functionName(app, env, random, takenFunctionNames);
    const { name: deletedRole } = roleName(app, env, random, takenRoleNames);
    const roleArn = `arn:aws:iam::${account}:role/service-role/${deletedRole}`;
    missingRoleArns.push(roleArn);
    drafts.push({ name, region: random.weighted(regionWeights), roleArn });
  }

  // Listed like Lambda does: region by region, by name, $LATEST before its versions.
  drafts.sort(
    (a, b) =>
      regions.indexOf(a.region) - regions.indexOf(b.region) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const secrets: PlantedSecret[] = [];
  const functionEntries: FunctionConfiguration[] = [];
  for (const draft of drafts) {
    const latest = buildFunction(draft, account, random, secrets);
    functionEntries.push(latest);
    if (draft.role && random.chance(versionsRatio)) {
      const count = random.weighted([
        [1, 5],
        [2, 3],
        [3, 2],
      ] as const);
      const otherRole = random.chance(0.12) ? random.pick(roles).detail.Arn : undefined;
      functionEntries.push(...publishedVersions(latest, count, otherRole, random));
    }
  }

  const awsManaged = new Map(awsManagedPolicies().map((policy) => [policy.Arn, policy]));
  const attachmentCounts = new Map<string, number>();
  const boundaryCounts = new Map<string, number>();
  for (const { detail } of roles) {
    for (const { PolicyArn } of detail.AttachedManagedPolicies) {
      attachmentCounts.set(PolicyArn, (attachmentCounts.get(PolicyArn) ?? 0) + 1);
    }
    const boundary = detail.PermissionsBoundary?.PermissionsBoundaryArn;
    if (boundary) boundaryCounts.set(boundary, (boundaryCounts.get(boundary) ?? 0) + 1);
  }
  const usedAwsManaged = [...awsManaged.values()]
    .filter((policy) => attachmentCounts.has(policy.Arn) || boundaryCounts.has(policy.Arn))
    .map((policy) => structuredClone(policy));
  const policies = [...customer.map((policy) => policy.detail), ...usedAwsManaged];
  for (const policy of policies) {
    policy.AttachmentCount = attachmentCounts.get(policy.Arn) ?? 0;
    policy.PermissionsBoundaryUsageCount = boundaryCounts.get(policy.Arn) ?? 0;
  }

  return {
    account,
    regions,
    authDetails: {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: roles.map((role) => role.detail),
      Policies: policies,
    },
    functions: { Functions: functionEntries },
    expected: {
      roles: Object.fromEntries(roles.map((role) => [role.detail.Arn, role.plan])),
      missingRoleArns,
      secrets,
    },
  };
}
