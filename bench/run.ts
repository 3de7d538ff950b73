/**
 * `npm run bench`: measures the performance targets of SPEC §12 in one run and prints one table.
 *
 * 1. Offline: a generated account (10,000 functions / 2,000 roles / 500 policies by default) is
 *    written to a temp dir as the AWS CLI prints it; `JSON.parse` of both files is timed against
 *    the offline audit (parse + `loadOfflineSnapshot` + `auditSnapshot`), and a fresh child process
 *    runs the bundled offline audit once to measure cold time and peak RSS.
 * 2. Live against moto (2,000 functions / 500 roles by default): per strategy, the bare listing
 *    chains (ListFunctions per region + GetAccountAuthorizationDetails, concurrently) against the
 *    full live audit (`collectSnapshot` + `auditSnapshot`), with API calls per operation.
 * 3. The same behind a loopback proxy that adds a fixed delay to every request.
 * 4. The deployment zip size and the cold import time of the built `handler.mjs`.
 * 5. The packaged CLI (`bin/lambda-role-auditor` running the bundled `dist/cli.mjs`): the time of a
 *    fresh `rules` process against a bare `node -e ''`.
 * 6. The HTML report of the offline account: its size against the JSON report, and its first screen
 *    in headless Chromium.
 * 7. Usage collection: IAM last-accessed data of 2,000 roles read by the collector against moto with
 *    its last-accessed extension, behind the latency proxy (calls and time).
 *
 * Usage: npm run bench [-- --quick] [--functions N --roles N --policies N] [--live-functions N …]
 * (`--help` lists every flag). Writes bench/results.json.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { paginateGetAccountAuthorizationDetails } from '@aws-sdk/client-iam';
import { paginateListFunctions } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { build as esbuild } from 'esbuild';
import { buildArtifact, buildCli, maximumZipBytes } from '../scripts/build.js';
import { auditSnapshot } from '../src/audit/audit.js';
import { type AwsClients, createClients } from '../src/collect/clients.js';
import { collectSnapshot } from '../src/collect/collect.js';
import { loadOfflineSnapshot } from '../src/load/offline.js';
import { ActionCatalog } from '../src/policy/catalog.js';
import { startMoto, TEST_CREDENTIALS } from '../tools/moto.js';
import { generateAccount } from './generate.js';
import { benchHtml, type HtmlResult } from './html.js';
import { benchInvokeReads, CHANGED_SHARE, type InvokeReadResult, invokeReadModel } from './invoke-reads.js';
import { startLatencyProxy } from './latency-proxy.js';
import { benchMemory, type MemoryResult } from './memory.js';
import { seedMoto } from './seed-moto.js';
import { measureUsage, seedUsageRoles, USAGE_SETTINGS, type UsageSample } from './usage.js';

const execFileAsync = promisify(execFile);
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Targets (SPEC §12)
// ---------------------------------------------------------------------------------------------

const OFFLINE_RATIO_TARGET = 3;
const LIVE_RATIO_TARGET = 1.3;
const LAMBDA_MEMORY_MB = 256;
const IMPORT_TARGET_MS = 150;
const CLI_START_RATIO_TARGET = 1.5;
const HTML_SIZE_RATIO_TARGET = 1.5;
const HTML_FIRST_SCREEN_TARGET_MS = 2_000;

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

interface BenchOptions {
  quick: boolean;
  seed: number;
  offline: { functions: number; roles: number; policies: number; repetitions: number; coldRuns: number };
  live: {
    enabled: boolean;
    functions: number;
    roles: number;
    policies: number;
    repetitions: number;
    latencyMs: number;
  };
  artifact: { enabled: boolean; importRuns: number; cliRuns: number };
  html: { enabled: boolean; loads: number };
  /** Who may invoke: a live account behind the proxy at 15 requests/s (SPEC §4b). */
  invoke: { enabled: boolean; functions: number; roles: number; policies: number };
  usage: { enabled: boolean; roles: number };
  out: string;
}

/** Raised for a bad command line (exit code 2). */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

const USAGE = `Usage: npm run bench [-- options]

  --quick                 smoke run: small accounts, fewer repetitions
  --functions N           offline account size (default 10000; quick 1000)
  --roles N               (default 2000; quick 200)
  --policies N            (default 500; quick 50)
  --offline-reps N        in-process repetitions of parse and offline audit (default 9; quick 2)
  --cold-runs N           fresh child processes for cold time and peak RSS (default 3; quick 1)
  --live-functions N      moto account size (default 2000; quick 200)
  --live-roles N          (default 500; quick 50)
  --live-policies N       (default 125; quick 13)
  --live-reps N           repetitions per live measurement (default 3; quick 1)
  --latency-ms N          delay the proxy adds to each request (default 50)
  --import-runs N         cold imports of the built handler (default 5; quick 3)
  --cli-runs N            fresh 'rules' runs of the packaged CLI, each after a bare node (default 15; quick 5)
  --html-loads N          loads of the HTML report in Chromium (default 5; quick 2)
  --seed N                generator seed (default 42)
  --invoke-functions N    live account for who may invoke, read at 15 requests/s (default 300; quick 60)
  --skip-invoke           no live who-may-invoke runs (the 10k figures are still computed)
  --skip-live             no moto (offline and artifact only)
  --skip-artifact         no build (no handler import and no CLI start measurements)
  --skip-html             no HTML report in Chromium
  --usage-roles N         roles whose last-accessed data is read (default 2000; quick 200)
  --skip-usage            no usage collection measurement
  --out FILE              results file (default bench/results.json)`;

function wholeNumber(name: string, value: string | undefined, fallback: number, minimum = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) {
    throw new BenchUsageError(`--${name} must be a whole number ≥ ${minimum}, got ${value}`);
  }
  return parsed;
}

