import type { Evidence } from '../model/report.js';
import { compareSeverity, type Severity } from '../model/severity.js';
import type { FunctionRecord, FunctionUrlRecord } from '../model/snapshot.js';
import { splitFunctionArn } from '../policy/arn.js';
import {
  type Caller,
  type InvokeGrant,
  invokeGrantsOf,
  RESOURCE_POLICY_LABEL,
} from '../policy/invoke-grants.js';
import type { FunctionContext } from './rule.js';
import { statementEvidence } from './shared.js';

/** What the invoke rules know about one function: its grants and, when read, its own URLs. */
export interface FunctionInvokeAccess {
  grants: InvokeGrant[];
  /** URLs that invoke this function itself (not an alias); undefined when the configuration was not read. */
  urls: FunctionUrlRecord[] | undefined;
}

/**
 * The function's invoke grants and URLs, parsed once per function and kept on the context; `null` when
 * nothing was read or the function has no resource-based policy (a malformed one is an error entry of
 * the loader, and grants nothing here).
 */
export function invokeAccessOf(context: FunctionContext): FunctionInvokeAccess | null {
  if (context.invokeAccess !== undefined) return context.invokeAccess;
  const record = context.snapshot.resourcePolicies?.get(context.fn.functionArn);
  let access: FunctionInvokeAccess | null = null;
  if (record?.policy !== undefined) {
    const parsed = invokeGrantsOf(record.policy);
    if (parsed.ok && parsed.grants.length > 0) {
      // Versions have no URLs; an alias's URL is governed by the alias's own policy.
      const urls =
        context.fn.version === '$LATEST' ? record.urls?.filter((url) => invokesItself(url, context)) : [];
      access = { grants: parsed.grants, urls };
    }
  }
  context.invokeAccess = access;
  return access;
}

function invokesItself(url: FunctionUrlRecord, context: FunctionContext): boolean {
  const { unqualified, qualifier } = splitFunctionArn(url.functionArn);
  return unqualified === context.fn.functionArn && (qualifier === undefined || qualifier === '$LATEST');
}

/** The rules whose findings tell what invoking a function gives: its role's worst power. */
const BLAST_RADIUS_RULES = ['admin-access', 'privilege-escalation'] as const;

/**
 * The severity of an invoke finding: `base`, or the severity of the role's `admin-access` /
 * `privilege-escalation` finding when that is higher (whoever invokes the function acts with the role),
 * and the evidence that says so.
 *
 * @example
 * blastRadius(context, 'high'); // { severity: 'critical', evidence: { detail: 'the execution role has admin-access …' } }
 */
export function blastRadius(
  context: FunctionContext,
  base: Severity,
): { severity: Severity; evidence?: Evidence; phrase: string } {
  let worst: { ruleId: string; severity: Severity } | undefined;
  for (const ruleId of BLAST_RADIUS_RULES) {
    const severity = context.roleFindings.get(ruleId);
    if (severity && (!worst || compareSeverity(severity, worst.severity) > 0)) worst = { ruleId, severity };
  }
  if (!worst) return { severity: base, phrase: '' };
  const power = worst.ruleId === 'admin-access' ? 'administrator access' : 'a way to escalate its privileges';
  return {
    severity: compareSeverity(worst.severity, base) > 0 ? worst.severity : base,
    evidence: {
      detail: `the execution role has ${worst.ruleId} (${worst.severity}): whoever invokes the function acts with ${power}`,
    },
    phrase: `; the function runs as a role with ${power} (${worst.ruleId})`,
  };
}

/** How a caller reads in a message and in evidence. */
export function callerText(caller: Caller): string {
  if (caller.kind === 'everyone') return caller.principal;
  if (caller.kind === 'service') return caller.service;
  return caller.principal;
}

/** Evidence naming a resource-based policy statement, its callers and its conditions. */
export function grantEvidence(grant: InvokeGrant, callers: readonly Caller[], detail?: string): Evidence {
  const conditions = grant.statement.condition ? Object.keys(grant.statement.condition) : [];
  return statementEvidence(grant.statement, {
    policy: RESOURCE_POLICY_LABEL,
    principals: callers.map(callerText),
    ...(detail
      ? { detail }
      : conditions.length > 0
        ? { detail: `conditions: ${JSON.stringify(grant.statement.condition)}` }
        : {}),
  });
}

/** `(a condition on aws:SourceIp does not pin the caller)`, or nothing. */
export function otherConditionsNote(grants: readonly InvokeGrant[]): string {
  const keys = [...new Set(grants.flatMap((grant) => grant.otherConditions))];
  if (keys.length === 0) return '';
  return ` (a condition on ${keys.join(', ')} does not fix who calls)`;
}

/**
 * How to remove statements of a function's (or version's) resource-based policy with the AWS CLI, e.g.
 * `statement anyone (aws lambda remove-permission --region us-east-1 --function-name api --statement-id anyone)`.
 */
export function removeStatementsText(fn: FunctionRecord, statementIds: readonly string[]): string {
  const ids = [...new Set(statementIds)];
  const qualifier = fn.version === '$LATEST' ? '' : ` --qualifier ${fn.version}`;
  const command = `aws lambda remove-permission --region ${fn.region} --function-name ${fn.functionName}${qualifier} --statement-id`;
  return ids.length === 1
    ? `statement ${ids[0]} (${command} ${ids[0]})`
    : `statements ${ids.join(', ')} (${command} <each>)`;
}
