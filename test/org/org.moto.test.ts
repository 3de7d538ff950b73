import { spawn } from 'node:child_process';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrganizationReport } from '../../src/org/rollup.js';
import { archiveReport } from '../../src/publish/archive.js';
import {
  awsTestEnv,
  MOTO_ACCOUNT_ID,
  type MotoServer,
  startMoto,
  TEST_CREDENTIALS,
} from '../../tools/moto.js';
import { type CliRun, packagedCli, REPOSITORY_ROOT, runPackagedCli } from '../support/packaged-cli.js';
import { accountReport } from './org-reports.js';

const bucket = 'org-audit-reports';
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

describe('lambda-role-auditor org against the emulator: three accounts in a central bucket', () => {
  let moto: MotoServer;

  async function org(args: string[]): Promise<CliRun> {
    return runPackagedCli(await packagedCli(), ['org', ...args], {
      env: { ...process.env, ...awsTestEnv(moto.endpoint) },
    });
  }

  beforeAll(async () => {
    moto = await startMoto();
    const s3 = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // The real archive writes each run's JSON and HTML copies, and latest.json for a baseline.
    const archive = (report: ReturnType<typeof accountReport>, runId: string, updateLatest: boolean) =>
      archiveReport(s3, bucket, report, { runId, updateLatest });

    // 111111111111: complete two hours ago, an admin role of 4 functions.
    await archive(
      accountReport({
        account: '111111111111',
        generatedAt: hoursAgo(2),
        roles: [
          { name: 'admin-role', functions: 4, findings: [{ ruleId: 'admin-access', severity: 'critical' }] },
        ],
      }),
      'run-a',
      true,
    );
    // 222222222222: a complete baseline yesterday (an admin role of 9 functions), then a failed run.
    await archive(
      accountReport({
        account: '222222222222',
        generatedAt: hoursAgo(26),
        roles: [
          { name: 'deploy-role', functions: 9, findings: [{ ruleId: 'admin-access', severity: 'critical' }] },
        ],
      }),
      'run-b1',
      true,
    );
    await archive(
      accountReport({ account: '222222222222', generatedAt: hoursAgo(1), status: 'failed' }),
      'run-b2',
      false,
    );
    // 333333333333: a complete run 21 days ago, a partial one 20 days ago (both before the days the first
    // listing of an account covers), nothing since.
    await archive(
      accountReport({
        account: '333333333333',
        generatedAt: hoursAgo(504),
        roles: [
          { name: 'batch-role', functions: 30, findings: [{ ruleId: 'unscoped-write', severity: 'high' }] },
        ],
      }),
      'run-c1',
      true,
    );
    await archive(
      accountReport({ account: '333333333333', generatedAt: hoursAgo(480), status: 'partial' }),
      'run-c2',
      false,
    );
    // Not a report: other keys of the bucket are left alone.
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'config/suppressions.json', Body: '{"suppressions":[]}' }),
    );
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('rolls up the accounts: worst first, the failed and the stale one named', async () => {
    // act
    const run = await org(['--report-bucket', bucket, '--format', 'json']);
    const report = JSON.parse(run.stdout) as OrganizationReport;

    // assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(report.kind).toBe('organization');
    expect(
      report.accounts.map((account) => [account.account, account.status, account.top[0]?.roleName]),
    ).toEqual([
      ['222222222222', 'failed', 'deploy-role'],
      ['111111111111', 'complete', 'admin-role'],
      ['333333333333', 'stale', 'batch-role'],
    ]);
    expect(report.accounts[0]).toMatchObject({
      lastRun: 'failed',
      reason: 'every region listing failed',
      baselineAt: expect.any(String),
    });
    expect(report.accounts[0]?.location).toMatch(
      /^s3:\/\/org-audit-reports\/reports\/222222222222\/.*-run-b2\.json$/,
    );
    expect(report.stale).toEqual(['333333333333']);
    // Its last run is the partial one, found by listing the account whole.
    expect(report.accounts[2]).toMatchObject({ lastRun: 'partial', generatedAt: expect.any(String) });
    expect(report.accounts[2]?.location).toMatch(/-run-c2\.json$/);
    expect(report.summary.rules).toEqual([
      { ruleId: 'admin-access', severity: 'critical', accounts: 2, roles: 2, functions: 13 },
      { ruleId: 'unscoped-write', severity: 'high', accounts: 1, roles: 1, functions: 30 },
    ]);
  });

  it('names the worst account and role first in the digest, and --fail-on fails the gate', async () => {
    // act
    const run = await org(['--report-bucket', bucket, '--format', 'text', '--fail-on', 'critical']);
    const lines = run.stdout.split('\n');

    // assess
    expect(run.status).toBe(1);
    expect(lines[0]).toBe('lambda-role-auditor: organization - 3 accounts: 1 complete, 1 FAILED, 1 STALE');
    expect(lines[1]).toMatch(
      /^Fix first: account 222222222222, role deploy-role \(critical, 9 functions\)\./,
    );
    // The failed account's findings are its last baseline's, and the digest says how old they are.
    expect(lines).toContain('222222222222 FAILED: roles to fix: 1 critical; worst deploy-role');
    expect(lines.some((line) => /^ {2}findings as of \d{4}-\d\d-\d\dT/.test(line))).toBe(true);
  });

  it('ends quietly into a closed pipe (| head) with the exit code it earned', async () => {
    // prepare
    const cli = await packagedCli();

    // act
    const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          [cli.bin, 'org', '--report-bucket', bucket, '--format', 'text', '--fail-on', 'critical'],
          {
            cwd: REPOSITORY_ROOT,
            env: { ...process.env, ...awsTestEnv(moto.endpoint) },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        child.stdout.destroy();
        let text = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        child.once('error', reject);
        child.once('close', (code) => resolve({ status: code, stderr: text }));
      },
    );

    // assess
    expect(stderr).toBe('');
    expect(status).toBe(1);
  });

  it('with --organization, names the accounts of the organization that never reported as stale', async () => {
    // prepare
    const organizations = new OrganizationsClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ AccountName: 'quiet', Email: 'quiet@example.com' }),
    );
    const quiet = CreateAccountStatus!.AccountId!;

    // act
    const run = await org(['--report-bucket', bucket, '--format', 'json', '--organization']);
    const report = JSON.parse(run.stdout) as OrganizationReport;

    // assess
    expect(run.status).toBe(0);
    expect(report.accounts.find((account) => account.account === quiet)).toMatchObject({
      status: 'stale',
      reason: 'no report at all',
    });
    // The management account (moto's default) and the new one never reported; the bucket's three are kept.
    expect(report.stale.slice(0, 2).sort()).toEqual([MOTO_ACCOUNT_ID, quiet].sort());
    expect(report.summary.accounts).toBe(5);
  });

  it('a bucket that does not exist is a clear error, exit 3', async () => {
    // act
    const run = await org(['--report-bucket', 'no-such-bucket-here']);

    // assess
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^lambda-role-auditor: cannot read the reports of s3:\/\/no-such-bucket-here: cannot list s3:\/\/no-such-bucket-here\/reports\/: NoSuchBucket/,
    );
  });
});
