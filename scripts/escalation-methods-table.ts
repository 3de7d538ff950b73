/**
 * Writes the README's table of privilege-escalation methods from the method catalog
 * (`src/rules/escalation-methods.ts`), between its two marker comments. Run with
 * `npm run methods-table`; a test checks that the README and the catalog agree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG_NAMES, ESCALATION_METHODS, type MethodSource } from '../src/rules/escalation-methods.js';

export const TABLE_START = '<!-- escalation-methods:start -->';
export const TABLE_END = '<!-- escalation-methods:end -->';

function sourceCell(source: MethodSource): string {
  const name = CATALOG_NAMES[source.catalog];
  return source.catalog === 'rhino' ? `${name} ${source.ref}` : `${name} \`${source.ref}\``;
}

/**
 * The markdown table: one row per method, with its actions and the catalogs that list it.
 *
 * @example
 * methodsTable().split('\n')[0]; // '| method | actions (all needed) | how it escalates | listed by |'
 */
export function methodsTable(): string {
  const rows = ESCALATION_METHODS.map((method) => {
    const actions = method.actions.map((action) => `\`${action}\``).join(' + ');
    const passedTo = method.passedTo
      ? ` (passed to ${method.passedTo.map((s) => `\`${s}\``).join(', ')})`
      : '';
    return `| \`${method.id}\` | ${actions}${passedTo} | ${method.explanation} | ${method.sources.map(sourceCell).join(', ')} |`;
  });
  return [
    '| method | actions (all needed) | how it escalates | listed by |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * The README with the table between the markers replaced by the current one.
 *
 * @example
 * writeFileSync('README.md', withMethodsTable(readFileSync('README.md', 'utf8')));
 */
export function withMethodsTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} block`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${methodsTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const readmePath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  writeFileSync(readmePath, withMethodsTable(readFileSync(readmePath, 'utf8')));
  console.log(`README.md: ${ESCALATION_METHODS.length} privilege-escalation methods`);
}
