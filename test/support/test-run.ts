/**
 * Global setup of every test run (vitest.config.ts): the run gets a folder of its own, and its temp
 * folder (TMPDIR, TMP and TEMP, inherited by every worker and every process a test starts) lives
 * inside it. At the end, the run fails when a test left something in that temp folder or a process
 * it started is still running; then the whole folder is removed, so a run never litters the
 * machine's temp folder, even when it fails. The folder of a run that was killed before its teardown
 * is removed by the next run.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Names the run's folder; every process started during the run inherits it. */
export const RUN_FOLDER_VARIABLE = 'LAMBDA_ROLE_AUDITOR_TEST_RUN';

/** How long processes a test stopped may take to exit before they count as left behind. */
const EXIT_GRACE_MS = 5_000;

const TEMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;

const RUN_FOLDER_PREFIX = 'lra-test-run-';

/** Whether a process with this id exists (signal 0 only checks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the folders of earlier runs whose vitest process is gone (killed before its teardown). */
function removeAbandonedRunFolders(parent: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(RUN_FOLDER_PREFIX)) continue;
    const folder = join(parent, name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(folder, 'pid'), 'utf8'));
    } catch {
      continue; // being created, or not one of ours
    }
    if (Number.isInteger(owner) && owner > 0 && !isRunning(owner)) {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

/** A process still running with the run's marker in its environment (Linux: read from /proc). */
interface LingeringProcess {
  pid: number;
  command: string;
}

function lingeringProcesses(runFolder: string): LingeringProcess[] {
  if (process.platform !== 'linux') return [];
  const marker = `${RUN_FOLDER_VARIABLE}=${runFolder}`;
  const found: LingeringProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!environment.includes(marker)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      // A zombie has exited already: only its parent's bookkeeping is left.
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (state !== 'Z') found.push({ pid, command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function processesLeftBehind(runFolder: string): Promise<LingeringProcess[]> {
  const deadline = Date.now() + EXIT_GRACE_MS;
  let lingering = lingeringProcesses(runFolder);
  while (lingering.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    lingering = lingeringProcesses(runFolder);
  }
  return lingering;
}

/**
 * Creates the run's folder and points the temp folder variables into it; returns the teardown that
 * checks for leftovers and removes the folder.
 */
export function setup(): () => Promise<void> {
  removeAbandonedRunFolders(tmpdir());
  const runFolder = mkdtempSync(join(tmpdir(), RUN_FOLDER_PREFIX));
  writeFileSync(join(runFolder, 'pid'), String(process.pid));
  const temporaryFolder = join(runFolder, 'tmp');
  mkdirSync(temporaryFolder);
  const previous = new Map(
    [...TEMP_VARIABLES, RUN_FOLDER_VARIABLE].map((name) => [name, process.env[name]] as const),
  );
  for (const name of TEMP_VARIABLES) process.env[name] = temporaryFolder;
  process.env[RUN_FOLDER_VARIABLE] = runFolder;

  return async function teardown(): Promise<void> {
    try {
      const processes = await processesLeftBehind(runFolder);
      for (const { pid } of processes) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      const folders = existsSync(temporaryFolder) ? readdirSync(temporaryFolder).sort() : [];
      const problems = [
        ...folders.map((name) => `left in the temp folder: ${name}`),
        ...processes.map(({ pid, command }) => `still running (now killed): ${pid} ${command}`),
      ];
      if (problems.length > 0) {
        // vitest only logs an error thrown by a global teardown: the exit code has to say it too.
        process.exitCode = 1;
        throw new Error(
          `Tests must clean up what they create (SPEC §13):\n  ${problems.join('\n  ')}\n` +
            'Remove temp folders in afterAll/afterEach or onTestFinished, and stop started processes.',
        );
      }
    } finally {
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(runFolder, { recursive: true, force: true });
    }
  };
}
