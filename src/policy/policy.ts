/**
 * The policy model: parses an IAM policy document in any shape IAM or the AWS CLI hands out
 * (object, JSON string, URL-encoded JSON string, one statement or a list, string or list fields)
 * into statements that know where they came from. Parsing never throws: a document that cannot be
 * understood is a value describing the problem.
 */
import { isPlainObject, type PlainObject } from '../model/json.js';

export type Effect = 'Allow' | 'Deny';

export interface Statement {
  /** The policy this statement belongs to, as named in evidence. */
  policy: string;
  /** The Sid, or the zero-based index as a string. */
  id: string;
  effect: Effect;
  /** Lower-cased action patterns, or null when the statement uses NotAction. */
  actions: string[] | null;
  notActions: string[] | null;
  /** Patterns as written, for evidence. */
  actionsAsWritten: string[];
  resources: string[] | null;
  notResources: string[] | null;
  /** `Principal` entries as `Type:value` (e.g. `Service:lambda.amazonaws.com`, `AWS:*`), or null. */
  principals: string[] | null;
  notPrincipals: string[] | null;
  conditional: boolean;
  /** The `Condition` block as written (operator → key → values), or null when there is none. */
  condition: PlainObject | null;
}

export interface ParsedPolicy {
  label: string;
  statements: Statement[];
  /** Statements that were skipped because they were malformed. */
  problems: string[];
}

export type PolicyParseResult =
  | { ok: true; policy: ParsedPolicy }
  | { ok: false; code: 'MalformedPolicy' | 'PolicyTooLarge'; message: string };

/** Larger than any document IAM accepts (10,240 characters inline, 6,144 managed) by a wide margin. */
export const MAX_DOCUMENT_CHARACTERS = 2_000_000;

/** Turns a raw document (object, JSON or URL-encoded JSON) into a plain object, or a reason why not. */
export function decodePolicyDocument(
  raw: unknown,
): { ok: true; document: PlainObject } | { ok: false; message: string } {
  if (isPlainObject(raw)) return { ok: true, document: raw };
  if (typeof raw !== 'string') {
    return { ok: false, message: `policy document is ${raw === null ? 'null' : typeof raw}, not an object` };
  }
  if (raw.length > MAX_DOCUMENT_CHARACTERS) {
    return {
      ok: false,
      message: `policy document has ${raw.length} characters, more than ${MAX_DOCUMENT_CHARACTERS}`,
    };
  }
  let text = raw.trim();
  if (!text.startsWith('{') && text.includes('%')) {
    try {
      text = decodeURIComponent(text.replace(/\+/g, '%20')).trim();
    } catch {
      return { ok: false, message: 'policy document is neither JSON nor valid URL-encoded JSON' };
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `policy document is not valid JSON (${(error as Error).message})` };
  }
  if (!isPlainObject(parsed)) return { ok: false, message: 'policy document is not a JSON object' };
  return { ok: true, document: parsed };
}

function stringList(
  value: unknown,
  field: string,
): { ok: true; list: string[] } | { ok: false; message: string } {
  if (typeof value === 'string') return { ok: true, list: [value] };
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return { ok: true, list: value as string[] };
  }
  return { ok: false, message: `${field} must be a string or a list of strings` };
}

function principalList(
  value: unknown,
  field: string,
): { ok: true; list: string[] } | { ok: false; message: string } {
  if (value === '*') return { ok: true, list: ['*'] };
  if (!isPlainObject(value)) return { ok: false, message: `${field} must be "*" or an object` };
  const list: string[] = [];
  for (const [type, entries] of Object.entries(value)) {
    const parsed = stringList(entries, `${field}.${type}`);
    if (!parsed.ok) return parsed;
    for (const entry of parsed.list) list.push(`${type}:${entry}`);
  }
  return { ok: true, list };
}

