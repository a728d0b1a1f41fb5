/** What every CLI command works with: the Switchboard over the shared state directory, opened once per command. */
import type { Feed } from '../core/feed/feed';
import type { Logger } from '../core/logger';
import type { RegistryOptions, RunRegistry } from '../core/registry/registry';
import type { SupervisorHost } from '../core/registry/supervisorHost';
import type { Warnings } from '../core/registry/warnings';
import { defaultStateDir, ensureStateDir } from '../core/state/stateDir';
import { StateMap } from '../core/state/stateMap';
import type { Switchboard } from '../core/switchboard';
import type { Out } from './output';
import { findHostSoon } from './runHost';
import { SUPERVISOR_SCRIPT } from './supervisorScript';

export interface CliContext {
  out: Out;
  stateDir: string;
  /** The map of the state folder (paths only: nothing is opened or made). */
  state: StateMap;
  logger: Logger;
  /** Opens the core object over the state directory (the caller disposes it). */
  openSwitchboard(): Promise<Switchboard>;
  /** Opens the core object, runs `work` with it, and always closes it. */
  withSwitchboard<T>(work: (sb: Switchboard) => Promise<T>): Promise<T>;
  /**
   * Opens only the run registry (and the feed it tells; core/runsOnly.ts), runs `work` with it, and
   * always closes both: for a command about runs alone, which then loads none of the other services.
   * `launchSoon`: it starts a run at once (the supervisor host is looked for while the folder is read).
   */
  withRuns<T>(work: (runs: RunRegistry) => Promise<T>, options?: { launchSoon?: boolean }): Promise<T>;
  /** Opens only the live feed (core/runsOnly.ts openFeed), runs `work` with it, and always closes it. */
  withFeed<T>(work: (feed: Feed) => Promise<T> | T): Promise<T>;
}

/** Debug lines go to stderr only when SWITCHBOARD_DEBUG is set. */
function stderrLogger(): Logger {
  const debug = !!process.env.SWITCHBOARD_DEBUG;
  const write = (level: string) => (message: string) => process.stderr.write(`${level} ${message}\n`);
  return { trace: debug ? write('trace') : () => {}, info: debug ? write('info') : () => {}, warn: debug ? write('warn') : () => {}, error: write('error') };
}

/** Warnings found while a command worked (a corrupt record set aside as it listed them), said after what it printed. */
function sayLater(out: Out, warnings: Warnings, told: number): void {
  for (const w of warnings.since(told)) out.stderr(`switchboard: ${w}`);
}

/** `runHost`: the supervisor host the CLI looked for as it started, for the run this command starts (runHost.ts). */
export function createContext(out: Out, runHost?: Promise<SupervisorHost | undefined>): CliContext {
  const stateDir = defaultStateDir();
  const logger = stderrLogger();
  /** What the registry is opened with: the state folder's config (its problem told), this CLI's supervisor host script. */
  const registryOptions = async (): Promise<Omit<RegistryOptions, 'feed'>> => {
    ensureStateDir(stateDir);
    // Loaded here, not at start (its schemas take milliseconds to build): a run's host is looked for first.
    const { loadConfigFile } = await import('../core/config.js');
    const { config, warning } = loadConfigFile(stateDir);
    if (warning) out.stderr(`switchboard: ${warning}`);
    const { liveEndpoint, loadOrCreateToken } = await import('../http/credentials.js');
    return {
      stateDir,
      config,
      supervisorScript: SUPERVISOR_SCRIPT,
      logger,
      // Agents get the MCP server that serves this state directory, when one does.
      agentMcp: async () => {
        const endpoint = liveEndpoint(stateDir);
        return endpoint && { url: endpoint.url, token: loadOrCreateToken(stateDir) };
      },
    };
  };
  return {
    out,
    stateDir,
    state: new StateMap(stateDir),
    logger,
    async openSwitchboard() {
      // Loaded here, not at start: `--version`, `--help` and usage errors never evaluate the core.
      const { openSwitchboard } = await import('../core/switchboard.js');
      const sb = await openSwitchboard(await registryOptions());
      for (const w of sb.warnings.said) out.stderr(`switchboard: ${w}`);
      return sb;
    },
    async withRuns(work, options = {}) {
      // A run starts at once: its supervisor host is looked for (or started: a cold one takes the longest)
      // before the config, the core and the folder are loaded, so that it gets ready meanwhile; the CLI
      // started that as it started, unless it failed (then this meets the problem again, and tells it).
      const host = options.launchSoon ? ((await runHost) ?? (await findHostSoon(stateDir))) : undefined;
      const { runs, feed } = await (async () => {
        const { openRuns } = await import('../core/runsOnly.js');
        return openRuns({ ...(await registryOptions()), ...options, ...(host ? { host } : {}) });
      })().catch((error: unknown) => {
        // Whatever failed (the config, the folder), the host started for this run is let go.
        host?.dispose();
        throw error;
      });
      for (const w of runs.warnings.said) out.stderr(`switchboard: ${w}`);
      const told = runs.warnings.said.length;
      try {
        return await work(runs);
      } finally {
        sayLater(out, runs.warnings, told);
        runs.dispose();
        feed.dispose();
      }
    },
    async withFeed(work) {
      const { openFeed } = await import('../core/runsOnly.js');
      const { feed } = openFeed(stateDir, logger);
      try {
        return await work(feed);
      } finally {
        feed.dispose();
      }
    },
    async withSwitchboard(work) {
      const sb = await this.openSwitchboard();
      const told = sb.warnings.said.length;
      try {
        return await work(sb);
      } finally {
        sayLater(out, sb.warnings, told);
        sb.dispose();
      }
    },
  };
}
