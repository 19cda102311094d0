import { Logger } from "@aws-lambda-powertools/logger";

/** Structured JSON logs (CloudWatch-friendly); callers pass ids, never personal data. */
export function createLogger(serviceName: string, logLevel = "INFO") {
  const logger = new Logger({ serviceName, logLevel: logLevel as "INFO" });
  return {
    info: (message: string, fields: Record<string, unknown> = {}) => logger.info(message, fields),
    warn: (message: string, fields: Record<string, unknown> = {}) => logger.warn(message, fields),
    error: (message: string, fields: Record<string, unknown> = {}) => logger.error(message, fields),
  };
}
