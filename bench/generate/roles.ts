/** Execution roles by kind and trait, with their trust, inline, attached and boundary policies. */
import { policyNameFromArn } from '../../src/policy/arn.js';
import {
  capitalised,
  DAY,
  document,
  EPOCH_END,
  EPOCH_START,
  iamDate,
  iamUrlEncode,
  quota,
} from './helpers.js';
import type { CustomerPolicy } from './managed-policies.js';
import { IAM_ID_ALPHABET, LOWER_ALPHANUMERIC, type Random, UPPER_ALPHANUMERIC } from './random.js';
import type {
  InstanceProfile,
  PolicyDocument,
  PolicyStatement,
  RoleDetail,
  RoleKind,
  RolePlan,
  RolePolicy,
  RoleTrait,
  Tag,
} from './shapes.js';
import { flavouredStatements, type Scope, scopedStatements } from './statements.js';
import {
  ADMINISTRATOR,
  APPS,
  BASIC_EXECUTION,
  BROAD_MANAGED,
  ENVIRONMENTS,
  KIND_SHARES,
  LOGLESS_KINDS,
  OBJECTS,
  POWER_USER,
  type PolicyFlavour,
  REASON_TAG,
  SERVICE_FULL_ACCESS,
  SQS_EXECUTION,
  SUPPRESS_TAG,
  UNTIL_TAG,
  VERBS,
  VPC_EXECUTION,
  XRAY_WRITE,
} from './vocabulary.js';

export interface RoleBuild {
  detail: RoleDetail;
  plan: RolePlan;
  app: string;
  env: string;
  vpc: boolean;
}

export interface PolicyPools {
  byFlavour: Map<PolicyFlavour, CustomerPolicy[]>;
}

export function planRoles(count: number, random: Random): RolePlan[] {
  const kinds: RoleKind[] = [];
  for (const [kind, share] of KIND_SHARES) {
    for (let index = 0; index < quota(count, share) && kinds.length < count; index += 1) kinds.push(kind);
  }
  while (kinds.length < count) kinds.push('least-privilege');
  const plans: RolePlan[] = random.shuffle(kinds).map((kind) => ({ kind, traits: [] }));

  const assign = (trait: RoleTrait, share: number, eligible: (plan: RolePlan) => boolean): void => {
    const candidates = random.shuffle(plans.filter(eligible));
    for (const plan of candidates.slice(0, quota(count, share))) plan.traits.push(trait);
  };
  const has = (plan: RolePlan, trait: RoleTrait): boolean => plan.traits.includes(trait);
  assign('missing-logging', 0.05, (plan) => LOGLESS_KINDS.has(plan.kind));
  assign(
    'no-create-log-group',
    0.02,
    (plan) => LOGLESS_KINDS.has(plan.kind) && !has(plan, 'missing-logging'),
  );
  assign('ec2-trust', 0.02, () => true);
  assign('edge-trust', 0.01, (plan) => !has(plan, 'ec2-trust'));
  assign('boundary', 0.05, () => true);
  assign('deny', 0.05, () => true);
  assign('inline', 0.08, () => true);
  assign('conditional', 0.08, () => true);
  assign('suppression-tag', 0.01, () => true);
  return plans;
}

function trustPolicy(plan: RolePlan, account: string, random: Random): PolicyDocument {
  if (plan.traits.includes('ec2-trust')) {
    return {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    };
  }
  const statement: PolicyStatement = {
    Effect: 'Allow',
    Principal: {
      Service: plan.traits.includes('edge-trust')
        ? ['lambda.amazonaws.com', 'edgelambda.amazonaws.com']
        : 'lambda.amazonaws.com',
    },
    Action: 'sts:AssumeRole',
  };
  if (random.chance(0.06)) statement.Condition = { StringEquals: { 'aws:SourceAccount': account } };
  // The console writes an empty Sid; CloudFormation templates usually have none.
  return { Version: '2012-10-17', Statement: [random.chance(0.3) ? { Sid: '', ...statement } : statement] };
}

