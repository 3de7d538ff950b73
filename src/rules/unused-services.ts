import type { Evidence } from '../model/report.js';
import { dataLabel, dayOf, usageAnalysis } from '../usage/analysis.js';
import type { RoleRule } from './rule.js';
import { shortList } from './shared.js';

/** Services the role may use but has not used in the usage window (SPEC §4c). */
export const unusedServices: RoleRule = {
  scope: 'role',
  meta: {
    id: 'unused-services',
    severity: 'medium',
    title: 'Execution role grants services it has not used',
    risk: 'Permissions nobody uses are pure exposure: a bug or injected code can still use them.',
    remediation:
      'Remove the unused services from the role; the proposed policy in the report (proposals, --proposals-dir) does, proven to keep every used action.',
    requiresUsage: true,
  },
  check(context) {
    const analysis = usageAnalysis(context);
    if (!analysis || analysis.skipped || analysis.roleUnused) return [];
    const unused = analysis.services.filter((verdict) => verdict.state === 'unused');
    if (unused.length === 0) return [];
    const never = unused.filter((verdict) => verdict.lastAccessed === undefined);
    const stale = unused.filter((verdict) => verdict.lastAccessed !== undefined);
    const evidence: Evidence[] = [];
    if (never.length > 0)
      evidence.push({
        services: never.map((verdict) => verdict.service),
        detail: 'not accessed in the tracking period',
      });
    for (const verdict of stale)
      evidence.push({ services: [verdict.service], detail: `last accessed ${dayOf(verdict.lastAccessed!)}` });
    const writable = unused.filter((verdict) => verdict.writeLike).map((verdict) => verdict.service);
    const names = unused.map((verdict) => verdict.service);
    return [
      {
        message: `The role may use ${names.length} service${names.length === 1 ? '' : 's'} it has not used in the ${analysis.days} days before its ${dataLabel(analysis)}: ${shortList(names, 8)}.`,
        evidence,
        // Write or Permissions management access nobody uses can still destroy or escalate.
        severity: writable.length > 0 ? 'medium' : 'low',
      },
    ];
  },
};
