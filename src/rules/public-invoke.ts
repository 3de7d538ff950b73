import { type InvokeGrant, isPublicGrant } from '../policy/invoke-grants.js';
import {
  blastRadius,
  callerText,
  grantEvidence,
  invokeAccessOf,
  otherConditionsNote,
  removeStatementsText,
} from './invoke.js';
import type { FunctionRule } from './rule.js';

/** Security Hub's Lambda.1: a resource-based policy that lets anyone invoke the function. */
export const publicInvoke: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'public-invoke',
    severity: 'high',
    title: 'Anyone can invoke the function',
    risk: "Its resource-based policy lets any AWS account call it: whoever finds its ARN runs its code, with its role's permissions and at your cost.",
    remediation:
      'Remove the public statement (aws lambda remove-permission), or name the calling account, service or organization and pin it with aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID.',
    appliesToSameRoleVersions: true,
  },
  check(context) {
    const access = invokeAccessOf(context);
    if (!access) return [];
    // Any signed request of any account passes an AWS_IAM URL that the policy opens to everyone.
    const iamUrl = access.urls === undefined || access.urls.some((url) => url.authType === 'AWS_IAM');
    const grants = access.grants.filter(
      (grant) =>
        isPublicGrant(grant) && (grant.invokeApi || (iamUrl && grant.urlAuthTypes.includes('AWS_IAM'))),
    );
    if (grants.length === 0) return [];
    const blast = blastRadius(context, 'high');
    const ways = [
      ...(grants.some((grant) => grant.invokeApi) ? ['call lambda:InvokeFunction'] : []),
      ...(grants.some((grant) => !grant.invokeApi)
        ? ['call its AWS_IAM function URL with any AWS credentials']
        : []),
    ];
    const everyone = (grant: InvokeGrant) => grant.callers.filter((caller) => caller.kind === 'everyone');
    const principals = [...new Set(grants.flatMap((grant) => everyone(grant).map(callerText)))];
    return [
      {
        message: `The resource-based policy lets anyone (${principals.join(', ')}) ${ways.join(' and ')} without a condition that fixes the caller${otherConditionsNote(grants)}${blast.phrase}.`,
        evidence: [
          ...grants.map((grant) => grantEvidence(grant, everyone(grant))),
          ...(blast.evidence ? [blast.evidence] : []),
        ],
        severity: blast.severity,
        remediation: `Remove the public ${removeStatementsText(
          context.fn,
          grants.map((grant) => grant.statement.id),
        )}, or name the calling account, service or organization and pin it with aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID.`,
      },
    ];
  },
};
