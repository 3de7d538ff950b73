/**
 * Which published privilege-escalation methods a role holds. `privilege-escalation` reports them;
 * `unscoped-write` and `unscoped-read` leave their actions out (no double counting). Both ask the same
 * pure question of the role, so neither depends on the other having run first.
 */

import { parseArn } from '../policy/arn.js';
import type { RequestContext } from '../policy/condition.js';
import type { EffectivePermissions, Grant } from '../policy/effective.js';
import { mergeGrants } from '../policy/effective.js';
import { hasWildcard } from '../policy/wildcard.js';
import {
  ACTION_CONTEXTS,
  ACTION_TARGETS,
  ANY_RESOURCE,
  ANY_ROLE,
  ATTACHED_POLICY,
  ESCALATION_METHODS,
  type EscalationMethod,
  SELF,
} from './escalation-methods.js';
import type { RoleContext } from './rule.js';

const PASS_ROLE = 'iam:passrole';

/** The methods with their action keys and services worked out once. */
const PREPARED = ESCALATION_METHODS.map((method) => ({
  method,
  keys: method.actions.map((action) => action.toLowerCase()),
  services: [...new Set(method.actions.map((action) => action.slice(0, action.indexOf(':')).toLowerCase()))],
}));

/** What an escalation-capable resource means for one role: its ARN, its policies, the regions to probe. */
class RoleTargets {
  private readonly partition: string;
  private readonly account: string;
  private readonly regions: string[];
  private readonly attachedPolicies: string[];
  private readonly expanded = new Map<string, string[]>();
  private readonly contexts = new Map<string, RequestContext[]>();
  /** What every request of the role says about its principal. */
  readonly principal: RequestContext;

  constructor(private readonly context: RoleContext) {
    const parts = parseArn(context.role.arn);
    this.partition = parts?.partition || 'aws';
    this.account = parts?.account ?? '';
    this.principal = { 'aws:principalarn': context.role.arn, 'aws:principalaccount': this.account };
    // Customer managed policies only: AWS managed policies cannot be given new versions.
    this.attachedPolicies = context.role.attachedPolicyArns.filter(
      (arn) => parseArn(arn)?.account === this.account,
    );
    // "Every function of the account" can be written for one region: probe each region a policy names.
    const regions = new Set<string>(['~']);
    for (const statement of context.permissions.identityStatements) {
      for (const resource of statement.resources ?? []) {
        const region = parseArn(resource)?.region;
        if (region && !hasWildcard(region)) regions.add(region);
      }
    }
    this.regions = [...regions];
  }

  /** The concrete ARNs a target template stands for. */
  resolve(template: string): string[] {
    let list = this.expanded.get(template);
    if (list) return list;
    if (template === SELF) list = [this.context.role.arn];
    else if (template === ATTACHED_POLICY) list = this.attachedPolicies;
    else {
      const base = template.replaceAll('{partition}', this.partition).replaceAll('{account}', this.account);
      list = base.includes('{region}')
        ? this.regions.map((region) => base.replaceAll('{region}', region))
        : [base];
    }
    this.expanded.set(template, list);
    return list;
  }

  /** The requests an attack makes with an action: the principal's keys and those the attack sets. */
  requestsFor(key: string, extra?: RequestContext): RequestContext[] {
    const memoKey = extra ? `${key}\n${JSON.stringify(extra)}` : key;
    let list = this.contexts.get(memoKey);
    if (list) return list;
    const variants = Object.hasOwn(ACTION_CONTEXTS, key) ? ACTION_CONTEXTS[key]! : [{}];
    list = variants.map((variant) => {
      const request: Record<string, string> = { ...this.principal, ...extra };
      for (const [name, value] of Object.entries(variant))
        request[name] = value.replaceAll('{partition}', this.partition);
      return request;
    });
    this.contexts.set(memoKey, list);
    return list;
  }
}

/** The better of two grants of one action: the unconditional one, else the first. */
function better(current: Grant | undefined, next: Grant | undefined): Grant | undefined {
  if (!next) return current;
  if (!current) return next;
  return current.conditional && !next.conditional ? next : current;
}

/**
 * The grant of an action of a method that takes over something that exists: on an unrestricted
 * resource, or on every resource group its targets name.
 */
