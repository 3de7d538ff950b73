import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testFolder } from '../support/temp.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs an ES module script with tsx in a fresh Node process (the SDK warns once per process). */
function runScript(script: string): Promise<{ status: number | null; stderr: string }> {
  // The SDK's own switch must not be set by the developer's shell, or the test proves nothing.
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _, ...inherited } = process.env;
  // tsx keeps its cache in the temp folder: the child gets one of its own, removed after the test.
  const temporary = testFolder('lra-warnings-');
  const environment = {
    ...inherited,
    AWS_REGION: 'us-east-1',
    TMPDIR: temporary,
    TMP: temporary,
    TEMP: temporary,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPOSITORY_ROOT,
      env: environment,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

describe('Lambda handler: stderr', () => {
  it('keeps the AWS SDK Node version warning out of the log once the handler is loaded', async () => {
    // Prepare: what the handler does on its first invocation, creating the SDK clients
    const script = `
      await import('./src/handler.ts');
      const { createLiveServices } = await import('./src/live/pipeline.ts');
      createLiveServices({ topicArn: 'arn:aws:sns:us-east-1:123456789012:audit' }).clients.lambda('us-east-1');
    `;

    // Act
    const { status, stderr } = await runScript(script);

    // Assess
    expect(status).toBe(0);
    expect(stderr).not.toContain('NodeVersionSupportWarning');
    expect(stderr).toBe('');
  });
});
