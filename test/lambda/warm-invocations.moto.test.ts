import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../src/handler.js';
import {
  FAULT_TEST_TIMEOUT_MS,
  type FaultEnvironment,
  lambdaContext,
  SEEDED_REGIONS,
  startFaultEnvironment,
  TOPIC_ARN,
} from '../faults/harness.js';
import { captureStdout } from '../support/stdout.js';

let environment: FaultEnvironment;

beforeAll(async () => {
  environment = await startFaultEnvironment();
  Object.assign(process.env, { TOPIC_ARN, REGIONS: SEEDED_REGIONS.join(','), COLLECTION: 'bulk' });
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** One invocation of the real handler; returns its `audit finished` log entry. */
async function invokeOnce(): Promise<Record<string, unknown>> {
  const stdout = captureStdout();
  try {
    await handler({ dryRun: true }, lambdaContext());
  } finally {
    vi.restoreAllMocks();
  }
  const entries = stdout
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const finished = entries.find((entry) => entry.message === 'audit finished');
  expect(finished).toBeDefined();
  return finished!;
}

describe('Lambda handler: warm invocations', () => {
  it(
    'logs the API calls of each invocation, not a running total of the container',
    async () => {
      // Act: two invocations of one warm container
      const first = await invokeOnce();
      const second = await invokeOnce();

      // Assess
      expect(first.apiCalls).toMatchObject({ 'lambda:ListFunctions': SEEDED_REGIONS.length });
      expect(second.apiCalls).toEqual(first.apiCalls);
      expect(second.apiAttempts).toEqual(first.apiAttempts);
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
