import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditReport } from '../model/report.js';
import { roleNameFromArn } from '../policy/arn.js';
import { DAY_MS } from '../usage/coverage.js';

/** Last-accessed data older than this is called out when its proposals are written. */
const STALE_DATA_DAYS = 7;

/**
 * Makes sure `--proposals-dir` can be written before the audit runs (created when missing); the message
 * of a failure names the problem.
 */
export async function prepareProposalsDir(directory: string): Promise<string | undefined> {
  try {
    await mkdir(directory, { recursive: true });
    await access(directory, constants.W_OK);
    return undefined;
  } catch (error) {
    return `cannot write --proposals-dir ${directory}: ${(error as Error).message}`;
  }
}

/**
 * Writes each proposed policy as `<role name>.json` (the policy document alone, ready for `aws iam
 * create-policy --policy-document file://…`) and returns what to tell the user.
 *
 * @example
 * const notes = await writeProposalFiles(report, 'proposals');
 */
export async function writeProposalFiles(
  report: AuditReport,
  directory: string,
  now = new Date(),
): Promise<string[]> {
  const proposals = report.proposals ?? [];
  for (const proposal of proposals) {
    const file = join(directory, `${roleNameFromArn(proposal.roleArn)}.json`);
    await writeFile(file, `${JSON.stringify(proposal.policy, null, 2)}\n`);
  }
  const notes = [
    `${proposals.length} proposed polic${proposals.length === 1 ? 'y' : 'ies'} written to ${directory}` +
      (proposals.length > 0 ? ' (one per role, named after it)' : ''),
  ];
  const oldest = Math.min(...proposals.map((proposal) => Date.parse(proposal.dataAsOf)));
  const age = Math.floor((now.getTime() - oldest) / DAY_MS);
  if (proposals.length > 0 && age > STALE_DATA_DAYS)
    notes.push(
      `warning: the last-accessed data behind them is up to ${age} days old; use since then is not in it, so read fresh data before replacing a role's policies`,
    );
  return notes;
}
