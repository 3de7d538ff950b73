import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { type PackagedCli, packagedCli, runPackagedCli } from '../support/packaged-cli.js';
import { testFolder } from '../support/temp.js';

const MODULE_LOG_PRELOAD = fileURLToPath(new URL('../support/module-log.mjs', import.meta.url));
const demo = (file: string) => fileURLToPath(new URL(`../../examples/demo-account/${file}`, import.meta.url));
const OFFLINE_AUDIT = [
  'audit',
  '--auth-details',
  demo('auth-details.json'),
  '--functions',
  demo('functions.json'),
  '--format',
  'json',
];

/** Whether an esbuild output holds code of the AWS SDK (its clients or the Smithy runtime under them). */
function holdsSdk(output: Metafile['outputs'][string]): boolean {
  return Object.keys(output.inputs).some((input) => /node_modules\/@(aws-sdk|smithy)\//.test(input));
}

/** The bundle files (by file name) that hold SDK code, and the esbuild metafile of the CLI build. */
function bundleFacts(cli: PackagedCli): { metafile: Metafile; sdkFiles: Set<string> } {
  const metafile = JSON.parse(readFileSync(join(cli.dist, 'cli-meta.json'), 'utf8')) as Metafile;
  const sdkFiles = new Set(
    Object.entries(metafile.outputs)
      .filter(([, output]) => holdsSdk(output))
      .map(([path]) => basename(path)),
  );
  return { metafile, sdkFiles };
}

/** Runs the packaged CLI with a preload that logs every module it loads; returns the run and the bundle files loaded. */
async function runLoggingModules(cli: PackagedCli, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const log = join(testFolder('lra-modules-'), 'modules.log');
  const run = await runPackagedCli(cli, args, {
    nodeOptions: ['--import', MODULE_LOG_PRELOAD],
    env: { ...env, MODULE_LOG: log },
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const distUrl = `file://${cli.dist}/`;
  const bundleFiles = urls.filter((url) => url.startsWith(distUrl)).map((url) => basename(url));
  return { run, bundleFiles };
}

describe('Packaged CLI: the offline path never loads the AWS SDK', () => {
  let cli: PackagedCli;

  beforeAll(async () => {
    cli = await packagedCli();
  });

  it('keeps SDK code out of cli.mjs and everything it imports statically', () => {
    // prepare
    const { metafile, sdkFiles } = bundleFacts(cli);
    const byFile = new Map(
      Object.entries(metafile.outputs).map(([path, output]) => [basename(path), output]),
    );
    const reached = new Set<string>();
    const pending = ['cli.mjs'];

    // act
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      for (const imported of byFile.get(file)?.imports ?? []) {
        if (!imported.external && imported.kind === 'import-statement') pending.push(basename(imported.path));
      }
    }

    // assess
    expect(sdkFiles.size).toBeGreaterThan(0);
    expect([...reached].filter((file) => sdkFiles.has(file))).toEqual([]);
    expect(reached.size).toBeGreaterThan(1);
  });

  it.each([
    ['an offline audit', OFFLINE_AUDIT],
    ['rules', ['rules', '--format', 'json']],
  ])('%s loads no SDK chunk and prints nothing on stderr', async (_name, args) => {
    // prepare
    const { sdkFiles } = bundleFacts(cli);

    // act
    const { run, bundleFiles } = await runLoggingModules(cli, args);

    // assess
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(bundleFiles).toContain('cli.mjs');
    expect(bundleFiles.filter((file) => sdkFiles.has(file))).toEqual([]);
    const parsed = JSON.parse(run.stdout) as AuditReport | Array<{ id: string }>;
    const ruleIds = Array.isArray(parsed)
      ? parsed.map((rule) => rule.id)
      : parsed.findings.map((finding) => finding.ruleId);
    expect(ruleIds).toContain('admin-access');
  });

  it('loads the SDK chunks for a live audit (the check above can fail)', async () => {
    // prepare: no credentials anywhere, so the live audit stops right after loading the SDK
    const { sdkFiles } = bundleFacts(cli);
    const empty = testFolder('lra-no-credentials-');
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
    );
    Object.assign(env, {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials'),
      AWS_CONFIG_FILE: join(empty, 'config'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });

    // act
    const { run, bundleFiles } = await runLoggingModules(cli, ['audit', '--region', 'us-east-1'], env);

    // assess
    expect(run.stderr).toMatch(/credentials/i);
    expect(run.status).toBe(2);
    expect(bundleFiles.filter((file) => sdkFiles.has(file)).length).toBeGreaterThan(0);
  });
});
