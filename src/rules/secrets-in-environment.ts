import type { SecretReason } from '../model/snapshot.js';
import type { FunctionRule } from './rule.js';

const REASON_TEXT: Record<SecretReason, string> = {
  'secret-name': 'its name says secret and it holds a literal value',
  'access-key-id': 'its value is shaped like an AWS access key id',
  'private-key': 'its value contains a PEM private key',
};

/** Plaintext secrets in environment variables are visible to anyone who can read the configuration. */
export const secretsInEnvironment: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'secrets-in-environment',
    severity: 'high',
    title: 'Environment variable looks like a plaintext secret',
    risk: 'Anyone with lambda:GetFunctionConfiguration (and every log or tool that dumps the configuration) can read the secret.',
    remediation:
      'Store the secret in Secrets Manager or SSM Parameter Store (SecureString), pass its name or ARN, and read it at runtime.',
    appliesToSameRoleVersions: true,
  },
  check(context) {
    const suspects = context.fn.secretSuspects;
    if (suspects.length === 0) return [];
    // A version running as its $LATEST's role adds a finding only for a secret $LATEST no longer has.
    const known = new Set(context.latest?.secretSuspects.map((suspect) => suspect.name));
    if (context.latest && suspects.every((suspect) => known.has(suspect.name))) return [];
    return [
      {
        message: `Environment variable${suspects.length === 1 ? '' : 's'} ${suspects.map((s) => s.name).join(', ')} look${suspects.length === 1 ? 's' : ''} like a plaintext secret (value not shown).`,
        evidence: suspects.map((suspect) => ({
          variables: [suspect.name],
          detail: REASON_TEXT[suspect.reason],
        })),
      },
    ];
  },
};
