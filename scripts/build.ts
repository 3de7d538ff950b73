/**
 * Builds what the project ships:
 * - the Lambda deployment artifact: one minified ESM bundle `dist/handler.mjs` (AWS SDK included, code
 *   loaded on demand in `dist/chunks/`) and `dist/lambda.zip` containing them, byte-for-byte reproducible;
 * - the CLI the npm package runs: `dist/cli.mjs`, with the live mode (and so the AWS SDK) in
 *   `dist/cli-chunks/`, loaded only by live audits and publishing.
 *
 * Usage: `npm run build [-- --entry FILE] [--cli-entry FILE] [--outdir DIR] [--cli-only]`
 */
import { createWriteStream } from 'node:fs';
import { access, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BuildOptions as EsbuildOptions, Metafile } from 'esbuild';
import { build as esbuild } from 'esbuild';
import yazl from 'yazl';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The zip must stay well below Lambda's limits and keep cold starts short (SPEC §12: under 2 MB). */
export const maximumZipBytes = 2_000_000;

/** Name of the bundle inside the zip; the template's handler `handler.handler` depends on it. */
export const bundleFileName = 'handler.mjs';

/** A fixed timestamp (local time, DOS format only) so the same bundle always gives the same zip bytes. */
const fixedZipTimestamp = new Date(1980, 0, 1, 0, 0, 0);

/** Name of the CLI bundle; `bin/lambda-role-auditor` and the package's `files` depend on it. */
export const cliFileName = 'cli.mjs';

/** Folder of the CLI's chunks, next to {@link cliFileName}; apart from the handler's so the zip never holds them. */
export const cliChunksFolder = 'cli-chunks';

const usage = `Usage: npm run build [-- --entry FILE] [--cli-entry FILE] [--outdir DIR] [--cli-only]

  --entry FILE       handler module to bundle (default: src/handler.ts)
  --cli-entry FILE   CLI module to bundle (default: src/cli.ts)
  --outdir DIR       output folder for handler.mjs, lambda.zip, cli.mjs and their chunks (default: dist)
  --cli-only         build only the CLI (what a checkout needs to run bin/lambda-role-auditor)
  --help             show this text`;

export interface BuildOptions {
  entry: string;
  outdir: string;
}

export interface CliBuildResult {
  cliPath: string;
  /** The CLI bundle and its chunks, in bytes. */
  cliBytes: number;
  metafile: Metafile;
}

export interface Contributor {
  /** npm package name, or `(project)` for the repository's own files. */
  name: string;
  bytes: number;
}

export interface BuildResult {
  bundlePath: string;
  zipPath: string;
  bundleBytes: number;
  zipBytes: number;
  topContributors: Contributor[];
}

/** Raised for bad command-line arguments (exit code 2). */
export class BuildUsageError extends Error {
  override name = 'BuildUsageError';
}

/** Raised when bundling or zipping fails, or the artifact is too large (exit code 1). */
export class BuildError extends Error {
  override name = 'BuildError';
}

/**
 * Parses the build command line; relative paths are resolved against the current directory.
 *
 * @example
 * parseBuildArguments(['--entry', 'test/fixture.ts', '--outdir', '/tmp/out']);
 */
export function parseBuildArguments(
  argv: readonly string[],
): BuildOptions & { cliEntry: string; cliOnly: boolean; help: boolean } {
  let parsed: ReturnType<typeof parseBuildArgv>;
  try {
    parsed = parseBuildArgv(argv);
  } catch (error) {
    throw new BuildUsageError((error as Error).message, { cause: error });
  }
  const { values } = parsed;
  return {
    entry: values.entry ? path.resolve(values.entry) : path.join(repositoryRoot, 'src', 'handler.ts'),
    cliEntry: values['cli-entry']
      ? path.resolve(values['cli-entry'])
      : path.join(repositoryRoot, 'src', 'cli.ts'),
    outdir: values.outdir ? path.resolve(values.outdir) : path.join(repositoryRoot, 'dist'),
    cliOnly: values['cli-only'] ?? false,
    help: values.help ?? false,
  };
}

