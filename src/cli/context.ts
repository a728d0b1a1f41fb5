/** What every CLI command works with: the registry over the shared state directory. */
import * as path from 'node:path';
import { loadConfigFile } from '../core/config';
import type { Logger } from '../core/logger';
import { defaultStateDir } from '../core/paths';
import { RunRegistry } from '../core/registry/registry';
import { ensureStateDir } from '../core/registry/stateDir';
import { liveEndpoint, loadOrCreateToken } from '../mcp/credentials';
import type { Out } from './output';

export interface CliContext {
  out: Out;
  stateDir: string;
  logger: Logger;
  openRegistry(): Promise<RunRegistry>;
  /** Opens the registry, runs `work` with it, and always closes it. */
  withRegistry<T>(work: (registry: RunRegistry) => Promise<T>): Promise<T>;
}

/** Debug lines go to stderr only when SWITCHBOARD_DEBUG is set. */
function stderrLogger(): Logger {
  const debug = !!process.env.SWITCHBOARD_DEBUG;
  const write = (level: string) => (message: string) => process.stderr.write(`${level} ${message}\n`);
  return { trace: debug ? write('trace') : () => {}, info: debug ? write('info') : () => {}, warn: debug ? write('warn') : () => {}, error: write('error') };
}

export function createContext(out: Out): CliContext {
  const stateDir = defaultStateDir();
  const logger = stderrLogger();
  return {
    out,
    stateDir,
    logger,
    async openRegistry() {
      ensureStateDir(stateDir);
      const { config, warning } = loadConfigFile(stateDir);
      if (warning) out.stderr(`switchboard: ${warning}`);
      const registry = await RunRegistry.open({
        stateDir,
        config,
        supervisorScript: path.join(__dirname, 'supervisor.js'),
        logger,
        // Agents get the MCP server that serves this state directory, when one does.
        agentMcp: async () => {
          const endpoint = liveEndpoint(stateDir);
          return endpoint && { url: endpoint.url, token: loadOrCreateToken(stateDir) };
        },
      });
      for (const w of registry.warnings) out.stderr(`switchboard: ${w}`);
      return registry;
    },
    async withRegistry(work) {
      const registry = await this.openRegistry();
      try {
        return await work(registry);
      } finally {
        registry.dispose();
      }
    },
  };
}
