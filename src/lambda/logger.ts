/** One structured JSON log line per event, as CloudWatch Logs Insights reads best. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  with(fields: Record<string, unknown>): Logger;
}

/**
 * A minimal structured logger. Callers pass counts, ARNs and codes — never environment values of
 * audited functions, which the snapshot does not even hold.
 *
 * @example
 * const log = createLogger({ service: 'lambda-role-auditor' });
 * log.info('audit finished', { findings: 3 });
 */
export function createLogger(
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    const entry: Record<string, unknown> = {
      level,
      timestamp: new Date().toISOString(),
      message,
      ...base,
      ...fields,
    };
    if (fields?.error instanceof Error) entry.error = serializeError(fields.error);
    write(JSON.stringify(entry));
  };
  return {
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    with: (fields) => createLogger({ ...base, ...fields }, write),
  };
}

/** How many causes of an error are logged: enough for wrapped SDK errors, and a cycle stays finite. */
const CAUSE_DEPTH = 5;

/** An error as a log line shows it. */
export interface LoggedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  /** The error this one wraps (`new Error(message, { cause })`), itself logged the same way. */
  cause?: LoggedError | string | number | boolean | null;
}

/**
 * An error as JSON can carry it: name, message, code, stack, and its causes (to a depth of five), which
 * `JSON.stringify` would otherwise drop.
 *
 * @example
 * serializeError(new Error('publish failed', { cause: new Error('throttled') })).cause?.message; // 'throttled'
 */
export function serializeError(error: Error, depth = 0): LoggedError {
  const { code } = error as Error & { code?: unknown };
  const logged: LoggedError = { name: error.name, message: error.message };
  if (typeof code === 'string' && code.length > 0) logged.code = code;
  if (typeof error.stack === 'string') logged.stack = error.stack;
  if (error.cause !== undefined && depth < CAUSE_DEPTH) {
    const { cause } = error;
    if (cause instanceof Error) logged.cause = serializeError(cause, depth + 1);
    else if (cause === null || ['string', 'number', 'boolean'].includes(typeof cause))
      logged.cause = cause as string | number | boolean | null;
    else logged.cause = Object.prototype.toString.call(cause);
  }
  return logged;
}
