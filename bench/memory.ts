/**
 * Memory and size of what a run produces, on the generated account (SPEC §12, the role-centric report):
 * - the JSON report's size against its input files;
 * - the peak RSS of the offline CLI writing its JSON report (bundled like the shipped CLI, a fresh
 *   process), against the peak RSS of a process that only parses the same files;
 * - the peak RSS of the Lambda pipeline's second run against moto: audit, compare with the archived
 *   baseline (read back from S3), archive, publish to SNS — the nightly run on a large account;
 * - the digest: its size, lines, and where the role to fix first appears.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';

const execFileAsync = promisify(execFile);
const repositoryRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Runs a module in a fresh process and reports its peak RSS when it exits. */
const RSS_BOOTSTRAP = `
import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  writeFileSync(process.env.BENCH_RSS_OUT, String(process.resourceUsage().maxRSS / 1024));
});
process.argv = [process.argv[0], 'main', ...JSON.parse(process.env.BENCH_ARGS)];
await import(process.env.BENCH_MAIN_URL);
`;

/** Parses both input files and nothing else: the floor the CLI's memory is compared with. */
const PARSE_ONLY = `
import { readFileSync } from 'node:fs';
const [auth, functions] = process.argv.slice(2);
globalThis.kept = [JSON.parse(readFileSync(auth, 'utf8')), JSON.parse(readFileSync(functions, 'utf8'))];
`;

/**
 * One nightly run of the Lambda pipeline against moto, from the snapshot on: the snapshot is loaded
 * from the AWS CLI files (a stand-in for collection), then audited, compared with the baseline in the
 * bucket, archived and published, as `runInvocation` does.
 */
const PIPELINE_CHILD = `
import { readFileSync, writeFileSync } from 'node:fs';
import { auditSnapshot } from './src/audit/audit.ts';
import { createLiveServices, deliverReport } from './src/live/pipeline.ts';
import { loadOfflineSnapshot } from './src/load/offline.ts';

const [auth, functions, bucket, topicArn, runId, out] = process.argv.slice(2);
function snapshotOf() {
  return loadOfflineSnapshot({
    authDetails: JSON.parse(readFileSync(auth, 'utf8')),
    functions: JSON.parse(readFileSync(functions, 'utf8')),
  });
}
const report = auditSnapshot(snapshotOf());
const services = createLiveServices({ topicArn });
const delivery = await deliverReport(services, report, { reportBucket: bucket, topicArn, publishWhen: 'always', runId });
writeFileSync(out, JSON.stringify({
  previous: delivery.previous,
  baseline: delivery.baseline,
  published: delivery.published,
  messageBytes: delivery.publishResult?.bytes ?? 0,
  truncated: delivery.publishResult?.truncated ?? null,
  findings: delivery.report.findings.length,
  new: delivery.report.summary.new ?? null,
  resolved: delivery.report.summary.resolved ?? null,
}));
`;

export interface MemoryResult {
  inputBytes: number;
  reportBytes: number;
  cliPeakRssMb: number;
  parseOnlyPeakRssMb: number;
  digest: { bytes: number; lines: number; longestLine: number; firstRoleLine: number };
  pipeline?: {
    firstRun: PipelineRun;
    secondRun: PipelineRun;
  };
}

export interface PipelineRun {
  peakRssMb: number;
  previous: string;
  baseline: boolean;
  published: boolean;
  messageBytes: number;
  findings: number;
  new: number | null;
  resolved: number | null;
  truncated: unknown;
}

async function bundle(directory: string, name: string, contents: string, entry?: string): Promise<string> {
  const outdir = join(directory, `bundle-${name}`);
  await esbuild({
    ...(entry
      ? { entryPoints: [entry] }
      : { stdin: { contents, resolveDir: repositoryRoot, loader: 'ts', sourcefile: `${name}.ts` } }),
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
  return join(outdir, `${entry ? 'cli' : 'stdin'}.mjs`);
}

/** Runs `main` (a bundled module) with `args` in a fresh process; returns its peak RSS in MB. */
async function peakRssOf(
  directory: string,
  main: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<number> {
  const rssOut = join(directory, `rss-${Math.random().toString(36).slice(2)}.txt`);
  await execFileAsync(process.execPath, ['--input-type=module', '-e', RSS_BOOTSTRAP], {
    env: {
      ...process.env,
      ...env,
      BENCH_RSS_OUT: rssOut,
      BENCH_ARGS: JSON.stringify(args),
      BENCH_MAIN_URL: pathToFileURL(main).href,
      NODE_NO_WARNINGS: '1',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return Number(readFileSync(rssOut, 'utf8'));
}

/** The moto endpoint and the bucket and topic the pipeline runs publish to. */
export interface PipelineTarget {
  env: Record<string, string>;
  bucket: string;
  topicArn: string;
}

/**
 * Measures sizes and peak memory on the account written at `authPath` / `functionsPath`.
 *
 * @example
 * const memory = await benchMemory(directory, authPath, functionsPath, target);
 */
export async function benchMemory(
  directory: string,
  authPath: string,
  functionsPath: string,
  target?: PipelineTarget,
): Promise<MemoryResult> {
  const cli = await bundle(directory, 'cli', '', join(repositoryRoot, 'src', 'cli.ts'));
  const parseOnly = await bundle(directory, 'parse', PARSE_ONLY);
  const reportPath = join(directory, 'memory-report.json');
  const digestPath = join(directory, 'memory-digest.txt');
  const files = ['--auth-details', authPath, '--functions', functionsPath];
  const cliPeakRssMb = await peakRssOf(directory, cli, [
    'audit',
    ...files,
    '--format',
    'json',
    '--output',
    reportPath,
  ]);
  await peakRssOf(directory, cli, ['audit', ...files, '--format', 'text', '--output', digestPath]);
  const parseOnlyPeakRssMb = await peakRssOf(directory, parseOnly, [authPath, functionsPath]);
  const digest = readFileSync(digestPath, 'utf8');
  const lines = digest.split('\n');
  const result: MemoryResult = {
    inputBytes: statSync(authPath).size + statSync(functionsPath).size,
    reportBytes: statSync(reportPath).size,
    cliPeakRssMb,
    parseOnlyPeakRssMb,
    digest: {
      bytes: Buffer.byteLength(digest, 'utf8'),
      lines: lines.length,
      longestLine: Math.max(
        ...lines.filter((line) => /\s/.test(line.trim())).map((line) => [...line].length),
      ),
      firstRoleLine: lines.findIndex((line) => /^1\. [A-Z]+ /.test(line)) + 1,
    },
  };
  if (target) {
    const pipeline = await bundle(directory, 'pipeline', PIPELINE_CHILD);
    const run = async (runId: string): Promise<PipelineRun> => {
      const out = join(directory, `pipeline-${runId}.json`);
      const peakRssMb = await peakRssOf(
        directory,
        pipeline,
        [authPath, functionsPath, target.bucket, target.topicArn, runId, out],
        target.env,
      );
      return { peakRssMb, ...(JSON.parse(readFileSync(out, 'utf8')) as Omit<PipelineRun, 'peakRssMb'>) };
    };
    result.pipeline = { firstRun: await run('first'), secondRun: await run('second') };
  }
  return result;
}
