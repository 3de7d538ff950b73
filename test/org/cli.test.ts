import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/main.js';
import { type OrganizationReader, runOrg } from '../../src/cli/org.js';
import { parseOrgCommand } from '../../src/cli/org-options.js';
import { OrganizationReadError } from '../../src/org/read.js';
import type { AccountReports } from '../../src/org/rollup.js';
import { testFolder } from '../support/temp.js';
import { accountReport } from './org-reports.js';

function fakeIo(tty = false): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: tty },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

const now = new Date('2026-11-30T12:00:00.000Z');

/** A reader that hands the accounts to the roll-up one by one, as the live one does. */
function reader(accounts: AccountReports[]): OrganizationReader {
  return async (_command, _io, rollUp) => accounts.map(rollUp);
}

const highOnly: AccountReports[] = (() => {
  const report = accountReport({
    account: '111111111111',
    generatedAt: '2026-11-30T10:00:00.000Z',
    roles: [{ name: 'web-role', functions: 3, findings: [{ ruleId: 'unscoped-write', severity: 'high' }] }],
  });
  return [{ account: '111111111111', newest: { key: 'a', report }, baseline: { key: 'b', report } }];
})();

describe('lambda-role-auditor org: command line', () => {
  it.each([
    [['org'], 'org needs --report-bucket BUCKET'],
    [['org', '--report-bucket', 'Bad_Bucket'], '--report-bucket must be an S3 bucket name, got "Bad_Bucket"'],
    [
      ['org', '--report-bucket', 'b-1', '--format', 'table'],
      '--format for org must be one of text, json, markdown, html, got "table"',
    ],
    [
      ['org', '--report-bucket', 'b-1', '--fail-on', 'severe'],
      '--fail-on must be one of critical, high, medium, low, info, got "severe"',
    ],
    [
      ['org', '--report-bucket', 'b-1', '--stale-hours', '1.5'],
      '--stale-hours must be a whole number of hours of at least 1, got "1.5"',
    ],
    [['org', '--report-bucket', 'b-1', '--region', 'us-east-1'], 'unknown option --region'],
  ])('%j is a usage error: one line, see --help, exit 2', async (argv, message) => {
    // prepare
    const io = fakeIo();

    // act
    const code = await runCli(argv, io);

    // assess
    expect(code).toBe(2);
    expect(io.err()).toBe(`lambda-role-auditor: ${message}; see --help\n`);
    expect(io.out()).toBe('');
  });

  it('--help prints the org help and exits 0, whatever else is on the line', async () => {
    // prepare
    const io = fakeIo();

    // act
    const code = await runCli(['org', '--bogus', '--help'], io);

    // assess
    expect(code).toBe(0);
    expect(io.out()).toMatch(/^Usage: lambda-role-auditor org --report-bucket BUCKET/);
    expect(io.out()).toContain('--stale-hours N');
  });

  it('parses every option', () => {
    // act
    const command = parseOrgCommand([
      '--report-bucket',
      'org-reports',
      '--format',
      'markdown',
      '--output',
      'out.md',
      '--fail-on',
      'high',
      '--stale-hours',
      '72',
    ]);

    // assess
    expect(command).toEqual({
      command: 'org',
      reportBucket: 'org-reports',
      format: 'markdown',
      output: 'out.md',
      failOn: 'high',
      staleHours: 72,
    });
  });
});

describe('lambda-role-auditor org: run', () => {
  it('prints JSON when stdout is not a terminal and passes --fail-on critical with only a high finding', async () => {
    // prepare
    const io = fakeIo();

    // act
    const code = await runOrg(
      { command: 'org', reportBucket: 'org-reports', staleHours: 48, failOn: 'critical' },
      io,
      reader(highOnly),
      () => now,
    );

    // assess
    expect(code).toBe(0);
    expect(JSON.parse(io.out()).accounts[0].top[0].roleName).toBe('web-role');
  });

  it('trips --fail-on high on that finding', async () => {
    // prepare
    const io = fakeIo(true);

    // act
    const code = await runOrg(
      { command: 'org', reportBucket: 'org-reports', staleHours: 48, failOn: 'high' },
      io,
      reader(highOnly),
      () => now,
    );

    // assess
    expect(code).toBe(1);
    expect(io.out()).toContain('Fix first: account 111111111111, role web-role (high, 3 functions).');
  });

  it('writes --output and says where', async () => {
    // prepare
    const io = fakeIo();
    const output = join(testFolder('lra-org-'), 'org.html');

    // act
    const code = await runOrg(
      { command: 'org', reportBucket: 'org-reports', staleHours: 48, format: 'html', output },
      io,
      reader(highOnly),
      () => now,
    );

    // assess
    expect(code).toBe(0);
    expect(readFileSync(output, 'utf8')).toContain('<code>web-role</code>');
    expect(io.err()).toBe(`lambda-role-auditor: roll-up written to ${output}\n`);
  });

  it('an unreadable bucket is a clear error with exit 3', async () => {
    // prepare
    const io = fakeIo();
    const failing = async () => {
      throw new OrganizationReadError('cannot list s3://org-reports/reports/: AccessDenied: Access Denied');
    };

    // act
    const code = await runOrg({ command: 'org', reportBucket: 'org-reports', staleHours: 48 }, io, failing);

    // assess
    expect(code).toBe(3);
    expect(io.err()).toBe(
      'lambda-role-auditor: cannot read the reports of s3://org-reports: cannot list s3://org-reports/reports/: AccessDenied: Access Denied\n',
    );
    expect(io.out()).toBe('');
  });
});
