/** A JSON object as parsed from input we do not control. */
export type PlainObject = Record<string, unknown>;

/** True for a JSON object (not null, not an array): the one shape check used on untrusted input. */
export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
