/**
 * Who may invoke a Lambda function, read from its resource-based policy exactly as `GetPolicy` returns
 * it (SPEC §4b). A statement grants the Invoke API (`lambda:InvokeFunction`), invocations through a
 * function URL (`lambda:InvokeFunctionUrl`, per auth type, and since October 2025 also
 * `lambda:InvokeFunction` with `lambda:InvokedViaFunctionUrl`), to callers (everyone, a service, an
 * account). Its conditions either pin the caller to fixed values — Security Hub's Lambda.1 semantics:
 * `aws:SourceAccount`, `aws:SourceArn`, `aws:PrincipalOrgID`, `aws:PrincipalAccount`,
 * `aws:SourceOwner`, `aws:PrincipalArn`, `lambda:EventSourceToken` — or restrict something else
 * (`aws:SourceIp`…), which leaves a public grant public. Condition keys are case-insensitive
 * (Lambda writes `AWS:SourceArn`).
 */
import { isPlainObject, type PlainObject } from '../model/json.js';
import { parseArn } from './arn.js';
import { type ParsedPolicy, type PolicyParseResult, parsePolicy, type Statement } from './policy.js';
import { matchesWildcard } from './wildcard.js';

export type UrlAuthType = 'NONE' | 'AWS_IAM';

const URL_AUTH_TYPES: readonly UrlAuthType[] = ['NONE', 'AWS_IAM'];

/** Who a statement names as caller. `everyone`: `*`, `{"AWS": "*"}`, any account's root, or a `NotPrincipal`. */
export type Caller =
  | { kind: 'everyone'; principal: string }
  | { kind: 'service'; service: string }
  | { kind: 'account'; account: string; principal: string };

/** What a statement's conditions fix about the caller. */
export interface CallerPins {
  /** Accounts the caller, or the resource that calls, must belong to. */
  accounts: string[];
  /** `aws:PrincipalOrgID`: principals of these organizations. */
  organizations: string[];
  /** Fixed source ARNs that name no account (an S3 bucket): they fix the resource, not who owns it. */
  resources: string[];
  /** `lambda:EventSourceToken` (an Alexa skill). */
  token: boolean;
}

/** One Allow statement that lets someone invoke the function, one way or another. */
export interface InvokeGrant {
  statement: Statement;
  callers: Caller[];
  /** `lambda:InvokeFunction` through the Invoke API (not only for invocations through a function URL). */
  invokeApi: boolean;
  /** `lambda:InvokeFunction` for invocations through a function URL (needed since October 2025). */
  invokeViaUrl: boolean;
  /** `lambda:InvokeFunctionUrl`, for URLs of these auth types. */
  urlAuthTypes: UrlAuthType[];
  pins: CallerPins;
  /** Condition keys that restrict something other than the caller (`aws:SourceIp`…), as written. */
  otherConditions: string[];
}

export interface InvokePolicy {
  policy: ParsedPolicy;
  grants: InvokeGrant[];
}

const INVOKE = 'lambda:invokefunction';
const INVOKE_URL = 'lambda:invokefunctionurl';
const URL_KEYS = new Set(['lambda:functionurlauthtype', 'lambda:invokedviafunctionurl']);
const ACCOUNT_KEYS = new Set(['aws:sourceaccount', 'aws:principalaccount', 'aws:sourceowner']);
const ARN_KEYS = new Set(['aws:sourcearn', 'aws:principalarn']);
/** Operators that can pin a key to the values listed (positive, and false when the key is absent). */
const PINNING_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
]);
const ACCOUNT_ID = /^\d{12}$/;

/** The label resource-based policies carry in evidence. */
export const RESOURCE_POLICY_LABEL = 'resource-based policy';

function isFixed(value: string): boolean {
  return !value.includes('*') && !value.includes('?') && !value.includes('${');
}

function stringValues(raw: unknown): string[] | undefined {
  const list = Array.isArray(raw) ? raw : [raw];
  const values: string[] = [];
  for (const value of list) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      return undefined;
    values.push(String(value));
  }
  return values;
}

interface Operator {
  base: string;
  negated: boolean;
  ifExists: boolean;
  /** `ForAllValues:` holds when the key is absent: it never pins. */
  forAll: boolean;
}

function operatorOf(name: string): Operator {
  let base = name.toLowerCase();
  let forAll = false;
  if (base.startsWith('foranyvalue:')) base = base.slice('foranyvalue:'.length);
  else if (base.startsWith('forallvalues:')) {
    base = base.slice('forallvalues:'.length);
    forAll = true;
  }
  const ifExists = base.endsWith('ifexists');
  if (ifExists) base = base.slice(0, -'ifexists'.length);
  return { base, negated: base.includes('not'), ifExists, forAll };
}

function pinsWith(operator: Operator): boolean {
  return !operator.negated && !operator.ifExists && !operator.forAll && PINNING_OPERATORS.has(operator.base);
}

