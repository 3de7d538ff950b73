/**
 * Environment variable values planted in audited functions. None of them may appear in any output:
 * reports, logs, messages, archives, saved snapshots, error messages.
 */
export const CANARY_VARIABLES: Record<string, string> = {
  DB_PASSWORD: 'canary-pw-51c3f0e2',
  TABLE_NAME: 'canary-plain-8d1e77',
  UPLOAD_KEY_ID: 'AKIACANARY7Q2W4E6R8T',
  SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nMIIcanaryPEMbody0x9f\n-----END PRIVATE KEY-----',
  API_TOKEN: '{{resolve:secretsmanager:canary-ref-3a77}}',
  GREETING: 'canary-ünïcödé-🔑',
  EMPTY_SECRET: '',
};

/** The distinctive part of each value, and the forms it could take once escaped into JSON or a URL. */
const MARKERS = [
  'canary-pw-51c3f0e2',
  'canary-plain-8d1e77',
  'CANARY7Q2W4E6R8T',
  'MIIcanaryPEMbody0x9f',
  'canary-ref-3a77',
  'canary-ünïcödé-🔑',
];
const FORMS = MARKERS.flatMap((marker) => [
  marker,
  JSON.stringify(marker).slice(1, -1),
  JSON.stringify(JSON.stringify(marker)).slice(1, -1),
  encodeURIComponent(marker),
]);

/** The canary markers found in a text (empty when nothing leaked). */
export function leakedCanaries(text: string): string[] {
  return [...new Set(FORMS.filter((form) => text.includes(form)))];
}

/** The variable names that must be reported as secrets (their names, never their values). */
export const SECRET_VARIABLE_NAMES = ['DB_PASSWORD', 'SIGNING_KEY', 'UPLOAD_KEY_ID'];
