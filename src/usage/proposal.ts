/**
 * Proposed replacement policies (SPEC §4c): a role's current grants restricted to what its last-accessed
 * data shows it used, with the original resources and conditions, plus logging scoped to its functions'
 * log groups — and proven (./prove.ts) before it is offered.
 *
 * How each granted action fares, statement by statement (each rewritten statement keeps its Resource or
 * NotResource and its Condition, and names the actions it keeps explicitly):
 * - a service used in the window keeps its actions, except the ones IAM tracks and saw no use of;
 * - a service not used in the window loses its actions;
 * - a service the report does not list keeps its actions when the statement names the service, and loses
 *   them when only `*`, `NotAction` or a cross-service pattern reached it;
 * - Lambda platform permissions and `iam:PassRole` (never tracked) are kept; the logging actions granted
 *   on unrestricted resources become a statement on the functions' own log groups (Lambda@Edge roles, which
 *   log in every region, keep theirs);
 * - Deny statements are kept as they are, and the permissions boundary stays attached.
 */
import type { Proposal } from '../model/report.js';
import type { FunctionRecord } from '../model/snapshot.js';
import { isUnrestrictedResource } from '../policy/arn.js';
import type { CatalogAction } from '../policy/catalog.js';
import type { PolicySet } from '../policy/effective.js';
import type { Statement } from '../policy/policy.js';
import { hasWildcard, matchesWildcard } from '../policy/wildcard.js';
import type { RoleContext } from '../rules/rule.js';
import { alwaysKept, couldApply, grantedActionsByService, usageAnalysis } from './analysis.js';
import {
  canonicalCondition,
  currentAllows,
  LOG_ACTIONS,
  logGroupResources,
  MANAGED_POLICY_MAX_CHARACTERS,
  proveProposal,
} from './prove.js';

/** The findings a proposal answers: a role with one of them and usage data gets a proposal. */
export const PROPOSAL_RULES: ReadonlySet<string> = new Set([
  'admin-access',
  'privilege-escalation',
  'service-wildcard',
  'unscoped-write',
  'unscoped-read',
  'unused-services',
  'unused-actions',
]);

/** Findings that a proposal resolves by itself (it is proven not to have them). */
const RESOLVED_BY_PROPOSAL = new Set(['admin-access', 'service-wildcard']);

export interface ProposalInput {
  context: RoleContext;
  /** The role's identity policies and boundary, as the audit parsed them. */
  policies: PolicySet;
  /** The functions that run as the role (one record per function). */
  functions: readonly FunctionRecord[];
  /** Ids of the rules that fired for the role. */
  ruleIds: ReadonlySet<string>;
}

/** A proposal, or why none is offered: `rejected` when one was built but failed its proof. */
export type ProposalOutcome =
  | { kind: 'proposal'; proposal: Proposal }
  | { kind: 'none' }
  | { kind: 'rejected'; reason: string };

type PolicyStatementJson = Record<string, unknown>;

/** Whether the role runs Lambda@Edge replicas (trusted by `edgelambda.amazonaws.com`). */
function isEdgeRole(context: RoleContext): boolean {
  return (context.trust?.statements ?? []).some(
    (statement) =>
      statement.effect === 'Allow' &&
      (statement.principals ?? []).includes('Service:edgelambda.amazonaws.com'),
  );
}

/** The catalog services a statement's actions may reach, and whether it names them by their prefix. */
function reachedServices(statement: Statement, serviceNames: readonly string[]): Map<string, boolean> {
  const reached = new Map<string, boolean>();
  if (!statement.actions) {
    for (const service of serviceNames) reached.set(service, false);
    return reached;
  }
  for (const pattern of statement.actions) {
    const separator = pattern.indexOf(':');
    const prefix = separator < 0 ? pattern : pattern.slice(0, separator);
    if (separator > 0 && !hasWildcard(prefix)) {
      reached.set(prefix, true);
      continue;
    }
    for (const service of serviceNames) {
      if (matchesWildcard(prefix, service) && !reached.has(service)) reached.set(service, false);
    }
  }
  return reached;
}

function matches(statement: Statement, key: string): boolean {
  if (statement.actions) return statement.actions.some((pattern) => matchesWildcard(pattern, key));
  return !statement.notActions!.some((pattern) => matchesWildcard(pattern, key));
}

/** A statement's Resource or NotResource and Condition as written, for a rewritten statement. */
function scopeJson(statement: Statement): PolicyStatementJson {
  return {
    ...(statement.notResources
      ? { NotResource: statement.notResources }
      : { Resource: statement.resources ?? [] }),
    ...(statement.condition ? { Condition: statement.condition } : {}),
  };
}

function denyJson(statement: Statement): PolicyStatementJson {
  return {
    Effect: 'Deny',
    ...(statement.actions
      ? { Action: statement.actionsAsWritten }
      : { NotAction: statement.actionsAsWritten }),
    ...scopeJson(statement),
  };
}

