/** What a goal works with: the runs, the teams, the feed it reports to, and where its owner takes requests. */
import type { Feed } from '../feed/feed';
import type { Logger } from '../logger';
import type { RunRegistry } from '../registry/registry';
import type { TeamService } from '../teams/teamService';

export interface GoalContext {
  stateDir: string;
  runs: RunRegistry;
  teams: TeamService;
  feed?: Feed;
  logger?: Logger;
  /** The socket this process answers requests about its goals on. */
  ownerSocket?: string;
}