/**
 * Parses the command line of `npm run bench`.
 *
 * @example
 * parseBenchArguments(['--quick']).offline.functions; // 1000
 */
export function parseBenchArguments(argv: readonly string[]): BenchOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        functions: { type: 'string' },
        roles: { type: 'string' },
        policies: { type: 'string' },
        'offline-reps': { type: 'string' },
        'cold-runs': { type: 'string' },
        'live-functions': { type: 'string' },
        'live-roles': { type: 'string' },
        'live-policies': { type: 'string' },
        'live-reps': { type: 'string' },
        'latency-ms': { type: 'string' },
        'import-runs': { type: 'string' },
        'cli-runs': { type: 'string' },
        'html-loads': { type: 'string' },
        'skip-html': { type: 'boolean' },
        seed: { type: 'string' },
        'skip-live': { type: 'boolean' },
        'invoke-functions': { type: 'string' },
        'skip-invoke': { type: 'boolean' },
        'skip-artifact': { type: 'boolean' },
        'usage-roles': { type: 'string' },
        'skip-usage': { type: 'boolean' },
        out: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new BenchUsageError((error as Error).message, { cause: error });
  }
  if (values.help) return 'help';
  const quick = values.quick === true;
  const text = (name: string) => values[name] as string | undefined;
  return {
    quick,
    seed: wholeNumber('seed', text('seed'), 42),
    offline: {
      functions: wholeNumber('functions', text('functions'), quick ? 1_000 : 10_000, 1),
      roles: wholeNumber('roles', text('roles'), quick ? 200 : 2_000, 1),
      policies: wholeNumber('policies', text('policies'), quick ? 50 : 500),
      repetitions: wholeNumber('offline-reps', text('offline-reps'), quick ? 2 : 9, 1),
      coldRuns: wholeNumber('cold-runs', text('cold-runs'), quick ? 1 : 3, 1),
    },
    live: {
      enabled: values['skip-live'] !== true,
      functions: wholeNumber('live-functions', text('live-functions'), quick ? 200 : 2_000, 1),
      roles: wholeNumber('live-roles', text('live-roles'), quick ? 50 : 500, 1),
      policies: wholeNumber('live-policies', text('live-policies'), quick ? 13 : 125),
      repetitions: wholeNumber('live-reps', text('live-reps'), quick ? 1 : 3, 1),
      latencyMs: wholeNumber('latency-ms', text('latency-ms'), 50),
    },
    artifact: {
      enabled: values['skip-artifact'] !== true,
      importRuns: wholeNumber('import-runs', text('import-runs'), quick ? 3 : 5, 1),
      cliRuns: wholeNumber('cli-runs', text('cli-runs'), quick ? 5 : 15, 1),
    },
    html: {
      enabled: values['skip-html'] !== true,
      loads: wholeNumber('html-loads', text('html-loads'), quick ? 2 : 5, 1),
    },
    invoke: {
      enabled: values['skip-live'] !== true && values['skip-invoke'] !== true,
      functions: wholeNumber('invoke-functions', text('invoke-functions'), quick ? 60 : 300, 1),
      roles: quick ? 15 : 60,
      policies: quick ? 5 : 20,
    },
    usage: {
      enabled: values['skip-usage'] !== true,
      roles: wholeNumber('usage-roles', text('usage-roles'), quick ? 200 : 2_000, 1),
    },
    out: resolve(text('out') ?? join(repositoryRoot, 'bench', 'results.json')),
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics and the table
// ---------------------------------------------------------------------------------------------

interface Spread {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

function spreadOf(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: [...samples] };
}

type Unit = 'ms' | 'MB' | 'x' | 'bytes';

interface Row {
  measurement: string;
  value: Spread;
  unit: Unit;
  target?: string;
  met?: boolean;
  note?: string;
}

function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'ms':
      return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
    case 'MB':
      return `${value.toFixed(0)} MB`;
    case 'x':
      return `${value.toFixed(2)}×`;
    case 'bytes':
      return value >= 1_000_000 ? `${(value / 1_000_000).toFixed(2)} MB` : `${(value / 1000).toFixed(0)} kB`;
  }
}

function formatSpread(spread: Spread, unit: Unit): string {
  if (spread.samples.length < 2) return '';
  return `${formatValue(spread.min, unit)} – ${formatValue(spread.max, unit)}`;
}

function renderTable(rows: readonly Row[]): string {
  const header = ['Measurement', 'Median', 'Spread (min – max)', 'n', 'Target', 'Met', 'Notes'];
  const lines = rows.map((row) => [
    row.measurement,
    formatValue(row.value.median, row.unit),
    formatSpread(row.value, row.unit),
    String(row.value.samples.length),
    row.target ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
    row.note ?? '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const numeric = new Set([1, 2, 3]);
  const render = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1
          ? cell
          : numeric.has(column)
            ? cell.padStart(widths[column]!)
            : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width, column) => '-'.repeat(column === widths.length - 1 ? 5 : width)).join('  ');
  return [render(header), rule, ...lines.map(render)].join('\n');
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A full collection between repetitions, so that one repetition's garbage is not billed to the next. */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function callsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');
}

function sameCounts(left: Record<string, number>, right: Record<string, number>): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

// ---------------------------------------------------------------------------------------------
// 1. Offline
// ---------------------------------------------------------------------------------------------

interface ColdRun {
  parseMs: number;
  loadMs: number;
  auditMs: number;
  totalMs: number;
  findings: number;
  maxRssMb: number;
  vmHwmMb: number;
  afterImportRssMb: number;
}

