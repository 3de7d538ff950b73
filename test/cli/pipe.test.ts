import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packagedCli } from '../support/packaged-cli.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const demo = (file: string) => `examples/demo-account/${file}`;
const offline = ['audit', '--auth-details', demo('auth-details.json'), '--functions', demo('functions.json')];

/**
 * Runs the CLI as `… | head -0` would: the reader of its stdout is gone before it writes, so every
 * write meets a closed pipe (EPIPE).
 */
async function runIntoClosedPipe(args: string[]): Promise<{ status: number | null; stderr: string }> {
  // The CLI as npm installs it, bundled from the current sources (never the repository's own dist/).
  const cli = await packagedCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli.bin, ...args], {
      cwd: REPOSITORY_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

describe('CLI: a closed stdout pipe', () => {
  it.each([
    { command: 'audit --format text', args: [...offline, '--format', 'text'], expected: 0 },
    {
      command: 'audit --fail-on critical',
      args: [...offline, '--format', 'json', '--fail-on', 'critical'],
      expected: 1,
    },
    { command: 'rules', args: ['rules'], expected: 0 },
  ])('ends $command quietly with the exit code it earned ($expected)', async ({ args, expected }) => {
    // Act
    const { status, stderr } = await runIntoClosedPipe(args);

    // Assess
    expect(stderr).toBe('');
    expect(status).toBe(expected);
  });
});