function parseStatement(
  raw: unknown,
  index: number,
  label: string,
): { ok: true; statement: Statement } | { ok: false; message: string } {
  if (!isPlainObject(raw)) return { ok: false, message: `statement ${index} is not an object` };
  const sid = typeof raw.Sid === 'string' && raw.Sid !== '' ? raw.Sid : String(index);
  const where = `statement ${sid}`;
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    return { ok: false, message: `${where}: Effect must be "Allow" or "Deny"` };
  }
  if ((raw.Action === undefined) === (raw.NotAction === undefined)) {
    return { ok: false, message: `${where}: exactly one of Action and NotAction is required` };
  }
  if (raw.Resource !== undefined && raw.NotResource !== undefined) {
    return { ok: false, message: `${where}: Resource and NotResource cannot both be present` };
  }
  const actionField = raw.Action !== undefined ? 'Action' : 'NotAction';
  const actions = stringList(raw[actionField], `${where}: ${actionField}`);
  if (!actions.ok) return actions;
  let resources: string[] | null = null;
  let notResources: string[] | null = null;
  if (raw.Resource !== undefined) {
    const parsed = stringList(raw.Resource, `${where}: Resource`);
    if (!parsed.ok) return parsed;
    resources = parsed.list;
  } else if (raw.NotResource !== undefined) {
    const parsed = stringList(raw.NotResource, `${where}: NotResource`);
    if (!parsed.ok) return parsed;
    notResources = parsed.list;
  }
  let principals: string[] | null = null;
  let notPrincipals: string[] | null = null;
  if (raw.Principal !== undefined) {
    const parsed = principalList(raw.Principal, `${where}: Principal`);
    if (!parsed.ok) return parsed;
    principals = parsed.list;
  }
  if (raw.NotPrincipal !== undefined) {
    const parsed = principalList(raw.NotPrincipal, `${where}: NotPrincipal`);
    if (!parsed.ok) return parsed;
    notPrincipals = parsed.list;
  }
  if (raw.Condition !== undefined && !isPlainObject(raw.Condition)) {
    return { ok: false, message: `${where}: Condition must be an object` };
  }
  const lowered = actions.list.map((action) => action.trim().toLowerCase());
  return {
    ok: true,
    statement: {
      policy: label,
      id: sid,
      effect: raw.Effect,
      actions: actionField === 'Action' ? lowered : null,
      notActions: actionField === 'NotAction' ? lowered : null,
      actionsAsWritten: actions.list,
      resources,
      notResources,
      principals,
      notPrincipals,
      conditional: isPlainObject(raw.Condition) && Object.keys(raw.Condition).length > 0,
      condition: isPlainObject(raw.Condition) && Object.keys(raw.Condition).length > 0 ? raw.Condition : null,
    },
  };
}

/**
 * Parses a policy document; malformed statements are skipped and listed in `problems`.
 *
 * @example
 * const result = parsePolicy('%7B%22Statement%22%3A%5B%5D%7D', 'my-role/inline');
 * if (result.ok) console.log(result.policy.statements.length); // 0
 */
export function parsePolicy(raw: unknown, label: string): PolicyParseResult {
  if (typeof raw === 'string' && raw.length > MAX_DOCUMENT_CHARACTERS) {
    return {
      ok: false,
      code: 'PolicyTooLarge',
      message: `${label}: document is larger than ${MAX_DOCUMENT_CHARACTERS} characters`,
    };
  }
  const decoded = decodePolicyDocument(raw);
  if (!decoded.ok) return { ok: false, code: 'MalformedPolicy', message: `${label}: ${decoded.message}` };
  const rawStatements = decoded.document.Statement;
  let list: unknown[];
  if (Array.isArray(rawStatements)) list = rawStatements;
  else if (isPlainObject(rawStatements)) list = [rawStatements];
  else {
    return {
      ok: false,
      code: 'MalformedPolicy',
      message: `${label}: Statement must be an object or a list of objects`,
    };
  }
  const statements: Statement[] = [];
  const problems: string[] = [];
  list.forEach((rawStatement, index) => {
    const parsed = parseStatement(rawStatement, index, label);
    if (parsed.ok) statements.push(parsed.statement);
    else problems.push(parsed.message);
  });
  return { ok: true, policy: { label, statements, problems } };
}