/** The child program: the offline audit as the CLI runs it, bundled like the shipped code. */
const COLD_CHILD_SOURCE = `
import { readFileSync } from 'node:fs';
import { loadOfflineSnapshot } from './src/load/offline.ts';
import { auditSnapshot } from './src/audit/audit.ts';

function vmHwmMb() {
  try {
    const match = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) / 1024 : -1;
  } catch {
    return -1;
  }
}

const [authPath, functionsPath] = process.argv.slice(2);
const afterImportRssMb = process.resourceUsage().maxRSS / 1024;
const texts = [readFileSync(authPath, 'utf8'), readFileSync(functionsPath, 'utf8')];
const startedAt = performance.now();
let parsedAt = 0;
// As in the CLI, file contents and parsed JSON go out of scope once the snapshot is built.
function parseAndLoad() {
  const [authText, functionsText] = texts.splice(0, 2);
  const authDetails = JSON.parse(authText);
  const functions = JSON.parse(functionsText);
  parsedAt = performance.now();
  return loadOfflineSnapshot({ authDetails, functions });
}
const snapshot = parseAndLoad();
const loadedAt = performance.now();
const report = auditSnapshot(snapshot);
const auditedAt = performance.now();
process.stdout.write(JSON.stringify({
  parseMs: parsedAt - startedAt,
  loadMs: loadedAt - parsedAt,
  auditMs: auditedAt - loadedAt,
  totalMs: auditedAt - startedAt,
  findings: report.findings.length,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  vmHwmMb: vmHwmMb(),
  afterImportRssMb,
}));
`;

async function bundleColdChild(directory: string): Promise<string> {
  const outfile = join(directory, 'offline-audit.mjs');
  await esbuild({
    stdin: { contents: COLD_CHILD_SOURCE, resolveDir: repositoryRoot, loader: 'ts', sourcefile: 'child.ts' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    logLevel: 'silent',
  });
  return outfile;
}

async function nodeBaselineRssMb(): Promise<number> {
  const { stdout } = await execFileAsync(process.execPath, [
    '-e',
    'process.stdout.write(String(process.resourceUsage().maxRSS / 1024))',
  ]);
  return Number(stdout);
}

/**
 * Parses both files and builds the snapshot, as `readOfflineSnapshot` does: the parsed JSON is out
 * of scope once the snapshot exists, so the audit runs with the heap the CLI's audit has.
 */
function parseAndLoad(authText: string, functionsText: string) {
  const authDetails: unknown = JSON.parse(authText);
  const functions: unknown = JSON.parse(functionsText);
  const parsedAt = performance.now();
  return { snapshot: loadOfflineSnapshot({ authDetails, functions }), parsedAt };
}

interface OfflineResult {
  account: { functions: number; versions: number; roles: number; policies: number };
  files: { authDetailsBytes: number; functionsBytes: number };
  parseMs: Spread;
  offlineAuditMs: Spread;
  loadMs: Spread;
  auditMs: Spread;
  ratio: Spread;
  /** The ratio of runs without a forced full collection before them. */
  steadyRatio: Spread;
  findings: number;
  cold: ColdRun[];
  nodeBaselineRssMb: number;
}

/**
 * Writes the generated account as the AWS CLI prints it. A function of its own so that the generated
 * objects are garbage before anything is measured: a larger heap makes every collection slower.
 */
function writeOfflineAccount(options: BenchOptions, directory: string) {
  const { functions, roles, policies } = options.offline;
  progress(`offline: generating ${functions} functions / ${roles} roles / ${policies} policies`);
  const generated = generateAccount({ functions, roles, policies, seed: options.seed });
  const authPath = join(directory, 'auth-details.json');
  const functionsPath = join(directory, 'functions.json');
  // Four spaces, as the AWS CLI prints JSON.
  writeFileSync(authPath, `${JSON.stringify(generated.authDetails, null, 4)}\n`);
  writeFileSync(functionsPath, `${JSON.stringify(generated.functions, null, 4)}\n`);
  const account = {
    functions: generated.functions.Functions.filter((entry) => entry.Version === '$LATEST').length,
    versions: generated.functions.Functions.filter((entry) => entry.Version !== '$LATEST').length,
    roles: generated.authDetails.RoleDetailList.length,
    policies: generated.authDetails.Policies.length,
  };
  return { authPath, functionsPath, account };
}

async function benchOffline(options: BenchOptions, directory: string): Promise<OfflineResult> {
  const { repetitions, coldRuns } = options.offline;
  const { authPath, functionsPath, account } = writeOfflineAccount(options, directory);
  const authText = readFileSync(authPath, 'utf8');
  const functionsText = readFileSync(functionsPath, 'utf8');
  // Each repetition gets a fresh catalog, so that every audit decodes what it needs like a first run.
  const catalogData = JSON.parse(
    readFileSync(join(repositoryRoot, 'src', 'policy', 'iam-catalog.generated.json'), 'utf8'),
  ) as ConstructorParameters<typeof ActionCatalog>[0];

  const parseSamples: number[] = [];
  const auditSamples: number[] = [];
  const loadSamples: number[] = [];
  const auditOnlySamples: number[] = [];
  let findings = 0;
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    progress(`offline: repetition ${repetition + 1}/${repetitions}`);
    collectGarbage();
    let startedAt = performance.now();
    let parsed: unknown[] | undefined = [JSON.parse(authText), JSON.parse(functionsText)];
    parseSamples.push(performance.now() - startedAt);
    parsed = undefined;

    collectGarbage();
    const catalog = new ActionCatalog(catalogData);
    startedAt = performance.now();
    const { snapshot, parsedAt } = parseAndLoad(authText, functionsText);
    const loadedAt = performance.now();
    const report = auditSnapshot(snapshot, { catalog });
    const auditedAt = performance.now();
    auditSamples.push(auditedAt - startedAt);
    loadSamples.push(loadedAt - parsedAt);
    auditOnlySamples.push(auditedAt - loadedAt);
    findings = report.findings.length;
    void parsed;
  }

  // The same runs back to back, without forcing a full collection first. A forced full GC lets V8
  // drop the hidden classes of the previous run's objects and deoptimise the code that used them
  // (`--trace-deopt`: "weak objects"), so the runs above include re-optimisation; these do not.
  const steadySamples: number[] = [];
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    progress(`offline: steady-state repetition ${repetition + 1}/${repetitions}`);
    let startedAt = performance.now();
    void [JSON.parse(authText), JSON.parse(functionsText)];
    const parseMs = performance.now() - startedAt;
    const catalog = new ActionCatalog(catalogData);
    startedAt = performance.now();
    auditSnapshot(parseAndLoad(authText, functionsText).snapshot, { catalog });
    steadySamples.push((performance.now() - startedAt) / parseMs);
  }

  const child = await bundleColdChild(directory);
  const cold: ColdRun[] = [];
  for (let run = 0; run < coldRuns; run += 1) {
    progress(`offline: cold child process ${run + 1}/${coldRuns}`);
    const { stdout } = await execFileAsync(process.execPath, [child, authPath, functionsPath], {
      maxBuffer: 1_048_576,
    });
    cold.push(JSON.parse(stdout) as ColdRun);
  }
  return {
    account,
    files: { authDetailsBytes: statSync(authPath).size, functionsBytes: statSync(functionsPath).size },
    parseMs: spreadOf(parseSamples),
    offlineAuditMs: spreadOf(auditSamples),
    loadMs: spreadOf(loadSamples),
    auditMs: spreadOf(auditOnlySamples),
    ratio: spreadOf(auditSamples.map((sample, index) => sample / parseSamples[index]!)),
    steadyRatio: spreadOf(steadySamples),
    findings,
    cold,
    nodeBaselineRssMb: await nodeBaselineRssMb(),
  };
}

