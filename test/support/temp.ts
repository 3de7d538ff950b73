import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A new empty folder in the temp folder, removed when the current test finishes (passed or not).
 * Call it inside a test; in `beforeAll`, create the folder there and remove it in `afterAll`.
 *
 * @example
 * const directory = testFolder('lra-cli-');
 * writeFileSync(join(directory, 'functions.json'), '{}');
 */
export function testFolder(prefix = 'lra-'): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
