/** The logging port handed to the core: the extension adapts its LogOutputChannel, the CLI writes to stderr. */
export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace() {}, info() {}, warn() {}, error() {} };

/** A logger whose every line carries the component's tag, e.g. `[registry] adopted run k3j9`. */
export function tagged(logger: Logger, component: string): Logger {
  const tag = `[${component}] `;
  return {
    trace: (m) => logger.trace(tag + m),
    info: (m) => logger.info(tag + m),
    warn: (m) => logger.warn(tag + m),
    error: (m) => logger.error(tag + m),
  };
}
