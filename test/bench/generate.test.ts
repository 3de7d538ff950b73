import { describe, expect, it } from 'vitest';
import {
  type GeneratedAccount,
  type GenerateOptions,
  GenerateOptionsError,
  generateAccount,
  type PolicyDocument,
  type PolicyStatement,
  type RoleDetail,
} from '../../bench/generate.js';

const MEDIUM: GenerateOptions = { functions: 1000, roles: 200, policies: 50, seed: 42 };

function statementsOf(document: PolicyDocument | string): PolicyStatement[] {
  const parsed = (
    typeof document === 'string' ? JSON.parse(decodeURIComponent(document)) : document
  ) as PolicyDocument;
  return Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
}

function listOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every identity-policy statement of a role: inline plus the default version of each attached policy. */
function identityStatements(account: GeneratedAccount, role: RoleDetail): PolicyStatement[] {
  const policies = new Map(account.authDetails.Policies.map((policy) => [policy.Arn, policy]));
  const attached = role.AttachedManagedPolicies.flatMap(({ PolicyArn }) => {
    const policy = policies.get(PolicyArn);
    const version = policy?.PolicyVersionList.find((candidate) => candidate.IsDefaultVersion);
    return version ? statementsOf(version.Document) : [];
  });
  return [...role.RolePolicyList.flatMap((inline) => statementsOf(inline.PolicyDocument)), ...attached];
}

function trustedServices(role: RoleDetail): string[] {
  return statementsOf(role.AssumeRolePolicyDocument).flatMap((statement) =>
    typeof statement.Principal === 'object' ? listOf(statement.Principal.Service) : [],
  );
}

