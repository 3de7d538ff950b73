import type { Evidence } from '../model/report.js';
import type { Grant } from '../policy/effective.js';
import type { Statement } from '../policy/policy.js';
import type { RoleRule } from './rule.js';
import { shortList, statementEvidence } from './shared.js';

/** `svc:*` (or a NotAction that covers a whole service) on `*`. */
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
    if (context.facts.admin) return [];
    const services: string[] = [];
    const byStatement = new Map<Statement, string[]>();
    let conditional = true;
    // A grant on unrestricted resources needs an Allow on unrestricted resources for that service.
    for (const service of context.permissions.candidateServicesOnUnrestricted()) {
      const grant: Grant | undefined = context.permissions.serviceGrant(service);
      if (!grant) continue;
      services.push(service);
      context.facts.wildcardServices.add(service);
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
