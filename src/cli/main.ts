import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { auditSnapshot } from '../audit/audit.js';
import { withMinSeverity } from '../audit/summary.js';
import { parseSuppressions, type Suppression, SuppressionFileError } from '../audit/suppressions.js';
import { readLastAccessedFile } from '../load/last-accessed.js';
import { InputFileError, readOfflineSnapshot } from '../load/offline.js';
import type { AuditReport } from '../model/report.js';
import { atLeast, type Severity } from '../model/severity.js';
import { type ReportFormat, renderReport } from '../report/render.js';
import { RULES } from '../rules/index.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { type AuditCommand, helpText, parseCommand, UsageError, unmatchedFunctionGlobs } from './options.js';
import { prepareProposalsDir, writeProposalFiles } from './proposals.js';

/** Where the CLI writes; injected so tests can run it in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** A configuration problem (bad file, bad environment): exit code 2. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** What live mode needs; loaded lazily so offline audits never load the AWS SDK. */
export interface LiveRunner {
  audit(command: AuditCommand, io: CliIo, suppressions: Suppression[]): Promise<{ report: AuditReport }>;
  /** Compares with the baseline, archives and publishes; returns the report to print. */
  finish(report: AuditReport, command: AuditCommand, io: CliIo): Promise<AuditReport>;
}

export const EXIT = { ok: 0, findings: 1, usage: 2, failed: 3 } as const;

/**
 * Runs the command line and returns the exit code: 0 ok, 1 findings at or above --fail-on,
 * 2 usage or configuration error, 3 audit failed.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function runCli(
  argv: string[],
  io: CliIo,
  live?: (command: AuditCommand) => Promise<LiveRunner>,
): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${TOOL_NAME}: ${error.message}; see --help\n`);
      return EXIT.usage;
    }
    throw error;
  }
  switch (command.command) {
    case 'help':
      io.stdout.write(helpText(command.topic));
      return EXIT.ok;
    case 'version':
      io.stdout.write(`${TOOL_NAME} ${TOOL_VERSION}\n`);
      return EXIT.ok;
    case 'rules':
      io.stdout.write(renderRules(command.format));
      return EXIT.ok;
    case 'audit':
      return runAudit(command, io, live);
    case 'org':
      return (await import('./org.js')).runOrg(command, io);
  }
}

async function loadSuppressions(path: string): Promise<Suppression[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  try {
    return parseSuppressions(JSON.parse(text));
  } catch (error) {
    const reason =
      error instanceof SuppressionFileError
        ? error.message
        : `is not valid JSON (${(error as Error).message})`;
    throw new ConfigurationError(
      `${path}: ${error instanceof SuppressionFileError ? `invalid suppressions file: ${reason}` : reason}`,
    );
  }
}

/**
 * Refuses an `--output` that cannot be written before the audit, which may take minutes: a missing or
 * non-directory parent, a directory in place of the file, no write permission.
 */
export async function checkWritable(path: string): Promise<void> {
  const problem = (reason: string) => new ConfigurationError(`cannot write --output ${path}: ${reason}`);
  const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw problem(error.message);
  });
  if (existing?.isDirectory()) throw problem('it is a directory');
  const target = existing ? path : dirname(path);
  if (!existing) {
    const directory = await stat(target).catch((error: NodeJS.ErrnoException) => {
      throw problem(
        error.code === 'ENOENT' ? `directory ${target} does not exist` : `${target}: ${error.message}`,
      );
    });
    if (!directory.isDirectory()) throw problem(`${target} is not a directory`);
  }
  await access(target, constants.W_OK).catch(() => {
    throw problem(`${existing ? 'the file' : `directory ${target}`} is not writable`);
  });
}