function parseBuildArgv(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      entry: { type: 'string' },
      'cli-entry': { type: 'string' },
      outdir: { type: 'string' },
      'cli-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * Sums the bytes each npm package (or the project itself) contributes to the bundle, largest first.
 *
 * @example
 * topContributors(metafile, 5); // [{ name: '@aws-sdk/client-iam', bytes: 120_000 }, …]
 */
export function topContributors(metafile: Metafile, count: number): Contributor[] {
  const bytesByName = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [inputPath, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageNameOf(inputPath);
      bytesByName.set(name, (bytesByName.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytesByName]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((left, right) => right.bytes - left.bytes || left.name.localeCompare(right.name))
    .slice(0, count);
}

function packageNameOf(inputPath: string): string {
  const marker = 'node_modules/';
  const index = inputPath.lastIndexOf(marker);
  if (index === -1) return '(project)';
  const [first = '', second = ''] = inputPath.slice(index + marker.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/** What both bundles share: ESM for Node 20 and later, every dependency inside, nothing to install. */
const nodeBundleSettings = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  // The Lambda runtime is Node 24; Node 20 syntax keeps both bundles loadable by the package's minimum Node.
  target: 'node20',
  format: 'esm',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: false,
  metafile: true,
  logLevel: 'silent',
  // Bundled CommonJS dependencies call require() for Node built-ins, which ESM output does not define.
  banner: {
    js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
  },
} satisfies EsbuildOptions;

async function assertEntryExists(entry: string): Promise<void> {
  try {
    await access(entry);
  } catch (error) {
    throw new BuildError(`Entry not found: ${entry}`, { cause: error });
  }
}

/**
 * Bundles the entry into `<outdir>/handler.mjs` and writes the esbuild metafile next to it.
 *
 * @example
 * const { bundlePath, metafile } = await bundleHandler({ entry: 'src/handler.ts', outdir: 'dist' });
 */
export async function bundleHandler(
  options: BuildOptions,
): Promise<{ bundlePath: string; metafile: Metafile }> {
  await assertEntryExists(options.entry);
  const bundlePath = path.join(options.outdir, bundleFileName);
  let metafile: Metafile;
  try {
    const result = await esbuild({
      ...nodeBundleSettings,
      entryPoints: { handler: options.entry },
      outdir: options.outdir,
      // Code loaded on demand (the EC2 client for REGIONS=all, STS for an empty account) goes into
      // chunks, so that importing the handler compiles only what every invocation needs.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
    });
    metafile = result.metafile;
  } catch (error) {
    throw new BuildError(`esbuild failed to bundle ${options.entry}:\n${describeEsbuildFailure(error)}`, {
      cause: error,
    });
  }
  await writeFile(path.join(options.outdir, 'meta.json'), JSON.stringify(metafile));
  return { bundlePath, metafile };
}

function describeEsbuildFailure(error: unknown): string {
  const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] })
    .errors;
  if (!errors?.length) return String(error);
  return errors
    .map((entry) =>
      entry.location ? `${entry.location.file}:${entry.location.line}: ${entry.text}` : entry.text,
    )
    .join('\n');
}

/**
 * Writes a zip holding the bundle as `handler.mjs`, with fixed timestamp and mode so builds are reproducible.
 *
 * @example
 * const bytes = await zipBundle('dist/handler.mjs', 'dist/lambda.zip');
 */
export async function zipBundle(bundlePath: string, zipPath: string): Promise<number> {
  const zip = new yazl.ZipFile();
  const outdir = path.dirname(bundlePath);
  const chunks = await readdir(path.join(outdir, 'chunks')).catch(() => [] as string[]);
  const files = [
    bundleFileName,
    ...chunks
      .filter((name) => name.endsWith('.mjs'))
      .sort()
      .map((name) => `chunks/${name}`),
  ];
  for (const file of files) {
    zip.addBuffer(await readFile(path.join(outdir, file)), file, {
      mtime: fixedZipTimestamp,
      forceDosTimestamp: true,
      mode: 0o100644,
      compressionLevel: 9,
    });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath));
  return (await stat(zipPath)).size;
}

