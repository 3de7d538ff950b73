/**
 * Deterministic synthetic AWS accounts for the benchmark: the JSON that
 * `aws iam get-account-authorization-details` and `aws lambda list-functions --function-version ALL`
 * print, with a realistic mix of well-scoped and broken execution roles. The same seed always gives
 * byte-identical output, so benchmark runs compare like with like.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateAccount } from './generate/account.js';
import { GenerateOptionsError } from './generate/shapes.js';

export { generateAccount } from './generate/account.js';
export { iamUrlEncode } from './generate/helpers.js';
export { mulberry32 } from './generate/random.js';
export {
  type AttachedPolicy,
  type AuthorizationDetails,
  type ConditionBlock,
  type FunctionConfiguration,
  type FunctionList,
  type GeneratedAccount,
  type GenerateOptions,
  GenerateOptionsError,
  type GenerationManifest,
  type InstanceProfile,
  type InstanceProfileRole,
  type ManagedPolicyDetail,
  type PlantedSecret,
  type PolicyDocument,
  type PolicyEffect,
  type PolicyStatement,
  type PolicyVersion,
  type RoleDetail,
  type RoleKind,
  type RolePlan,
  type RolePolicy,
  type RoleTrait,
  type Tag,
} from './generate/shapes.js';

// ---------------------------------------------------------------------------------------------
// CLI: npx tsx bench/generate.ts --functions 10000 --roles 2000 --policies 500 --seed 42 --out DIR
// ---------------------------------------------------------------------------------------------

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new GenerateOptionsError(`--${name} must be a whole number`);
  return parsed;
}

/** Parses the command line, writes the two files and prints what it wrote. */
function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      functions: { type: 'string' },
      roles: { type: 'string' },
      policies: { type: 'string' },
      seed: { type: 'string' },
      account: { type: 'string' },
      regions: { type: 'string' },
      'versions-ratio': { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (!values.out) throw new GenerateOptionsError('--out DIR is required');
  const startedAt = performance.now();
  const generated = generateAccount({
    functions: wholeNumber('functions', values.functions, 10_000),
    roles: wholeNumber('roles', values.roles, 2_000),
    policies: wholeNumber('policies', values.policies, 500),
    seed: wholeNumber('seed', values.seed, 42),
    ...(values.account ? { account: values.account } : {}),
    ...(values.regions ? { regions: values.regions.split(',').map((region) => region.trim()) } : {}),
    ...(values['versions-ratio'] ? { versionsRatio: Number(values['versions-ratio']) } : {}),
  });
  const generatedAt = performance.now();
  mkdirSync(values.out, { recursive: true });
  const authPath = join(values.out, 'auth-details.json');
  const functionsPath = join(values.out, 'functions.json');
  // Four spaces, as the AWS CLI prints JSON.
  writeFileSync(authPath, `${JSON.stringify(generated.authDetails, null, 4)}\n`);
  writeFileSync(functionsPath, `${JSON.stringify(generated.functions, null, 4)}\n`);
  const writtenAt = performance.now();

  const latest = generated.functions.Functions.filter((entry) => entry.Version === '$LATEST').length;
  const kinds = new Map<string, number>();
  for (const plan of Object.values(generated.expected.roles)) {
    for (const label of [plan.kind, ...plan.traits]) kinds.set(label, (kinds.get(label) ?? 0) + 1);
  }
  const lines = [
    `${authPath}  ${megabytes(statSync(authPath).size)}  (${generated.authDetails.RoleDetailList.length} roles, ${generated.authDetails.Policies.length} managed policies)`,
    `${functionsPath}  ${megabytes(statSync(functionsPath).size)}  (${latest} functions, ${generated.functions.Functions.length - latest} published versions)`,
    `generated in ${Math.round(generatedAt - startedAt)} ms, written in ${Math.round(writtenAt - generatedAt)} ms`,
    `roles: ${[...kinds].map(([label, count]) => `${label} ${count}`).join(', ')}`,
    `missing roles: ${generated.expected.missingRoleArns.length}, planted secrets: ${generated.expected.secrets.length}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
