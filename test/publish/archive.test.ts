import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SuppressionFileError } from '../../src/audit/suppressions.js';
import {
  ArchiveError,
  archiveReport,
  readLatestReport,
  readSuppressionsFile,
  reportTimestamp,
} from '../../src/publish/archive.js';
import { demoReport } from './demo-report.js';

const BUCKET = 'audit-reports-123456789012';
const s3Mock = mockClient(S3Client);

afterEach(() => {
  s3Mock.reset();
});

function s3(): S3Client {
  return new S3Client({ region: 'us-east-1' });
}

/** A GetObject body as the SDK hands it out: only `transformToString` is used. */
function body(text: string): GetObjectCommandOutput['Body'] {
  return { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'];
}

function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

const RUN = { updateLatest: true, runId: 'c0ffee00-1111-2222-3333-444455556666' };
const KEY = `reports/123456789012/2026-11-26T03-00-00.000Z-${RUN.runId}.json`;
const HTML_KEY = KEY.replace(/\.json$/, '.html');

describe('archiveReport', () => {
  it("writes the run's own report first, then latest.json, both as JSON with the run's location", async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});
    const report = demoReport();

    // Act
    const location = await archiveReport(s3(), BUCKET, report, RUN);

    // Assess
    expect(location).toBe(`s3://${BUCKET}/${KEY}`);
    const puts = s3Mock
      .commandCalls(PutObjectCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Key!.endsWith('.json'));
    expect(puts.map((input) => input.Key)).toEqual([KEY, 'reports/123456789012/latest.json']);
    for (const input of puts) {
      expect(input.Bucket).toBe(BUCKET);
      expect(input.ContentType).toBe('application/json');
      expect(input.ServerSideEncryption).toBeUndefined();
      expect(JSON.parse(String(input.Body))).toEqual({ ...report, location });
    }
    expect(report.location).toBeUndefined();
  });

  it('writes the same report as an HTML page beside the JSON copy, after latest.json', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});
    const report = demoReport();

    // Act
    const location = await archiveReport(s3(), BUCKET, report, RUN);

    // Assess
    const puts = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((input) => input.Key)).toEqual([KEY, 'reports/123456789012/latest.json', HTML_KEY]);
    const page = puts[2]!;
    expect(page.ContentType).toBe('text/html; charset=utf-8');
    expect(String(page.Body)).toMatch(/^<!doctype html>/);
    expect(String(page.Body)).toContain(`JSON report: <code>${location}</code>`);
    expect(String(page.Body)).toContain(`<h1>lambda-role-auditor: account ${report.account}</h1>`);
  });

  it('leaves latest.json alone when the run is not a baseline', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});

    // Act
    await archiveReport(s3(), BUCKET, demoReport(), { ...RUN, updateLatest: false });

    // Assess
    const keys = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key);
    expect(keys).toEqual([KEY, HTML_KEY]);
  });

  it('keeps two runs of the same millisecond apart by their run ids', async () => {
    // Prepare: a nightly run and a console run that generated their reports in the same millisecond
    s3Mock.on(PutObjectCommand).resolves({});
    const nightly = demoReport();
    const consoleRun = {
      ...demoReport(),
      scope: { ...demoReport().scope, functions: ['csv-*'], full: false },
    };

    // Act
    const first = await archiveReport(s3(), BUCKET, nightly, { updateLatest: true, runId: 'request-a' });
    const second = await archiveReport(s3(), BUCKET, consoleRun, { updateLatest: false, runId: 'request-b' });

    // Assess
    expect(nightly.generatedAt).toBe(consoleRun.generatedAt);
    expect(first).toBe(`s3://${BUCKET}/reports/123456789012/2026-11-26T03-00-00.000Z-request-a.json`);
    expect(second).toBe(`s3://${BUCKET}/reports/123456789012/2026-11-26T03-00-00.000Z-request-b.json`);
    const puts = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((input) => input.Key)).toEqual([
      'reports/123456789012/2026-11-26T03-00-00.000Z-request-a.json',
      'reports/123456789012/latest.json',
      'reports/123456789012/2026-11-26T03-00-00.000Z-request-a.html',
      'reports/123456789012/2026-11-26T03-00-00.000Z-request-b.json',
      'reports/123456789012/2026-11-26T03-00-00.000Z-request-b.html',
    ]);
    expect(JSON.parse(String(puts[1]!.Body)).scope.full).toBe(true);
  });

  it.each([
    ['a Lambda request id', '8f2c5a1e-3b4d-4c6e-9f00-1a2b3c4d5e6f', '8f2c5a1e-3b4d-4c6e-9f00-1a2b3c4d5e6f'],
    ['a run id with path characters', '../../latest', '.._.._latest'],
    ['an empty run id', '', 'run'],
    ['a run id longer than 64 characters', 'x'.repeat(100), 'x'.repeat(64)],
  ])('keeps %s inside one key', async (_name, runId, expected) => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});

    // Act
    const location = await archiveReport(s3(), BUCKET, demoReport(), { updateLatest: false, runId });

    // Assess
    expect(location).toBe(`s3://${BUCKET}/reports/123456789012/2026-11-26T03-00-00.000Z-${expected}.json`);
  });

  it('keeps an unusual account label inside its own prefix', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});
    const report = { ...demoReport(), account: '../other account/..' };

    // Act
    const location = await archiveReport(s3(), BUCKET, report, RUN);

    // Assess
    expect(location).toBe(
      `s3://${BUCKET}/reports/.._other_account_../2026-11-26T03-00-00.000Z-${RUN.runId}.json`,
    );
  });

  it('fails with an ArchiveError that keeps the SDK error, and never writes latest.json then', async () => {
    // Prepare
    const failure = serviceError('NoSuchBucket', 404);
    s3Mock.on(PutObjectCommand).rejects(failure);

    // Act
    const archiving = archiveReport(s3(), BUCKET, demoReport(), RUN);

    // Assess
    const error = await archiving.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).cause).toBe(failure);
    expect((error as ArchiveError).location).toBe(`s3://${BUCKET}/${KEY}`);
    expect(s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([KEY]);
  });
});

