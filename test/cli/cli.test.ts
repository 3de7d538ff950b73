import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { type CliIo, type LiveRunner, runCli } from '../../src/cli/main.js';
import { readOfflineSnapshot } from '../../src/load/offline.js';
import type { AuditReport } from '../../src/model/report.js';
import { RULES } from '../../src/rules/index.js';
import { testFolder } from '../support/temp.js';

const demo = (file: string) => new URL(`../../examples/demo-account/${file}`, import.meta.url).pathname;
const offline = ['audit', '--auth-details', demo('auth-details.json'), '--functions', demo('functions.json')];

function fakeIo(tty = false): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: tty, columns: 100 },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

const ACCOUNT = '123456789012';
const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const LOGS_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
};

/**
 * Offline input files of an account: one function per role; a role listed in `unreadable` attaches a
 * managed policy the file does not hold, so the role cannot be audited.
 */
function writeAccount(roles: string[], unreadable: string[]): string[] {
  const directory = testFolder('lra-cli-');
  const authDetails = {
    RoleDetailList: roles.map((name) => ({
      RoleName: name,
      Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      Path: '/',
      AssumeRolePolicyDocument: LAMBDA_TRUST,
      RolePolicyList: [{ PolicyName: 'logs', PolicyDocument: LOGS_POLICY }],
      AttachedManagedPolicies: unreadable.includes(name)
        ? [{ PolicyName: 'gone', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/gone` }]
        : [],
    })),
    Policies: [],
  };
  const functions = {
    Functions: roles.map((name) => ({
      FunctionName: `${name}-fn`,
      FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}-fn`,
      Role: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      Version: '$LATEST',
    })),
  };
  writeFileSync(join(directory, 'auth-details.json'), JSON.stringify(authDetails));
  writeFileSync(join(directory, 'functions.json'), JSON.stringify(functions));
  return [
    'audit',
    '--auth-details',
    join(directory, 'auth-details.json'),
    '--functions',
    join(directory, 'functions.json'),
  ];
}

describe('CLI: audit offline', () => {
  it('prints the schemaVersion 2 contract of a report with --format json', async () => {
    // prepare
    const io = fakeIo();

    // act
    const code = await runCli([...offline, '--format', 'json'], io);

    // assess
    const report = JSON.parse(io.out()) as AuditReport;
    expect(code).toBe(0);
    expect(report.schemaVersion).toBe(2);
    expect(report.tool.name).toBe('lambda-role-auditor');
    expect(report.tool.iamDataVersion).toMatch(/^\d+\.\d+\./);
    expect(report.account).toBe(ACCOUNT);
    expect(report.status).toBe('complete');
    expect(report.scope).toEqual({
      regions: ['eu-west-1', 'us-east-1'],
      functions: null,
      minSeverity: null,
      full: true,
    });
    expect(report).not.toHaveProperty('regions');
    expect(report.summary.roles).toBe(report.roles.length);
    expect(report.roles.find((role) => role.roleArn.endsWith(':role/webhooks-role'))?.functions).toEqual([
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:github-webhook`,
      `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:stripe-webhook`,
    ]);
    const admin = report.findings.find((finding) => finding.ruleId === 'admin-access')!;
    expect(Object.keys(admin).sort()).toEqual(
      [
        'conditional',
        'evidence',
        'functionCount',
        'id',
        'message',
        'muted',
        'remediation',
        'roleArn',
        'ruleId',
        'severity',
        'subject',
        'title',
      ].sort(),
    );
    expect(admin).toMatchObject({
      subject: 'role',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/data-migration-role`,
      functionCount: 1,
    });
    const logging = report.findings.find((finding) => finding.ruleId === 'logging-missing')!;
    expect(Object.keys(logging).sort()).toEqual(
      [
        'conditional',
        'evidence',
        'functionArn',
        'functionName',
        'id',
        'message',
        'muted',
        'region',
        'remediation',
        'roleArn',
        'ruleId',
        'severity',
        'subject',
        'title',
      ].sort(),
    );
    expect(logging).toMatchObject({
      subject: 'function',
      functionName: 'ses-bounce-handler',
      region: 'eu-west-1',
    });
  });

  // Each format shows the demo's first role to fix in its own shape (not a header every report has).
  it.each([
    ['table', /\ncritical +admin-access +role data-migration-role \(1 fn\) +The role allows every action/],
    ['text', /\n1\. CRITICAL data-migration-role\n +1 function: data-migration\n +- critical admin-access:/],
    ['markdown', /\n\| 1 \| critical \| `data-migration-role` \| 1 \| `admin-access` \|\n/],
  ])('renders --format %s', async (format, expected) => {
    // prepare
    const io = fakeIo();

    // act
    const code = await runCli([...offline, '--format', format], io);

    // assess
    expect(code).toBe(0);
    expect(io.out()).toMatch(expected);
  });

  it('defaults to the table on a terminal and to JSON in a pipe', async () => {
    // prepare
    const terminal = fakeIo(true);
    const pipe = fakeIo(false);

    // act
    await runCli(offline, terminal);
    await runCli(offline, pipe);

    // assess
    // On a terminal the table is coloured: its text without the colour codes is the table.
    const table = stripVTControlCharacters(terminal.out());
    expect(terminal.out()).not.toBe(table);
    expect(table).toMatch(/^Account 123456789012 \| COMPLETE \|/);
    expect(table).toContain('\nSEVERITY  RULE ');
    expect(JSON.parse(pipe.out())).toMatchObject({
      schemaVersion: 2,
      account: '123456789012',
      status: 'complete',
    });
  });

  it('exits 1 when an unmuted finding is at or above --fail-on, 0 otherwise', async () => {
    // act
    const failing = await runCli([...offline, '--fail-on', 'critical', '--format', 'json'], fakeIo());
    const passing = await runCli(
      [...offline, '--fail-on', 'critical', '--function', 'orders-api', '--format', 'json'],
      fakeIo(),
    );

    // assess
    expect(failing).toBe(1);
    expect(passing).toBe(0);
  });

  it('leaves findings below --min-severity out of the printed report and its counts', async () => {
    // prepare
    const io = fakeIo();

    // act
    await runCli([...offline, '--min-severity', 'high', '--format', 'json'], io);

    // assess
    const report = JSON.parse(io.out()) as AuditReport;
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.severity === 'critical' || f.severity === 'high')).toBe(true);
    expect(report.scope.minSeverity).toBe('high');
    expect(report.summary.findings).toMatchObject({ medium: 0, low: 0, info: 0 });
    expect(report.summary.findings.critical).toBe(3);
  });

  it('applies --fail-on to every finding of the run, also those --min-severity does not print', async () => {
    // prepare: ses-bounce-handler's worst finding is logging-missing (high)
    const io = fakeIo();

    // act
    const code = await runCli(
      [
        ...offline,
        '--function',
        'ses-bounce-handler',
        '--min-severity',
        'critical',
        '--fail-on',
        'high',
        '--format',
        'json',
      ],
      io,
    );

    // assess
    const printed = JSON.parse(io.out()) as AuditReport;
    expect(printed.findings).toEqual([]);
    expect(printed.summary.findings.high).toBe(0);
    expect(printed.scope).toMatchObject({
      functions: ['ses-bounce-handler'],
      minSeverity: 'critical',
      full: false,
    });
    expect(code).toBe(1);
  });

  it('writes the report to --output and mutes findings from --suppressions', async () => {
    // prepare
    const directory = testFolder('lra-cli-');
    const output = join(directory, 'report.json');

    // act
    const code = await runCli(
      [...offline, '--format', 'json', '--output', output, '--suppressions', demo('suppressions.json')],
      fakeIo(),
    );

    // assess
    const report = JSON.parse(readFileSync(output, 'utf8')) as AuditReport;
    expect(code).toBe(0);
    // unscoped-read is a finding about the role: the suppression naming the role and its function mutes it.
    const muted = report.findings.find(
      (f) => f.ruleId === 'unscoped-read' && f.roleArn === `arn:aws:iam::${ACCOUNT}:role/nightly-report-role`,
    );
    expect(muted?.muted).toMatchObject({
      source: 'file',
      owner: 'data-platform@example.com',
      until: '2027-06-30',
    });
    expect(report.expiredSuppressions?.[0]?.until).toBe('2026-01-31');
  });

  it('prints the report saying AUDIT FAILED and exits 3 when no role of the account could be read', async () => {
    // prepare
    const args = writeAccount(['only'], ['only']);
    const text = fakeIo();
    const json = fakeIo();

    // act
    const textCode = await runCli([...args, '--format', 'text'], text);
    const jsonCode = await runCli([...args, '--format', 'json', '--fail-on', 'critical'], json);

    // assess
    expect(textCode).toBe(3);
    expect(jsonCode).toBe(3);
    expect(text.out()).toContain('AUDIT FAILED: nothing could be audited, so this is NOT an all-clear.');
    const report = JSON.parse(json.out()) as AuditReport;
    expect(report.status).toBe('failed');
    expect(report.partial).toEqual({
      reason: 'the role of the account could not be read',
      notAudited: [`arn:aws:iam::${ACCOUNT}:role/only`],
    });
    expect(report.errors).toEqual([
      expect.objectContaining({
        scope: 'role',
        arn: `arn:aws:iam::${ACCOUNT}:role/only`,
        code: 'PolicyUnreadable',
      }),
    ]);
  });

  it('exits 1 for a partial run with --fail-on, even without a finding at the threshold, and 0 without it', async () => {
    // prepare: one of two roles cannot be audited
    const args = writeAccount(['readable', 'unreadable'], ['unreadable']);
    const gated = fakeIo();

    // act
    const gatedCode = await runCli([...args, '--format', 'json', '--fail-on', 'critical'], gated);
    const ungatedCode = await runCli([...args, '--format', 'json'], fakeIo());

    // assess
    const report = JSON.parse(gated.out()) as AuditReport;
    expect(report.status).toBe('partial');
    expect(report.partial?.notAudited).toEqual([`arn:aws:iam::${ACCOUNT}:role/unreadable`]);
    expect(report.summary.findings.critical).toBe(0);
    expect(gatedCode).toBe(1);
    expect(ungatedCode).toBe(0);
  });

  it('exits 2 with a message naming the file when an input file is not JSON', async () => {
    const directory = testFolder('lra-cli-');
    const broken = join(directory, 'functions.json');
    writeFileSync(broken, '{"Functions": [');
    const io = fakeIo();
    const code = await runCli(
      ['audit', '--auth-details', demo('auth-details.json'), '--functions', broken],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toContain(broken);
    expect(io.err()).toContain('not valid JSON');
    expect(io.err()).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when a file has the wrong shape or is missing', async () => {
    const wrongShape = fakeIo();
    const missing = fakeIo();
    const swapped = await runCli(
      ['audit', '--auth-details', demo('functions.json'), '--functions', demo('functions.json')],
      wrongShape,
    );
    const absent = await runCli(
      ['audit', '--auth-details', '/nonexistent.json', '--functions', demo('functions.json')],
      missing,
    );
    expect(swapped).toBe(2);
    expect(wrongShape.err()).toContain('get-account-authorization-details');
    expect(absent).toBe(2);
    expect(missing.err()).toContain('no such file');
  });

  it('exits 2 on usage errors', async () => {
    const io = fakeIo();
    expect(await runCli(['audit', '--auth-details', 'a.json'], io)).toBe(2);
    expect(io.err()).toContain('needs both');
    expect(await runCli(['audit', '--format', 'xml'], fakeIo())).toBe(2);
    expect(await runCli(['audit', '--fail-on', 'severe'], fakeIo())).toBe(2);
    expect(await runCli(['frobnicate'], fakeIo())).toBe(2);
    const badRegion = fakeIo();
    expect(await runCli(['audit', '--region', 'not a region'], badRegion)).toBe(2);
    expect(badRegion.err()).toContain('--region must be a region name');
  });

  it.each([
    ['--fail-on', 'toString'],
    ['--fail-on', '__proto__'],
    ['--min-severity', 'constructor'],
    ['--min-severity', 'hasOwnProperty'],
    ['--format', 'toString'],
  ])('refuses %s %s: a property every object inherits is not a value', async (option, value) => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await runCli([...offline, option, value], io);

    // Assess
    expect(code).toBe(2);
    expect(io.err()).toContain(`${option} must be one of`);
    expect(io.out()).toBe('');
  });

  it('exits 2 for an invalid suppressions file', async () => {
    const directory = testFolder('lra-cli-');
    const file = join(directory, 'suppressions.json');
    writeFileSync(file, JSON.stringify({ suppressions: [{ rule: 'role-shared' }] }));
    const io = fakeIo();
    expect(await runCli([...offline, '--suppressions', file], io)).toBe(2);
    expect(io.err()).toContain('reason');
  });

  it.each([
    [
      { rule: 'admin-acess', reason: 'r' },
      'suppressions[1].rule names no rule: "admin-acess" (did you mean admin-access?)',
    ],
    [
      { rule: 'role-shared', reason: 'r', until: '2099-02-30' },
      'suppressions[1].until must be a date YYYY-MM-DD, got "2099-02-30"',
    ],
  ])('exits 2 with one line naming the entry for the suppression %j', async (entry, message) => {
    // Prepare
    const directory = testFolder('lra-cli-');
    const file = join(directory, 'suppressions.json');
    writeFileSync(file, JSON.stringify({ suppressions: [{ rule: 'inline-policy', reason: 'r' }, entry] }));
    const io = fakeIo();

    // Act
    const code = await runCli([...offline, '--format', 'json', '--suppressions', file], io);

    // Assess
    expect(code).toBe(2);
    expect(io.err()).toBe(`lambda-role-auditor: ${file}: invalid suppressions file: ${message}\n`);
    expect(io.out()).toBe('');
  });
});

