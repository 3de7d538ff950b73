/** Small helpers: AWS CLI dates, IAM URL-encoding, policy documents. */
import type { Random } from './random.js';
import type { PolicyDocument, PolicyStatement } from './shapes.js';

export const DAY = 86_400_000;
export const EPOCH_START = Date.UTC(2019, 0, 1);
export const EPOCH_END = Date.UTC(2025, 5, 30);

/** IAM dates as the AWS CLI prints them: `2021-03-04T12:34:56+00:00`. */
export function iamDate(milliseconds: number): string {
  return new Date(Math.floor(milliseconds / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

/** Lambda dates as the AWS CLI prints them: `2024-05-01T10:20:30.123+0000`. */
export function lambdaDate(milliseconds: number): string {
  return new Date(Math.floor(milliseconds)).toISOString().replace('Z', '+0000');
}

/** Share of `total`, rounded; small accounts still get one of each planted case. */
export function quota(total: number, share: number): number {
  const count = Math.round(total * share);
  return count === 0 && total >= 8 ? 1 : count;
}

/**
 * Percent-encodes a policy document the way IAM's query API returns it (RFC 3986, so `*`, `(`,
 * `)`, `!` and `'` are encoded too).
 */
export function iamUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function document(statements: PolicyStatement[], random: Random): PolicyDocument {
  // IAM rejects a policy whose Sids repeat (templates reuse theirs), so later ones get a number.
  const seen = new Map<string, number>();
  const unique = statements.map((statement) => {
    if (!statement.Sid) return statement;
    const count = (seen.get(statement.Sid) ?? 0) + 1;
    seen.set(statement.Sid, count);
    return count === 1 ? statement : { ...statement, Sid: `${statement.Sid}${count}` };
  });
  // A lone statement object instead of an array is legal IAM and appears in hand-written policies.
  const first = unique[0];
  if (unique.length === 1 && first && random.chance(0.1)) return { Version: '2012-10-17', Statement: first };
  return { Version: '2012-10-17', Statement: unique };
}

export function statementsOf(policy: PolicyDocument): PolicyStatement[] {
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}

export function oneOrMany(values: string[], random: Random): string | string[] {
  return values.length === 1 && random.chance(0.6) ? values[0]! : values;
}

export function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function thirdPerson(verb: string): string {
  return capitalised(/(?:s|x|ch|sh)$/.test(verb) ? `${verb}es` : `${verb}s`);
}

export function sidFrom(...words: string[]): string {
  return words
    .map((word) =>
      word.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase()),
    )
    .map(capitalised)
    .join('');
}