/**
 * Bundles the handler and zips it; fails when the zip exceeds {@link maximumZipBytes}.
 *
 * @example
 * const result = await buildArtifact({ entry: 'src/handler.ts', outdir: 'dist' });
 * console.log(result.zipBytes);
 */
export async function buildArtifact(options: BuildOptions): Promise<BuildResult> {
  await mkdir(options.outdir, { recursive: true });
  await rm(path.join(options.outdir, 'chunks'), { recursive: true, force: true });
  const { bundlePath, metafile } = await bundleHandler(options);
  const zipPath = path.join(options.outdir, 'lambda.zip');
  const zipBytes = await zipBundle(bundlePath, zipPath);
  const bundleBytes = (await stat(bundlePath)).size;
  if (zipBytes > maximumZipBytes) {
    throw new BuildError(
      `${zipPath} is ${formatBytes(zipBytes)}, above the ${formatBytes(maximumZipBytes)} limit: look at meta.json for what grew`,
    );
  }
  return { bundlePath, zipPath, bundleBytes, zipBytes, topContributors: topContributors(metafile, 5) };
}

/**
 * Bundles the CLI into `<outdir>/cli.mjs`, with everything only live mode needs (the AWS SDK above all)
 * in chunks under `<outdir>/cli-chunks/` that offline audits and `rules` never load. Writes the
 * esbuild metafile as `cli-meta.json`.
 *
 * @example
 * const { cliPath } = await buildCli({ entry: 'src/cli.ts', outdir: 'dist' });
 */
export async function buildCli(options: BuildOptions): Promise<CliBuildResult> {
  await assertEntryExists(options.entry);
  await mkdir(options.outdir, { recursive: true });
  await rm(path.join(options.outdir, cliChunksFolder), { recursive: true, force: true });
  let metafile: Metafile;
  try {
    const result = await esbuild({
      ...nodeBundleSettings,
      entryPoints: { cli: options.entry },
      outdir: options.outdir,
      splitting: true,
      chunkNames: `${cliChunksFolder}/[name]-[hash]`,
    });
    metafile = result.metafile;
  } catch (error) {
    throw new BuildError(`esbuild failed to bundle ${options.entry}:\n${describeEsbuildFailure(error)}`, {
      cause: error,
    });
  }
  await writeFile(path.join(options.outdir, 'cli-meta.json'), JSON.stringify(metafile));
  const cliBytes = Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { cliPath: path.join(options.outdir, cliFileName), cliBytes, metafile };
}

/**
 * Formats a byte count for people, in decimal units.
 *
 * @example
 * formatBytes(1_530_000); // '1.53 MB'
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(2)} MB`;
  if (bytes >= 1_000) return `${(bytes / 1_000).toFixed(1)} kB`;
  return `${bytes} B`;
}

/**
 * Runs the build command line and returns the process exit code (0 ok, 1 build failure, 2 usage error).
 *
 * @example
 * process.exitCode = await runBuild(process.argv.slice(2));
 */
export async function runBuild(
  argv: readonly string[],
  print: (line: string) => void = console.log,
  printError: (line: string) => void = console.error,
): Promise<number> {
  let options: ReturnType<typeof parseBuildArguments>;
  try {
    options = parseBuildArguments(argv);
  } catch (error) {
    printError(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    print(usage);
    return 0;
  }
  try {
    const relative = (file: string) => path.relative(process.cwd(), file) || file;
    if (!options.cliOnly) {
      const result = await buildArtifact(options);
      print(`${relative(result.bundlePath)}  ${formatBytes(result.bundleBytes)}`);
      print(
        `${relative(result.zipPath)}  ${formatBytes(result.zipBytes)} (limit ${formatBytes(maximumZipBytes)})`,
      );
      print('Largest contributors to the bundle:');
      for (const contributor of result.topContributors) {
        print(`  ${formatBytes(contributor.bytes).padStart(9)}  ${contributor.name}`);
      }
    }
    const cli = await buildCli({ entry: options.cliEntry, outdir: options.outdir });
    print(`${relative(cli.cliPath)}  ${formatBytes(cli.cliBytes)} with ${cliChunksFolder}/`);
    return 0;
  } catch (error) {
    printError(`Build failed: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runBuild(process.argv.slice(2));
}
