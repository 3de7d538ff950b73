import type { SecretReason, SecretSuspect } from './snapshot.js';

/**
 * Decides which environment variables look like plaintext secrets. It is called by the loader and
 * the collector at the moment the variables are read, so that only names and reasons reach the
 * snapshot: values are never stored, logged or published.
 */

const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;
const ACCESS_KEY_ID = /(?:^|[^A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])/;
const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/** Marker written in place of a value when a snapshot is saved; it keeps the verdict, not the value. */
export const REDACTED_PREFIX = '[redacted by lambda-role-auditor';

/** A value that points at a secret store instead of holding the secret. */
export function isSecretReference(value: string): boolean {
  const trimmed = value.trim();
  return (
    trimmed.startsWith('arn:') ||
    trimmed.startsWith('/') ||
    /^\{\{resolve:/.test(trimmed) ||
    /^\$\{(?:ssm|secretsmanager|aws:)/i.test(trimmed)
  );
}

function literalLooksPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  return trimmed === '' || /^(?:true|false|null|none|undefined|changeme|x+|\*+|-)$/i.test(trimmed);
}

/** Returns why the variable looks like a plaintext secret, or undefined. */
export function secretReasonFor(name: string, value: string): SecretReason | undefined {
  if (value.startsWith(REDACTED_PREFIX)) {
    const match = /: ([a-z-]+)\]$/.exec(value);
    const reason = match?.[1];
    return reason === 'secret-name' || reason === 'access-key-id' || reason === 'private-key'
      ? reason
      : undefined;
  }
  if (PEM_PRIVATE_KEY.test(value)) return 'private-key';
  if (ACCESS_KEY_ID.test(value)) return 'access-key-id';
  if (SECRET_NAME.test(name) && !isSecretReference(value) && !literalLooksPlaceholder(value)) {
    return 'secret-name';
  }
  return undefined;
}

/**
 * Classifies a function's environment variables.
 *
 * @example
 * findSecretSuspects({ DB_PASSWORD: 'hunter2', TABLE: 'orders' }) // [{ name: 'DB_PASSWORD', reason: 'secret-name' }]
 */
export function findSecretSuspects(variables: Record<string, unknown> | undefined | null): SecretSuspect[] {
  const suspects: SecretSuspect[] = [];
  if (!variables || typeof variables !== 'object') return suspects;
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') continue;
    const reason = secretReasonFor(name, value);
    if (reason) suspects.push({ name, reason });
  }
  return suspects;
}

/** The value a saved snapshot carries instead of the real one. */
export function redactedValue(reason: SecretReason | undefined): string {
  return reason ? `${REDACTED_PREFIX}: ${reason}]` : `${REDACTED_PREFIX}]`;
}
