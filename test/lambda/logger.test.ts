import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lambda/logger.js';

/** A logger writing into memory, and its lines parsed. */
function memoryLogger() {
  const lines: string[] = [];
  const logger = createLogger({ service: 'lambda-role-auditor' }, (line) => lines.push(line));
  return { logger, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

class PublishError extends Error {
  override name = 'PublishError';
}

describe('Lambda logger', () => {
  it('writes one JSON line per event with level, message, base fields and the fields given', () => {
    // Prepare
    const { logger, entries } = memoryLogger();

    // Act
    logger.with({ requestId: 'r-1' }).info('audit finished', { findings: 3 });

    // Assess
    expect(entries()).toEqual([
      {
        level: 'INFO',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        message: 'audit finished',
        service: 'lambda-role-auditor',
        requestId: 'r-1',
        findings: 3,
      },
    ]);
  });

  it('logs an error with its name, message, code, stack and its chain of causes', () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      code: 'Throttling',
    });
    const error = new PublishError('publish failed', { cause: throttled });
    const { logger, entries } = memoryLogger();

    // Act
    logger.error('invocation failed', { error });

    // Assess
    const [entry] = entries();
    expect(entry?.level).toBe('ERROR');
    expect(entry?.error).toEqual({
      name: 'PublishError',
      message: 'publish failed',
      stack: error.stack,
      cause: {
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        code: 'Throttling',
        stack: throttled.stack,
      },
    });
    expect(error.stack).toContain('logger.test.ts');
  });

  it.each([
    ['a string', 'socket hang up', 'socket hang up'],
    ['a number', 503, 503],
    ['an object', { secret: 'not logged' }, '[object Object]'],
  ])('logs a cause that is %s without its properties', (_kind, cause, logged) => {
    // Prepare
    const { logger, entries } = memoryLogger();

    // Act
    logger.warn('archive failed', { error: new Error('archive failed', { cause }) });

    // Assess
    expect(entries()[0]?.error).toMatchObject({ cause: logged });
  });

  it('stops following causes after five levels, also when an error causes itself', () => {
    // Prepare
    const loop = new Error('loop');
    loop.cause = loop;
    const { logger, entries } = memoryLogger();

    // Act
    logger.error('invocation failed', { error: loop });

    // Assess
    let depth = 0;
    let current = entries()[0]?.error as { cause?: unknown } | undefined;
    while (current?.cause) {
      depth += 1;
      current = current.cause as { cause?: unknown };
    }
    expect(depth).toBe(5);
  });
});
