import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionMode } from '../../src/lambda/config.js';
import type { AuditReport } from '../../src/model/report.js';
import {
  archivedReport,
  createReportBucket,
  FAULT_TEST_TIMEOUT_MS,
  type FaultEnvironment,
  findingKeys,
  invoke,
  lambdaConfig,
  REPORT_BUCKET,
  startFaultEnvironment,
  topicWithQueue,
  total,
} from './harness.js';

let environment: FaultEnvironment;
const cleanReports = new Map<CollectionMode, AuditReport>();

async function auditedReport(collection: CollectionMode) {
  const result = await invoke(lambdaConfig({ collection, reportBucket: REPORT_BUCKET }));
  return { ...result, report: await archivedReport(environment, result.summary.location) };
}

beforeAll(async () => {
  environment = await startFaultEnvironment();
  await createReportBucket(environment);
  await topicWithQueue(environment);
  for (const collection of ['per-role', 'bulk'] as const) {
    cleanReports.set(collection, (await auditedReport(collection)).report);
  }
  environment.proxy.clear();
}, FAULT_TEST_TIMEOUT_MS);

afterAll(async () => {
  await environment?.stop();
});

describe('Fault: sustained throttling of IAM and Lambda', () => {
  it.each(['per-role', 'bulk'] as const)(
    'audits exactly what a clean run finds when 30 percent of calls are throttled (%s)',
    async (collection) => {
      // prepare
      environment.proxy.clear();
      environment.proxy.setRules(
        [{ match: { service: ['iam', 'lambda'] }, rate: 0.3, fault: { kind: 'throttle' } }],
        collection === 'bulk' ? 1 : 8,
      );

      // act
      const { report, apiCalls, apiAttempts } = await auditedReport(collection);

      // assess
      const clean = cleanReports.get(collection)!;
      expect(clean.findings.length).toBeGreaterThan(5);
      expect(findingKeys(report.findings)).toEqual(findingKeys(clean.findings));
      expect(report.errors).toEqual(clean.errors);
      // Slower, never blind: the run is complete.
      expect(report.status).toBe('complete');
      expect(report.partial).toBeUndefined();
      const injected = environment.proxy.faultCount('throttle');
      expect(environment.proxy.faultCount('throttle', 'iam:')).toBeGreaterThan(0);
      expect(environment.proxy.faultCount('throttle', 'lambda:')).toBeGreaterThan(0);
      // Every throttled attempt was retried by the SDK and shows in the handler's own log line.
      const retries = total(apiAttempts, 'iam:') + total(apiAttempts, 'lambda:');
      const calls = total(apiCalls, 'iam:') + total(apiCalls, 'lambda:');
      expect(retries - calls).toBe(injected);
      expect(apiAttempts['lambda:ListFunctions']).toBeGreaterThan(apiCalls['lambda:ListFunctions']!);
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});

describe('Fault: dropped connections', () => {
  it.each(['per-role', 'bulk'] as const)(
    'audits exactly what a clean run finds when 10 percent of connections drop (%s)',
    async (collection) => {
      // prepare: every request may drop, also the S3 and SNS calls of archiving and publishing
      environment.proxy.clear();
      environment.proxy.setRules([{ rate: 0.1, fault: { kind: 'drop' } }], collection === 'bulk' ? 5 : 11);

      // act
      const { report, summary, apiCalls, apiAttempts } = await auditedReport(collection);

      // assess
      const clean = cleanReports.get(collection)!;
      expect(findingKeys(report.findings)).toEqual(findingKeys(clean.findings));
      expect(report.errors).toEqual(clean.errors);
      expect(report.status).toBe('complete');
      expect(summary.published).toBe(true);
      const dropped = environment.proxy.faultCount('drop');
      expect(dropped).toBeGreaterThan(0);
      expect(total(apiAttempts)).toBeGreaterThan(total(apiCalls));
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
