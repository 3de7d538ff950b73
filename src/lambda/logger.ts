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
    if (fields?.error instanceof Error) {
      const error = fields.error as Error & { code?: string };
      entry.error = { name: error.name, message: error.message, ...(error.code ? { code: error.code } : {}) };
    }
    write(JSON.stringify(entry));
  };
  return {
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    with: (fields) => createLogger({ ...base, ...fields }, write),
  };
}
