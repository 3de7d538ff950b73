import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../src/audit/audit.js';
import { type CliIo, type LiveRunner, runCli } from '../../src/cli/main.js';
import { readOfflineSnapshot } from '../../src/load/offline.js';
import type { AuditReport } from '../../src/model/report.js';

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

describe('CLI: audit offline', () => {
  it('prints the JSON contract of a report with --format json', async () => {
    const io = fakeIo();
    const code = await runCli([...offline, '--format', 'json'], io);
    const report = JSON.parse(io.out()) as AuditReport;
    expect(code).toBe(0);
    expect(report.schemaVersion).toBe(1);
    expect(report.tool.name).toBe('lambda-role-auditor');
    expect(report.tool.iamDataVersion).toMatch(/^\d+\.\d+\./);
    expect(report.account).toBe('123456789012');
    expect(report.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(report.findings.map((f) => f.ruleId)).toContain('admin-access');
    expect(Object.keys(report.findings[0]!).sort()).toEqual(
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
        'title',
      ].sort(),
    );
  });

  it.each([
    ['table', 'SEVERITY'],
    ['text', 'data-migration'],
    ['markdown', '| '],
  ])('renders --format %s', async (format, expected) => {
    const io = fakeIo();
    const code = await runCli([...offline, '--format', format], io);
    expect(code).toBe(0);
    expect(io.out()).toContain(expected);
    expect(io.out()).toContain('admin-access');
  });

  it('defaults to the table on a terminal and to JSON in a pipe', async () => {
    const terminal = fakeIo(true);
    const pipe = fakeIo(false);
    await runCli(offline, terminal);
    await runCli(offline, pipe);
    expect(terminal.out()).toContain('SEVERITY');
    expect(() => JSON.parse(pipe.out())).not.toThrow();
  });

  it('exits 1 when an unmuted finding is at or above --fail-on, 0 otherwise', async () => {
    const failing = await runCli([...offline, '--fail-on', 'critical', '--format', 'json'], fakeIo());
    const passing = await runCli(
      [...offline, '--fail-on', 'critical', '--function', 'orders-api', '--format', 'json'],
      fakeIo(),
    );
    expect(failing).toBe(1);
    expect(passing).toBe(0);
  });

  it('leaves out findings below --min-severity', async () => {
    const io = fakeIo();
    await runCli([...offline, '--min-severity', 'high', '--format', 'json'], io);
    const report = JSON.parse(io.out()) as AuditReport;
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.severity === 'critical' || f.severity === 'high')).toBe(true);
  });

  it('writes the report to --output and mutes findings from --suppressions', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lra-cli-'));
    const output = join(directory, 'report.json');
    const code = await runCli(
      [...offline, '--format', 'json', '--output', output, '--suppressions', demo('suppressions.json')],
      fakeIo(),
    );
    const report = JSON.parse(readFileSync(output, 'utf8')) as AuditReport;
    expect(code).toBe(0);
    const muted = report.findings.filter((f) => f.muted);
    expect(muted.some((f) => f.ruleId === 'unscoped-read' && f.functionName === 'nightly-report')).toBe(true);
    expect(report.expiredSuppressions?.[0]?.until).toBe('2026-01-31');
  });

  it('exits 2 with a message naming the file when an input file is not JSON', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lra-cli-'));
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
    const directory = mkdtempSync(join(tmpdir(), 'lra-cli-'));
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
    const directory = mkdtempSync(join(tmpdir(), 'lra-cli-'));
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
    ['a directory', () => mkdtempSync(join(tmpdir(), 'lra-cli-')), 'is a directory'],
    [
      'a file in place of its directory',
      () => {
        const file = join(mkdtempSync(join(tmpdir(), 'lra-cli-')), 'file');
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
    const output = join(mkdtempSync(join(tmpdir(), 'lra-cli-')), 'report.json');
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
    [['audit', '--format', 'xml'], '--format must be one of table, text, json, markdown, got "xml"'],
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
    expect(rules).toHaveLength(15);
    expect(rules.find((rule) => rule.id === 'admin-access')?.severity).toBe('critical');
  });
});
