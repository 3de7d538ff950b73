import type { Evidence } from '../model/report.js';
import { lowerSeverity } from '../model/severity.js';
import { isPublicGrant } from '../policy/invoke-grants.js';
import {
  blastRadius,
  grantEvidence,
  invokeAccessOf,
  otherConditionsNote,
  removeStatementsText,
} from './invoke.js';
import type { FunctionRule } from './rule.js';

/**
 * A function URL with `AuthType: NONE` that the policy opens to everyone: anyone on the internet runs
 * the code with the role's permissions, no AWS credentials needed.
 */
export const functionUrlPublic: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'function-url-public',
    severity: 'high',
    title: 'Function URL open to the internet',
    risk: "Anyone who finds the URL runs the function's code with its role's permissions: no AWS credentials, no rate limit but the function's concurrency.",
    remediation:
      'Close the URL (aws lambda update-function-url-config --auth-type AWS_IAM) and remove the public statements, or put the function behind API Gateway or CloudFront with authentication.',
    appliesToSameRoleVersions: true,
  },
  check(context) {
    const access = invokeAccessOf(context);
    if (!access || context.fn.version !== '$LATEST') return [];
    const grants = access.grants.filter(
      (grant) => isPublicGrant(grant) && grant.urlAuthTypes.includes('NONE'),
    );
    if (grants.length === 0) return [];
    const alsoInvoke = access.grants.filter((grant) => isPublicGrant(grant) && grant.invokeViaUrl);
    const { fn } = context;
    const remove = removeStatementsText(
      fn,
      [...grants, ...alsoInvoke].map((grant) => grant.statement.id),
    );
    const remediation = `Close the URL (aws lambda update-function-url-config --region ${fn.region} --function-name ${fn.functionName} --auth-type AWS_IAM) and remove the public ${remove}, or put the function behind API Gateway or CloudFront with authentication.`;
    const statements = [...new Set([...grants, ...alsoInvoke])].map((grant) =>
      grantEvidence(
        grant,
        grant.callers.filter((caller) => caller.kind === 'everyone'),
      ),
    );
    const publicUrls = access.urls?.filter((url) => url.authType === 'NONE');
    if (publicUrls !== undefined && publicUrls.length === 0) {
      // Lambda.1 calls the policy public; an attacker has no URL to call until someone creates one. A
      // statement that also opens the Invoke API is public-invoke's finding already.
      const latent = grants.filter((grant) => !grant.invokeApi);
      if (latent.length === 0) return [];
      return [
        {
          message: `The resource-based policy lets anyone call a function URL with AuthType NONE, but the function has no such URL: creating one would make it public at once.`,
          evidence: statements,
          severity: 'low',
          remediation: `Remove the public ${remove}.`,
        },
      ];
    }
    const blast = blastRadius(context, 'high');
    // Since October 2025 a URL also needs lambda:InvokeFunction; URLs created before keep working
    // without it under AWS's transition exception, so the URL is public only if it is one of those.
    const conditional = alsoInvoke.length === 0;
    const urlText = publicUrls
      ? `its function URL ${publicUrls.map((url) => url.url).join(', ')} (AuthType NONE)`
      : 'its function URL (AuthType NONE; the URL configuration was not read)';
    const urlEvidence: Evidence[] = (publicUrls ?? []).map((url) => ({
      resources: [url.url],
      detail: `function URL of ${url.functionArn}, AuthType NONE`,
    }));
    return [
      {
        message: `Anyone on the internet can call ${urlText}${otherConditionsNote(grants)}${
          conditional
            ? " while AWS's exception for URLs created before October 2025 lasts (the policy grants everyone lambda:InvokeFunctionUrl but not lambda:InvokeFunction, which newer URLs need)"
            : ''
        }${blast.phrase}.`,
        evidence: [...urlEvidence, ...statements, ...(blast.evidence ? [blast.evidence] : [])],
        severity: conditional ? lowerSeverity(blast.severity) : blast.severity,
        conditional,
        remediation,
      },
    ];
  },
};
