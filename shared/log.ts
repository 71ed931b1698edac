/**
 * The narrow logging port shared code depends on. Powertools' Logger satisfies it in Lambda;
 * tests pass a `RecordingLog`. Messages are constant and lower-case; data goes in fields.
 * Never pass e-mail addresses, tokens, whole events or bodies. Pass a caught error as the object
 * (`{ error }`), never its message alone: both loggers write its name, message, stack and cause.
 */
export interface Log {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown> | Error): void;
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data?: Record<string, unknown> | Error;
}

/** Keeps every entry in memory; for tests. */
export class RecordingLog implements Log {
  readonly entries: LogEntry[] = [];
  debug(message: string, data?: Record<string, unknown>): void {
    this.entries.push({ level: 'debug', message, data });
  }
  info(message: string, data?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, data });
  }
  warn(message: string, data?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, data });
  }
  error(message: string, data?: Record<string, unknown> | Error): void {
    this.entries.push({ level: 'error', message, data });
  }
}

/** Drops everything; for benchmarks and quiet tools. */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** How deep a chain of causes is written before the rest is cut to its message. */
const maxCauseDepth = 5;

/**
 * An error as plain JSON fields, as Powertools' Logger writes one: `name`, `message`, `stack`,
 * `cause` (an error cause in turn, up to five deep) and the error's own fields (`status`, `folder` …).
 */
export function errorFields(error: Error, depth = 0): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...error, name: error.name, message: error.message, stack: error.stack };
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    fields['cause'] = depth < maxCauseDepth ? errorFields(cause, depth + 1) : `${cause.name}: ${cause.message}`;
  } else if (cause !== undefined) {
    fields['cause'] = cause;
  }
  return fields;
}

/** JSON.stringify replacer that writes errors (at any depth in the data) with `errorFields`. */
function withErrors(_key: string, value: unknown): unknown {
  return value instanceof Error ? errorFields(value) : value;
}

/**
 * One JSON line per entry on stderr (local stack and CLI); `level` filters debug out by default.
 * An error, passed as the data or as a field of it, keeps its stack and cause (`errorFields`).
 */
export function consoleLog(
  level: 'debug' | 'info' | 'warn' | 'error' = 'info',
  writeLine: (line: string) => void = (line) => process.stderr.write(line),
): Log {
  const order = { debug: 0, info: 1, warn: 2, error: 3 } as const;
  const write = (entryLevel: keyof typeof order, message: string, data?: Record<string, unknown> | Error) => {
    if (order[entryLevel] < order[level]) return;
    const fields = data instanceof Error ? { error: data } : data;
    writeLine(
      JSON.stringify({ level: entryLevel, message, ...fields, time: new Date().toISOString() }, withErrors) + '\n',
    );
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