async function runAudit(
  command: AuditCommand,
  io: CliIo,
  live?: (command: AuditCommand) => Promise<LiveRunner>,
): Promise<number> {
  /** Every finding of the run, whatever `--min-severity` leaves out of the printed report. */
  let full: AuditReport;
  let runner: LiveRunner | undefined;
  try {
    if (command.output) await checkWritable(command.output);
    if (command.proposalsDir) {
      const problem = await prepareProposalsDir(command.proposalsDir);
      if (problem) throw new ConfigurationError(problem);
    }
    const suppressions = command.suppressions ? await loadSuppressions(command.suppressions) : [];
    if (command.authDetails && command.functions) {
      const snapshot = await readOfflineSnapshot(
        command.authDetails,
        command.functions,
        command.resourcePolicies,
      );
      if (command.lastAccessed) await readLastAccessedFile(snapshot, command.lastAccessed);
      const unmatched = unmatchedFunctionGlobs(
        command.functionGlobs,
        snapshot.functions.map((fn) => fn.functionName),
      );
      if (unmatched) throw unmatched;
      full = auditSnapshot(snapshot, {
        suppressions,
        ...(command.minSeverity ? { minSeverity: command.minSeverity } : {}),
        ...(command.functionGlobs.length ? { functions: command.functionGlobs } : {}),
        ...(command.usageDays !== undefined ? { usageDays: command.usageDays } : {}),
      });
    } else {
      if (!live) throw new ConfigurationError('live audits are not available in this build');
      runner = await live(command);
      ({ report: full } = await runner.audit(command, io, suppressions));
    }
    if ((command.publish || command.reportBucket || command.securityHub) && !runner) {
      runner = live ? await live(command) : undefined;
      if (!runner) throw new ConfigurationError('publishing is not available in this build');
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${TOOL_NAME}: ${error.message}; see --help\n`);
      return EXIT.usage;
    }
    if (error instanceof InputFileError || error instanceof ConfigurationError) {
      io.stderr.write(`${TOOL_NAME}: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${TOOL_NAME}: audit failed: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.failed;
  }

  if (command.proposalsDir) {
    try {
      for (const note of await writeProposalFiles(full, command.proposalsDir)) io.stderr.write(`${note}\n`);
    } catch (error) {
      io.stderr.write(
        `${TOOL_NAME}: cannot write --proposals-dir ${command.proposalsDir}: ${(error as Error).message}\n`,
      );
      return EXIT.usage;
    }
  }

  // The printed report: what --min-severity keeps. A failed archive or publish never loses it: it is
  // still printed, then the failure (exit 3).
  let report = withMinSeverity(full, full.scope.minSeverity);
  let deliveryFailure: string | undefined;
  if (runner && (command.publish || command.reportBucket || command.securityHub)) {
    try {
      report = await runner.finish(full, command, io);
    } catch (error) {
      deliveryFailure = (error as Error).message ?? String(error);
    }
  }

  const format: ReportFormat = command.format ?? (io.stdout.isTTY && !command.output ? 'table' : 'json');
  const useColor = command.color && !command.output && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  const rendered = renderReport(report, format, {
    color: useColor,
    ...(io.stdout.columns && !command.output ? { width: io.stdout.columns } : {}),
  });
  if (command.output) {
    try {
      await writeFile(command.output, rendered);
    } catch (error) {
      io.stderr.write(`${TOOL_NAME}: cannot write --output ${command.output}: ${(error as Error).message}\n`);
      if (deliveryFailure !== undefined)
        io.stderr.write(`${TOOL_NAME}: delivery failed: ${deliveryFailure}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${TOOL_NAME}: report written to ${command.output}\n`);
  } else {
    io.stdout.write(rendered);
  }
  if (deliveryFailure !== undefined) {
    io.stderr.write(`${TOOL_NAME}: delivery failed: ${deliveryFailure}\n`);
    return EXIT.failed;
  }
  if (full.status === 'failed') {
    io.stderr.write(`${TOOL_NAME}: AUDIT FAILED: ${full.partial?.reason ?? 'nothing could be audited'}\n`);
  }
  return exitCodeOf(full, command.failOn);
}

/**
 * The exit code a printed report earned: 3 for a failed run (nothing could be audited); with
 * `--fail-on`, 1 for an unmuted finding at or above the threshold (whatever `--min-severity` printed)
 * or for a partial run, since a CI gate never passes half-blind; else 0.
 */
export function exitCodeOf(report: AuditReport, failOn: Severity | undefined): number {
  if (report.status === 'failed') return EXIT.failed;
  if (!failOn) return EXIT.ok;
  if (report.status === 'partial') return EXIT.findings;
  return report.findings.some((finding) => !finding.muted && atLeast(finding.severity, failOn))
    ? EXIT.findings
    : EXIT.ok;
}

/** The rule catalog as a table, JSON or markdown. */
export function renderRules(format: 'table' | 'json' | 'markdown'): string {
  const rules = RULES.map((rule) => rule.meta);
  if (format === 'json') return `${JSON.stringify(rules, null, 2)}\n`;
  if (format === 'markdown') {
    const rows = rules.map(
      (rule) =>
        `| \`${rule.id}\` | ${rule.severity} | ${rule.title} | ${rule.remediation.replace(/\|/g, '\\|')} |`,
    );
    return ['| id | severity | title | remediation |', '|---|---|---|---|', ...rows, ''].join('\n');
  }
  const idWidth = Math.max(...rules.map((rule) => rule.id.length));
  const lines = rules.map((rule) => `${rule.id.padEnd(idWidth)}  ${rule.severity.padEnd(8)}  ${rule.title}`);
  return `${'RULE'.padEnd(idWidth)}  SEVERITY  TITLE\n${lines.join('\n')}\n`;
}