describe('generateAccount', () => {
  const medium = generateAccount(MEDIUM);
  const roles = medium.authDetails.RoleDetailList;
  const latest = medium.functions.Functions.filter((entry) => entry.Version === '$LATEST');

  it('gives identical JSON for the same seed', () => {
    // Prepare
    const options: GenerateOptions = { functions: 300, roles: 60, policies: 20, seed: 7 };

    // Act
    const first = JSON.stringify(generateAccount(options));
    const second = JSON.stringify(generateAccount(options));

    // Assess
    expect(second).toBe(first);
  });

  it('gives a different account for a different seed', () => {
    // Prepare
    const options: GenerateOptions = { functions: 300, roles: 60, policies: 20, seed: 7 };

    // Act
    const first = generateAccount(options);
    const other = generateAccount({ ...options, seed: 8 });

    // Assess
    expect(JSON.stringify(other.authDetails)).not.toBe(JSON.stringify(first.authDetails));
    expect(JSON.stringify(other.functions)).not.toBe(JSON.stringify(first.functions));
  });

  it('creates the requested numbers of roles, customer policies and functions', () => {
    // Prepare
    const customer = medium.authDetails.Policies.filter(
      (policy) => !policy.Arn.startsWith('arn:aws:iam::aws:'),
    );

    // Act
    const distinctDocuments = new Set(
      customer.map((policy) =>
        JSON.stringify(policy.PolicyVersionList.find((version) => version.IsDefaultVersion)?.Document),
      ),
    );

    // Assess
    expect(roles).toHaveLength(MEDIUM.roles);
    expect(new Set(roles.map((role) => role.RoleName)).size).toBe(MEDIUM.roles);
    expect(customer).toHaveLength(MEDIUM.policies);
    expect(distinctDocuments.size).toBe(MEDIUM.policies);
    expect(latest).toHaveLength(MEDIUM.functions);
    expect(new Set(latest.map((entry) => entry.FunctionArn)).size).toBe(MEDIUM.functions);
    expect(medium.authDetails.UserDetailList).toEqual([]);
    expect(medium.authDetails.GroupDetailList).toEqual([]);
  });

  it('points every function at an existing role except the planted missing ones', () => {
    // Prepare
    const roleArns = new Set(roles.map((role) => role.Arn));
    const missing = new Set(medium.expected.missingRoleArns);

    // Act
    const dangling = medium.functions.Functions.filter((entry) => !roleArns.has(entry.Role)).map(
      (entry) => entry.Role,
    );

    // Assess
    expect(missing.size).toBeGreaterThan(0);
    expect(new Set(dangling)).toEqual(missing);
    for (const roleArn of missing) expect(roleArns.has(roleArn)).toBe(false);
  });

  it('lists every attached and boundary policy in Policies, each with exactly one default version', () => {
    // Prepare
    const policies = new Map(medium.authDetails.Policies.map((policy) => [policy.Arn, policy]));

    // Act
    const referenced = roles.flatMap((role) => [
      ...role.AttachedManagedPolicies.map((attached) => attached.PolicyArn),
      ...(role.PermissionsBoundary ? [role.PermissionsBoundary.PermissionsBoundaryArn] : []),
    ]);

    // Assess
    for (const policyArn of referenced) expect(policies.has(policyArn), policyArn).toBe(true);
    for (const policy of policies.values()) {
      const defaults = policy.PolicyVersionList.filter((version) => version.IsDefaultVersion);
      expect(
        defaults.map((version) => version.VersionId),
        policy.Arn,
      ).toEqual([policy.DefaultVersionId]);
      expect(typeof defaults[0]?.Document, policy.Arn).toBe('object');
    }
    const administrator = policies.get('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(administrator?.AttachmentCount).toBe(
      roles.filter((role) =>
        role.AttachedManagedPolicies.some((attached) => attached.PolicyArn === administrator?.Arn),
      ).length,
    );
  });

  it('qualifies every entry with its version, $LATEST included, as list-functions --function-version ALL does', () => {
    // Prepare
    const versions = medium.functions.Functions.filter((entry) => entry.Version !== '$LATEST');
    const unqualifiedArns = new Set(latest.map((entry) => entry.FunctionArn.replace(/:\$LATEST$/, '')));

    // Act
    const functionsWithVersions = new Set(versions.map((entry) => entry.FunctionName));

    // Assess
    for (const entry of latest) expect(entry.FunctionArn).toMatch(/:function:[A-Za-z0-9_-]+:\$LATEST$/);
    for (const entry of versions) {
      expect(entry.Version).toMatch(/^[1-3]$/);
      expect(entry.FunctionArn.endsWith(`:${entry.Version}`)).toBe(true);
      expect(unqualifiedArns.has(entry.FunctionArn.slice(0, entry.FunctionArn.lastIndexOf(':')))).toBe(true);
    }
    expect(functionsWithVersions.size / MEDIUM.functions).toBeGreaterThan(0.08);
    expect(functionsWithVersions.size / MEDIUM.functions).toBeLessThan(0.25);
  });

  it('URL-encodes about a tenth of inline documents, as IAM returns them', () => {
    // Prepare
    const inline = roles.flatMap((role) => role.RolePolicyList.map((policy) => policy.PolicyDocument));

    // Act
    const encoded = inline.filter((document): document is string => typeof document === 'string');

    // Assess
    expect(encoded.length / inline.length).toBeGreaterThan(0.03);
    expect(encoded.length / inline.length).toBeLessThan(0.2);
    for (const document of encoded) {
      expect(document).not.toMatch(/[{}" *]/);
      expect(statementsOf(document).length).toBeGreaterThan(0);
    }
  });

  it('plants each kind of mistake next to a majority of least-privilege roles', () => {
    // Prepare
    const attachedArns = (role: RoleDetail) =>
      role.AttachedManagedPolicies.map((attached) => attached.PolicyArn);
    const grantsLogs = (role: RoleDetail) =>
      identityStatements(medium, role).some(
        (statement) =>
          statement.Effect === 'Allow' &&
          listOf(statement.Action).some((action) => /^logs:(\*|PutLogEvents)$/i.test(action)),
      );

    // Act
    const admin = roles.filter((role) =>
      attachedArns(role).includes('arn:aws:iam::aws:policy/AdministratorAccess'),
    );
    const ec2Trusted = roles.filter((role) => trustedServices(role).includes('ec2.amazonaws.com'));
    const bounded = roles.filter((role) => role.PermissionsBoundary);
    const denying = roles.filter((role) => identityStatements(medium, role).some((s) => s.Effect === 'Deny'));
    const passRole = roles.filter((role) =>
      identityStatements(medium, role).some((statement) => listOf(statement.Action).includes('iam:PassRole')),
    );
    const wildcard = roles.filter((role) =>
      identityStatements(medium, role).some(
        (statement) =>
          statement.Effect === 'Allow' &&
          listOf(statement.Resource).includes('*') &&
          listOf(statement.Action).some((action) => /^[a-z0-9-]+:\*$/.test(action)),
      ),
    );
    const withoutLogs = roles.filter((role) => !grantsLogs(role));
    const conditional = roles.filter((role) =>
      identityStatements(medium, role).some(
        (statement) => statement.Effect === 'Allow' && statement.Condition,
      ),
    );
    const leastPrivilege = Object.values(medium.expected.roles).filter(
      (plan) => plan.kind === 'least-privilege',
    );

    // Assess
    expect(admin.length).toBeGreaterThanOrEqual(1);
    expect(ec2Trusted.length).toBeGreaterThanOrEqual(1);
    expect(bounded.length).toBeGreaterThanOrEqual(1);
    expect(denying.length).toBeGreaterThanOrEqual(1);
    expect(passRole.length).toBeGreaterThanOrEqual(1);
    expect(wildcard.length).toBeGreaterThanOrEqual(1);
    expect(withoutLogs.length).toBeGreaterThanOrEqual(1);
    expect(conditional.length).toBeGreaterThanOrEqual(1);
    expect(admin.length / roles.length).toBeLessThan(0.06);
    expect(ec2Trusted.length / roles.length).toBeLessThan(0.05);
    expect(leastPrivilege.length / roles.length).toBeGreaterThan(0.6);
    expect(leastPrivilege.length / roles.length).toBeLessThan(0.8);
  });

  it('shares roles between functions, a few of them very widely', () => {
    // Prepare
    const functionsPerRole = new Map<string, number>();

    // Act
    for (const entry of latest) functionsPerRole.set(entry.Role, (functionsPerRole.get(entry.Role) ?? 0) + 1);
    const counts = [...functionsPerRole.values()];

    // Assess
    expect(MEDIUM.functions / functionsPerRole.size).toBeGreaterThan(4);
    expect(MEDIUM.functions / functionsPerRole.size).toBeLessThan(6);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(40);
    expect(counts.filter((count) => count === 1).length).toBeGreaterThan(10);
  });

  it('gives functions 3 to 8 environment variables and plants rare secrets', () => {
    // Prepare
    const byName = new Map(latest.map((entry) => [entry.FunctionName, entry]));

    // Act
    const variableCounts = latest.flatMap((entry) =>
      entry.Environment ? [Object.keys(entry.Environment.Variables).length] : [],
    );

    // Assess
    expect(Math.min(...variableCounts)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...variableCounts)).toBeLessThanOrEqual(8);
    expect(medium.expected.secrets.length).toBeGreaterThan(0);
    expect(medium.expected.secrets.length / MEDIUM.functions).toBeLessThan(0.05);
    for (const { functionName, variable } of medium.expected.secrets) {
      expect(byName.get(functionName)?.Environment?.Variables[variable]).toBeTruthy();
    }
  });

  it.each([
    ['negative functions', { ...MEDIUM, functions: -1 }],
    ['functions without roles', { ...MEDIUM, roles: 0 }],
    ['a short account id', { ...MEDIUM, account: '1234' }],
    ['no regions', { ...MEDIUM, regions: [] }],
    ['a versions ratio above 1', { ...MEDIUM, versionsRatio: 2 }],
  ])('rejects %s', (_, options) => {
    // Act
    const act = () => generateAccount(options);

    // Assess
    expect(act).toThrow(GenerateOptionsError);
  });
});