describe('CLI: arguments checked against what exists', () => {
  it.each([
    [['--function', 'nope-*'], 'no function matches --function "nope-*"'],
    [
      ['--function', 'orders-api', '--function', 'nope-*', '--function', 'zz?'],
      'no function matches --function "nope-*", "zz?"',
    ],
  ])('exits 2 when a --function glob matches nothing: %j', async (globs, problem) => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await runCli([...offline, '--format', 'json', ...globs], io);

    // Assess
    expect(code).toBe(2);
    expect(io.err()).toBe(`lambda-role-auditor: ${problem}; see --help\n`);
    expect(io.out()).toBe('');
  });

  it.each([
    ['a missing directory', () => '/nonexistent/report.json', 'directory /nonexistent does not exist'],
    ['a directory', () => testFolder('lra-cli-'), 'is a directory'],
    [
      'a file in place of its directory',
      () => {
        const file = join(testFolder('lra-cli-'), 'file');
        writeFileSync(file, '');
        return join(file, 'report.json');
      },
      'is not a directory',
    ],
  ])('exits 2 for an --output in %s, offline', async (_case, output, reason) => {
    // Prepare
    const path = output();
    const io = fakeIo();

    // Act
    const code = await runCli([...offline, '--format', 'json', '--output', path], io);

    // Assess
    expect(code).toBe(2);
    expect(io.err()).toMatch(new RegExp(`^lambda-role-auditor: cannot write --output ${path}: .*\\n$`));
    expect(io.err()).toContain(reason);
  });

  it('refuses an unwritable --output before a live audit starts', async () => {
    // Prepare
    const io = fakeIo();
    let started = false;
    const live = async () => {
      started = true;
      throw new Error('the live audit must not start');
    };

    // Act
    const code = await runCli(
      ['audit', '--region', 'us-east-1', '--format', 'json', '--output', '/nonexistent/report.json'],
      io,
      live,
    );

    // Assess
    expect(code).toBe(2);
    expect(started).toBe(false);
    expect(io.err()).toBe(
      'lambda-role-auditor: cannot write --output /nonexistent/report.json: directory /nonexistent does not exist\n',
    );
  });
});

