import type { Evidence } from '../model/report.js';
import type { Statement } from '../policy/policy.js';
import type { RoleRule } from './rule.js';
import { shortList, statementEvidence } from './shared.js';

/**
 * A wildcard grant of a whole service on unrestricted resources: `svc:*` (or patterns, or a
 * NotAction, that cover every action of the service and so also the actions AWS adds later). An
 * explicit list of actions is never a service wildcard, however complete.
 */
export const serviceWildcard: RoleRule = {
  scope: 'role',
  meta: {
    id: 'service-wildcard',
    severity: 'high',
    title: 'Execution role allows every action of a service on every resource',
    risk: 'The function can use every API of these services on every resource, including deleting data and changing configuration.',
    remediation:
      'Replace "service:*" with the specific actions the function calls, and "*" resources with the ARNs it uses.',
  },
  check(context) {
    const services: string[] = [];
    const byStatement = new Map<Statement, string[]>();
    let conditional = true;
    for (const { service, grant } of context.permissions.wildcardServiceGrants()) {
      services.push(service);
      if (!grant.conditional) conditional = false;
      for (const statement of grant.statements) {
        const list = byStatement.get(statement) ?? [];
        list.push(service);
        byStatement.set(statement, list);
      }
    }
    if (services.length === 0) return [];
    const evidence: Evidence[] = [...byStatement].map(([statement, list]) =>
      statementEvidence(statement, { services: list }),
    );
    return [
      {
        message: `The role allows all actions of ${services.length === 1 ? 'the service' : `${services.length} services:`} ${shortList(services, 8)} on unrestricted resources.`,
        evidence,
        conditional,
      },
    ];
  },
};