/**
 * Builds, proves and returns a role's proposed policy; `none` when the role has no usage data to go on,
 * is too young, is unused (delete it instead), has no finding a proposal answers, or nothing would change.
 *
 * @example
 * const outcome = proposePolicy({ context, policies, functions, ruleIds: new Set(['service-wildcard']) });
 * if (outcome.kind === 'proposal') console.log(JSON.stringify(outcome.proposal.policy));
 */
export function proposePolicy(input: ProposalInput): ProposalOutcome {
  const { context, policies, functions, ruleIds } = input;
  const analysis = usageAnalysis(context);
  if (!analysis || analysis.skipped || analysis.roleUnused) return { kind: 'none' };
  if (![...ruleIds].some((id) => PROPOSAL_RULES.has(id))) return { kind: 'none' };
  const { permissions, catalog } = context;
  const edge = isEdgeRole(context);
  const granted = grantedActionsByService(permissions, catalog);
  const verdicts = new Map(analysis.services.map((verdict) => [verdict.service, verdict]));
  const unusedKeys = new Set(
    analysis.services.flatMap((verdict) => verdict.unusedActions.map((action) => action.key)),
  );

  /** Whether a granted action stays, for a statement that names its service by prefix or not. */
  const keeps = (action: CatalogAction, statement: Statement, named: boolean): boolean => {
    if ((LOG_ACTIONS as readonly string[]).includes(action.key) && !edge) {
      // Logging on unrestricted resources becomes the statement on the functions' own log groups.
      const unrestricted =
        statement.notResources !== null || (statement.resources ?? []).some(isUnrestrictedResource);
      return !unrestricted;
    }
    // Kept whatever the data says, from statements whose resources can name what the action acts on.
    if (alwaysKept(action.key))
      return (
        statement.notResources !== null ||
        (statement.resources ?? []).some((resource) => couldApply(action.key, resource))
      );
    const verdict = verdicts.get(action.service);
    if (!verdict) return false;
    if (verdict.state === 'used') return !unusedKeys.has(action.key);
    if (verdict.state === 'unreported') return named;
    return false;
  };

  const kept = new Set<string>();
  const byScope = new Map<string, { scope: PolicyStatementJson; actions: Set<string> }>();
  const denies: PolicyStatementJson[] = [];
  const addActions = (statement: Statement, names: string[]): void => {
    if (names.length === 0) return;
    const key = JSON.stringify({
      resources: statement.resources ? [...statement.resources].sort() : null,
      notResources: statement.notResources ? [...statement.notResources].sort() : null,
      condition: statement.condition ? canonicalCondition(statement.condition) : null,
    });
    let entry = byScope.get(key);
    if (!entry) {
      entry = { scope: scopeJson(statement), actions: new Set() };
      byScope.set(key, entry);
    }
    for (const name of names) entry.actions.add(name);
  };

  for (const statement of permissions.identityStatements) {
    if (statement.effect === 'Deny') {
      denies.push(denyJson(statement));
      continue;
    }
    const names: string[] = [];
    for (const [service, named] of reachedServices(statement, catalog.serviceNames)) {
      for (const action of granted.get(service) ?? []) {
        if (!matches(statement, action.key) || !keeps(action, statement, named)) continue;
        names.push(action.name);
        kept.add(action.key);
      }
    }
    // Services the catalog does not know: kept by their pattern when used, or named and not reported.
    for (const pattern of statement.actions ?? []) {
      const separator = pattern.indexOf(':');
      const prefix = separator < 0 ? pattern : pattern.slice(0, separator);
      if (separator > 0 && !hasWildcard(prefix) && !catalog.hasService(prefix)) {
        const state = analysis.reported.get(prefix);
        if (!state || state.used) names.push(pattern);
      }
    }
    for (const [service, state] of analysis.reported) {
      if (!state.used || catalog.hasService(service)) continue;
      const crossService = statement.actions
        ? statement.actions.some((pattern) => {
            const separator = pattern.indexOf(':');
            const prefix = separator < 0 ? pattern : pattern.slice(0, separator);
            return hasWildcard(prefix) && matchesWildcard(prefix, service);
          })
        : true;
      if (crossService) names.push(`${service}:*`);
    }
    addActions(statement, names);
  }

  const statements: PolicyStatementJson[] = [...byScope.values()].map(({ scope, actions }) => ({
    Effect: 'Allow',
    Action: [...actions].sort(),
    ...scope,
  }));
  if (!edge) statements.push(...loggingStatements(context, functions));
  const document = compactEnough({ Version: '2012-10-17', Statement: [...statements, ...denies] }, catalog);

  const removedServices: string[] = [];
  const removedActions: string[] = [];
  for (const verdict of analysis.services) {
    const left = verdict.granted.filter((action) => kept.has(action.key));
    if (left.length === 0) removedServices.push(verdict.service);
    else for (const action of verdict.granted) if (!kept.has(action.key)) removedActions.push(action.name);
  }
  // The services the report lists first (their removal rests on data), then those only a wildcard reached.
  const reportedFirst = (a: string, b: string) =>
    Number(!analysis.reported.has(a)) - Number(!analysis.reported.has(b)) || (a < b ? -1 : a > b ? 1 : 0);
  const resolves = [...ruleIds].some((id) => RESOLVED_BY_PROPOSAL.has(id));
  if (removedServices.length === 0 && removedActions.length === 0 && !resolves) return { kind: 'none' };

  const proof = proveProposal({
    current: policies,
    currentPermissions: permissions,
    proposal: document,
    catalog,
    analysis,
    context,
    functions,
    edge,
  });
  if (!proof.ok) return { kind: 'rejected', reason: `${proof.check}: ${proof.reason}` };
  return {
    kind: 'proposal',
    proposal: {
      roleArn: context.role.arn,
      policy: document,
      removed: { services: removedServices.sort(reportedFirst), actions: removedActions.sort() },
      dataAsOf: analysis.dataAsOf.toISOString(),
      days: analysis.days,
    },
  };
}