describe('CLI: delivery failures never lose the report', () => {
  const failure = 'Writing s3://gone/reports/123456789012/x.json failed: NoSuchBucket: no such bucket';
  async function failingDelivery(): Promise<LiveRunner> {
    const report = auditSnapshot(
      await readOfflineSnapshot(demo('auth-details.json'), demo('functions.json')),
    );
    return {
      audit: async () => ({ report }),
      finish: async () => {
        throw new Error(failure);
      },
    };
  }
  const live = ['audit', '--region', 'us-east-1', '--report-bucket', 'gone', '--format', 'json'];

  it('prints the report, then names the failure and exits 3', async () => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await runCli([...live, '--fail-on', 'critical'], io, failingDelivery);

    // Assess
    expect(code).toBe(3);
    const report = JSON.parse(io.out()) as AuditReport;
    expect(report.findings.map((finding) => finding.ruleId)).toContain('admin-access');
    expect(io.err()).toBe(`lambda-role-auditor: delivery failed: ${failure}\n`);
  });

  it('writes --output, then names the failure and exits 3', async () => {
    // Prepare
    const output = join(testFolder('lra-cli-'), 'report.json');
    const io = fakeIo();

    // Act
    const code = await runCli([...live, '--output', output], io, failingDelivery);

    // Assess
    expect(code).toBe(3);
    const report = JSON.parse(readFileSync(output, 'utf8')) as AuditReport;
    expect(report.findings.length).toBeGreaterThan(0);
    expect(io.err()).toBe(
      `lambda-role-auditor: report written to ${output}\nlambda-role-auditor: delivery failed: ${failure}\n`,
    );
  });
});

