/** What every CLI command works with: the Switchboard over the shared state directory, opened once per command. */
import * as path from 'node:path';
import { loadConfigFile } from '../core/config';
import type { Logger } from '../core/logger';
import { defaultStateDir, ensureStateDir } from '../core/state/stateDir';
import type { Switchboard } from '../core/switchboard';
import type { Out } from './output';

export interface CliContext {
  out: Out;
  stateDir: string;
  logger: Logger;
  /** Opens the core object over the state directory (the caller disposes it). */
  openSwitchboard(): Promise<Switchboard>;
  /** Opens the core object, runs `work` with it, and always closes it. */
  withSwitchboard<T>(work: (sb: Switchboard) => Promise<T>): Promise<T>;
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
    async openSwitchboard() {
      ensureStateDir(stateDir);
      const { config, warning } = loadConfigFile(stateDir);
      if (warning) out.stderr(`switchboard: ${warning}`);
      // Loaded here, not at start: `--version`, `--help` and usage errors never evaluate the core.
      const { openSwitchboard } = await import('../core/switchboard.js');
      const { liveEndpoint, loadOrCreateToken } = await import('../http/credentials.js');
      const sb = await openSwitchboard({
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
      for (const w of sb.warnings) out.stderr(`switchboard: ${w}`);
      return sb;
    },
    async withSwitchboard(work) {
      const sb = await this.openSwitchboard();
      try {
        return await work(sb);
      } finally {
        sb.dispose();
      }
    },
  };
}
