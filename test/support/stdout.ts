import { vi } from 'vitest';

/**
 * Captures what is written to stdout (the handler's structured log) until `vi.restoreAllMocks()`:
 * the returned list fills as chunks are written.
 */
export function captureStdout(): string[] {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return chunks;
}
