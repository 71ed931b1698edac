/**
 * The narrow logging port shared code depends on. Powertools' Logger satisfies it in Lambda;
 * tests pass a `RecordingLog`. Messages are constant and lower-case; data goes in fields.
 * Never pass e-mail addresses, tokens, whole events or bodies.
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

/** One JSON line per entry on stderr (local stack and CLI); `level` filters debug out by default. */
export function consoleLog(level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Log {
  const order = { debug: 0, info: 1, warn: 2, error: 3 } as const;
  const write = (entryLevel: keyof typeof order, message: string, data?: Record<string, unknown> | Error) => {
    if (order[entryLevel] < order[level]) return;
    const fields = data instanceof Error ? { error: data.message, name: data.name } : data;
    process.stderr.write(
      JSON.stringify({ level: entryLevel, message, ...fields, time: new Date().toISOString() }) + '\n',
    );
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
