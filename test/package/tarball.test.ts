import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/model/report.js';
import { REPOSITORY_ROOT } from '../support/packaged-cli.js';

const execFileAsync = promisify(execFile);
const demo = (file: string) => join(REPOSITORY_ROOT, 'examples', 'demo-account', file);
const OFFLINE_AUDIT = [
  'audit',
  '--auth-details',
  demo('auth-details.json'),
  '--functions',
  demo('functions.json'),
  '--format',
  'json',
];

/** The report without the one value that differs between two runs. */
function withoutTime(report: AuditReport): Omit<AuditReport, 'generatedAt'> {
  const { generatedAt: _generatedAt, ...rest } = report;
  return rest;
}

/** The same audit run in-process from the sources, for comparison. */
async function auditFromSources(args: string[]): Promise<AuditReport> {
  let out = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: () => true },
    env: {},
  };
  await runCli(args, io);
  return JSON.parse(out) as AuditReport;
}

// `npm pack` runs prepack (the CLI build) in the repository and writes dist/; the package is then
// installed into an empty folder like a user would, and run through npx. It has no dependencies, so
// the install needs no registry.
describe('npm package', () => {
  let work: string;
  let consumer: string;
  let tarballEntries: string[];
  /** npm and the build it runs keep their temporary files (tsx's cache) in the test's own folder. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lra-package-'));
    consumer = join(work, 'consumer');
    const temporary = join(work, 'tmp');
    await mkdir(consumer);
    await mkdir(temporary);
    env = { ...process.env, TMPDIR: temporary, TMP: temporary, TEMP: temporary, NO_COLOR: '1' };
    await execFileAsync('npm', ['pack', '--pack-destination', work], { cwd: REPOSITORY_ROOT, env });
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
    const { stdout } = await execFileAsync('tar', ['-tzf', join(work, tarball)]);
    tarballEntries = stdout.split('\n').filter(Boolean);
    await writeFile(join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
    await execFileAsync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)],
      { cwd: consumer, env },
    );
  }, 180_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships the bundled CLI, bin, templates and README, not the sources or the Lambda artifact', () => {
    // prepare
    const files = tarballEntries.map((entry) => entry.replace(/^package\//, ''));

    // act
    const unexpected = files.filter(
      (file) =>
        !/^(bin\/(lambda-role-auditor|package\.json)|dist\/cli\.mjs|dist\/cli-chunks\/[\w-]+\.mjs|infra\/.+|README\.md|package\.json|LICENSE)$/.test(
          file,
        ),
    );

    // assess
    expect(files).toEqual(
      expect.arrayContaining(['bin/lambda-role-auditor', 'dist/cli.mjs', 'infra/template.yaml', 'README.md']),
    );
    expect(files.some((file) => file.startsWith('dist/cli-chunks/'))).toBe(true);
    expect(unexpected).toEqual([]);
  });

  it('installs nothing but itself: the bundle needs no dependencies', async () => {
    // prepare
    const manifest = JSON.parse(
      await readFile(join(consumer, 'node_modules', 'lambda-role-auditor', 'package.json'), 'utf8'),
    ) as { dependencies?: Record<string, string>; engines?: { node?: string } };

    // act
    const installed = (await readdir(join(consumer, 'node_modules'))).filter((name) => !name.startsWith('.'));

    // assess
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(installed).toEqual(['lambda-role-auditor']);
    expect(manifest.engines?.node).toBe('>=20');
  });

  it('runs an offline audit through npx, with the report the sources give and a quiet stderr', async () => {
    // prepare
    const expected = await auditFromSources(OFFLINE_AUDIT);

    // act
    const { stdout, stderr } = await execFileAsync('npx', ['--no', 'lambda-role-auditor', ...OFFLINE_AUDIT], {
      cwd: consumer,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(stdout) as AuditReport;

    // assess
    expect(stderr).toBe('');
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(
      expect.arrayContaining([
        'admin-access',
        'privilege-escalation',
        'secrets-in-environment',
        'trust-too-broad',
      ]),
    );
    expect(withoutTime(report)).toEqual(withoutTime(expected));
  });

  it('lists the rule catalog through npx', async () => {
    // act
    const { stdout, stderr } = await execFileAsync('npx', ['--no', 'lambda-role-auditor', 'rules'], {
      cwd: consumer,
      env,
    });

    // assess
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^RULE +SEVERITY +TITLE\n/);
    expect(stdout).toMatch(/^admin-access +critical /m);
  });
});
