import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildCli, cliFileName } from '../../scripts/build.js';
import { RUN_FOLDER_VARIABLE } from './test-run.js';

/** The repository root: the folder of package.json, bin/ and src/. */
export const REPOSITORY_ROOT = resolve(import.meta.dirname, '..', '..');

/** The CLI laid out as the npm package installs it: `bin/lambda-role-auditor` next to `dist/`. */
export interface PackagedCli {
  /** `…/bin/lambda-role-auditor`, to run with `node`. */
  bin: string;
  /** `…/dist`: `cli.mjs`, its chunks and `cli-meta.json` (the esbuild metafile). */
  dist: string;
}

const BUILD_TIMEOUT_MS = 120_000;

async function waitForFile(path: string, failure: string): Promise<void> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const failed = await readFile(failure, 'utf8').catch(() => undefined);
    if (failed !== undefined) throw new Error(`building the CLI failed in another test file: ${failed}`);
    if (
      await readFile(path)
        .then(() => true)
        .catch(() => false)
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the CLI was not built within ${BUILD_TIMEOUT_MS} ms`);
}

let built: Promise<PackagedCli> | undefined;

/**
 * The CLI bundled from the current sources (as `npm run build` does), built once per test run in the
 * run's folder and shared by every test file that runs it as a user would: the first caller builds,
 * the others wait for it. Tests never run the repository's own `dist/`, which may be stale.
 *
 * @example
 * const cli = await packagedCli();
 * spawn(process.execPath, [cli.bin, 'rules']);
 */
export function packagedCli(): Promise<PackagedCli> {
  built ??= (async () => {
    const runFolder = process.env[RUN_FOLDER_VARIABLE];
    if (!runFolder)
      throw new Error(`${RUN_FOLDER_VARIABLE} is not set: run the tests through vitest.config.ts`);
    const root = join(runFolder, 'packaged-cli');
    const cli = { bin: join(root, 'bin', 'lambda-role-auditor'), dist: join(root, 'dist') };
    const ready = join(runFolder, 'packaged-cli.ready');
    const failure = join(runFolder, 'packaged-cli.failed');
    try {
      await mkdir(root);
    } catch {
      // Another test file is building it (mkdir is atomic: exactly one caller creates the folder).
      await waitForFile(ready, failure);
      return cli;
    }
    try {
      await mkdir(join(root, 'bin'));
      for (const file of ['lambda-role-auditor', 'package.json']) {
        await copyFile(join(REPOSITORY_ROOT, 'bin', file), join(root, 'bin', file));
      }
      await buildCli({ entry: join(REPOSITORY_ROOT, 'src', 'cli.ts'), outdir: cli.dist });
      await readFile(join(cli.dist, cliFileName));
      await writeFile(ready, '');
    } catch (error) {
      await writeFile(failure, String(error));
      throw error;
    }
    return cli;
  })();
  return built;
}

/** What a finished CLI process printed and its exit code. */
export interface CliRun {
  args: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <bin> …args` and collects its output; node options (such as `--import`) go before the bin.
 *
 * @example
 * const run = await runPackagedCli(cli, ['rules'], { env: process.env });
 */
export function runPackagedCli(
  cli: PackagedCli,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; nodeOptions?: string[] } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), cli.bin, ...args], {
      cwd: options.cwd ?? REPOSITORY_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ args, status, stdout, stderr }));
  });
}
