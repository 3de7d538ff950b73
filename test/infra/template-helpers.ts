import { readFileSync } from 'node:fs';
import { parseCloudFormationTemplate } from '../../tools/cfn-yaml.js';

/** A parsed CloudFormation template in its JSON (long-form) shape. */
export interface Template {
  AWSTemplateFormatVersion?: string;
  Transform?: unknown;
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown; Condition?: string }>;
}

export interface TemplateResource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  Properties: Record<string, unknown>;
}

/** Reads and parses a template of the `infra/` folder. */
export function loadTemplate(fileName: string): Template {
  const text = readFileSync(new URL(`../../infra/${fileName}`, import.meta.url), 'utf8');
  return parseCloudFormationTemplate(text) as unknown as Template;
}

/** What a deployed stack would know: parameter values, pseudo parameters and physical ids. */
export interface StackContext {
  parameters: Record<string, string>;
  /** Values of `Ref` on resources and pseudo parameters (`AWS::AccountId`, `AWS::Partition`, …). */
  references: Record<string, string>;
  /** Values of `Fn::GetAtt`, keyed `Resource.Attribute`. */
  attributes: Record<string, string>;
}

/** Marks a value removed by `AWS::NoValue`. */
const noValue = Symbol('AWS::NoValue');

/** Parameter values of a deployment: the template's defaults, overridden by `given`. */
export function parameterValues(template: Template, given: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(template.Parameters)) {
    if (parameter.Default !== undefined) values[name] = String(parameter.Default);
  }
  return { ...values, ...given };
}

/** Evaluates every condition of the template for a stack context. */
export function evaluateConditions(template: Template, context: StackContext): Record<string, boolean> {
  const results: Record<string, boolean> = {};
  const evaluate = (name: string): boolean => {
    if (!(name in results)) {
      const definition = template.Conditions?.[name];
      if (definition === undefined) throw new Error(`Unknown condition ${name}`);
      results[name] = Boolean(resolveWith(definition, context, evaluate));
    }
    return results[name]!;
  };
  for (const name of Object.keys(template.Conditions ?? {})) evaluate(name);
  return results;
}

/**
 * Resolves intrinsic functions in a template value the way CloudFormation would for the given stack
 * (Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, AWS::NoValue).
 */
export function resolveValue(template: Template, value: unknown, context: StackContext): unknown {
  const conditions = evaluateConditions(template, context);
  const resolved = resolveWith(value, context, (name) => {
    if (!(name in conditions)) throw new Error(`Unknown condition ${name}`);
    return conditions[name]!;
  });
  return resolved === noValue ? undefined : resolved;
}

/** Whether the resource exists in a deployment with this context. */
export function isCreated(template: Template, logicalId: string, context: StackContext): boolean {
  const condition = template.Resources[logicalId]?.Condition;
  return condition === undefined || evaluateConditions(template, context)[condition] === true;
}

function reference(name: string, context: StackContext): string {
  if (name in context.parameters) return context.parameters[name]!;
  if (name in context.references) return context.references[name]!;
  throw new Error(`Unresolvable reference ${name}`);
}

function resolveWith(value: unknown, context: StackContext, condition: (name: string) => boolean): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveWith(item, context, condition)).filter((item) => item !== noValue);
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, argument] = entries[0]!;
    const recurse = (inner: unknown) => resolveWith(inner, context, condition);
    switch (key) {
      case 'Ref':
        return argument === 'AWS::NoValue' ? noValue : reference(String(argument), context);
      case 'Condition':
        return condition(String(argument));
      case 'Fn::GetAtt': {
        const [resource, attribute] = argument as [string, string];
        const found = context.attributes[`${resource}.${attribute}`];
        if (found === undefined) throw new Error(`Unresolvable attribute ${resource}.${attribute}`);
        return found;
      }
      case 'Fn::Sub': {
        // The list form: the text, then variables of its own.
        const [text, variables] = Array.isArray(argument)
          ? [String(argument[0]), (argument[1] ?? {}) as Record<string, unknown>]
          : [String(argument), {}];
        return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
          if (name.startsWith('!')) return `\${${name.slice(1)}}`;
          if (Object.hasOwn(variables, name)) return String(recurse(variables[name]));
          if (name.includes('.') && !name.startsWith('AWS::')) {
            const found = context.attributes[name];
            if (found === undefined) throw new Error(`Unresolvable attribute ${name}`);
            return found;
          }
          return reference(name, context);
        });
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
        return recurse(condition(name) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [left, right] = (argument as unknown[]).map(recurse);
        return String(left) === String(right);
      }
      case 'Fn::Not':
        return !recurse((argument as unknown[])[0]);
      case 'Fn::And':
        return (argument as unknown[]).every((item) => Boolean(recurse(item)));
      case 'Fn::Or':
        return (argument as unknown[]).some((item) => Boolean(recurse(item)));
      default:
        if (key.startsWith('Fn::')) throw new Error(`Unsupported intrinsic function ${key}`);
    }
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveWith(item, context, condition);
    if (resolved !== noValue) result[key] = resolved;
  }
  return result;
}