/** The pins a source or principal ARN gives: its account when fixed, else the ARN itself when fixed. */
function pinArn(value: string, pins: CallerPins): boolean {
  if (value.includes('${')) return false;
  const account = parseArn(value)?.account ?? '';
  if (ACCOUNT_ID.test(account)) {
    pins.accounts.push(account);
    return true;
  }
  if (account === '' && isFixed(value)) {
    pins.resources.push(value);
    return true;
  }
  return false;
}

interface ConditionReading {
  pins: CallerPins;
  other: string[];
  /** Auth types of the URL invocations the statement can apply to; the Invoke API when `api`. */
  urlAuthTypes: Set<UrlAuthType>;
  api: boolean;
  viaUrl: boolean;
}

/** Reads a Condition block: which invocations it can hold for, and what it pins. */
function readCondition(condition: PlainObject | null): ConditionReading {
  const reading: ConditionReading = {
    pins: { accounts: [], organizations: [], resources: [], token: false },
    other: [],
    urlAuthTypes: new Set(URL_AUTH_TYPES),
    api: true,
    viaUrl: true,
  };
  if (!condition) return reading;
  for (const [operatorName, entries] of Object.entries(condition)) {
    if (!isPlainObject(entries)) {
      reading.other.push(operatorName);
      continue;
    }
    const operator = operatorOf(operatorName);
    for (const [key, raw] of Object.entries(entries)) {
      const lowerKey = key.toLowerCase();
      const values = stringValues(raw);
      if (!values || !readKey(reading, operator, lowerKey, values)) reading.other.push(key);
    }
  }
  return reading;
}

/** Applies one condition key; false when it restricts nothing this module understands. */
function readKey(reading: ConditionReading, operator: Operator, key: string, values: string[]): boolean {
  if (URL_KEYS.has(key)) return readUrlKey(reading, operator, key, values);
  if (!pinsWith(operator) || values.length === 0) return false;
  const { pins } = reading;
  if (ACCOUNT_KEYS.has(key)) {
    if (!values.every((value) => ACCOUNT_ID.test(value))) return false;
    pins.accounts.push(...values);
    return true;
  }
  if (key === 'aws:principalorgid') {
    if (!values.every(isFixed)) return false;
    pins.organizations.push(...values);
    return true;
  }
  if (key === 'lambda:eventsourcetoken') {
    if (!values.every(isFixed)) return false;
    pins.token = true;
    return true;
  }
  if (ARN_KEYS.has(key)) {
    // Every value must pin something, or the key lets a caller through that nothing fixes.
    const trial: CallerPins = { accounts: [], organizations: [], resources: [], token: false };
    if (!values.every((value) => pinArn(value, trial))) return false;
    pins.accounts.push(...trial.accounts);
    pins.resources.push(...trial.resources);
    return true;
  }
  return false;
}

/**
 * `lambda:FunctionUrlAuthType` (absent for Invoke API calls) limits the URL auth types a statement holds
 * for; `lambda:InvokedViaFunctionUrl` (a Bool) limits it to URL invocations or to the Invoke API.
 */
function readUrlKey(reading: ConditionReading, operator: Operator, key: string, values: string[]): boolean {
  if (key === 'lambda:invokedviafunctionurl') {
    if (operator.base !== 'bool' || values.length !== 1) return false;
    const viaUrl = values[0]!.toLowerCase() === 'true';
    if (viaUrl) reading.api = false;
    else reading.viaUrl = false;
    return true;
  }
  if (!operator.base.startsWith('string')) return false;
  const ignoreCase = operator.base.includes('ignorecase');
  const like = operator.base.includes('like');
  const matches = (authType: UrlAuthType) =>
    values.some((value) =>
      like
        ? matchesWildcard(value, authType)
        : ignoreCase
          ? value.toLowerCase() === authType.toLowerCase()
          : value === authType,
    );
  for (const authType of URL_AUTH_TYPES) {
    if (matches(authType) === operator.negated) reading.urlAuthTypes.delete(authType);
  }
  // Absent for the Invoke API: a positive test fails there (unless IfExists), a negated one holds.
  if (!operator.negated && !operator.ifExists) reading.api = false;
  return true;
}

