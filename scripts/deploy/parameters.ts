/** Template parameters: what the template declares, what the command line gives, what an update keeps. */
import type { Parameter, Stack } from '@aws-sdk/client-cloudformation';
import { parseCloudFormationTemplate } from '../../tools/cfn-yaml.js';
import { DeployError } from './errors.js';

/** CloudFormation refuses a TemplateBody above this size (a TemplateURL would be needed). */
const maximumTemplateBodyBytes = 51_200;

/**
 * The parameter names the template declares, after checking that CloudFormation accepts the template
 * as a body and that every given parameter is one of them.
 *
 * @example
 * templateParameterNames(templateBody, { Regions: 'all' }); // Set { 'CodeBucket', 'CodeKey', 'Regions', … }
 */
export function templateParameterNames(templateBody: string, given: Record<string, string>): Set<string> {
  if (Buffer.byteLength(templateBody) > maximumTemplateBodyBytes) {
    throw new DeployError(
      `The template is larger than CloudFormation's ${maximumTemplateBodyBytes}-byte body limit`,
    );
  }
  const names = new Set(
    Object.keys((parseCloudFormationTemplate(templateBody).Parameters as object | undefined) ?? {}),
  );
  for (const key of Object.keys(given)) {
    if (!names.has(key)) throw new DeployError(`The template has no parameter ${key}`);
  }
  return names;
}

/** The given parameters as CloudFormation's list. */
export function toParameterList(parameters: Record<string, string>): Parameter[] {
  return Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

/**
 * The parameters of an existing stack that an update keeps: those the template still declares and the
 * command line does not give.
 *
 * @example
 * keptParameters(stack, names, { Regions: 'all' }); // [{ ParameterKey: 'NotificationEmail', ParameterValue: 'a@b.c' }]
 */
export function keptParameters(
  existing: Stack,
  names: ReadonlySet<string>,
  given: Record<string, string>,
): Parameter[] {
  // Parameters not given keep their current value, so a deploy without --email keeps the subscription.
  // The value is passed explicitly (UsePreviousValue only for masked NoEcho values): same effect, and
  // emulators that track only explicitly passed parameters handle it too.
  return (existing.Parameters ?? [])
    .filter(({ ParameterKey: key }) => key && names.has(key) && !Object.hasOwn(given, key))
    .map(
      ({ ParameterKey, ParameterValue }): Parameter =>
        ParameterValue === undefined || ParameterValue === '****'
          ? { ParameterKey, UsePreviousValue: true }
          : { ParameterKey, ParameterValue },
    );
}