function existingGrant(
  permissions: EffectivePermissions,
  key: string,
  targets: RoleTargets,
  request: RequestContext,
): Grant | undefined {
  const grant = permissions.grantWhere(key, 'unrestricted', request);
  if (grant && !grant.conditional) return grant;
  const groups = Object.hasOwn(ACTION_TARGETS, key) ? ACTION_TARGETS[key]! : undefined;
  if (!groups) return grant;
  let combined: Grant | undefined;
  for (const group of groups) {
    let groupGrant: Grant | undefined;
    for (const template of group) {
      if (template === ANY_RESOURCE)
        groupGrant = better(groupGrant, permissions.grantWhere(key, 'any', request));
      else
        for (const arn of targets.resolve(template))
          groupGrant = better(groupGrant, permissions.grantWhere(key, arn, request));
      if (groupGrant && !groupGrant.conditional) break;
    }
    if (!groupGrant) return grant;
    combined = combined ? mergeGrants(combined, groupGrant) : groupGrant;
  }
  return better(grant, combined);
}

/** {@link existingGrant} for the first of the action's attack requests that is allowed. */
function takeoverGrant(
  permissions: EffectivePermissions,
  key: string,
  targets: RoleTargets,
): Grant | undefined {
  let grant: Grant | undefined;
  for (const request of targets.requestsFor(key)) {
    grant = better(grant, existingGrant(permissions, key, targets, request));
    if (grant && !grant.conditional) break;
  }
  return grant;
}

/** The grant of `iam:PassRole` for any role, to one of the services the method passes it to. */
function passRoleGrant(
  permissions: EffectivePermissions,
  method: EscalationMethod,
  targets: RoleTargets,
): Grant | undefined {
  let grant: Grant | undefined;
  for (const service of method.passedTo ?? []) {
    const [request] = targets.requestsFor(PASS_ROLE, { 'iam:passedtoservice': service });
    grant = better(grant, permissions.grantWhere(PASS_ROLE, 'unrestricted', request));
    for (const arn of targets.resolve(ANY_ROLE)) {
      grant = better(grant, permissions.grantWhere(PASS_ROLE, arn, request));
    }
    if (grant && !grant.conditional) return grant;
  }
  return grant;
}

/** The combined grant of every action of a method, or undefined when one of them is missing. */
function methodGrant(
  permissions: EffectivePermissions,
  prepared: (typeof PREPARED)[number],
  targets: RoleTargets,
): Grant | undefined {
  const passes = prepared.keys.includes(PASS_ROLE);
  let combined: Grant | undefined;
  for (const key of prepared.keys) {
    let grant: Grant | undefined;
    if (key === PASS_ROLE) grant = passRoleGrant(permissions, prepared.method, targets);
    // The passed role brings the privileges: any resource of its own naming will do.
    else if (passes) grant = permissions.grantWhere(key, 'any', targets.principal);
    else grant = takeoverGrant(permissions, key, targets);
    if (!grant) return undefined;
    combined = combined ? mergeGrants(combined, grant) : grant;
  }
  return combined;
}

/** A method the role holds: its lower-case action keys and the combined grant of them. */
export interface HeldMethod {
  method: EscalationMethod;
  keys: readonly string[];
  grant: Grant;
}

/** Worked out once per analysed role, whichever rule asks first. */
const heldByRole = new WeakMap<RoleContext, readonly HeldMethod[]>();

/**
 * The escalation methods the role holds on an escalation-capable resource, the smallest ones only: a
 * method that needs all the actions of another one held adds nothing. In catalog order.
 *
 * @example
 * escalationMethodsHeld(context).map(({ method }) => method.id); // ['passrole-lambda-create-invoke']
 */
export function escalationMethodsHeld(context: RoleContext): readonly HeldMethod[] {
  let held = heldByRole.get(context);
  if (!held) {
    held = findHeldMethods(context);
    heldByRole.set(context, held);
  }
  return held;
}

/**
 * The lower-case action keys of the methods {@link escalationMethodsHeld} names.
 *
 * @example
 * escalationActionKeys(context).has('iam:passrole'); // true
 */
export function escalationActionKeys(context: RoleContext): ReadonlySet<string> {
  return new Set(escalationMethodsHeld(context).flatMap(({ keys }) => keys));
}

function findHeldMethods(context: RoleContext): readonly HeldMethod[] {
  const { permissions } = context;
  let targets: RoleTargets | undefined;
  const found: HeldMethod[] = [];
  for (const prepared of PREPARED) {
    if (!prepared.services.every((service) => permissions.reaches(service))) continue;
    if (!prepared.keys.every((key) => permissions.mayAllow(key))) continue;
    targets ??= new RoleTargets(context);
    const grant = methodGrant(permissions, prepared, targets);
    if (grant) found.push({ method: prepared.method, keys: prepared.keys, grant });
  }
  return found.filter(
    (candidate) =>
      !found.some(
        (other) =>
          other !== candidate &&
          other.keys.length < candidate.keys.length &&
          other.keys.every((key) => candidate.keys.includes(key)),
      ),
  );
}
