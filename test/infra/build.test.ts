import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildArtifact,
  formatBytes,
  maximumZipBytes,
  runBuild,
  topContributors,
} from '../../scripts/build.js';

const execFileAsync = promisify(execFile);

/** The entries of a zip file from its central directory: name, DOS date and DOS time. */
function zipEntries(zip: Buffer): { name: string; dosDate: number; dosTime: number }[] {
  const endOfCentralDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(endOfCentralDirectory + 10);
  let offset = zip.readUInt32LE(endOfCentralDirectory + 16);
  const entries = [];
  for (let index = 0; index < count; index += 1) {
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
      dosTime: zip.readUInt16LE(offset + 12),
      dosDate: zip.readUInt16LE(offset + 14),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('scripts/build.ts', () => {
  let workDirectory: string;
  let trivialEntry: string;
  let sdkEntry: string;

  beforeAll(async () => {
    // Inside node_modules/.cache so that the entries resolve packages like the real handler does, while
    // staying out of git, the type check and the linter.
    const cache = path.resolve('node_modules', '.cache');
    await mkdir(cache, { recursive: true });
    workDirectory = await mkdtemp(path.join(cache, 'lambda-role-auditor-build-'));
    trivialEntry = path.join(workDirectory, 'trivial.ts');
    await writeFile(
      trivialEntry,
      "import { createHash } from 'node:crypto';\n" +
        'export const handler = async (event: { text: string }) => ({\n' +
        "  digest: createHash('sha256').update(event.text).digest('hex'),\n" +
        '});\n',
    );
    sdkEntry = path.join(workDirectory, 'sdk.ts');
    await writeFile(
      sdkEntry,
      "import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';\n" +
        "import { parse } from 'yaml';\n" +
        'export const handler = async () => ({ client: typeof STSClient, command: typeof GetCallerIdentityCommand, parsed: parse("a: 1") });\n',
    );
  });

  afterAll(async () => {
    await rm(workDirectory, { recursive: true, force: true });
  });

  it('bundles the entry into an ESM handler.mjs that exports a working handler', async () => {
    // prepare
    const outdir = path.join(workDirectory, 'trivial');

    // act
    const result = await buildArtifact({ entry: trivialEntry, outdir });
    const module = (await import(pathToFileURL(result.bundlePath).href)) as {
      handler: (event: { text: string }) => Promise<{ digest: string }>;
    };

    // assess
    expect(result.bundlePath).toBe(path.join(outdir, 'handler.mjs'));
    expect(await module.handler({ text: 'abc' })).toEqual({
      digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
  });

  it('zips only handler.mjs with a fixed timestamp, byte for byte the same on every build', async () => {
    // prepare
    const first = path.join(workDirectory, 'first');
    const second = path.join(workDirectory, 'second');

    // act
    const firstResult = await buildArtifact({ entry: trivialEntry, outdir: first });
    const secondResult = await buildArtifact({ entry: trivialEntry, outdir: second });
    const firstZip = await readFile(firstResult.zipPath);

    // assess
    expect(firstResult.zipPath).toBe(path.join(first, 'lambda.zip'));
    expect(zipEntries(firstZip)).toEqual([{ name: 'handler.mjs', dosDate: (1 << 5) | 1, dosTime: 0 }]);
    expect(firstZip.equals(await readFile(secondResult.zipPath))).toBe(true);
    expect(firstResult.zipBytes).toBe(firstZip.length);
  });

  it('bundles the AWS SDK and CommonJS dependencies into a self-contained module', async () => {
    // prepare
    const outdir = path.join(workDirectory, 'sdk');

    // act
    const result = await buildArtifact({ entry: sdkEntry, outdir });
    const metafile = JSON.parse(await readFile(path.join(outdir, 'meta.json'), 'utf8')) as Metafile;
    const externalImports = Object.values(metafile.outputs).flatMap((output) =>
      output.imports.filter((imported) => imported.external).map((imported) => imported.path),
    );
    const module = (await import(pathToFileURL(result.bundlePath).href)) as {
      handler: () => Promise<Record<string, unknown>>;
    };

    // assess
    for (const imported of externalImports) expect(imported).toMatch(/^node:|^[a-z_]+$/);
    expect(await module.handler()).toEqual({ client: 'function', command: 'function', parsed: { a: 1 } });
    expect(result.zipBytes).toBeLessThan(maximumZipBytes);
    expect(
      Object.keys(metafile.inputs).some((input) => input.includes('node_modules/@aws-sdk/client-sts/')),
    ).toBe(true);
  });

  it('with --cli-only, bundles the CLI alone and puts what it imports dynamically into cli-chunks/', async () => {
    // prepare
    const outdir = path.join(workDirectory, 'cli');
    const cliEntry = path.join(workDirectory, 'cli.ts');
    await writeFile(
      cliEntry,
      'const [command] = process.argv.slice(2);\n' +
        "if (command === 'live') process.stdout.write((await import('./live.js')).greeting);\n" +
        "else process.stdout.write('offline');\n",
    );
    await writeFile(path.join(workDirectory, 'live.ts'), "export const greeting: string = 'live';\n");

    // act
    const exitCode = await runBuild(['--cli-only', '--cli-entry', cliEntry, '--outdir', outdir], () => {});
    const run = (...args: string[]) =>
      execFileAsync(process.execPath, [path.join(outdir, 'cli.mjs'), ...args]).then(({ stdout }) => stdout);

    // assess
    expect(exitCode).toBe(0);
    expect((await readdir(outdir)).sort()).toEqual(['cli-chunks', 'cli-meta.json', 'cli.mjs']);
    expect(await readdir(path.join(outdir, 'cli-chunks'))).toEqual([
      expect.stringMatching(/^live-\w+\.mjs$/),
    ]);
    expect(await run()).toBe('offline');
    expect(await run('live')).toBe('live');
  });

  it('fails with exit code 1 and names the entry when it does not exist', async () => {
    // prepare
    const errors: string[] = [];
    const missing = path.join(workDirectory, 'missing.ts');

    // act
    const exitCode = await runBuild(
      ['--entry', missing, '--outdir', path.join(workDirectory, 'missing')],
      () => {},
      (line) => errors.push(line),
    );

    // assess
    expect(exitCode).toBe(1);
    expect(errors.join('\n')).toContain(`Entry not found: ${missing}`);
  });

  it('fails with exit code 1 and esbuild’s message when the entry does not compile', async () => {
    // prepare
    const broken = path.join(workDirectory, 'broken.ts');
    await writeFile(
      broken,
      "import { nothing } from './does-not-exist.js';\nexport const handler = nothing;\n",
    );
    const errors: string[] = [];

    // act
    const exitCode = await runBuild(
      ['--entry', broken, '--outdir', path.join(workDirectory, 'broken')],
      () => {},
      (line) => errors.push(line),
    );

    // assess
    expect(exitCode).toBe(1);
    expect(errors.join('\n')).toMatch(/Could not resolve "\.\/does-not-exist\.js"/);
  });

  it('rejects an unknown option with exit code 2 and the usage text', async () => {
    // prepare
    const errors: string[] = [];

    // act
    const exitCode = await runBuild(
      ['--minify-not'],
      () => {},
      (line) => errors.push(line),
    );

    // assess
    expect(exitCode).toBe(2);
    expect(errors.join('\n')).toContain('Usage: npm run build');
  });

  it('prints the zip size and the largest contributors', async () => {
    // prepare
    const lines: string[] = [];

    // act
    const exitCode = await runBuild(
      ['--entry', trivialEntry, '--cli-entry', trivialEntry, '--outdir', path.join(workDirectory, 'printed')],
      (line) => lines.push(line),
    );

    // assess
    expect(exitCode).toBe(0);
    expect(lines.find((line) => line.includes('lambda.zip'))).toMatch(
      /lambda\.zip {2}\d+ B \(limit 2\.00 MB\)/,
    );
    expect(lines).toContain('Largest contributors to the bundle:');
    expect(lines.at(-2)).toMatch(/^ +\d+ B {2}\S+$/);
    expect(lines.at(-1)).toMatch(/cli\.mjs {2}[\d.]+ (B|kB|MB) with cli-chunks\/$/);
  });
});

describe('topContributors', () => {
  it('sums bytes per npm package, scoped packages included, and ranks them', () => {
    // prepare
    const metafile = {
      inputs: {},
      outputs: {
        'dist/handler.mjs': {
          bytes: 0,
          imports: [],
          exports: ['handler'],
          inputs: {
            'src/handler.ts': { bytesInOutput: 300 },
            'src/rules/index.ts': { bytesInOutput: 200 },
            'node_modules/@aws-sdk/client-iam/dist-es/index.js': { bytesInOutput: 900 },
            'node_modules/@aws-sdk/client-iam/dist-es/commands.js': { bytesInOutput: 200 },
            'node_modules/@smithy/core/node_modules/tslib/tslib.es6.js': { bytesInOutput: 40 },
            'node_modules/yaml/dist/index.js': { bytesInOutput: 700 },
          },
        },
      },
    } as Metafile;

    // act
    const ranked = topContributors(metafile, 3);

    // assess
    expect(ranked).toEqual([
      { name: '@aws-sdk/client-iam', bytes: 1100 },
      { name: 'yaml', bytes: 700 },
      { name: '(project)', bytes: 500 },
    ]);
  });
});

describe('formatBytes', () => {
  it.each([
    [512, '512 B'],
    [1_530, '1.5 kB'],
    [1_530_000, '1.53 MB'],
  ])('formats %d bytes as %s', (bytes, expected) => {
    // prepare / act
    const formatted = formatBytes(bytes);

    // assess
    expect(formatted).toBe(expected);
  });
});
