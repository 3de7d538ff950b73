import type { Evidence } from '../model/report.js';
import type { CatalogAction } from '../policy/catalog.js';
import type { Grant } from '../policy/effective.js';
import type { Statement } from '../policy/policy.js';

/**
 * Lambda platform permissions: what `AWSLambdaBasicExecutionRole`, `AWSLambdaVPCAccessExecutionRole`
 * and X-Ray tracing grant on `*`. They are what every function needs and never findings on their own.
 */
export const PLATFORM_ACTIONS: ReadonlySet<string> = new Set([
  'logs:createloggroup',
  'logs:createlogstream',
  'logs:putlogevents',
  'ec2:createnetworkinterface',
  'ec2:describenetworkinterfaces',
  'ec2:deletenetworkinterface',
  'ec2:describesubnets',
  'ec2:describevpcs',
  'ec2:assignprivateipaddresses',
  'ec2:unassignprivateipaddresses',
  'xray:puttracesegments',
  'xray:puttelemetryrecords',
]);

/** Evidence naming one statement as written. */
export function statementEvidence(statement: Statement, extra: Partial<Evidence> = {}): Evidence {
  const negations = [
    statement.actions === null ? 'NotAction' : '',
    statement.notResources ? 'NotResource' : '',
  ].filter(Boolean);
  return {
    policy: statement.policy,
    statement: statement.id,
    actions: statement.actionsAsWritten,
    resources: statement.notResources ?? statement.resources ?? [],
    ...(negations.length > 0 ? { detail: `uses ${negations.join(' and ')}` } : {}),
    ...extra,
  };
}

/** Groups granted actions by the statements that grant them, one evidence entry per statement. */
export function evidenceByStatement(grants: Array<{ action: CatalogAction; grant: Grant }>): Evidence[] {
  const byStatement = new Map<Statement, string[]>();
  for (const { action, grant } of grants) {
    for (const statement of grant.statements) {
      let list = byStatement.get(statement);
      if (!list) {
        list = [];
        byStatement.set(statement, list);
      }
      list.push(action.name);
    }
  }
  return [...byStatement].map(([statement, matched]) =>
    statementEvidence(statement, { matchedActions: matched }),
  );
}

/** A short human list: `a, b, c and 4 more` (`total` when the list is itself a sample of more). */
export function shortList(items: readonly string[], limit = 5, total = items.length): string {
  if (total <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${total - Math.min(limit, items.length)} more`;
}