function offlineRows(result: OfflineResult): Row[] {
  const { account, files } = result;
  const size = `${account.functions} functions + ${account.versions} versions, ${account.roles} roles, ${account.policies} policies`;
  const ratio = result.ratio.median;
  const coldParse = spreadOf(result.cold.map((run) => run.parseMs));
  const coldTotal = spreadOf(result.cold.map((run) => run.totalMs));
  const rss = spreadOf(result.cold.map((run) => run.maxRssMb));
  const afterImport = spreadOf(result.cold.map((run) => run.afterImportRssMb));
  return [
    {
      measurement: 'offline: JSON.parse of both files',
      value: result.parseMs,
      unit: 'ms',
      note: `${formatValue(files.authDetailsBytes, 'bytes')} + ${formatValue(files.functionsBytes, 'bytes')}; ${size}`,
    },
    {
      measurement: 'offline: audit = parse + load + audit',
      value: result.offlineAuditMs,
      unit: 'ms',
      note: `load ${formatValue(result.loadMs.median, 'ms')}, auditSnapshot ${formatValue(result.auditMs.median, 'ms')}; ${result.findings} findings`,
    },
    {
      measurement: 'offline: ratio audit / parse',
      value: result.ratio,
      unit: 'x',
      target: `≤ ${OFFLINE_RATIO_TARGET}×`,
      met: ratio <= OFFLINE_RATIO_TARGET,
      note: 'each repetition parses, then audits: median of the per-repetition ratios',
    },
    {
      measurement: 'offline: ratio, steady state',
      value: result.steadyRatio,
      unit: 'x',
      note: 'the same without a forced full GC before each run (one makes V8 deoptimise and re-optimise the audit)',
    },
    {
      measurement: 'offline: cold process, parse + load + audit',
      value: coldTotal,
      unit: 'ms',
      note: `fresh node, bundled code; cold ratio ${(coldTotal.median / coldParse.median).toFixed(2)}× its own parse`,
    },
    {
      measurement: 'offline: cold process, peak RSS',
      value: rss,
      unit: 'MB',
      target: `≤ ${LAMBDA_MEMORY_MB} MB`,
      met: rss.max <= LAMBDA_MEMORY_MB,
      note: `maxRSS of the whole process: node alone ${result.nodeBaselineRssMb.toFixed(0)} MB, after import ${afterImport.median.toFixed(0)} MB, + ${formatValue(files.authDetailsBytes + files.functionsBytes, 'bytes')} of file text, parsed JSON, snapshot, report`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// 1b. Report size, memory of the CLI and of the Lambda pipeline, the digest
// ---------------------------------------------------------------------------------------------

/** The SNS message limit the published message must stay under. */
const SNS_LIMIT_BYTES = 262_144;
/** The digest must name the role to fix first within this many lines. */
const DIGEST_FIRST_ROLE_LINES = 40;

/** Runs {@link benchMemory} on the offline account; the pipeline part against its own moto when live runs. */
async function benchMemoryWithMoto(options: BenchOptions, directory: string): Promise<MemoryResult> {
  const authPath = join(directory, 'auth-details.json');
  const functionsPath = join(directory, 'functions.json');
  progress('memory: offline CLI and report size');
  if (!options.live.enabled) return benchMemory(directory, authPath, functionsPath);
  const moto = await startMoto();
  try {
    const common = { endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
    const bucket = 'bench-reports';
    await new S3Client({ ...common, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
    const { TopicArn } = await new SNSClient(common).send(new CreateTopicCommand({ Name: 'bench-reports' }));
    progress('memory: two Lambda pipeline runs against moto (baseline, then compare + archive + publish)');
    return await benchMemory(directory, authPath, functionsPath, {
      bucket,
      topicArn: TopicArn!,
      env: {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      },
    });
  } finally {
    await moto.stop();
  }
}

function memoryRows(result: MemoryResult): Row[] {
  const rows: Row[] = [
    {
      measurement: 'size: JSON report / input files',
      value: spreadOf([result.reportBytes / result.inputBytes]),
      unit: 'x',
      target: '≤ 1×',
      met: result.reportBytes <= result.inputBytes,
      note: `${formatValue(result.reportBytes, 'bytes')} report, ${formatValue(result.inputBytes, 'bytes')} input`,
    },
    {
      measurement: 'memory: offline CLI writing the JSON report, peak RSS',
      value: spreadOf([result.cliPeakRssMb]),
      unit: 'MB',
      target: `≤ ${LAMBDA_MEMORY_MB} MB and ≤ 3× parse`,
      met: result.cliPeakRssMb <= LAMBDA_MEMORY_MB && result.cliPeakRssMb <= 3 * result.parseOnlyPeakRssMb,
      note: `bundled CLI, fresh process; parsing the two files alone peaks at ${result.parseOnlyPeakRssMb.toFixed(0)} MB (${(result.cliPeakRssMb / result.parseOnlyPeakRssMb).toFixed(2)}×)`,
    },
    {
      measurement: 'digest: line naming the role to fix first',
      value: spreadOf([result.digest.firstRoleLine]),
      unit: 'x',
      target: `1–${DIGEST_FIRST_ROLE_LINES}`,
      met: result.digest.firstRoleLine > 0 && result.digest.firstRoleLine <= DIGEST_FIRST_ROLE_LINES,
      note: `${result.digest.lines} lines, ${formatValue(result.digest.bytes, 'bytes')}, longest wrapped line ${result.digest.longestLine} characters`,
    },
  ];
  const pipeline = result.pipeline;
  if (pipeline) {
    const second = pipeline.secondRun;
    rows.push(
      {
        measurement: 'memory: Lambda pipeline, second run, peak RSS',
        value: spreadOf([second.peakRssMb]),
        unit: 'MB',
        target: `≤ ${LAMBDA_MEMORY_MB} MB`,
        met: second.peakRssMb <= LAMBDA_MEMORY_MB,
        note: `load snapshot, audit, compare with the archived baseline (${second.previous}), archive, publish; first run ${pipeline.firstRun.peakRssMb.toFixed(0)} MB; ${second.new} new, ${second.resolved} resolved`,
      },
      {
        measurement: 'SNS message of the pipeline run',
        value: spreadOf([second.messageBytes]),
        unit: 'bytes',
        target: `≤ ${formatValue(SNS_LIMIT_BYTES, 'bytes')}`,
        met: second.published && second.messageBytes <= SNS_LIMIT_BYTES,
        note: second.truncated
          ? `JSON report trimmed: omitted ${JSON.stringify((second.truncated as { omitted?: unknown }).omitted)}`
          : 'whole report',
      },
    );
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 2. and 3. Live against moto, without and with injected latency
// ---------------------------------------------------------------------------------------------

type Strategy = 'bulk' | 'per-role';

interface LiveSample {
  bareMs: number;
  fullMs: number;
  collectMs: number;
  auditMs: number;
  bareCalls: Record<string, number>;
  fullCalls: Record<string, number>;
  fullAttempts: Record<string, number>;
  proxyRequests?: { bare: number; full: number };
  findings: number;
  functions: number;
}

interface LiveResult {
  condition: string;
  strategy: Strategy;
  samples: LiveSample[];
  bareMs: Spread;
  fullMs: Spread;
  ratio: Spread;
}

function benchClients(endpoint: string): AwsClients {
  return createClients({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
}

/** The floor of a live audit: every listing page, nothing else, all chains at once. */
async function bareChains(clients: AwsClients, regions: readonly string[]): Promise<void> {
  const listings = regions.map(async (region) => {
    const pages = paginateListFunctions(
      { client: clients.lambda(region), pageSize: 50 },
      { FunctionVersion: 'ALL' },
    );
    for await (const page of pages) void page.Functions?.length;
  });
  const authorizationDetails = (async () => {
    const pages = paginateGetAccountAuthorizationDetails(
      { client: clients.iam, pageSize: 1000 },
      { Filter: ['Role', 'LocalManagedPolicy', 'AWSManagedPolicy'] },
    );
    for await (const page of pages) void page.RoleDetailList?.length;
  })();
  await Promise.all([...listings, authorizationDetails]);
}

async function measureLive(
  endpoint: string,
  regions: string[],
  strategy: Strategy,
  countRequests?: { count(): number; reset(): void },
): Promise<LiveSample> {
  collectGarbage();
  const bareClients = benchClients(endpoint);
  countRequests?.reset();
  let startedAt = performance.now();
  await bareChains(bareClients, regions);
  const bareMs = performance.now() - startedAt;
  const bareRequests = countRequests?.count();

  collectGarbage();
  const clients = benchClients(endpoint);
  countRequests?.reset();
  startedAt = performance.now();
  // Who may invoke is read at 15 requests/s and incrementally: it has rows of its own (invokeRows).
  const snapshot = await collectSnapshot({ clients, regions, collection: strategy, resourcePolicies: false });
  const collectedAt = performance.now();
  const report = auditSnapshot(snapshot);
  const auditedAt = performance.now();
  const fullRequests = countRequests?.count();
  bareClients.iam.destroy();
  clients.iam.destroy();
  for (const region of regions) {
    bareClients.lambda(region).destroy();
    clients.lambda(region).destroy();
  }
  return {
    bareMs,
    fullMs: auditedAt - startedAt,
    collectMs: collectedAt - startedAt,
    auditMs: auditedAt - collectedAt,
    bareCalls: bareClients.callCounts(),
    fullCalls: clients.callCounts(),
    fullAttempts: clients.attemptCounts(),
    ...(bareRequests !== undefined && fullRequests !== undefined
      ? { proxyRequests: { bare: bareRequests, full: fullRequests } }
      : {}),
    findings: report.findings.length,
    functions: report.summary.functions,
  };
}

async function benchLive(
  options: BenchOptions,
): Promise<{ seed: Record<string, unknown>; results: LiveResult[] }> {
  const { functions, roles, policies, repetitions, latencyMs } = options.live;
  progress('live: starting moto');
  const moto = await startMoto();
  const proxy = await startLatencyProxy({ target: moto.endpoint, delayMs: latencyMs });
  try {
    const account = generateAccount({ functions, roles, policies, seed: options.seed });
    progress(`live: seeding moto with ${functions} functions / ${roles} roles / ${policies} policies`);
    const seeded = await seedMoto(moto.endpoint, account, { concurrency: 16 });
    progress(`live: seeded with ${seeded.requests} requests in ${(seeded.elapsedMs / 1000).toFixed(1)} s`);
    const regions = account.regions;
    const conditions = [
      { condition: 'moto', endpoint: moto.endpoint, counter: undefined },
      {
        condition: `moto + ${latencyMs} ms`,
        endpoint: proxy.endpoint,
        counter: { count: proxy.requestCount, reset: proxy.resetCount },
      },
    ];
    const results: LiveResult[] = [];
    for (const { condition, endpoint, counter } of conditions) {
      // Unmeasured: moto builds its per-region backends on the first call.
      await bareChains(benchClients(endpoint), regions);
      for (const strategy of ['bulk', 'per-role'] as const) {
        const samples: LiveSample[] = [];
        for (let repetition = 0; repetition < repetitions; repetition += 1) {
          progress(`live: ${condition}, ${strategy}, repetition ${repetition + 1}/${repetitions}`);
          samples.push(await measureLive(endpoint, regions, strategy, counter));
        }
        results.push({
          condition,
          strategy,
          samples,
          bareMs: spreadOf(samples.map((sample) => sample.bareMs)),
          fullMs: spreadOf(samples.map((sample) => sample.fullMs)),
          ratio: spreadOf(samples.map((sample) => sample.fullMs / sample.bareMs)),
        });
      }
    }
    return { seed: { ...seeded }, results };
  } finally {
    await proxy.close();
    // The moto child is unreferenced: without a timer of our own the process would end while waiting for it.
    const keepAlive = setInterval(() => undefined, 1_000);
    await moto.stop();
    clearInterval(keepAlive);
  }
}

function liveRows(results: readonly LiveResult[]): Row[] {
  const rows: Row[] = [];
  for (const result of results) {
    const prefix = `live ${result.condition}, ${result.strategy}`;
    const first = result.samples[0]!;
    const stableCalls = result.samples.every((sample) => sameCounts(sample.fullCalls, first.fullCalls));
    const retried = result.samples.some((sample) => !sameCounts(sample.fullAttempts, sample.fullCalls));
    const ratio = result.ratio.median;
    const collect = spreadOf(result.samples.map((sample) => sample.collectMs));
    const audit = spreadOf(result.samples.map((sample) => sample.auditMs));
    rows.push(
      {
        measurement: `${prefix}: bare listing chains`,
        value: result.bareMs,
        unit: 'ms',
        note: callsText(first.bareCalls),
      },
      {
        measurement: `${prefix}: collect + audit`,
        value: result.fullMs,
        unit: 'ms',
        note: `collect ${formatValue(collect.median, 'ms')} + audit ${formatValue(audit.median, 'ms')}; ${first.functions} functions, ${first.findings} findings; ${callsText(first.fullCalls)}${stableCalls ? '' : ' (calls varied between repetitions)'}${retried ? ' (SDK retried some calls)' : ''}`,
      },
      {
        measurement: `${prefix}: ratio`,
        value: result.ratio,
        unit: 'x',
        target: `≤ ${LIVE_RATIO_TARGET}×`,
        met: ratio <= LIVE_RATIO_TARGET,
        note:
          result.strategy === 'per-role'
            ? 'per-role reads every role and policy one by one: more calls than the bulk chain it is compared with'
            : 'each repetition runs both, one after the other: median of the per-repetition ratios',
      },
    );
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Who may invoke: GetPolicy per function at 15 requests/s per API and region (SPEC §4b)
// ---------------------------------------------------------------------------------------------

/** What a Lambda run may spend on collection: 15 minutes less the deadline margin of the handler. */
const LAMBDA_COLLECTION_BUDGET_MS = 15 * 60_000 - 45_000;

function invokeCallsText(run: { getPolicy: number; listFunctionUrlConfigs: number }): string {
  return `GetPolicy ${run.getPolicy}, ListFunctionUrlConfigs ${run.listFunctionUrlConfigs}`;
}

function invokeRows(model: InvokeReadResult, live: InvokeReadResult | undefined): Row[] {
  const share = `${CHANGED_SHARE * 100} %`;
  const regions = (result: InvokeReadResult) =>
    Object.entries(result.regions)
      .map(([region, count]) => `${region} ${count}`)
      .join(', ');
  const rows: Row[] = [];
  if (live) {
    const liveFloor = (count: number) => formatValue((count / live.perSecond) * 1000, 'ms');
    rows.push(
      {
        measurement: `invoke reads, live ${live.records} functions + versions: first run`,
        value: spreadOf([live.first.ms]),
        unit: 'ms',
        target: '0 throttled',
        met: live.first.throttled === 0,
        note: `${invokeCallsText(live.first)}; whole audit through the proxy at ${live.perSecond}/s per API; floor of the busiest region ${liveFloor(Math.max(...Object.values(live.regions)))} (${regions(live)}); ${live.first.throttled} throttled`,
      },
      {
        measurement: `invoke reads, live: run after ${share} changed`,
        value: spreadOf([live.changed.ms]),
        unit: 'ms',
        target: 'GetPolicy = changed',
        met: live.changed.getPolicy === live.changed.functionsChanged && live.changed.throttled === 0,
        note: `${invokeCallsText(live.changed)} for ${live.changed.functionsChanged} changed functions (RevisionId), the rest from the cache in the report bucket; ${live.changed.throttled} throttled`,
      },
    );
  }
  rows.push(
    {
      measurement: `invoke reads, ${model.records} functions + versions (computed): first run`,
      value: spreadOf([model.first.ms]),
      unit: 'ms',
      target: `< ${formatValue(LAMBDA_COLLECTION_BUDGET_MS, 'ms')}`,
      met: model.first.ms < LAMBDA_COLLECTION_BUDGET_MS,
      note: `${invokeCallsText(model.first)} at ${model.perSecond}/s per API and region (${regions(model)}); a run the deadline stops is partial and the next continues`,
    },
    {
      measurement: `invoke reads, ${model.records} functions + versions (computed): ${share} changed`,
      value: spreadOf([model.changed.ms]),
      unit: 'ms',
      note: `${invokeCallsText(model.changed)} for ${model.changed.functionsChanged} changed functions; from day 8 on, cached entries older than 7–14 days are read again, about 1/7 of the account a night`,
    },
  );
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 4. Deployment artifact
// ---------------------------------------------------------------------------------------------

interface ArtifactResult {
  zipBytes: number;
  bundleBytes: number;
  importMs: Spread;
  cli: CliStartResult;
}

interface CliStartResult {
  cliBytes: number;
  bareNodeMs: Spread;
  rulesMs: Spread;
  ratio: Spread;
}

/** Wall time of one fresh process, from spawn to exit. */
async function processMs(args: string[]): Promise<number> {
  const startedAt = performance.now();
  await execFileAsync(process.execPath, args, { maxBuffer: 1_048_576 });
  return performance.now() - startedAt;
}

/**
 * The packaged CLI as npm installs it (`bin/` next to `dist/`), bundled into the temp dir; each run
 * starts a bare `node -e ''` and then `rules`, so that both see the same machine load.
 */
async function benchCliStart(options: BenchOptions, directory: string): Promise<CliStartResult> {
  progress('cli: bundling');
  const packageDirectory = join(directory, 'cli-package');
  mkdirSync(join(packageDirectory, 'bin'), { recursive: true });
  for (const file of ['lambda-role-auditor', 'package.json']) {
    copyFileSync(join(repositoryRoot, 'bin', file), join(packageDirectory, 'bin', file));
  }
  const built = await buildCli({
    entry: join(repositoryRoot, 'src', 'cli.ts'),
    outdir: join(packageDirectory, 'dist'),
  });
  const bin = join(packageDirectory, 'bin', 'lambda-role-auditor');
  const bare: number[] = [];
  const rules: number[] = [];
  for (let run = 0; run < options.artifact.cliRuns; run += 1) {
    progress(`cli: rules cold start ${run + 1}/${options.artifact.cliRuns}`);
    bare.push(await processMs(['-e', '']));
    rules.push(await processMs([bin, 'rules']));
  }
  return {
    cliBytes: built.cliBytes,
    bareNodeMs: spreadOf(bare),
    rulesMs: spreadOf(rules),
    ratio: spreadOf(rules.map((sample, index) => sample / bare[index]!)),
  };
}

const IMPORT_CHILD = `
const startedAt = performance.now();
await import(process.env.BENCH_HANDLER_URL);
process.stdout.write(String(performance.now() - startedAt));
`;

async function benchArtifact(options: BenchOptions, directory: string): Promise<ArtifactResult> {
  progress('artifact: building');
  const outdir = join(directory, 'dist');
  const built = await buildArtifact({ entry: join(repositoryRoot, 'src', 'handler.ts'), outdir });
  const samples: number[] = [];
  for (let run = 0; run < options.artifact.importRuns; run += 1) {
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', IMPORT_CHILD], {
      env: { ...process.env, BENCH_HANDLER_URL: pathToFileURL(built.bundlePath).href, NODE_NO_WARNINGS: '1' },
    });
    samples.push(Number(stdout));
  }
  const cli = await benchCliStart(options, directory);
  return { zipBytes: built.zipBytes, bundleBytes: built.bundleBytes, importMs: spreadOf(samples), cli };
}

function artifactRows(result: ArtifactResult): Row[] {
  return [
    {
      measurement: 'artifact: lambda.zip',
      value: spreadOf([result.zipBytes]),
      unit: 'bytes',
      target: `< ${formatValue(maximumZipBytes, 'bytes')}`,
      met: result.zipBytes < maximumZipBytes,
      note: `handler.mjs ${formatValue(result.bundleBytes, 'bytes')} unzipped`,
    },
    {
      measurement: 'artifact: cold import of handler.mjs',
      value: result.importMs,
      unit: 'ms',
      target: `< ${IMPORT_TARGET_MS} ms`,
      met: result.importMs.median < IMPORT_TARGET_MS,
      note: 'fresh node process each run, import() only (node startup excluded)',
    },
    {
      measurement: 'CLI: rules cold start vs bare node',
      value: result.cli.ratio,
      unit: 'x',
      target: `≤ ${CLI_START_RATIO_TARGET}×`,
      met: result.cli.ratio.median <= CLI_START_RATIO_TARGET,
      note: `\`node bin/lambda-role-auditor rules\` ${formatValue(result.cli.rulesMs.median, 'ms')} vs \`node -e ''\` ${formatValue(result.cli.bareNodeMs.median, 'ms')} (medians; wall time of fresh processes, run in pairs: median of the per-pair ratios); dist ${formatValue(result.cli.cliBytes, 'bytes')} with its chunks`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// 5. The HTML report
// ---------------------------------------------------------------------------------------------

function htmlRows(result: HtmlResult): Row[] {
  const ratio = result.htmlBytes / result.compactJsonBytes;
  const rows: Row[] = [
    {
      measurement: 'HTML size / JSON size',
      value: spreadOf([ratio]),
      unit: 'x',
      target: `≤ ${HTML_SIZE_RATIO_TARGET}×`,
      met: ratio <= HTML_SIZE_RATIO_TARGET,
      note: `${formatValue(result.htmlBytes, 'bytes')} HTML against the archived (compact) JSON of ${formatValue(result.compactJsonBytes, 'bytes')}; ${(result.htmlBytes / result.printedJsonBytes).toFixed(2)}× the printed (indented) JSON; rendered in ${formatValue(result.renderMs, 'ms')}`,
    },
  ];
  if (result.skipped || result.loads.length === 0) {
    rows.push({
      measurement: 'HTML first screen',
      value: spreadOf([Number.NaN]),
      unit: 'ms',
      target: `< ${formatValue(HTML_FIRST_SCREEN_TARGET_MS, 'ms')}`,
      met: false,
      note: `not measured: ${result.skipped ?? 'no load'}`,
    });
    return rows;
  }
  const firstScreen = spreadOf(result.loads.map((load) => load.firstScreenMs));
  const median = (pick: (load: HtmlResult['loads'][number]) => number) =>
    formatValue(spreadOf(result.loads.map(pick)).median, 'ms');
  rows.push({
    measurement: 'HTML first screen',
    value: firstScreen,
    unit: 'ms',
    target: `< ${formatValue(HTML_FIRST_SCREEN_TARGET_MS, 'ms')}`,
    met: firstScreen.median < HTML_FIRST_SCREEN_TARGET_MS,
    note: `headless Chromium, file://, 1280 px, fresh tab: first contentful paint ${median((load) => load.firstContentfulPaintMs)}, page script ready ${median((load) => load.readyMs)}, largest contentful paint ${median((load) => load.largestContentfulPaintMs)}; all data read (DOMContentLoaded) ${median((load) => load.domContentLoadedMs)}`,
  });
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 7. Usage collection (last-accessed data)
// ---------------------------------------------------------------------------------------------

async function benchUsage(options: BenchOptions): Promise<UsageSample[]> {
  progress('usage: starting moto with its last-accessed extension');
  const moto = await startMoto();
  const proxy = await startLatencyProxy({ target: moto.endpoint, delayMs: options.live.latencyMs });
  try {
    progress(`usage: creating ${options.usage.roles} roles and seeding their last-accessed reports`);
    const roles = await seedUsageRoles(moto.endpoint, options.usage.roles);
    // Behind the latency proxy: moto answers in microseconds, a real IAM endpoint does not.
    const condition = `moto + ${options.live.latencyMs} ms`;
    progress(`usage: reading last-accessed data of ${roles.length} roles, ${condition}`);
    const samples: UsageSample[] = [await measureUsage(proxy.endpoint, condition, roles)];
    return samples;
  } finally {
    await proxy.close();
    const keepAlive = setInterval(() => undefined, 1_000);
    await moto.stop();
    clearInterval(keepAlive);
  }
}

function usageRows(samples: readonly UsageSample[]): Row[] {
  return samples.map((sample) => ({
    measurement: `usage ${sample.condition}: last-accessed data of ${sample.roles} roles`,
    value: spreadOf([sample.ms]),
    unit: 'ms' as const,
    note: `${callsText(sample.calls)}${sameCounts(sample.calls, sample.attempts) ? '' : ` (attempts: ${callsText(sample.attempts)})`}; ${sample.read} read, ${sample.failed} failed; each job in progress at its first poll; ${USAGE_SETTINGS}`,
  }));
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchArguments(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const directory = mkdtempSync(join(tmpdir(), 'lambda-role-auditor-bench-'));
  const startedAt = performance.now();
  try {
    const offline = await benchOffline(options, directory);
    const memory = await benchMemoryWithMoto(options, directory);
    let html: HtmlResult | undefined;
    if (options.html.enabled) {
      progress(`html: rendering the JSON report and loading it ${options.html.loads} times in Chromium`);
      html = await benchHtml(directory, join(directory, 'memory-report.json'), options.html.loads);
    }
    const live = options.live.enabled ? await benchLive(options) : undefined;
    const invokeLive = options.invoke.enabled
      ? await benchInvokeReads({
          ...options.invoke,
          seed: options.seed,
          latencyMs: options.live.latencyMs,
          progress,
        })
      : undefined;
    const invokeModel = invokeReadModel(
      generateAccount({
        functions: options.offline.functions,
        roles: options.offline.roles,
        policies: options.offline.policies,
        seed: options.seed,
      }),
    );
    const artifact = options.artifact.enabled ? await benchArtifact(options, directory) : undefined;
    const usage = options.usage.enabled ? await benchUsage(options) : undefined;
    const rows = [
      ...offlineRows(offline),
      ...memoryRows(memory),
      ...(html ? htmlRows(html) : []),
      ...(live ? liveRows(live.results) : []),
      ...invokeRows(invokeModel, invokeLive),
      ...(artifact ? artifactRows(artifact) : []),
      ...(usage ? usageRows(usage) : []),
    ];
    const machine = {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
    };
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    process.stdout.write(
      `lambda-role-auditor bench (${options.quick ? 'quick, ' : ''}node ${machine.node}, ${machine.cpus} CPUs, ${elapsedSeconds.toFixed(0)} s)\n`,
    );
    process.stdout.write(`${renderTable(rows)}\n`);
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(
      options.out,
      `${JSON.stringify(
        {
          generatedAt: new Date().toISOString(),
          machine,
          options,
          elapsedSeconds,
          rows,
          offline,
          memory,
          ...(html ? { html } : {}),
          ...(live ? { live } : {}),
          invokeReads: { computed: invokeModel, ...(invokeLive ? { live: invokeLive } : {}) },
          ...(artifact ? { artifact } : {}),
          ...(usage ? { usage } : {}),
        },
        null,
        2,
      )}\n`,
    );
    progress(`results written to ${options.out}`);
    return rows.some((row) => row.met === false) ? 1 : 0;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
