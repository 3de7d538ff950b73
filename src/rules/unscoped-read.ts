import { parseArn } from '../policy/arn.js';
import type { ActionCatalog, CatalogAction } from '../policy/catalog.js';
import type { Grant } from '../policy/effective.js';
import type { RoleRule } from './rule.js';
import { eventSourceOnly, evidenceByStatement, shortList } from './shared.js';

/**
 * Read actions that return data (object contents, items, secrets, parameters, plaintext), as opposed
 * to metadata reads such as `s3:GetBucketLocation`.
 */
export const DATA_READ_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectAttributes',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:GetRecords',
  'secretsmanager:GetSecretValue',
  'secretsmanager:BatchGetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
  'kms:Decrypt',
  'sqs:ReceiveMessage',
  'kinesis:GetRecords',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'athena:GetQueryResults',
  'lambda:GetFunction',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'codecommit:GitPull',
  'glacier:GetJobOutput',
  'es:ESHttpGet',
  'redshift-data:GetStatementResult',
  'timestream:Select',
];

export const DATA_READ_KEYS: ReadonlySet<string> = new Set(
  DATA_READ_ACTIONS.map((action) => action.toLowerCase()),
);

const SCOPABLE_DATA_READS = Symbol('unscoped-read scopable data reads');

/** The scopable data-read actions the catalog knows, in list order: the same for every role. */
function scopableDataReads(catalog: ActionCatalog): readonly CatalogAction[] {
  return catalog.derived(SCOPABLE_DATA_READS, () =>
    DATA_READ_ACTIONS.flatMap((name) => {
      const action = catalog.get(name);
      return action?.scopable ? [action] : [];
    }),
  );
}

/** Data-reading actions on `*` although they could name a resource. */
export const unscopedRead: RoleRule = {
  scope: 'role',
  meta: {
    id: 'unscoped-read',
    severity: 'medium',
    title: 'Data-reading actions allowed on all resources',
    risk: 'The function can read every object, item, secret or parameter of that type in the account: a leak waiting for one bug.',
    remediation:
      'Replace "Resource": "*" with the ARNs of the buckets, tables, secrets or keys the function reads.',
  },
  check(context) {
    if (context.facts.admin) return [];
    const { permissions, catalog, facts } = context;
    const granted: Array<{ action: CatalogAction; grant: Grant }> = [];
    for (const action of scopableDataReads(catalog)) {
      if (facts.wildcardServices.has(action.service) || facts.escalationActions.has(action.key)) continue;
      // Without an Allow on unrestricted resources for the service there is nothing to look up.
      if (!permissions.reachesOnUnrestricted(action.service)) continue;
      const grant = permissions.grantOnUnrestricted(action);
      if (grant) granted.push({ action, grant });
    }
    if (granted.length === 0) return [];
    const names = granted.map(({ action }) => action.name);
    const evidence = evidenceByStatement(granted);
    return [
      {
        message: `The role can read data with ${shortList(names)} on all resources although these actions can be scoped.`,
        evidence,
        conditional: granted.every(({ grant }) => grant.conditional),
        // AWS's recommended event-source policy alone: a scoping task, not a medium risk.
        ...eventSourceOnly(evidence, parseArn(context.role.arn)?.account ?? ''),
      },
    ];
  },
};