/** An IAM policy statement after resolution. */
export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a resolved policy document, always as an array. */
export function statementsOf(document: unknown): PolicyStatement[] {
  const statement = (document as { Statement: PolicyStatement | PolicyStatement[] }).Statement;
  return Array.isArray(statement) ? statement : [statement];
}

/** A string or a list of strings as a list. */
export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Maps each allowed action to the sorted resources it is allowed on. */
export function grantsOf(statements: PolicyStatement[]): Record<string, string[]> {
  const grants: Record<string, Set<string>> = {};
  for (const statement of statements) {
    for (const action of asList(statement.Action)) {
      grants[action] ??= new Set();
      for (const resource of asList(statement.Resource)) grants[action].add(resource);
    }
  }
  return Object.fromEntries(
    Object.entries(grants).map(([action, resources]) => [action, [...resources].sort()]),
  );
}

function definedOnly(values: Partial<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Where an example stack is deployed. */
export interface ExampleLocation {
  account: string;
  region: string;
  partition: string;
  stackName: string;
}

export const defaultLocation: ExampleLocation = {
  account: '123456789012',
  region: 'eu-west-1',
  partition: 'aws',
  stackName: 'audit',
};

/**
 * The context of a stack of infra/template.yaml deployed at `location` with the `given` parameters: the
 * physical ids are what CloudFormation would generate.
 */
export function exampleStack(
  template: Template,
  given: Partial<Record<string, string>>,
  location: ExampleLocation = defaultLocation,
): StackContext {
  const { account, region, partition, stackName } = location;
  const functionName = `${stackName}-auditor`;
  const bucketName = `${stackName}-reportbucket-1a2b3c4d5e6f`;
  const roleName = `${stackName}-Role-ABCDEF123456`;
  const ruleName = `${stackName}-ScheduleRule-ABCDEF123456`;
  const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
  return {
    parameters: parameterValues(template, {
      CodeBucket: 'code-bucket',
      CodeKey: 'code/key.zip',
      ...definedOnly(given),
    }),
    references: {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': partition,
      'AWS::StackName': stackName,
      Topic: `arn:${partition}:sns:${region}:${account}:${stackName}-Topic-ABCDEF123456`,
      TopicKey: keyId,
      ReportBucket: bucketName,
      LogGroup: `/aws/lambda/${functionName}`,
      Role: roleName,
      RolePolicy: `arn:${partition}:iam::${account}:policy/${functionName}-${region}`,
      UsagePolicy: `arn:${partition}:iam::${account}:policy/${functionName}-usage-${region}`,
      Function: functionName,
      ScheduleRule: ruleName,
    },
    attributes: {
      'TopicKey.Arn': `arn:${partition}:kms:${region}:${account}:key/${keyId}`,
      'ReportBucket.Arn': `arn:${partition}:s3:::${bucketName}`,
      'Role.Arn': `arn:${partition}:iam::${account}:role/${roleName}`,
      'Function.Arn': `arn:${partition}:lambda:${region}:${account}:function:${functionName}`,
      'ScheduleRule.Arn': `arn:${partition}:events:${region}:${account}:rule/${ruleName}`,
    },
  };
}