export function roleName(
  app: string,
  env: string,
  random: Random,
  taken: Set<string>,
): { name: string; path: string } {
  const style = random.weighted([
    ['console', 3],
    ['stack', 2],
    ['hand', 5],
  ] as const);
  let path = '/';
  let name: string;
  if (style === 'console') {
    path = '/service-role/';
    name = `${app}-${env}-${random.pick(VERBS)}${random.pick(OBJECTS)}-role-${random.text(8, LOWER_ALPHANUMERIC)}`;
  } else if (style === 'stack') {
    name = `${app}-${env}-${random.pick(OBJECTS)}FunctionRole-${random.text(12, UPPER_ALPHANUMERIC)}`;
  } else {
    if (random.chance(0.2)) path = '/lambda/';
    name = random.chance(0.5)
      ? `${app}-${env}-lambda-role`
      : `${capitalised(app)}${capitalised(env)}LambdaExecutionRole`;
  }
  const base = name.slice(0, 64);
  name = base;
  for (let suffix = 2; taken.has(name); suffix += 1)
    name = `${base.slice(0, 63 - String(suffix).length)}-${suffix}`;
  taken.add(name);
  return { name, path };
}

function inlineDocument(documentObject: PolicyDocument, random: Random): PolicyDocument | string {
  if (!random.chance(0.1)) return documentObject;
  const text = random.weighted([
    [JSON.stringify(documentObject), 1],
    [JSON.stringify(documentObject, null, 2), 1],
    [JSON.stringify(documentObject, null, 4), 2],
  ] as const);
  return iamUrlEncode(text);
}

