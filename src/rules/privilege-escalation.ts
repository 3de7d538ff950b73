import type { Evidence } from '../model/report.js';
import { escalationMethodsHeld } from './escalation.js';
import { CATALOG_NAMES, type EscalationMethod } from './escalation-methods.js';
import type { RoleRule } from './rule.js';
import { shortList, statementEvidence } from './shared.js';

/**
 * How a method's sources read in evidence: the catalogs, with Rhino's number and the path id.
 *
 * @example
 * sourcesText(method); // 'Rhino Security Labs #15, Prowler, pathfinding.cloud lambda-001, Cloudsplaining'
 */
export function sourcesText(method: EscalationMethod): string {
  return method.sources
    .map((source) =>
      source.catalog === 'rhino' || source.catalog === 'pathfinding'
        ? `${CATALOG_NAMES[source.catalog]} ${source.ref}`
        : CATALOG_NAMES[source.catalog],
    )
    .join(', ');
}

/** Known ways to turn the role into more privileges, from the published catalogs (see escalation-methods.ts). */
export const privilegeEscalation: RoleRule = {
  scope: 'role',
  meta: {
    id: 'privilege-escalation',
    severity: 'critical',
    title: 'Execution role can escalate its privileges',
    risk: 'Code running as the function can grant itself or another identity more permissions, up to full control of the account.',
    remediation:
      'Remove the escalation actions, or scope them to the exact resources needed (specific role, policy or function ARNs) and add conditions.',
  },
  check(context) {
    const reported = escalationMethodsHeld(context);
    if (reported.length === 0) return [];
    const evidence: Evidence[] = [];
    for (const { method, grant } of reported) {
      const detail = `${method.name} [${method.id}; ${sourcesText(method)}]`;
      for (const statement of grant.statements) {
        evidence.push(statementEvidence(statement, { actions: [...method.actions], detail }));
      }
    }
    const names = reported.map(({ method }) => method.name);
    return [
      {
        message: `The role can escalate privileges: ${shortList(names, 4)}.`,
        evidence,
        conditional: reported.every(({ grant }) => grant.conditional),
      },
    ];
  },
};