describe('CLI: help and usage errors', () => {
  it.each([[[]], [['--help']], [['-h']], [['help']]])('prints the usage for %j and exits 0', async (argv) => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await runCli(argv, io);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('lambda-role-auditor audit [options]');
    expect(io.out()).toContain('lambda-role-auditor rules');
    expect(io.err()).toBe('');
  });

  it.each([
    [['audit', '--help'], 'Usage: lambda-role-auditor audit [options]', '--fail-on SEV'],
    [['audit', '-h'], 'Usage: lambda-role-auditor audit [options]', '--fail-on SEV'],
    [['audit', '--formt', 'json', '--help'], 'Usage: lambda-role-auditor audit [options]', '--format'],
    [['help', 'audit'], 'Usage: lambda-role-auditor audit [options]', '--suppressions FILE'],
    [['rules', '--help'], 'Usage: lambda-role-auditor rules [--format', 'markdown'],
    [['help', 'rules'], 'Usage: lambda-role-auditor rules [--format', 'markdown'],
  ])('prints the help of the command for %j and exits 0', async (argv, usage, option) => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await runCli(argv, io);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain(usage);
    expect(io.out()).toContain(option);
    expect(io.err()).toBe('');
  });

  it.each([
    [['audit', '--formt', 'json'], 'unknown option --formt (did you mean --format?)'],
    [['audit', '--fail-no', 'high'], 'unknown option --fail-no (did you mean --fail-on?)'],
    [['audit', '--colour'], 'unknown option --colour'],
    [['audit', '-x'], 'unknown option -x'],
    [['audit', '--format'], '--format needs a value'],
    [['audit', '--format', '--output', 'x.json'], '--format needs a value'],
    [['audit', '--no-color=yes'], '--no-color takes no value'],
    [['audit', 'eu-west-1'], 'unexpected argument "eu-west-1"'],
    [['audit', '--format', 'xml'], '--format must be one of table, text, json, markdown, html, got "xml"'],
    [['audit', '--auth-details', 'a.json'], 'offline mode needs both --auth-details and --functions'],
    [['audti'], 'unknown command "audti" (did you mean audit?)'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['--verison'], 'unknown option --verison (did you mean --version?)'],
    [['help', 'audti'], 'unknown command "audti" (did you mean audit?)'],
    [['rules', '--fromat', 'json'], 'unknown option --fromat (did you mean --format?)'],
    [['rules', '--format', 'xml'], '--format for rules must be table, json or markdown, got "xml"'],
  ])('prints one line naming the problem for %j and exits 2', async (argv, problem) => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await runCli(argv, io);

    // Assess
    expect(code).toBe(2);
    expect(io.err()).toBe(`lambda-role-auditor: ${problem}; see --help\n`);
    expect(io.out()).toBe('');
  });
});

describe('CLI: rules', () => {
  it('lists every rule with its severity', async () => {
    const io = fakeIo();
    const code = await runCli(['rules', '--format', 'json'], io);
    const rules = JSON.parse(io.out()) as Array<{ id: string; severity: string }>;
    expect(code).toBe(0);
    expect(rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.meta.id));
    expect(rules.find((rule) => rule.id === 'admin-access')?.severity).toBe('critical');
  });
});
