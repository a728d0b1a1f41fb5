/**
 * The core object: one per state folder and process, built once by each entry point (the
 * extension, the CLI, the MCP server) with `openSwitchboard` and handed down. It owns the map of
 * the state folder, the live feed, the run registry, the team, goal and discovery services, and
 * disposes them together, in reverse order.
 */
import type { SwitchboardConfig } from './config';
import { Feed } from './feed/feed';
import { Lifecycle, toDisposable } from './lifecycle';
import { OwnerServer } from './owner/ownerServer';
import { silentLogger, type Logger } from './logger';
import type { RunRegistry, RegistryOptions } from './registry/registry';
import type { Warnings } from './registry/warnings';
import { openRuns } from './runsOnly';
import type { StateMap } from './state/stateMap';
import { GoalService } from './goals/goalService';
import { DiscoveryService } from './discoveries/discoveryService';
import { TeamService } from './teams/teamService';
import { CompareService } from './compare/compareService';
import { RunWorktrees } from './registry/runWorktrees';
import { stopSharedSsh } from './containers/sshDial';

export type SwitchboardOptions = Omit<RegistryOptions, 'feed'>;

export class Switchboard extends Lifecycle {
  /** The worktrees of single runs (`run --worktree`): what each changed, merging it, removing it. */
  readonly worktrees: RunWorktrees;
  /** Comparisons: one prompt run by several runners at once, each in its own worktree, then gated. */
  readonly compares: CompareService;

  private constructor(
    readonly state: StateMap,
    readonly feed: Feed,
    readonly runs: RunRegistry,
    /** Where other processes ask this one about the teams and goals it runs. */
    readonly owner: OwnerServer,
    readonly teams: TeamService,
    readonly goals: GoalService,
    readonly logger: Logger,
    /** Work the agents found that nobody planned. */
    readonly discoveries: DiscoveryService,
  ) {
    super();
    // Disposed newest first: teams let go of their runs before the registry closes, the feed last;
    // then the ssh connections this process shared with Docker engines take no new sessions.
    this.register(toDisposable(() => void stopSharedSsh()));
    this.register(feed);
    this.register(runs);
    this.register(toDisposable(() => void owner.close()));
    this.register(teams);
    // Goals let go before their teams do.
    this.register(goals);
    this.register(discoveries);
    this.worktrees = new RunWorktrees(runs, feed);
    this.compares = this.register(new CompareService(runs, this.worktrees, { feed, logger }));
  }

  static async open(options: SwitchboardOptions): Promise<Switchboard> {
    const logger = options.logger ?? silentLogger;
    const { state, feed, runs } = await openRuns(options);
    const owner = new OwnerServer(state, (m) => logger.warn(`[owner] ${m}`));
    const teams = new TeamService(runs, { feed, logger, owner });
    const goals = new GoalService({ runs, teams, owner, feed, logger });
    return new Switchboard(state, feed, runs, owner, teams, goals, logger, new DiscoveryService({ runs, teams, goals, feed, logger }));
  }

  get stateDir(): string {
    return this.state.root;
  }

  get config(): SwitchboardConfig {
    return this.runs.config;
  }

  /** New settings apply to what starts from now on. */
  updateConfig(config: SwitchboardConfig): void {
    this.runs.updateConfig(config);
  }

  /** Things a person should know about the state folder (a corrupt file set aside, ...). */
  get warnings(): Warnings {
    return this.runs.warnings;
  }
}

export const openSwitchboard = (options: SwitchboardOptions): Promise<Switchboard> => Switchboard.open(options);
