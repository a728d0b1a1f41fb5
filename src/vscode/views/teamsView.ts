/**
 * The Teams view: each team (newest first) with its Workers, Tasks and (a team that is not a goal's)
 * Discoveries, kept current by the TeamWatcher and redrawn as SnapshotTreeView says.
 */
import { isActiveTeam } from '../../core/teams/teamStore';
import type { TeamSnapshot, TeamWatcher } from '../teams/teamWatcher';
import { teamTreeItem } from './teamItems';
import { nodeKey, teamChildNodes, teamMembers, teamParentNode, type TeamNode } from './teamNodes';
import { teamTooltip } from './teamTooltip';
import { SnapshotTreeView, type RowSource } from './snapshotTreeView';

const rows: RowSource<TeamNode, TeamSnapshot> = {
  recordOf: (node) => node.team,
  idOf: (snapshot) => snapshot.view.team.name,
  rootNode: (team) => ({ kind: 'team', team }),
  key: nodeKey,
  item: (node, snapshot, expanded) => teamTreeItem(node, snapshot, expanded),
  tooltip: teamTooltip,
  children: teamChildNodes,
  parent: teamParentNode,
  members: teamMembers,
  isActive: (snapshot) => isActiveTeam(snapshot.view.team.status),
  badge: (n) => `${n} team${n === 1 ? '' : 's'} at work`,
};

export class TeamsView extends SnapshotTreeView<TeamNode, TeamSnapshot> {
  constructor(watcher: TeamWatcher) {
    super('switchboard.teams', watcher, rows);
  }
}
