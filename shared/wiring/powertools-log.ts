import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config.js';
import type { Log } from '../log.js';

/**
 * The `Log` port over Powertools' Logger: structured JSON lines in Lambda (pretty with
 * POWERTOOLS_DEV=true). One per container, built in wiring.ts.
 */
export function powertoolsLog(serviceName: string, level: Config['LOG_LEVEL']): Log {
  const logger = new Logger({ serviceName, logLevel: level.toUpperCase() as 'INFO' });
  return {
    debug: (message, data) => logger.debug(message, data ?? {}),
    info: (message, data) => logger.info(message, data ?? {}),
    warn: (message, data) => logger.warn(message, data ?? {}),
    error: (message, data) => (data instanceof Error ? logger.error(message, data) : logger.error(message, data ?? {})),
  };
}
