import type { Evidence } from '../model/report.js';
import { dataLabel, dayOf, usageAnalysis } from '../usage/analysis.js';
import type { RoleRule } from './rule.js';
import { shortList } from './shared.js';

/**
 * Actions IAM tracks, of services the role uses, that it has not attempted in the usage window (SPEC
 * §4c). Actions IAM does not track are never called unused.
 */
export const unusedActions: RoleRule = {
  scope: 'role',
  meta: {
    id: 'unused-actions',
    severity: 'low',
    title: 'Execution role grants actions it has not used',
    risk: 'Actions nobody uses widen what a bug or injected code can do with services the function does use.',
    remediation:
      'Remove the unused actions; the proposed policy in the report (proposals, --proposals-dir) does, proven to keep every used action.',
    requiresUsage: true,
  },
  check(context) {
    const analysis = usageAnalysis(context);
    if (!analysis || analysis.skipped || analysis.roleUnused) return [];
    const withUnused = analysis.services.filter(
      (verdict) => verdict.state === 'used' && verdict.unusedActions.length > 0,
    );
    if (withUnused.length === 0) return [];
    const evidence: Evidence[] = withUnused.map((verdict) => ({
      services: [verdict.service],
      actions: verdict.unusedActions.map((action) => action.name),
      detail: `tracked by IAM, not attempted in the window; service last accessed ${verdict.lastAccessed ? dayOf(verdict.lastAccessed) : 'in the window'}${
        verdict.usedActions.length > 0
          ? `; used: ${shortList(
              verdict.usedActions.map((action) => action.name),
              5,
            )}`
          : ''
      }`,
    }));
    const names = withUnused.flatMap((verdict) => verdict.unusedActions.map((action) => action.name));
    return [
      {
        message: `The role may perform ${names.length} tracked action${names.length === 1 ? '' : 's'} it has not used in the ${analysis.days} days before its ${dataLabel(analysis)}: ${shortList(names)}.`,
        evidence,
      },
    ];
  },
};
