/**
 * The rule catalog checks of CONTRIBUTING.md ("add a rule"): `npm run check:rules` runs this file and
 * the fixture cases. Every registered rule has complete metadata, lives in `src/rules/<id>.ts`, has a
 * fixture folder with a case where it fires and one where it does not, and a row in the README's table;
 * nothing outside the registry looks like a rule.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/model/severity.js';
import { RULES } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/rule.js';
import { loadRuleCases } from '../support/fixtures.js';

const RULES_FOLDER = fileURLToPath(new URL('../../src/rules', import.meta.url));
const FIXTURES_FOLDER = fileURLToPath(new URL('../fixtures/rules', import.meta.url));
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const ids = RULES.map((rule) => rule.meta.id);
const ROLE_RULE_IDS = new Set(RULES.filter((rule) => rule.scope === 'role').map((rule) => rule.meta.id));

/** The README's rule table: `| \`id\` | severity | fires when |` rows under `## Rules`. */
function readmeRuleRows(): Map<string, { severity: string; text: string }> {
  const section = readme.slice(readme.indexOf('\n## Rules\n'));
  const table = section.slice(section.indexOf('| rule | severity |'));
  const rows = new Map<string, { severity: string; text: string }>();
  for (const line of table.split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [id = '', severity = '', ...text] = line.replace(/^\| /, '').replace(/ \|$/, '').split(' | ');
    rows.set(id.replaceAll('`', ''), { severity, text: text.join(' | ') });
  }
  return rows;
}

/** The values a module exports that look like rules (metadata with an id, and a check). */
function rulesExportedBy(module: Record<string, unknown>): Rule[] {
  return Object.values(module).filter(
    (value): value is Rule =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Rule).check === 'function' &&
      typeof (value as Rule).meta?.id === 'string',
  );
}

describe('Rule catalog', () => {
  it('registers each rule once, under a unique kebab-case id', () => {
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
  });

  it.each(RULES.map((rule) => [rule.meta.id, rule] as const))(
    '%s has complete, short metadata',
    (id, rule) => {
      expect(SEVERITIES).toContain(rule.meta.severity);
      expect(['role', 'role-reference', 'function']).toContain(rule.scope);
      for (const text of [rule.meta.title, rule.meta.risk, rule.meta.remediation]) {
        expect(text.length).toBeGreaterThan(10);
        expect(text.length).toBeLessThan(220);
      }
      // What a rule hides is another registered role rule, and only a role rule hides anything.
      for (const subsumed of rule.meta.subsumes ?? []) {
        expect(rule.scope, `${id} subsumes ${subsumed}`).toBe('role');
        expect(subsumed).not.toBe(id);
        expect(ROLE_RULE_IDS, `${id} subsumes ${subsumed}`).toContain(subsumed);
      }
      if (rule.meta.appliesToSameRoleVersions) expect(rule.scope).toBe('function');
    },
  );

  it.each(ids)('%s lives in src/rules/<id>.ts', async (id) => {
    const module = (await import(`../../src/rules/${id}.ts`)) as Record<string, unknown>;
    expect(rulesExportedBy(module).map((rule) => rule.meta.id)).toEqual([id]);
  });

  it('registers every rule that a module of src/rules exports', async () => {
    // Prepare
    const files = readdirSync(RULES_FOLDER).filter((name) => name.endsWith('.ts'));

    // Act
    const exported: string[] = [];
    for (const file of files) {
      const module = (await import(`../../src/rules/${file}`)) as Record<string, unknown>;
      for (const rule of rulesExportedBy(module)) exported.push(rule.meta.id);
    }

    // Assess
    expect(exported.sort()).toEqual([...ids].sort());
  });

  it('has a fixture folder for exactly the registered rules', () => {
    const folders = readdirSync(FIXTURES_FOLDER, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual([...ids].sort());
  });

  it.each(ids)('%s has a fixture case where it fires and one where it does not', (id) => {
    // Prepare
    const folder = `${FIXTURES_FOLDER}/${id}`;
    expect(existsSync(folder), `${folder} is missing`).toBe(true);
    const cases = loadRuleCases(folder);

    // Act
    const fires = cases.filter((ruleCase) =>
      ruleCase.expect.findings.some((finding) => finding.ruleId === id),
    );

    // Assess
    expect(fires.length, `cases of ${id} where it fires`).toBeGreaterThan(0);
    expect(cases.length - fires.length, `cases of ${id} where it does not fire`).toBeGreaterThan(0);
  });

  it('has a README row for exactly the registered rules, with their severity', () => {
    // Act
    const rows = readmeRuleRows();

    // Assess
    expect([...rows.keys()].sort()).toEqual([...ids].sort());
    for (const rule of RULES) {
      const row = rows.get(rule.meta.id);
      expect(row?.severity.split(' ')[0], rule.meta.id).toBe(rule.meta.severity);
      for (const subsumed of rule.meta.subsumes ?? [])
        expect(row?.text, rule.meta.id).toContain(`\`${subsumed}\``);
    }
  });
});