/** The logging statements on the functions' own log groups, for what the role may do there now. */
function loggingStatements(
  context: RoleContext,
  functions: readonly FunctionRecord[],
): PolicyStatementJson[] {
  const { groups, contents } = logGroupResources(functions);
  const allowed = (action: string, resources: string[]) =>
    resources.filter((resource) => currentAllows(context.permissions, action, resource));
  const statements: PolicyStatementJson[] = [];
  const createGroup = allowed('logs:createloggroup', [...groups, ...contents]);
  if (createGroup.length > 0)
    statements.push({
      Sid: 'CreateOwnLogGroups',
      Effect: 'Allow',
      Action: 'logs:CreateLogGroup',
      Resource: createGroup,
    });
  const stream = allowed('logs:createlogstream', contents);
  const put = allowed('logs:putlogevents', contents);
  const both = stream.filter((resource) => put.includes(resource));
  if (both.length > 0)
    statements.push({
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: both,
    });
  for (const [action, resources] of [
    ['logs:CreateLogStream', stream.filter((resource) => !both.includes(resource))],
    ['logs:PutLogEvents', put.filter((resource) => !both.includes(resource))],
  ] as const) {
    if (resources.length > 0) statements.push({ Effect: 'Allow', Action: action, Resource: resources });
  }
  return statements;
}

/**
 * The document as it is when it fits IAM's size limit; otherwise with each long action list shortened to
 * verb patterns (`s3:Get*`) that match only actions the statement keeps, never every action of a
 * service (that would be a service wildcard). The proof checks the result either way.
 */
function compactEnough(
  document: { Version: string; Statement: PolicyStatementJson[] },
  catalog: RoleContext['catalog'],
): { Version: string; Statement: PolicyStatementJson[] } {
  if (JSON.stringify(document).length <= MANAGED_POLICY_MAX_CHARACTERS) return document;
  return {
    ...document,
    Statement: document.Statement.map((statement) =>
      statement.Effect === 'Allow' && Array.isArray(statement.Action)
        ? { ...statement, Action: shortenActions(statement.Action as string[], catalog) }
        : statement,
    ),
  };
}

const VERB = /^[A-Z][a-z]+/;

function shortenActions(names: string[], catalog: RoleContext['catalog']): string[] {
  const byService = new Map<string, string[]>();
  const others: string[] = [];
  for (const name of names) {
    const separator = name.indexOf(':');
    const service = name.slice(0, separator);
    if (separator < 0 || !catalog.hasService(service)) others.push(name);
    else byService.set(service, [...(byService.get(service) ?? []), name]);
  }
  const result: string[] = [...others];
  for (const [service, list] of byService) {
    const keptKeys = new Set(list.map((name) => name.toLowerCase()));
    const all = catalog.actionsOf(service);
    const groups = new Map<string, string[]>();
    for (const name of list) {
      const verb = VERB.exec(name.slice(service.length + 1))?.[0];
      if (!verb) continue;
      groups.set(verb, [...(groups.get(verb) ?? []), name]);
    }
    const patterns = new Map<string, string[]>();
    for (const [verb, members] of groups) {
      const pattern = `${service}:${verb}*`;
      const reached = all.filter((action) => matchesWildcard(pattern.toLowerCase(), action.key));
      if (members.length >= 2 && reached.every((action) => keptKeys.has(action.key)))
        patterns.set(pattern, members);
    }
    // Patterns that together reach every action of the service would be a service wildcard: keep one group listed.
    const covered = new Set([...patterns.values()].flat().map((name) => name.toLowerCase()));
    if (all.every((action) => covered.has(action.key)) && patterns.size > 0) {
      const smallest = [...patterns.entries()].sort((a, b) => a[1].length - b[1].length)[0]!;
      patterns.delete(smallest[0]);
    }
    const shortened = new Set([...patterns.values()].flat());
    result.push(...patterns.keys(), ...list.filter((name) => !shortened.has(name)));
  }
  return result.sort();
}
