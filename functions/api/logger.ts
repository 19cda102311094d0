/** The little the app needs from a logger; ids only, never personal data. */
export interface AppLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: AppLogger = { info() {}, warn() {}, error() {} };
