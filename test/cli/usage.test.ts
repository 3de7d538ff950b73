import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/model/report.js';

const demo = (file: string) => new URL(`../../examples/demo-account/${file}`, import.meta.url).pathname;
const offline = ['audit', '--auth-details', demo('auth-details.json'), '--functions', demo('functions.json')];
const withUsage = [...offline, '--last-accessed', demo('last-accessed.json')];
const folders: string[] = [];

function fakeIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: false, columns: 100 },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'lra-usage-'));
  folders.push(folder);
  return folder;
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('CLI: least privilege from usage, offline', () => {
  it('applies the usage rules and offers proven proposals with --last-accessed', async () => {
    // prepare
    const io = fakeIo();

    // act
    const code = await runCli([...withUsage, '--format', 'json'], io);

    // assess
    const report = JSON.parse(io.out()) as AuditReport;
    expect(code).toBe(0);
    expect(report.status).toBe('complete');
    expect(report.usage).toEqual({ days: 90, roles: 16 });
    const rules = new Set(report.findings.map((finding) => finding.ruleId));
    for (const rule of ['role-unused', 'unused-services', 'unused-actions']) expect(rules).toContain(rule);
    expect(report.proposals?.map((proposal) => proposal.roleArn.split('/').pop())).toContain(
      'thumbnail-resizer-role',
    );
  });

  it('writes one ready policy document per role to --proposals-dir', async () => {
    // prepare
    const io = fakeIo();
    const folder = join(temporaryFolder(), 'proposals');

    // act
    const code = await runCli([...withUsage, '--format', 'json', '--proposals-dir', folder], io);

    // assess
    const report = JSON.parse(io.out()) as AuditReport;
    expect(code).toBe(0);
    const files = readdirSync(folder).sort();
    expect(files).toEqual(
      report.proposals!.map((proposal) => `${proposal.roleArn.split('/').pop()}.json`).sort(),
    );
    const document = JSON.parse(readFileSync(join(folder, 'thumbnail-resizer-role.json'), 'utf8'));
    expect(document).toEqual(
      report.proposals!.find((proposal) => proposal.roleArn.endsWith('/thumbnail-resizer-role'))!.policy,
    );
    expect(document.Version).toBe('2012-10-17');
    expect(io.err()).toContain(`proposed policies written to ${folder}`);
  });

  it('makes the run partial, naming the roles, when the file lacks some of them', async () => {
    // prepare
    const folder = temporaryFolder();
    const all = JSON.parse(readFileSync(demo('last-accessed.json'), 'utf8')) as Record<string, unknown>;
    const [left, ...kept] = Object.keys(all);
    writeFileSync(
      join(folder, 'some.json'),
      JSON.stringify(Object.fromEntries(kept.map((arn) => [arn, all[arn]]))),
    );
    const io = fakeIo();

    // act
    const code = await runCli(
      [...offline, '--last-accessed', join(folder, 'some.json'), '--format', 'json', '--fail-on', 'critical'],
      io,
    );

    // assess
    const report = JSON.parse(io.out()) as AuditReport;
    expect(code).toBe(1);
    expect(report.status).toBe('partial');
    expect(report.partial?.notAudited).toEqual([left]);
    expect(report.partial?.reason).toContain('no last-accessed data for 1 role');
  });

  it('narrows the window with --usage-days', async () => {
    // prepare
    const io = fakeIo();

    // act
    await runCli([...withUsage, '--format', 'json', '--usage-days', '400'], io);

    // assess: sns, last used 269 days before the data, is not unused in a 400-day window
    const report = JSON.parse(io.out()) as AuditReport;
    expect(report.usage?.days).toBe(400);
    const nightly = report.findings.filter(
      (finding) => finding.roleArn.endsWith('/nightly-report-role') && finding.ruleId === 'unused-services',
    );
    expect(nightly).toEqual([]);
  });

  it.each([
    [['--usage'], '--usage reads last-accessed data live'],
    [['--usage-days', '90'], '--usage-days needs last-accessed data'],
    [['--proposals-dir', 'x'], '--proposals-dir needs last-accessed data'],
    [
      ['--last-accessed', demo('last-accessed.json'), '--usage-days', '401'],
      '--usage-days must be a whole number of days from 1 to 400',
    ],
    [
      ['--last-accessed', demo('last-accessed.json'), '--usage-days', '0'],
      '--usage-days must be a whole number',
    ],
    [
      ['--last-accessed', demo('last-accessed.json'), '--usage-days', '9.5'],
      '--usage-days must be a whole number',
    ],
  ])('exits 2 for %j', async (extra, message) => {
    const io = fakeIo();
    expect(await runCli([...offline, ...extra], io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.out()).toBe('');
  });

  it('exits 2 for --last-accessed in a live audit', async () => {
    const io = fakeIo();
    expect(await runCli(['audit', '--last-accessed', 'x.json'], io)).toBe(2);
    expect(io.err()).toContain('--last-accessed applies to offline audits');
  });

  it('exits 2 naming the file when --last-accessed is not of the expected shape', async () => {
    // prepare
    const folder = temporaryFolder();
    writeFileSync(join(folder, 'list.json'), '[]');
    const io = fakeIo();

    // act
    const code = await runCli([...offline, '--last-accessed', join(folder, 'list.json')], io);

    // assess
    expect(code).toBe(2);
    expect(io.err()).toContain(`${join(folder, 'list.json')}: expected an object of role ARN`);
  });
});