function callersOf(statement: Statement): Caller[] {
  if (statement.notPrincipals) return [{ kind: 'everyone', principal: 'NotPrincipal' }];
  const callers: Caller[] = [];
  for (const entry of statement.principals ?? []) {
    if (entry === '*' || entry === 'AWS:*') {
      callers.push({ kind: 'everyone', principal: entry === '*' ? '*' : '{"AWS":"*"}' });
      continue;
    }
    const colon = entry.indexOf(':');
    const type = entry.slice(0, colon);
    const value = entry.slice(colon + 1);
    if (type === 'Service') callers.push({ kind: 'service', service: value.toLowerCase() });
    else if (type === 'AWS') {
      const account = ACCOUNT_ID.test(value) ? value : (parseArn(value)?.account ?? '');
      if (ACCOUNT_ID.test(account)) callers.push({ kind: 'account', account, principal: value });
      // `arn:aws:iam::*:root` and the like: any account.
      else callers.push({ kind: 'everyone', principal: value });
    } else if (type !== 'CanonicalUser') {
      // Federated principals cannot invoke a function directly; anything else unknown is treated as anyone.
      if (type !== 'Federated') callers.push({ kind: 'everyone', principal: value });
    }
  }
  return callers;
}

function covers(statement: Statement, action: string): boolean {
  if (statement.actions) return statement.actions.some((pattern) => matchesWildcard(pattern, action));
  return !statement.notActions!.some((pattern) => matchesWildcard(pattern, action));
}

/** Unconditional Deny statements for everyone: the invocations they take away from every grant. */
function deniedForEveryone(policy: ParsedPolicy): { api: boolean; viaUrl: boolean; url: Set<UrlAuthType> } {
  const denied = { api: false, viaUrl: false, url: new Set<UrlAuthType>() };
  for (const statement of policy.statements) {
    if (statement.effect !== 'Deny' || statement.conditional) continue;
    if (!callersOf(statement).some((caller) => caller.kind === 'everyone')) continue;
    if (covers(statement, INVOKE)) {
      denied.api = true;
      denied.viaUrl = true;
    }
    if (covers(statement, INVOKE_URL)) for (const authType of URL_AUTH_TYPES) denied.url.add(authType);
  }
  return denied;
}

/**
 * Parses a resource-based policy (a JSON string as `GetPolicy` returns it, or an object) into the grants
 * that let someone invoke the function. Never throws: a malformed document is a parse result.
 *
 * @example
 * const result = invokeGrantsOf('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}');
 * if (result.ok) result.grants[0]?.invokeApi; // true
 */
export function invokeGrantsOf(
  raw: unknown,
): ({ ok: true } & InvokePolicy) | Extract<PolicyParseResult, { ok: false }> {
  const parsed = parsePolicy(raw, RESOURCE_POLICY_LABEL);
  if (!parsed.ok) return parsed;
  const denied = deniedForEveryone(parsed.policy);
  const grants: InvokeGrant[] = [];
  for (const statement of parsed.policy.statements) {
    if (statement.effect !== 'Allow') continue;
    const callers = callersOf(statement);
    if (callers.length === 0) continue;
    const condition = readCondition(statement.condition);
    const invoke = covers(statement, INVOKE);
    const invokeUrl = covers(statement, INVOKE_URL);
    const grant: InvokeGrant = {
      statement,
      callers,
      invokeApi: invoke && condition.api && !denied.api,
      invokeViaUrl: invoke && condition.viaUrl && !denied.viaUrl,
      urlAuthTypes: invokeUrl
        ? URL_AUTH_TYPES.filter(
            (authType) => condition.urlAuthTypes.has(authType) && !denied.url.has(authType),
          )
        : [],
      pins: condition.pins,
      otherConditions: condition.other,
    };
    if (grant.invokeApi || grant.invokeViaUrl || grant.urlAuthTypes.length > 0) grants.push(grant);
  }
  return { ok: true, policy: parsed.policy, grants };
}

/** Whether the conditions fix who calls: an account, an organization, a resource or a token. */
export function isPinned(pins: CallerPins): boolean {
  return pins.accounts.length > 0 || pins.organizations.length > 0 || pins.resources.length > 0 || pins.token;
}

/** A grant anyone can use: everyone as caller, and no condition that pins the caller (Lambda.1). */
export function isPublicGrant(grant: InvokeGrant): boolean {
  return grant.callers.some((caller) => caller.kind === 'everyone') && !isPinned(grant.pins);
}

/**
 * Whether a resource-based policy concerns function URLs (`lambda:InvokeFunctionUrl` granted, or a
 * `lambda:FunctionUrlAuthType` / `lambda:InvokedViaFunctionUrl` condition): only then are a function's URL
 * configurations worth a `ListFunctionUrlConfigs` call.
 *
 * @example
 * mentionsFunctionUrls('{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:*","Resource":"*"}]}'); // true
 */
export function mentionsFunctionUrls(raw: unknown): boolean {
  const parsed = parsePolicy(raw, RESOURCE_POLICY_LABEL);
  if (!parsed.ok) return false;
  return parsed.policy.statements.some(
    (statement) =>
      (statement.effect === 'Allow' && covers(statement, INVOKE_URL)) ||
      Object.values(statement.condition ?? {}).some(
        (entries) =>
          isPlainObject(entries) && Object.keys(entries).some((key) => URL_KEYS.has(key.toLowerCase())),
      ),
  );
}
