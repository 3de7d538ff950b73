import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/model/severity.js';
import { RULES } from '../../src/rules/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('Rule catalog', () => {
  it('has the nineteen rules of the specification with unique kebab-case ids', () => {
    const ids = RULES.map((rule) => rule.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(19);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
  });

  it.each(RULES.map((rule) => [rule.meta.id, rule] as const))(
    '%s has complete, short metadata',
    (id, rule) => {
      expect(SEVERITIES).toContain(rule.meta.severity);
      for (const text of [rule.meta.title, rule.meta.risk, rule.meta.remediation]) {
        expect(text.length).toBeGreaterThan(10);
        expect(text.length).toBeLessThan(220);
      }
      expect(readme).toContain(`\`${id}\``);
    },
  );

  it('lives in a module named after its id', async () => {
    for (const rule of RULES) {
      const module = (await import(`../../src/rules/${rule.meta.id}.ts`)) as Record<
        string,
        { meta?: { id: string } }
      >;
      expect(Object.values(module).some((value) => value?.meta?.id === rule.meta.id)).toBe(true);
    }
  });
});
