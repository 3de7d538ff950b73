import type { Evidence } from '../model/report.js';
import { compareSeverity, lowerSeverity, type Severity } from '../model/severity.js';
import type { RoleRule } from './rule.js';
import { statementEvidence } from './shared.js';
import { coversAssume, isWildcardPrincipal, LAMBDA_PRINCIPALS } from './trust.js';

/** Principals other than Lambda can assume the role and act with its permissions. */
export const trustTooBroad: RoleRule = {
  scope: 'role',
  meta: {
    id: 'trust-too-broad',
    severity: 'critical',
    title: 'Principals other than Lambda can assume the execution role',
    risk: 'Whoever else is trusted can assume the role and use its permissions outside the function.',
    remediation:
      'Trust only "Service": "lambda.amazonaws.com" in an execution role; give other principals a role of their own.',
  },
  check(context) {
    const trust = context.trust;
    if (!trust) return [];
    let worst: { severity: Severity; conditional: boolean } | undefined;
    const evidence: Evidence[] = [];
    for (const statement of trust.statements) {
      if (statement.effect !== 'Allow' || !coversAssume(statement)) continue;
      const others = (statement.principals ?? []).filter(
        (principal) => !LAMBDA_PRINCIPALS.includes(principal),
      );
      // NotPrincipal in an Allow trusts everybody except those listed.
      const everybody = statement.notPrincipals !== null || others.some(isWildcardPrincipal);
      if (others.length === 0 && !everybody) continue;
      const base: Severity = everybody ? 'critical' : 'high';
      const severity = statement.conditional ? lowerSeverity(base) : base;
      const comparison = worst ? compareSeverity(severity, worst.severity) : 1;
      if (comparison > 0) worst = { severity, conditional: statement.conditional };
      else if (comparison === 0 && worst && !statement.conditional) worst.conditional = false;
      const principals = statement.notPrincipals
        ? statement.notPrincipals.map((p) => `NotPrincipal ${p}`)
        : others;
      evidence.push(statementEvidence(statement, { policy: 'trust-policy', principals }));
    }
    if (!worst) return [];
    const principals = evidence.flatMap((entry) => entry.principals ?? []);
    return [
      {
        message: `The trust policy lets ${principals.join(', ')} assume the role${worst.conditional ? ' (under a condition)' : ''}.`,
        evidence,
        conditional: worst.conditional,
        severity: worst.severity,
      },
    ];
  },
};
