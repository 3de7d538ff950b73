/**
 * CloudFormation templates in YAML: the short-form intrinsic function tags and a parser to the JSON
 * form CloudFormation sees. Shared by the deploy (`scripts/deploy/parameters.ts`) and the template tests.
 */
import type { CollectionTag, ScalarTag } from 'yaml';
import { parseDocument } from 'yaml';

/** Raised when a template is not YAML, or not a mapping at its top. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

const intrinsicFunctionNames = [
  'And',
  'Base64',
  'Cidr',
  'Condition',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Length',
  'Not',
  'Or',
  'Ref',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
] as const;

function intrinsicKey(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/**
 * YAML tags for CloudFormation's short-form intrinsic functions (`!Ref`, `!Sub`, `!GetAtt`, …), resolving
 * each to its long form (`{ "Fn::Sub": … }`), so a template parses to the JSON CloudFormation sees.
 *
 * @example
 * parse(text, { customTags: cloudFormationYamlTags });
 */
export const cloudFormationYamlTags: (ScalarTag | CollectionTag)[] = intrinsicFunctionNames.flatMap(
  (name) => {
    const tag = `!${name}`;
    const key = intrinsicKey(name);
    const scalar: ScalarTag = {
      tag,
      resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }),
    };
    const sequence: CollectionTag = {
      tag,
      collection: 'seq',
      resolve: (value) => ({ [key]: value.toJSON() }),
    };
    const mapping: CollectionTag = {
      tag,
      collection: 'map',
      resolve: (value) => ({ [key]: value.toJSON() }),
    };
    return [scalar, sequence, mapping];
  },
);

/**
 * Parses a CloudFormation YAML template (short-form tags included) to its JSON form.
 *
 * @example
 * const template = parseCloudFormationTemplate(await readFile('infra/template.yaml', 'utf8'));
 * Object.keys(template.Parameters);
 */
export function parseCloudFormationTemplate(text: string): Record<string, unknown> {
  const document = parseDocument(text, { customTags: cloudFormationYamlTags });
  if (document.errors.length > 0) {
    throw new TemplateError(`Template is not valid YAML: ${document.errors[0]?.message}`);
  }
  const template = document.toJS({ maxAliasCount: 100 }) as unknown;
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new TemplateError('Template is not a YAML mapping');
  }
  return template as Record<string, unknown>;
}