describe('reportTimestamp', () => {
  it.each([
    ['2026-11-26T03:00:00.000Z', '2026-11-26T03-00-00.000Z'],
    ['2026-11-26T03:00:59.999Z', '2026-11-26T03-00-59.999Z'],
    ['2026-11-26T04:00:00+01:00', '2026-11-26T03-00-00.000Z'],
    ['not a date', '2027-01-02T03-04-05.678Z'],
  ])('turns %s into %s', (generatedAt, expected) => {
    // Prepare
    const now = new Date('2027-01-02T03:04:05.678Z');

    // Act
    const timestamp = reportTimestamp(generatedAt, now);

    // Assess
    expect(timestamp).toBe(expected);
  });
});

describe('readLatestReport', () => {
  it('reads and parses reports/<account>/latest.json', async () => {
    // Prepare
    const report = demoReport();
    s3Mock.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(report)) });

    // Act
    const latest = await readLatestReport(s3(), BUCKET, '123456789012');

    // Assess
    expect(latest).toEqual(report);
    const inputs = s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([{ Bucket: BUCKET, Key: 'reports/123456789012/latest.json' }]);
  });

  it.each([
    [
      'NoSuchKey',
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    ],
    ['AccessDenied (no s3:ListBucket)', serviceError('AccessDenied', 403)],
    ['a bare 404', serviceError('NotFound', 404)],
  ])('gives undefined for a missing report: %s', async (_name, failure) => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(failure);
    const onWarning = vi.fn();

    // Act
    const latest = await readLatestReport(s3(), BUCKET, '123456789012', { onWarning });

    // Assess
    expect(latest).toBeUndefined();
    expect(onWarning).not.toHaveBeenCalled();
  });

  it('gives undefined and a warning for a latest.json that is not JSON', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).resolves({ Body: body('{"schemaVersion": 1, "findings": [') });
    const onWarning = vi.fn();

    // Act
    const latest = await readLatestReport(s3(), BUCKET, '123456789012', { onWarning });

    // Assess
    expect(latest).toBeUndefined();
    expect(onWarning).toHaveBeenCalledOnce();
    expect(onWarning.mock.calls[0]![0]).toContain(
      `s3://${BUCKET}/reports/123456789012/latest.json is not valid JSON`,
    );
    expect(onWarning.mock.calls[0]![1]).toBeInstanceOf(SyntaxError);
  });

  it('throws an ArchiveError for other failures, such as S3 being unavailable', async () => {
    // Prepare
    const failure = serviceError('ServiceUnavailable', 503);
    s3Mock.on(GetObjectCommand).rejects(failure);

    // Act
    const reading = readLatestReport(s3(), BUCKET, '123456789012');

    // Assess
    const error = await reading.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).cause).toBe(failure);
  });
});

describe('readSuppressionsFile', () => {
  it('reads config/suppressions.json, byte order mark and all', async () => {
    // Prepare
    const file = { suppressions: [{ rule: 'role-shared', reason: 'one service in two regions' }] };
    s3Mock.on(GetObjectCommand).resolves({ Body: body(`\ufeff${JSON.stringify(file)}`) });

    // Act
    const raw = await readSuppressionsFile(s3(), BUCKET);

    // Assess
    expect(raw).toEqual(file);
    expect(s3Mock.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: 'config/suppressions.json',
    });
  });

  it('gives undefined when there is no suppressions file', async () => {
    // Prepare
    s3Mock
      .on(GetObjectCommand)
      .rejects(new NoSuchKey({ message: 'missing', $metadata: { httpStatusCode: 404 } }));

    // Act
    const raw = await readSuppressionsFile(s3(), BUCKET);

    // Assess
    expect(raw).toBeUndefined();
  });

  it.each([
    ['AccessDenied', serviceError('AccessDenied', 403)],
    ['NoSuchBucket', serviceError('NoSuchBucket', 404)],
    ['ServiceUnavailable', serviceError('ServiceUnavailable', 503)],
  ])('throws an ArchiveError for %s: only a missing key means there is no file', async (_name, failure) => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(failure);

    // Act
    const error = await readSuppressionsFile(s3(), BUCKET).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).location).toBe(`s3://${BUCKET}/config/suppressions.json`);
    expect((error as ArchiveError).cause).toBe(failure);
  });

  it('refuses a suppressions file that is not JSON rather than unmuting everything', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).resolves({ Body: body('suppressions: []') });

    // Act
    const reading = readSuppressionsFile(s3(), BUCKET);

    // Assess
    await expect(reading).rejects.toThrow(SuppressionFileError);
    await expect(readSuppressionsFile(s3(), BUCKET)).rejects.toThrow(
      `s3://${BUCKET}/config/suppressions.json is not valid JSON`,
    );
  });
});
