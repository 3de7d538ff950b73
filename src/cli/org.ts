/** `lambda-role-auditor org`: reads the central bucket, rolls up, prints, and earns an exit code. */
import { writeFile } from 'node:fs/promises';
import { renderOrganization } from '../org/render.js';
import {
  type AccountReports,
  type AccountRollup,
  accountsNeverHeardOf,
  combineAccountRollups,
  organizationExitCode,
  rollUpAccount,
} from '../org/rollup.js';
import { TOOL_NAME } from '../version.js';
import { type CliIo, ConfigurationError, checkWritable, EXIT } from './main.js';
import type { OrgCommand } from './org-options.js';

/**
 * Reads every account's reports of a bucket and rolls each up with `rollUp` as soon as it is read (an
 * account expected but never heard of is rolled up from `{account}`); the live one loads the AWS SDK
 * only when called.
 */
export type OrganizationReader = (
  command: OrgCommand,
  io: CliIo,
  rollUp: (input: AccountReports) => AccountRollup,
) => Promise<AccountRollup[]>;

/** The standard credential chain and environment; a custom endpoint (an emulator) gets path-style URLs. */
const liveReader: OrganizationReader = async (command, io, rollUp) => {
  const [{ S3Client }, { readEachAccount }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../org/read.js'),
  ]);
  const s3 = new S3Client({
    retryMode: 'adaptive',
    maxAttempts: 8,
    // The central bucket may be in another region than AWS_REGION.
    followRegionRedirects: true,
    forcePathStyle: Boolean(io.env.AWS_ENDPOINT_URL),
    ...(io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION ? {} : { region: 'us-east-1' }),
  });
  await s3.config.credentials().catch((error: Error) => {
    throw new ConfigurationError(`no AWS credentials: ${error.message}`);
  });
  const progress = io.stderr.isTTY
    ? (done: number, total: number) => io.stderr.write(`\r\x1b[Kreading accounts: ${done}/${total}`)
    : undefined;
  const accounts = await readEachAccount(
    s3,
    command.reportBucket,
    rollUp,
    progress ? { onAccount: progress } : {},
  );
  if (progress) io.stderr.write('\r\x1b[K');
  if (!command.organization) return accounts;
  const [{ OrganizationsClient }, { listOrganizationAccounts }] = await Promise.all([
    import('@aws-sdk/client-organizations'),
    import('../org/organization-accounts.js'),
  ]);
  const expected = await listOrganizationAccounts(new OrganizationsClient({ maxAttempts: 8 })).catch(
    (error: Error) => {
      throw new Error(`cannot list the organization's accounts (--organization): ${error.message}`, {
        cause: error,
      });
    },
  );
  const found = accounts.map((rollup) => rollup.entry.account);
  return [...accounts, ...accountsNeverHeardOf(found, expected).map((account) => rollUp({ account }))];
};

/**
 * Runs `org`: the roll-up of `--report-bucket` in the chosen format, to stdout or `--output`; returns
 * 0, 1 (`--fail-on` tripped), 2 (configuration) or 3 (the bucket could not be read).
 *
 * @example
 * process.exitCode = await runOrg({ command: 'org', reportBucket: 'org-reports', staleHours: 48 }, io);
 */
export async function runOrg(
  command: OrgCommand,
  io: CliIo,
  reader: OrganizationReader = liveReader,
  now: () => Date = () => new Date(),
): Promise<number> {
  const options = { now: now(), staleHours: command.staleHours };
  let accounts: AccountRollup[];
  try {
    if (command.output) await checkWritable(command.output);
    accounts = await reader(command, io, (input) => rollUpAccount(input, options));
  } catch (error) {
    if (error instanceof ConfigurationError) {
      io.stderr.write(`${TOOL_NAME}: ${error.message}\n`);
      return EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${TOOL_NAME}: cannot read the reports of s3://${command.reportBucket}: ${message}\n`);
    return EXIT.failed;
  }
  const organization = combineAccountRollups(accounts, options);
  const format = command.format ?? (io.stdout.isTTY && !command.output ? 'text' : 'json');
  const rendered = renderOrganization(organization, format);
  if (command.output) {
    try {
      await writeFile(command.output, rendered);
    } catch (error) {
      io.stderr.write(`${TOOL_NAME}: cannot write --output ${command.output}: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${TOOL_NAME}: roll-up written to ${command.output}\n`);
  } else {
    io.stdout.write(rendered);
  }
  return organizationExitCode(organization, command.failOn);
}
