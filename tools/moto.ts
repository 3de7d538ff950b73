import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A `moto_server` (the AWS API emulator) running on loopback, for integration tests, the benchmark
 * and `npm run demo:live`. Every test file that needs AWS starts its own server on a free port, so
 * files can run in parallel.
 */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL` or a client's `endpoint`. */
  endpoint: string;
  port: number;
  /** Forgets every resource created so far (the AWS managed policies come back). */
  reset(): Promise<void>;
  /** Stops the server; calling it twice is harmless. */
  stop(): Promise<void>;
}

/** Raised when the emulator cannot be started; tests must fail, never skip silently. */
export class MotoStartError extends Error {
  override name = 'MotoStartError';
}

const MOTO_BINARY = 'moto_server';
/**
 * moto_server plus the APIs moto lacks (Lambda `ListFunctionUrlConfigs`, `RevisionId`; CloudFormation's
 * trusted access with Organizations): SPEC §11.
 */
const MOTO_LAUNCHER = fileURLToPath(new URL('./moto_server_ext.py', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 3;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function findOnPath(binary: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole process group (shell, pyenv shims, python), not just the shell.
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) killGroup(child);
  });
}

async function isAnswering(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The child is a small shell that runs moto in the background and waits on its own stdin: when the
 * test process dies in any way (even SIGKILL) the pipe closes and the shell takes moto down with it.
 */
function spawnMoto(port: number): ChildProcess {
  // The launcher imports moto: it runs in the Python that has it (MOTO_PYTHON, default python3).
  const script = `"\${MOTO_PYTHON:-python3}" "$2" -H 127.0.0.1 -p "$1" & cat >/dev/null; kill 0`;
  const child = spawn('sh', ['-c', script, 'moto', String(port), MOTO_LAUNCHER], {
    detached: true,
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  // The child must not keep the test process alive on its own.
  child.unref();
  // Pipes of a child process are sockets: unreferenced, they do not hold the event loop either.
  (child.stderr as Socket | null)?.unref();
  (child.stdin as unknown as Socket | null)?.unref();
  return child;
}

async function waitUntilReady(
  child: ChildProcess,
  endpoint: string,
  stderrTail: () => string,
): Promise<void> {
  const startedAt = Date.now();
  while (Date.now() - startedAt < READY_TIMEOUT_MS) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new MotoStartError(`moto_server exited before answering: ${stderrTail()}`);
    }
    if (await isAnswering(endpoint)) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new MotoStartError(
    `moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS} ms: ${stderrTail()}`,
  );
}

async function startOnce(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawnMoto(port);
  running.add(child);
  installExitHook();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    running.delete(child);
    // Hold the event loop until the exit arrives, or a script with nothing else pending quits mid-wait.
    child.ref();
    killGroup(child);
    await exited;
  };
  try {
    await waitUntilReady(child, endpoint, () => stderr.trim());
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    port,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await response.arrayBuffer();
      if (!response.ok) throw new MotoStartError(`moto reset failed with HTTP ${response.status}`);
    },
    stop,
  };
}

/**
 * Starts `moto_server` on a free loopback port with the AWS managed policies loaded, and resolves
 * once it answers.
 *
 * @example
 * const moto = await startMoto();
 * const iam = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
 * await moto.stop();
 */
export async function startMoto(): Promise<MotoServer> {
  if (!findOnPath(MOTO_BINARY)) {
    throw new MotoStartError("moto_server not found: install it with pip install 'moto[server]'");
  }
  let lastError: unknown;
  // The free port is only reserved until it is handed to moto: another process may take it first.
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt += 1) {
    try {
      return await startOnce();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** Dummy credentials moto accepts; its default account id is {@link MOTO_ACCOUNT_ID}. */
export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** The account id moto uses unless told otherwise. */
export const MOTO_ACCOUNT_ID = '123456789012';

/**
 * Environment variables that point an AWS SDK or AWS CLI child process at the emulator. Merge it
 * over `process.env`: `AWS_SESSION_TOKEN` and `AWS_PROFILE` are set to empty strings, which the SDK
 * treats as unset, so real credentials or profiles of the developer never leak into a test.
 *
 * @example
 * spawn('./bin/lambda-role-auditor', ['audit'], { env: { ...process.env, ...awsTestEnv(moto.endpoint) } });
 */
export function awsTestEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
