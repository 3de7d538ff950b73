import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/model/report.js';
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
    const directory = testFolder('lra-cli-');
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

  it('exits 2 for an invalid suppressions file', async () => {
    const directory = testFolder('lra-cli-');
    const file = join(directory, 'suppressions.json');
    writeFileSync(file, JSON.stringify({ suppressions: [{ rule: 'role-shared' }] }));
    const io = fakeIo();
    expect(await runCli([...offline, '--suppressions', file], io)).toBe(2);
    expect(io.err()).toContain('reason');
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
