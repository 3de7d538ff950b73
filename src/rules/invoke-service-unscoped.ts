import { parseArn } from '../policy/arn.js';
import type { Caller, InvokeGrant } from '../policy/invoke-grants.js';
import { grantEvidence, invokeAccessOf, removeStatementsText } from './invoke.js';
import type { FunctionRule } from './rule.js';

/** Whether the conditions fix the account of the calling resource (or, for Alexa, the skill). */
function accountFixed(grant: InvokeGrant): boolean {
  return grant.pins.accounts.length > 0 || grant.pins.organizations.length > 0 || grant.pins.token;
}

/** A service principal without `aws:SourceAccount` / `aws:SourceArn`: the confused deputy problem. */
export const invokeServiceUnscoped: FunctionRule = {
  scope: 'function',
  meta: {
    id: 'invoke-service-unscoped',
    severity: 'medium',
    title: 'A service may invoke the function on behalf of any account',
    risk: 'Without aws:SourceAccount or aws:SourceArn, a bucket, topic or rule in another account can make the service invoke the function (confused deputy).',
    remediation:
      'Re-add the permission with --source-account (and --source-arn) so that only your own resources can make the service invoke the function.',
    appliesToSameRoleVersions: true,
  },
  check(context) {
    const access = invokeAccessOf(context);
    if (!access) return [];
    const services = (grant: InvokeGrant): Caller[] =>
      grant.callers.filter((caller) => caller.kind === 'service');
    const grants = access.grants.filter(
      (grant) =>
        (grant.invokeApi || grant.invokeViaUrl) && services(grant).length > 0 && !accountFixed(grant),
    );
    if (grants.length === 0) return [];
    const names = [
      ...new Set(
        grants.flatMap((grant) =>
          services(grant).map((caller) => (caller.kind === 'service' ? caller.service : '')),
        ),
      ),
    ];
    // Lambda.1 asks S3 for aws:SourceAccount: a bucket ARN names no account, and a deleted bucket's
    // name can be taken by another account.
    const bucketOnly = grants.some((grant) => grant.pins.resources.length > 0);
    const { fn } = context;
    const account = parseArn(fn.functionArn)?.account ?? context.snapshot.account;
    return [
      {
        message: `${names.join(', ')} may invoke the function for resources of any account: no aws:SourceAccount${bucketOnly ? ' (a bucket ARN names no account: a bucket deleted and re-created by another account could invoke it)' : ' or aws:SourceArn'} condition.`,
        evidence: grants.map((grant) =>
          grantEvidence(
            grant,
            services(grant),
            grant.pins.resources.length > 0
              ? `source ARN ${grant.pins.resources.join(', ')} names no account`
              : undefined,
          ),
        ),
        remediation: `Remove the ${removeStatementsText(
          fn,
          grants.map((grant) => grant.statement.id),
        )} and add it again with the source: aws lambda add-permission … --source-account ${account} --source-arn <the bucket, topic or rule ARN>.`,
      },
    ];
  },
};
