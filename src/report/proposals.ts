import type { AuditReport, Proposal } from '../model/report.js';
import { roleNameFromArn } from '../policy/arn.js';
import { formatCount, previewList } from './format.js';

/** The heading of the proposals section: what "proven" means, in one line. */
export const PROPOSALS_TITLE =
  'Proposed policies (proven: nothing new, every used action kept, no admin or service wildcard)';

/** Where the whole policy documents are, for the digest and the table. */
export const PROPOSALS_WHERE =
  'The whole documents are in the JSON report (proposals); --proposals-dir DIR writes one file per role, ready for aws iam create-policy.';

/** The roles that have a proposed policy. */
export function proposedRoles(report: AuditReport): Set<string> {
  return new Set((report.proposals ?? []).map((proposal) => proposal.roleArn));
}

/** What a proposal takes away, in a few words: `removes sns and 3 unused actions`. */
export function removedSummary(proposal: Proposal): string {
  const { services, actions } = proposal.removed;
  const parts: string[] = [];
  if (services.length === 1) parts.push(services[0]!);
  else if (services.length > 1)
    parts.push(
      `${formatCount(services.length)} services (${services.slice(0, 4).join(', ')}${services.length > 4 ? ', …' : ''})`,
    );
  if (actions.length > 0)
    parts.push(`${formatCount(actions.length)} unused action${actions.length === 1 ? '' : 's'}`);
  return parts.length > 0 ? `removes ${parts.join(' and ')}` : 'names the used actions instead of wildcards';
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A few actions by name; many as a count per service: `141 actions: s3 (120), logs (21)`. */
function describeActions(actions: readonly string[]): string {
  if (actions.length <= 5) return actions.join(', ');
  const byService = new Map<string, number>();
  for (const action of actions) {
    const service = action.slice(0, Math.max(0, action.indexOf(':'))) || action;
    byService.set(service, (byService.get(service) ?? 0) + 1);
  }
  const counts = [...byService].map(([service, count]) => `${service} (${formatCount(count)})`);
  return `${formatCount(actions.length)} actions: ${previewList(counts, 6)}`;
}

/**
 * One line per proposal and one per statement of its policy (effect, a preview of the actions, the
 * resources), for the terminal table and the markdown report.
 *
 * @example
 * for (const line of proposalLines(report)) console.log(line);
 */
export function proposalLines(report: AuditReport): Array<{ text: string; indent: number }> {
  const lines: Array<{ text: string; indent: number }> = [];
  for (const proposal of report.proposals ?? []) {
    lines.push({
      text: `${roleNameFromArn(proposal.roleArn)}: ${removedSummary(proposal)} (last-accessed data of ${proposal.dataAsOf.slice(0, 10)}, ${proposal.days}-day window)`,
      indent: 0,
    });
    for (const raw of proposal.policy.Statement) {
      const statement = (raw ?? {}) as Record<string, unknown>;
      const actions = asList(statement.Action ?? statement.NotAction);
      const resources = asList(statement.Resource ?? statement.NotResource);
      const condition = statement.Condition ? ' under a condition' : '';
      lines.push({
        text: `${String(statement.Effect)} ${statement.NotAction ? 'all but ' : ''}${describeActions(actions)} on ${statement.NotResource ? 'all but ' : ''}${previewList(resources, 2)}${condition}`,
        indent: 2,
      });
    }
  }
  return lines;
}