export function buildRole(
  plan: RolePlan,
  account: string,
  regions: string[],
  pools: PolicyPools,
  random: Random,
  takenNames: Set<string>,
): RoleBuild {
  const app = random.pick(APPS);
  const env = random.weighted(ENVIRONMENTS);
  const scope: Scope = { account, region: random.pick(regions), app, env };
  const { name, path } = roleName(app, env, random, takenNames);
  const arn = `arn:aws:iam::${account}:role${path}${name}`;
  const attached: string[] = [];
  const inline: RolePolicy[] = [];
  const inlineNames = new Set<string>();
  let vpc = false;

  const attach = (policyArn: string): void => {
    if (!attached.includes(policyArn)) attached.push(policyArn);
  };
  const addInline = (baseName: string, statements: PolicyStatement[]): void => {
    let policyName = baseName;
    for (let suffix = 2; inlineNames.has(policyName); suffix += 1) policyName = `${baseName}-${suffix}`;
    inlineNames.add(policyName);
    inline.push({
      PolicyName: policyName,
      PolicyDocument: inlineDocument(document(statements, random), random),
    });
  };
  /** A customer policy of that flavour, or (when the account has none) the same statements inline. */
  const grant = (flavour: PolicyFlavour, inlineName: string, preferInline = 0.1): void => {
    const pool = pools.byFlavour.get(flavour) ?? [];
    if (pool.length > 0 && !random.chance(preferInline)) attach(random.pick(pool).detail.Arn);
    else addInline(inlineName, flavouredStatements(flavour, scope, random));
  };

  // Logging first: it is what AWS's own guidance attaches to every execution role.
  if (plan.traits.includes('missing-logging')) {
    const variant = random.weighted([
      ['none', 2],
      ['create-group-only', 1],
      ['other-function', 1],
    ] as const);
    if (variant === 'create-group-only') {
      addInline('logs', [
        { Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: `arn:aws:logs:*:${account}:*` },
      ]);
    } else if (variant === 'other-function') {
      // Copied from another function's role: logs only reach that other function's group.
      addInline('logs', [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `arn:aws:logs:${scope.region}:${account}:log-group:/aws/lambda/${app}-${env}-legacy${random.pick(OBJECTS)}:*`,
        },
      ]);
    }
  } else if (plan.traits.includes('no-create-log-group')) {
    addInline('logs', [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:*:${account}:log-group:/aws/lambda/*:*`,
      },
    ]);
  } else {
    const logging = random.weighted([
      ['basic', 78],
      ['vpc', 10],
      ['sqs', 4],
      ['customer', 8],
    ] as const);
    if (logging === 'basic') attach(BASIC_EXECUTION);
    else if (logging === 'vpc') {
      attach(VPC_EXECUTION);
      vpc = true;
    } else if (logging === 'sqs') attach(SQS_EXECUTION);
    else grant('logging', 'logs', 0);
  }

  switch (plan.kind) {
    case 'least-privilege':
      for (let index = random.int(1, 2); index > 0; index -= 1) grant('scoped', `${app}-access`, 0);
      if (random.chance(0.2)) attach(XRAY_WRITE);
      break;
    case 'admin':
      attach(ADMINISTRATOR);
      break;
    case 'service-wildcard':
      if (random.chance(0.5)) attach(random.pick(SERVICE_FULL_ACCESS));
      else grant('service-wildcard', `${app}-full-access`);
      if (random.chance(0.5)) grant('scoped', `${app}-access`, 0);
      break;
    case 'escalation':
      grant('escalation', 'deployer');
      grant('scoped', `${app}-access`, 0);
      break;
    case 'unscoped':
      grant('unscoped', `${app}-data`);
      break;
    case 'broad-managed':
      attach(random.weighted(BROAD_MANAGED));
      break;
  }

  if (plan.traits.includes('deny')) grant('deny', 'guardrails', 0.15);
  if (plan.traits.includes('conditional')) grant('conditional', 'conditional-access', 0.15);
  if (plan.traits.includes('inline')) {
    for (let index = random.int(1, 2); index > 0; index -= 1) {
      addInline(
        random.pick(['inline', `${app}-extra`, 'hotfix', 'allow-queue']),
        scopedStatements(scope, random, random.int(1, 3)),
      );
    }
  }

  const createdAt = EPOCH_START + random.float() * (EPOCH_END - EPOCH_START);
  const trust = trustPolicy(plan, account, random);
  const roleId = `AROA${random.text(17, IAM_ID_ALPHABET)}`;
  const tags: Tag[] = [];
  if (random.chance(0.6)) tags.push({ Key: 'team', Value: app });
  if (random.chance(0.5)) tags.push({ Key: 'environment', Value: env });
  if (plan.traits.includes('suppression-tag')) {
    tags.push({ Key: SUPPRESS_TAG, Value: 'role-shared inline-policy' });
    tags.push({ Key: REASON_TAG, Value: 'Shared by design: one role per service' });
    if (random.chance(0.5)) tags.push({ Key: UNTIL_TAG, Value: random.pick(['2024-12-31', '2027-06-30']) });
  }

  const instanceProfiles: InstanceProfile[] = [];
  if (plan.traits.includes('ec2-trust') && random.chance(0.6)) {
    instanceProfiles.push({
      Path: '/',
      InstanceProfileName: name,
      InstanceProfileId: `AIPA${random.text(17, IAM_ID_ALPHABET)}`,
      Arn: `arn:aws:iam::${account}:instance-profile/${name}`,
      CreateDate: iamDate(createdAt),
      Roles: [
        {
          Path: path,
          RoleName: name,
          RoleId: roleId,
          Arn: arn,
          CreateDate: iamDate(createdAt),
          AssumeRolePolicyDocument: trust,
        },
      ],
    });
  }

  let boundaryArn: string | undefined;
  if (plan.traits.includes('boundary')) {
    const pool = pools.byFlavour.get('boundary') ?? [];
    boundaryArn = pool.length > 0 && random.chance(0.8) ? random.pick(pool).detail.Arn : POWER_USER;
  }

  const detail: RoleDetail = {
    Path: path,
    RoleName: name,
    RoleId: roleId,
    Arn: arn,
    CreateDate: iamDate(createdAt),
    AssumeRolePolicyDocument: trust,
    InstanceProfileList: instanceProfiles,
    RolePolicyList: inline,
    AttachedManagedPolicies: attached.map((policyArn) => ({
      PolicyName: policyNameFromArn(policyArn),
      PolicyArn: policyArn,
    })),
    ...(boundaryArn
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const,
            PermissionsBoundaryArn: boundaryArn,
          },
        }
      : {}),
    Tags: tags,
    RoleLastUsed: random.chance(0.85)
      ? { LastUsedDate: iamDate(EPOCH_END - random.float() * 30 * DAY), Region: random.pick(regions) }
      : {},
  };
  return { detail, plan, app, env, vpc };
}
